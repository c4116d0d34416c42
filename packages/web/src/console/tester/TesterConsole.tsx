import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../session/session-store';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { SignInPrompt } from '../../shop/SignInPrompt';
import { Earnings } from '../expert/Earnings';
import { Accuracy } from './Accuracy';
import { useMyRounds } from './queries';
import { RoundCard } from './RoundCard';
import { StakeCard } from './StakeCard';

/** The tester's console: my standing and candidacies, the rounds I am drawn in, accuracy and earnings. */
export function TesterConsole() {
  const { t } = useTranslation();
  const session = useSession();
  if (session === null) return <SignInPrompt next="/console/tester" title={t('console.tester.signIn')} />;
  return <TesterWork did={session.did} />;
}

function TesterWork({ did }: { did: string }) {
  const { t } = useTranslation();
  const rounds = useMyRounds(did);
  const items = rounds.data?.items ?? [];
  const active = items.filter((r) => r.status === 'open');
  const past = items.filter((r) => r.status !== 'open');

  const roundsTab = rounds.isPending ? (
    <Loading />
  ) : rounds.isError ? (
    <ErrorState error={rounds.error} retry={() => void rounds.refetch()} />
  ) : items.length === 0 ? (
    <EmptyState description={t('console.tester.rounds.none')} />
  ) : (
    <div data-testid="tester-rounds">
      {active.length === 0 && <p style={{ color: '#5b6b66' }}>{t('console.tester.rounds.noneOpen')}</p>}
      {active.map((round) => (
        <RoundCard key={round.id} did={did} round={round} open />
      ))}
      {past.length > 0 && <h4 style={{ margin: '16px 0 8px' }}>{t('console.tester.rounds.past')}</h4>}
      {past.map((round) => (
        <RoundCard key={round.id} did={did} round={round} open={false} />
      ))}
    </div>
  );

  return (
    <div data-testid="tester-console">
      <h2 style={{ fontSize: 18, margin: '4px 0 4px' }}>{t('console.tester.title')}</h2>
      <p style={{ color: '#5b6b66', margin: '0 0 12px' }}>{t('console.tester.text')}</p>
      <section
        style={{ background: '#fff', border: '1px solid #eef1f0', borderRadius: 10, padding: 16, marginBottom: 12 }}
      >
        <h3 style={{ margin: '0 0 8px', fontSize: 16 }}>{t('console.tester.standing.title')}</h3>
        <StakeCard did={did} />
      </section>
      <Tabs
        items={[
          {
            key: 'rounds',
            label: (
              <span data-testid="tab-rounds">
                {t('console.tester.tabs.rounds')}
                {active.length > 0 ? ` (${active.length})` : ''}
              </span>
            ),
            children: roundsTab,
          },
          {
            key: 'accuracy',
            label: <span data-testid="tab-accuracy">{t('console.tester.tabs.accuracy')}</span>,
            children: rounds.isSuccess ? <Accuracy did={did} rounds={items} /> : <Loading rows={2} />,
          },
          {
            key: 'earnings',
            label: <span data-testid="tab-earnings">{t('console.tester.tabs.earnings')}</span>,
            children: <Earnings did={did} prefix="tester" />,
          },
        ]}
      />
    </div>
  );
}
