import { InboxOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Button, Descriptions, Form, Input, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate } from '../shared/format';
import { keepAndSignIn } from './account';
import { useErrorText } from './errors';
import { DidText, ErrorNote, Panel } from './ui';
import { openRecord, parseWalletFile, type WalletRecord } from './vault';

/** A drop zone that is also a button (Enter or Space opens the file chooser). */
function FilePicker({ onFile }: { onFile: (file: File) => void }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        tabIndex={-1}
        hidden
        data-testid="wallet-import-input"
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (file !== undefined) onFile(file);
        }}
      />
      <button
        type="button"
        data-testid="wallet-import-file"
        onClick={() => input.current?.click()}
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => {
          event.preventDefault();
          setOver(false);
          const file = event.dataTransfer.files[0];
          if (file !== undefined) onFile(file);
        }}
        style={{
          display: 'block',
          width: '100%',
          border: `1px dashed ${over ? '#1f6f5c' : '#c9d2cf'}`,
          background: over ? '#eef6f3' : '#fafbfb',
          borderRadius: 8,
          padding: '28px 16px',
          textAlign: 'center',
          cursor: 'pointer',
          font: 'inherit',
          color: 'inherit',
        }}
      >
        <InboxOutlined style={{ fontSize: 40, color: '#1f6f5c' }} aria-hidden />
        <span style={{ display: 'block', fontSize: 16, marginTop: 8 }}>{t('wallet.import.drop')}</span>
        <Typography.Text type="secondary" style={{ fontSize: 13 }}>
          {t('wallet.import.dropHint')}
        </Typography.Text>
      </button>
    </>
  );
}

/**
 * A wallet file from another device: checked, opened with its passphrase (nothing is kept until
 * it opens), kept here as it came, signed in.
 */
export function ImportView({
  onBack,
  guard,
  onSignedIn,
}: {
  onBack: () => void;
  guard: <T>(work: () => Promise<T>) => Promise<T>;
  onSignedIn: () => void;
}) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [record, setRecord] = useState<WalletRecord | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [form] = Form.useForm<{ passphrase: string }>();
  const signIn = useMutation({
    mutationFn: async ({ record, passphrase }: { record: WalletRecord; passphrase: string }) => {
      const key = await openRecord(record, passphrase);
      await guard(() => keepAndSignIn(key, record));
    },
    onSuccess: onSignedIn,
    onError: () => form.setFieldValue('passphrase', ''),
  });
  // Still busy once signed in: the account view takes this one's place.
  const busy = signIn.isPending || signIn.isSuccess;
  const error = signIn.isError ? errorText(signIn.error) : readError;

  const read = async (file: File) => {
    setReadError(null);
    signIn.reset();
    setRecord(null);
    try {
      setRecord(parseWalletFile(await file.text()));
    } catch (failure) {
      setReadError(errorText(failure));
    }
  };

  const submit = ({ passphrase }: { passphrase: string }) => {
    if (record !== null) signIn.mutate({ record, passphrase });
  };

  return (
    <Panel title={t('wallet.import.title')} intro={t('wallet.import.intro')} onBack={onBack} testId="wallet-import">
      {record === null ? (
        <>
          <ErrorNote text={error} />
          <FilePicker onFile={(file) => void read(file)} />
        </>
      ) : (
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
          <Descriptions column={1} size="small" layout="vertical" style={{ marginBottom: 8 }}>
            <Descriptions.Item label={t('wallet.import.account')}>
              <div>{record.label}</div>
              <DidText did={record.did} testId="wallet-import-did" />
              <div style={{ color: '#5c6663', fontSize: 12 }}>
                {t('wallet.keys.createdAt', { date: formatDate(record.createdAt, i18n.language) })}
              </div>
            </Descriptions.Item>
          </Descriptions>
          <Form.Item
            name="passphrase"
            label={t('wallet.import.passphrase')}
            rules={[{ required: true, message: t('wallet.passphrase.required') }]}
          >
            <Input.Password
              autoFocus
              autoComplete="current-password"
              size="large"
              data-testid="wallet-import-passphrase"
            />
          </Form.Item>
          <ErrorNote text={error} />
          <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="wallet-import-submit">
            {t('wallet.import.submit')}
          </Button>
          <Button
            type="link"
            block
            onClick={() => {
              setRecord(null);
              setReadError(null);
              signIn.reset();
            }}
            data-testid="wallet-import-another"
            style={{ marginTop: 8 }}
          >
            {t('wallet.import.another')}
          </Button>
        </Form>
      )}
    </Panel>
  );
}
