import { CheckCircleFilled, InfoCircleOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Form, Input, Result, Segmented, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { signInCustodial } from '../session/signer';
import { custodialSignUp } from './account';
import { useErrorText } from './errors';
import { custodialDid, rememberCustodialDid } from './prefs';
import { DidText, ErrorNote, NewPassphraseFields, Panel } from './ui';

/** The server's rule for custodial passphrases. */
const CUSTODIAL_MIN = 10;

/** What custodial means, said plainly before anyone chooses it. */
function CustodialExplained() {
  const { t } = useTranslation();
  return (
    <Alert
      type="warning"
      style={{ marginBottom: 16 }}
      title={
        <strong>
          <InfoCircleOutlined /> {t('wallet.custodial.whatTitle')}
        </strong>
      }
      description={
        <ul style={{ paddingInlineStart: 18, margin: '4px 0 0' }} data-testid="custodial-explained">
          <li>{t('wallet.custodial.what1')}</li>
          <li>{t('wallet.custodial.what2')}</li>
          <li>{t('wallet.custodial.what3')}</li>
          <li>
            <strong>{t('wallet.custodial.what4')}</strong>
          </li>
        </ul>
      }
    />
  );
}

interface SignUpForm {
  name?: string;
  passphrase: string;
  confirm: string;
  accept: boolean;
}

/** A custodial account: sign up (the platform makes and keeps the key) or sign in with the passphrase. */
export function CustodialView({
  onBack,
  onChooseSelfHeld,
  guard,
  onCreated,
  onSignedIn,
}: {
  onBack: () => void;
  onChooseSelfHeld: () => void;
  guard: <T>(work: () => Promise<T>) => Promise<T>;
  onCreated: (did: string) => void;
  onSignedIn: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const remembered = custodialDid();
  const [mode, setMode] = useState<'signUp' | 'signIn'>(remembered ? 'signIn' : 'signUp');
  const [editingDid, setEditingDid] = useState(remembered === null);
  const signUp = useMemo(() => custodialSignUp(), []);

  const register = useMutation({
    mutationFn: ({ name, passphrase }: SignUpForm) => guard(() => signUp(passphrase, name)),
    onSuccess: onCreated,
  });
  const signIn = useMutation({
    mutationFn: async ({ did, passphrase }: { did?: string; passphrase: string }) => {
      const account = (editingDid ? did : remembered)?.trim() ?? '';
      await guard(() => signInCustodial(account, passphrase));
      rememberCustodialDid(account);
    },
    onSuccess: onSignedIn,
  });
  // One busy state and one error for both forms, as switching between them mid-request leaves it running.
  // Still busy once through: the next view takes this one's place.
  const busy = [register, signIn].some((action) => action.isPending || action.isSuccess);
  const failed = [register, signIn].find((action) => action.isError);
  const error = failed ? errorText(failed.error) : null;

  return (
    <Panel title={t('wallet.custodial.title')} onBack={onBack} testId="wallet-custodial">
      <CustodialExplained />
      <Segmented<'signUp' | 'signIn'>
        block
        value={mode}
        onChange={(value) => {
          setMode(value);
          for (const action of [register, signIn]) if (!action.isPending) action.reset();
        }}
        options={[
          { value: 'signUp', label: <span data-testid="custodial-mode-signup">{t('wallet.custodial.signUp')}</span> },
          { value: 'signIn', label: <span data-testid="custodial-mode-signin">{t('wallet.custodial.signIn')}</span> },
        ]}
        style={{ marginBottom: 16 }}
      />
      {mode === 'signUp' ? (
        <Form<SignUpForm>
          layout="vertical"
          onFinish={(values) => register.mutate(values)}
          requiredMark={false}
          disabled={busy}
          key="signUp"
        >
          <Form.Item name="name" label={t('wallet.custodial.name')} rules={[{ max: 40 }]}>
            <Input autoComplete="nickname" maxLength={40} size="large" data-testid="custodial-name" />
          </Form.Item>
          <NewPassphraseFields
            min={CUSTODIAL_MIN}
            testId="custodial"
            label={t('wallet.custodial.passphrase')}
            help={t('wallet.custodial.passphraseHelp', { min: CUSTODIAL_MIN })}
          />
          <Form.Item
            name="accept"
            valuePropName="checked"
            rules={[
              {
                validator: (_, value) =>
                  value ? Promise.resolve() : Promise.reject(new Error(t('wallet.custodial.acceptRequired'))),
              },
            ]}
          >
            <Checkbox data-testid="custodial-accept">{t('wallet.custodial.accept')}</Checkbox>
          </Form.Item>
          <ErrorNote text={error} />
          <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="custodial-submit">
            {t('wallet.custodial.submitSignUp')}
          </Button>
        </Form>
      ) : (
        <Form<{ did?: string; passphrase: string }>
          layout="vertical"
          onFinish={(values) => signIn.mutate(values)}
          requiredMark={false}
          disabled={busy}
          key="signIn"
          initialValues={{ did: remembered ?? '' }}
        >
          {editingDid ? (
            <Form.Item
              name="did"
              label={t('wallet.custodial.did')}
              rules={[
                { required: true, message: t('wallet.custodial.didRequired') },
                { pattern: /^\s*did:key:z\w+\s*$/, message: t('wallet.custodial.didInvalid') },
              ]}
            >
              <Input
                autoComplete="username"
                autoCapitalize="none"
                spellCheck={false}
                placeholder={t('wallet.custodial.didPlaceholder')}
                size="large"
                data-testid="custodial-signin-did"
              />
            </Form.Item>
          ) : (
            <Form.Item label={t('wallet.custodial.did')}>
              <DidText did={remembered ?? ''} testId="custodial-remembered-did" />
              <Button type="link" size="small" onClick={() => setEditingDid(true)} data-testid="custodial-other-did">
                {t('wallet.custodial.otherAccount')}
              </Button>
            </Form.Item>
          )}
          <Form.Item
            name="passphrase"
            label={t('wallet.custodial.passphrase')}
            rules={[{ required: true, message: t('wallet.passphrase.required') }]}
          >
            <Input.Password
              autoComplete="current-password"
              size="large"
              autoFocus={!editingDid}
              data-testid="custodial-signin-passphrase"
            />
          </Form.Item>
          <ErrorNote text={error} />
          <Button
            type="primary"
            htmlType="submit"
            block
            size="large"
            loading={busy}
            data-testid="custodial-signin-submit"
          >
            {t('wallet.custodial.submitSignIn')}
          </Button>
        </Form>
      )}
      <Button type="link" block onClick={onChooseSelfHeld} style={{ marginTop: 12 }} data-testid="custodial-self-held">
        {t('wallet.custodial.chooseSelf')}
      </Button>
    </Panel>
  );
}

/** Right after a custodial sign-up: the account ID, to note down, and on. */
export function CustodialCreatedView({ did, onContinue }: { did: string; onContinue: () => void }) {
  const { t } = useTranslation();
  return (
    <section style={{ maxWidth: 560, margin: '0 auto', width: '100%' }} data-testid="custodial-created">
      <Result
        icon={<CheckCircleFilled style={{ color: '#1f6f5c' }} />}
        title={t('wallet.custodial.createdTitle')}
        subTitle={t('wallet.custodial.createdText')}
        style={{ background: '#fff', borderRadius: 8, padding: '32px 20px' }}
        extra={
          <>
            <Typography.Paragraph style={{ textAlign: 'start' }}>
              <Typography.Text type="secondary">{t('wallet.custodial.did')}</Typography.Text>
              <br />
              <DidText did={did} testId="custodial-did" />
            </Typography.Paragraph>
            <Button type="primary" size="large" block onClick={onContinue} data-testid="custodial-continue">
              {t('wallet.custodial.continue')}
            </Button>
          </>
        }
      />
    </section>
  );
}
