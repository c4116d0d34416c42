import {
  CloudOutlined,
  FileProtectOutlined,
  KeyOutlined,
  PlusCircleOutlined,
  SafetyCertificateOutlined,
  UnlockOutlined,
} from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Button, Divider, Form, Input, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, shortDid } from '../shared/format';
import { unlockAndSignIn } from './account';
import { useErrorText } from './errors';
import { lastDid } from './prefs';
import { Choice, ErrorNote, Panel } from './ui';
import type { WalletRecord } from './vault';

export type StartChoice = 'create' | 'restore' | 'import' | 'custodial';

/** No key on this device: the four ways in, the self-held wallet first. */
export function WelcomeView({ onChoose }: { onChoose: (choice: StartChoice) => void }) {
  const { t } = useTranslation();
  return (
    <Panel title={t('wallet.welcome.title')} intro={t('wallet.welcome.intro')} testId="wallet-welcome">
      <Choice
        primary
        icon={<PlusCircleOutlined />}
        title={t('wallet.welcome.create')}
        extra={<Tag color="green">{t('wallet.welcome.recommended')}</Tag>}
        text={t('wallet.welcome.createText')}
        onClick={() => onChoose('create')}
        testId="wallet-choose-create"
      />
      <Choice
        icon={<KeyOutlined />}
        title={t('wallet.welcome.restore')}
        text={t('wallet.welcome.restoreText')}
        onClick={() => onChoose('restore')}
        testId="wallet-choose-restore"
      />
      <Choice
        icon={<FileProtectOutlined />}
        title={t('wallet.welcome.import')}
        text={t('wallet.welcome.importText')}
        onClick={() => onChoose('import')}
        testId="wallet-choose-import"
      />
      <Choice
        icon={<CloudOutlined />}
        title={t('wallet.welcome.custodial')}
        text={t('wallet.welcome.custodialText')}
        onClick={() => onChoose('custodial')}
        testId="wallet-choose-custodial"
      />
    </Panel>
  );
}

/** Keys on this device: pick one, enter its passphrase, signed in. */
export function KeyListView({
  records,
  onChoose,
  guard,
  onSignedIn,
}: {
  records: WalletRecord[];
  onChoose: (choice: StartChoice) => void;
  guard: <T>(work: () => Promise<T>) => Promise<T>;
  onSignedIn: () => void;
}) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const remembered = lastDid();
  const [selected, setSelected] = useState<string | null>(
    records.find((record) => record.did === remembered)?.did ?? (records.length === 1 ? records[0]!.did : null),
  );
  const [form] = Form.useForm<{ passphrase: string }>();
  const signIn = useMutation({
    mutationFn: ({ record, passphrase }: { record: WalletRecord; passphrase: string }) =>
      guard(() => unlockAndSignIn(record, passphrase)),
    onSuccess: onSignedIn,
    onError: () => form.setFieldValue('passphrase', ''),
  });
  // Still busy once signed in: the account view takes this one's place.
  const busy = signIn.isPending || signIn.isSuccess;
  const error = signIn.isError ? errorText(signIn.error) : null;

  const select = (did: string) => {
    if (did !== selected) {
      setSelected(did);
      // A sign-in under way keeps its busy state; only what an earlier one said is cleared.
      if (!signIn.isPending) signIn.reset();
    }
  };

  const unlock = ({ passphrase }: { passphrase: string }) => {
    const record = records.find((item) => item.did === selected);
    if (record !== undefined) signIn.mutate({ record, passphrase });
  };

  return (
    <Panel title={t('wallet.keys.title')} intro={t('wallet.keys.intro')} testId="wallet-keys">
      {records.map((record) => {
        const open = record.did === selected;
        return (
          <div key={record.did}>
            <Choice
              icon={<SafetyCertificateOutlined />}
              title={record.label || shortDid(record.did)}
              text={
                <>
                  <span style={{ fontFamily: 'monospace' }}>{shortDid(record.did)}</span>
                  {' · '}
                  {t('wallet.keys.createdAt', { date: formatDate(record.createdAt, i18n.language) })}
                </>
              }
              onClick={() => select(record.did)}
              pressed={open}
              testId={`wallet-key-${record.did}`}
            />
            {open && (
              <Form
                form={form}
                layout="vertical"
                onFinish={unlock}
                style={{ margin: '-4px 0 16px', padding: '0 4px' }}
                requiredMark={false}
              >
                <ErrorNote text={error} />
                <Form.Item
                  name="passphrase"
                  label={t('wallet.keys.passphrase')}
                  rules={[{ required: true, message: t('wallet.passphrase.required') }]}
                >
                  <Input.Password
                    autoFocus
                    autoComplete="current-password"
                    size="large"
                    data-testid="wallet-passphrase"
                    disabled={busy}
                  />
                </Form.Item>
                <Button
                  type="primary"
                  htmlType="submit"
                  block
                  size="large"
                  icon={<UnlockOutlined />}
                  loading={busy}
                  data-testid="wallet-unlock"
                >
                  {busy ? t('wallet.keys.unlocking') : t('wallet.keys.unlock')}
                </Button>
                <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0, fontSize: 13 }}>
                  {t('wallet.keys.forgot')}
                </Typography.Paragraph>
              </Form>
            )}
          </div>
        );
      })}
      <Divider plain>{t('wallet.welcome.more')}</Divider>
      <Space wrap style={{ width: '100%', justifyContent: 'center' }}>
        <Button icon={<PlusCircleOutlined />} onClick={() => onChoose('create')} data-testid="wallet-choose-create">
          {t('wallet.keys.addAnother')}
        </Button>
        <Button icon={<KeyOutlined />} onClick={() => onChoose('restore')} data-testid="wallet-choose-restore">
          {t('wallet.welcome.restore')}
        </Button>
        <Button icon={<FileProtectOutlined />} onClick={() => onChoose('import')} data-testid="wallet-choose-import">
          {t('wallet.welcome.import')}
        </Button>
        <Button icon={<CloudOutlined />} onClick={() => onChoose('custodial')} data-testid="wallet-choose-custodial">
          {t('wallet.welcome.custodial')}
        </Button>
      </Space>
    </Panel>
  );
}
