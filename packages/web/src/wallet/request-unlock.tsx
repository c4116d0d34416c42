import { LockOutlined } from '@ant-design/icons';
import { QueryClient, QueryClientProvider, useMutation } from '@tanstack/react-query';
import { Alert, Button, ConfigProvider, Form, Input, Modal, Skeleton, Typography } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { useTranslation } from 'react-i18next';
import { navigate } from 'wouter/use-browser-location';
import { ApiError } from '../api/client';
import { setUnlockedKey, type UnlockedKey } from '../session/signer';
import { shortDid } from '../shared/format';
import { useErrorText } from './errors';
import { getKey } from './key-store';
import { openRecord, type WalletRecord } from './vault';

const THEME = { token: { colorPrimary: '#1f6f5c', borderRadius: 8 } };

type Lookup =
  | { state: 'loading' }
  | { state: 'found'; record: WalletRecord }
  | { state: 'missing' }
  | { state: 'failed'; error: unknown };

function UnlockDialog({
  did,
  onUnlocked,
  onCancel,
  onClosed,
}: {
  did: string;
  onUnlocked: (key: UnlockedKey) => void;
  onCancel: () => void;
  onClosed: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [open, setOpen] = useState(true);
  const [lookup, setLookup] = useState<Lookup>({ state: 'loading' });
  const [form] = Form.useForm<{ passphrase: string }>();
  const opening = useMutation({
    mutationFn: ({ record, passphrase }: { record: WalletRecord; passphrase: string }) =>
      openRecord(record, passphrase),
    onSuccess: (key) => {
      setOpen(false);
      onUnlocked(key);
    },
    onError: () => form.setFieldValue('passphrase', ''),
  });
  // Still busy once opened: the dialog is on its way out.
  const busy = opening.isPending || opening.isSuccess;
  const error = opening.isError ? errorText(opening.error) : null;

  useEffect(() => {
    getKey(did).then(
      (record) => setLookup(record === undefined ? { state: 'missing' } : { state: 'found', record }),
      (failure: unknown) => setLookup({ state: 'failed', error: failure }),
    );
  }, [did]);

  const cancel = () => {
    if (busy) return;
    setOpen(false);
    onCancel();
  };

  const unlock = ({ passphrase }: { passphrase: string }) => {
    if (lookup.state === 'found') opening.mutate({ record: lookup.record, passphrase });
  };

  const openWallet = () => {
    setOpen(false);
    onCancel();
    const here = `${globalThis.location.pathname}${globalThis.location.search}`;
    navigate(here.startsWith('/wallet') ? '/wallet' : `/wallet?next=${encodeURIComponent(here)}`);
  };

  return (
    <Modal
      open={open}
      title={
        <span>
          <LockOutlined /> {t('wallet.unlock.title')}
        </span>
      }
      onCancel={cancel}
      afterClose={onClosed}
      footer={null}
      mask={{ closable: false }}
      width={420}
      // Above whatever asked for the signature (a confirmation dialog still waiting on it).
      zIndex={2000}
      destroyOnHidden
    >
      <div data-testid="unlock-dialog">
        {lookup.state === 'loading' && <Skeleton active paragraph={{ rows: 2 }} title={false} />}
        {lookup.state === 'failed' && <Alert type="error" showIcon title={errorText(lookup.error)} />}
        {lookup.state === 'missing' && (
          <>
            <Alert
              type="warning"
              showIcon
              title={<span data-testid="unlock-no-key">{t('wallet.unlock.noKey', { did: shortDid(did) })}</span>}
              style={{ marginBottom: 16 }}
            />
            <Button type="primary" block size="large" onClick={openWallet} data-testid="unlock-open-wallet">
              {t('wallet.unlock.openWallet')}
            </Button>
          </>
        )}
        {lookup.state === 'found' && (
          <Form form={form} layout="vertical" onFinish={unlock} requiredMark={false} disabled={busy}>
            <Typography.Paragraph>{t('wallet.unlock.intro', { did: shortDid(did) })}</Typography.Paragraph>
            <Form.Item
              name="passphrase"
              label={t('wallet.unlock.passphrase')}
              validateStatus={error ? 'error' : undefined}
              help={error ? <span data-testid="unlock-error">{error}</span> : undefined}
              rules={[{ required: true, message: t('wallet.passphrase.required') }]}
            >
              <Input.Password autoFocus autoComplete="current-password" size="large" data-testid="unlock-passphrase" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="unlock-submit">
              {t('wallet.unlock.submit')}
            </Button>
          </Form>
        )}
      </div>
    </Modal>
  );
}

const pending = new Map<string, Promise<UnlockedKey>>();

/**
 * Asks for the passphrase of this device's wallet key for `did` in a dialog of its own (it works
 * from anywhere: signer.ts calls it when a signature is needed and the key is locked). Resolves
 * with the key, also kept unlocked in memory; rejects with ApiError 'wallet_locked' when cancelled.
 */
export function requestUnlock(did: string): Promise<UnlockedKey> {
  const already = pending.get(did);
  if (already !== undefined) return already;
  const promise = new Promise<UnlockedKey>((resolve, reject) => {
    const host = document.createElement('div');
    host.dataset.concordUnlock = '';
    document.body.append(host);
    const root = createRoot(host);
    const settle = () => pending.delete(did);
    const language = document.documentElement.lang;
    // A root of its own, outside the app's query client: its one mutation gets a client of its own too.
    root.render(
      <QueryClientProvider client={new QueryClient()}>
        <ConfigProvider locale={language === 'en' ? enUS : zhCN} theme={THEME}>
          <UnlockDialog
            did={did}
            onUnlocked={(key) => {
              settle();
              setUnlockedKey(key);
              resolve(key);
            }}
            onCancel={() => {
              settle();
              reject(new ApiError(0, 'wallet_locked', 'Unlock your wallet to sign.'));
            }}
            onClosed={() => {
              // After the closing animation: the dialog leaves no trace in the page.
              setTimeout(() => {
                root.unmount();
                host.remove();
              });
            }}
          />
        </ConfigProvider>
      </QueryClientProvider>,
    );
  });
  pending.set(did, promise);
  return promise;
}
