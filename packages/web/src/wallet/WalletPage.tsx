import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useSearch } from 'wouter';
import { useSession } from '../session/session-store';
import { Loading } from '../shared/states';
import { AccountView } from './AccountView';
import { BackupView } from './BackupView';
import { CreateView } from './CreateView';
import { CustodialCreatedView, CustodialView } from './CustodialView';
import { safeNext, useErrorText } from './errors';
import { ImportView } from './ImportView';
import { listKeys } from './key-store';
import { RestoreView } from './RestoreView';
import { KeyListView, type StartChoice, WelcomeView } from './StartView';
import { Panel } from './ui';
import type { OpenedKey, WalletRecord } from './vault';

type View =
  | { name: 'start' }
  | { name: StartChoice }
  | { name: 'backup'; did: string; record?: WalletRecord; secretKey?: Uint8Array; fresh: boolean }
  | { name: 'custodialCreated'; did: string };

/**
 * The wallet: sign up (a self-held key made here, or a custodial account), sign in (a key of this
 * device, a recovery phrase, a wallet file, a custodial passphrase), and the signed-in account's
 * key: backup, export, lock, sign out, remove.
 */
export function WalletPage() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const session = useSession();
  const search = useSearch();
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const [view, setView] = useState<View>({ name: 'start' });
  // While a flow signs in, it keeps the screen until it moves on (no flash of the account view).
  const [holding, setHolding] = useState(false);
  const keys = useQuery({ queryKey: ['wallet', 'keys'], queryFn: listKeys, retry: false, staleTime: 0 });

  const guard = useCallback(async <T,>(work: () => Promise<T>): Promise<T> => {
    setHolding(true);
    try {
      return await work();
    } catch (error) {
      setHolding(false);
      throw error;
    }
  }, []);

  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['wallet'] });
  const home = () => {
    setHolding(false);
    setView({ name: 'start' });
  };
  /** Signed in: on to where the person was going (`?next=`), or to their page. */
  const finish = () => {
    refresh();
    navigate(safeNext(search) ?? '/me');
  };

  // Each step starts at the top of the page (a phone shows one step at a time).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the step changes.
  useEffect(() => {
    globalThis.scrollTo?.({ top: 0 });
  }, [view.name]);

  if (view.name === 'backup') {
    return (
      <BackupView
        key={view.did}
        did={view.did}
        record={view.record}
        secretKey={view.secretKey}
        onDone={view.fresh ? finish : home}
        onLater={view.fresh ? finish : undefined}
        onBack={view.fresh ? undefined : home}
      />
    );
  }
  if (view.name === 'custodialCreated') return <CustodialCreatedView did={view.did} onContinue={finish} />;

  if (session !== null && !holding) {
    return (
      <AccountView
        key={session.did}
        session={session}
        onBackup={(record) => setView({ name: 'backup', did: record.did, record, fresh: false })}
        onSignedOut={() => {
          refresh();
          home();
        }}
      />
    );
  }

  const choose = (choice: StartChoice) => setView({ name: choice });
  const onCreated = (key: OpenedKey) => {
    refresh();
    setView({ name: 'backup', did: key.did, secretKey: key.secretKey, fresh: true });
    setHolding(false);
  };

  switch (view.name) {
    case 'create':
      return <CreateView onBack={home} guard={guard} onCreated={onCreated} />;
    case 'restore':
      return <RestoreView onBack={home} guard={guard} onSignedIn={finish} />;
    case 'import':
      return <ImportView onBack={home} guard={guard} onSignedIn={finish} />;
    case 'custodial':
      return (
        <CustodialView
          onBack={home}
          onChooseSelfHeld={() => choose('create')}
          guard={guard}
          onCreated={(did) => {
            setView({ name: 'custodialCreated', did });
            setHolding(false);
          }}
          onSignedIn={finish}
        />
      );
    default:
      break;
  }

  if (keys.isPending) {
    return (
      <Panel title={t('wallet.title')} testId="wallet-loading">
        <Loading rows={3} />
      </Panel>
    );
  }
  if (keys.isError) {
    // No wallet storage here (a private window, a locked-down browser): a custodial account still works.
    return (
      <Panel title={t('wallet.title')} testId="wallet-storage-error">
        <Alert type="error" showIcon title={errorText(keys.error)} style={{ marginBottom: 16 }} />
        <Button block onClick={() => void keys.refetch()} style={{ marginBottom: 8 }}>
          {t('common.retry')}
        </Button>
        <Button type="primary" block onClick={() => choose('custodial')} data-testid="wallet-choose-custodial">
          {t('wallet.welcome.custodial')}
        </Button>
      </Panel>
    );
  }
  return keys.data.length === 0 ? (
    <WelcomeView onChoose={choose} />
  ) : (
    <KeyListView records={keys.data} onChoose={choose} guard={guard} onSignedIn={finish} />
  );
}
