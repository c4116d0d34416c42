import {
  DeleteOutlined,
  DownloadOutlined,
  LockOutlined,
  LogoutOutlined,
  SafetyOutlined,
  UnlockOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Avatar, Button, Card, Checkbox, Modal, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'wouter';
import { ApiError, api, unwrap } from '../api/client';
import type { Session } from '../session/session-store';
import { setUnlockedKey, signOut, useUnlockedKey } from '../session/signer';
import { ErrorState, Loading } from '../shared/states';
import { useErrorText } from './errors';
import { deleteKey, getKey } from './key-store';
import { lastDid, markBackedUp, rememberLastDid, useBackedUp } from './prefs';
import { requestUnlock } from './request-unlock';
import { DidText, ErrorNote, FactRow } from './ui';
import { type WalletRecord, walletFileName, walletFileText } from './vault';

function download(record: WalletRecord): void {
  const url = URL.createObjectURL(new Blob([walletFileText(record)], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = walletFileName(record.did);
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Removing a key from this device, after saying plainly what that means. */
function RemoveKey({ did, onRemoved }: { did: string; onRemoved: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [open, setOpen] = useState(false);
  const [understood, setUnderstood] = useState(false);
  const remove = useMutation({
    mutationFn: async () => {
      await deleteKey(did);
      markBackedUp(did, false);
      if (lastDid() === did) rememberLastDid(null);
      await signOut().catch(() => undefined);
    },
    onSuccess: () => {
      setOpen(false);
      onRemoved();
    },
  });

  return (
    <>
      <Button
        danger
        type="text"
        block
        icon={<DeleteOutlined />}
        onClick={() => {
          setUnderstood(false);
          if (!remove.isPending) remove.reset();
          setOpen(true);
        }}
        data-testid="wallet-remove"
      >
        {t('wallet.account.remove')}
      </Button>
      <Modal
        open={open}
        title={t('wallet.account.removeTitle')}
        onCancel={() => setOpen(false)}
        destroyOnHidden
        footer={
          <Space>
            <Button onClick={() => setOpen(false)} data-testid="wallet-remove-cancel">
              {t('common.cancel')}
            </Button>
            <Button
              danger
              type="primary"
              disabled={!understood}
              // Still busy once removed: the dialog is on its way out.
              loading={remove.isPending || remove.isSuccess}
              onClick={() => remove.mutate()}
              data-testid="wallet-remove-confirm"
            >
              {t('wallet.account.removeConfirm')}
            </Button>
          </Space>
        }
      >
        <Alert type="error" showIcon title={t('wallet.account.removeWarn')} style={{ marginBottom: 16 }} />
        <Checkbox
          checked={understood}
          onChange={(event) => setUnderstood(event.target.checked)}
          data-testid="wallet-remove-check"
        >
          {t('wallet.account.removeCheck')}
        </Checkbox>
        <div style={{ marginTop: 12 }}>
          <ErrorNote text={remove.isError ? errorText(remove.error) : null} />
        </div>
      </Modal>
    </>
  );
}

/** The signed-in account: who, whose key, its safety (backup, file), lock, sign out, remove. */
export function AccountView({
  session,
  onBackup,
  onSignedOut,
}: {
  session: Session;
  onBackup: (record: WalletRecord) => void;
  onSignedOut: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const selfHeld = session.custody === 'self';
  const record = useQuery({
    queryKey: ['wallet', 'key', session.did],
    queryFn: async () => (await getKey(session.did)) ?? null,
    enabled: selfHeld,
    retry: false,
  });
  const profile = useQuery({
    queryKey: ['wallet', 'me', session.did],
    queryFn: () => unwrap(api.GET('/v1/me')),
    retry: false,
  });
  const unlocked = useUnlockedKey()?.did === session.did;
  const backedUp = useBackedUp(session.did);
  const [exported, setExported] = useState(false);

  const unlock = useMutation({
    mutationFn: () =>
      requestUnlock(session.did).catch((failure: unknown) => {
        // Closing the dialog is a choice, not a failure.
        if (failure instanceof ApiError && failure.code === 'wallet_locked') return null;
        throw failure;
      }),
  });
  const error = unlock.isError ? errorText(unlock.error) : null;

  const leave = useMutation({
    mutationFn: () => signOut().catch(() => undefined),
    onSuccess: onSignedOut,
  });

  const held = record.data ?? null;
  const keyHere = selfHeld && held !== null;

  return (
    <section style={{ maxWidth: 560, margin: '0 auto', width: '100%' }} data-testid="wallet-account">
      <Card styles={{ body: { padding: 20 } }} style={{ marginBottom: 12 }}>
        <div style={{ display: 'flex', alignItems: 'center', gap: 12, marginBottom: 16 }}>
          <Avatar size={48} icon={<UserOutlined />} style={{ background: '#1f6f5c', flex: 'none' }} />
          <div style={{ minWidth: 0 }}>
            <Typography.Title level={3} style={{ margin: 0, fontSize: 20 }} data-testid="wallet-name">
              {profile.data?.profile.displayName ?? t('wallet.account.title')}
            </Typography.Title>
            <Tag
              color={selfHeld ? 'green' : 'gold'}
              data-testid="wallet-custody"
              data-custody={session.custody}
              style={{ marginTop: 4 }}
            >
              {selfHeld ? t('wallet.account.self') : t('wallet.account.platform')}
            </Tag>
          </div>
        </div>
        <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 4 }}>
          {t('wallet.account.did')}
        </Typography.Text>
        <div style={{ marginBottom: 12 }}>
          <DidText did={session.did} testId="wallet-did" />
        </div>
        {keyHere && (
          <FactRow label={t('wallet.account.keyStatus')}>
            <span data-testid="wallet-key-status" data-unlocked={unlocked}>
              {unlocked ? (
                <Tag icon={<UnlockOutlined />} color="blue" style={{ margin: 0 }}>
                  {t('wallet.account.unlocked')}
                </Tag>
              ) : (
                <Tag icon={<LockOutlined />} style={{ margin: 0 }}>
                  {t('wallet.account.lockedShort')}
                </Tag>
              )}
            </span>
            {unlocked ? (
              <Button
                size="small"
                icon={<LockOutlined />}
                onClick={() => setUnlockedKey(null)}
                data-testid="wallet-lock"
              >
                {t('wallet.account.lock')}
              </Button>
            ) : (
              <Button
                size="small"
                type="primary"
                icon={<UnlockOutlined />}
                loading={unlock.isPending}
                onClick={() => unlock.mutate()}
                data-testid="wallet-unlock-key"
              >
                {t('wallet.account.unlock')}
              </Button>
            )}
          </FactRow>
        )}
        {keyHere && !unlocked && (
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: -4 }}>
            {t('wallet.account.locked')}
          </Typography.Paragraph>
        )}
        {keyHere && (
          <FactRow label={t('wallet.account.backupStatus')}>
            <Tag
              color={backedUp ? 'green' : 'orange'}
              data-testid="wallet-backup-status"
              data-backed-up={backedUp}
              style={{ margin: 0 }}
            >
              {backedUp ? t('wallet.account.backedUp') : t('wallet.account.notBackedUp')}
            </Tag>
          </FactRow>
        )}
        {!selfHeld && (
          <Alert type="info" showIcon title={t('wallet.account.custodialNote')} data-testid="wallet-custodial-note" />
        )}
        <div style={{ marginTop: error ? 12 : 0 }}>
          <ErrorNote text={error} />
        </div>
      </Card>

      {selfHeld &&
        (record.isPending ? (
          <Loading rows={2} />
        ) : record.isError ? (
          <ErrorState error={record.error} retry={() => void record.refetch()} />
        ) : held === null ? (
          <Alert
            type="warning"
            showIcon
            title={t('wallet.account.noKeyHere')}
            style={{ marginBottom: 12 }}
            data-testid="wallet-no-key-here"
          />
        ) : (
          <Card styles={{ body: { padding: 20 } }} style={{ marginBottom: 12 }}>
            <Typography.Title level={4} style={{ marginTop: 0 }}>
              <SafetyOutlined /> {t('wallet.account.safety')}
            </Typography.Title>
            {!backedUp && (
              <Alert
                type="warning"
                showIcon
                data-testid="wallet-backup-nudge"
                title={t('wallet.account.nudge')}
                style={{ marginBottom: 16 }}
              />
            )}
            <Space orientation="vertical" style={{ width: '100%' }} size="middle">
              <div>
                <Button
                  type={backedUp ? 'default' : 'primary'}
                  block
                  size="large"
                  onClick={() => onBackup(held)}
                  data-testid="wallet-backup"
                >
                  {backedUp ? t('wallet.account.backupAgain') : t('wallet.account.nudgeAction')}
                </Button>
              </div>
              <div>
                <Button
                  block
                  size="large"
                  icon={<DownloadOutlined />}
                  onClick={() => {
                    download(held);
                    setExported(true);
                  }}
                  data-testid="wallet-export"
                >
                  {t('wallet.account.export')}
                </Button>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {exported ? t('wallet.account.exported') : t('wallet.account.exportText')}
                </Typography.Text>
              </div>
            </Space>
          </Card>
        ))}

      <Card styles={{ body: { padding: 12 } }}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Button type="text" block icon={<UserOutlined />} onClick={() => navigate('/me')} data-testid="wallet-go-me">
            {t('wallet.account.goMe')}
          </Button>
          <Button
            type="text"
            block
            icon={<LogoutOutlined />}
            loading={leave.isPending}
            onClick={() => leave.mutate()}
            data-testid="wallet-sign-out"
          >
            {t('wallet.account.signOut')}
          </Button>
          {keyHere && (
            <RemoveKey
              did={session.did}
              onRemoved={() => {
                void queryClient.invalidateQueries({ queryKey: ['wallet'] });
                onSignedOut();
              }}
            />
          )}
        </Space>
      </Card>
    </section>
  );
}
