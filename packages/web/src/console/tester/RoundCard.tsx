import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { formatDateTime } from '../../shared/format';
import { CommitForm } from './CommitForm';
import type { MyRound } from './queries';
import { RevealPanel } from './RevealPanel';

const STEP_COLORS: Record<string, string> = {
  buy: 'orange',
  commit: 'blue',
  wait: 'default',
  reveal: 'purple',
  done: 'green',
  missed: 'red',
  closed: 'default',
};

/** One round I am drawn in: what it tests, its deadlines, and the next thing to do. */
export function RoundCard({ did, round, open }: { did: string; round: MyRound; open: boolean }) {
  const { t, i18n } = useTranslation();
  const step = round.next.step;
  return (
    <section
      data-testid={`round-${round.id}`}
      style={{ background: '#fff', border: '1px solid #eef1f0', borderRadius: 10, padding: 16, marginBottom: 12 }}
    >
      <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, flexWrap: 'wrap' }}>
        <div>
          <h3 style={{ margin: 0, fontSize: 16 }}>
            <Link href={`/products/${round.productId}`}>{round.productId}</Link>{' '}
            <span style={{ color: '#5b6b66', fontWeight: 400, fontSize: 13 }}>
              {t('console.tester.rounds.lot', { lot: round.lotId })}
            </span>
          </h3>
          <div style={{ color: '#5b6b66', fontSize: 13 }}>
            <code>{round.id}</code> · {round.category} · {round.model.id} v{round.model.version} ·{' '}
            {t('console.tester.rounds.stage', { stage: round.stage })}
          </div>
        </div>
        <Tag color={STEP_COLORS[step]} data-testid="next-step" style={{ alignSelf: 'flex-start' }}>
          {t(`console.tester.steps.${step}`)}
        </Tag>
      </div>
      <div style={{ fontSize: 13, margin: '8px 0' }}>
        {t('console.tester.rounds.commitBy', { date: formatDateTime(round.commitDeadline, i18n.language) })}
        {' · '}
        {t('console.tester.rounds.revealBy', { date: formatDateTime(round.revealDeadline, i18n.language) })}
        {round.revealStatus !== null && (
          <>
            {' · '}
            <span data-testid="reveal-status">{t(`console.tester.revealStatus.${round.revealStatus}`)}</span>
          </>
        )}
      </div>
      <p style={{ margin: '0 0 8px' }} data-testid="next-hint">
        {t(`console.tester.hints.${step}`)}
        {step === 'buy' && (
          <>
            {' '}
            <Link href={`/products/${round.productId}`} data-testid="buy-link">
              {t('console.tester.rounds.buy')}
            </Link>
          </>
        )}
      </p>
      {open && step === 'commit' && <CommitForm did={did} round={round} onCommitted={() => undefined} />}
      {open && (step === 'wait' || step === 'reveal') && <RevealPanel did={did} round={round} />}
    </section>
  );
}
