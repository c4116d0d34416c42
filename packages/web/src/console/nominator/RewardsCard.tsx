import { useQuery } from '@tanstack/react-query';
import { Card, List, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { formatPoints } from '../../account/shared';
import { api, unwrap } from '../../api/client';
import { formatDate, shortDid } from '../../shared/format';
import { ErrorState, Loading } from '../../shared/states';
import { type ConsensusMe, nominatorKeys, type RewardsResult, type RoundSummary, type Tally } from './queries';

interface Outcome {
  round: RoundSummary;
  at: string;
  slashed: bigint;
  /** The testers I back who were drawn: won (a share of the pool) or penalised. */
  backed: { tester: string; outcome: string; penalised: boolean }[];
  causes: string[];
}

/** Rounds that touched my stake: the outcomes of the testers I back, and any slash of my stake. */
function outcomesOf(me: ConsensusMe, rounds: RoundSummary[], tallies: Tally[]): Outcome[] {
  const byRound = new Map(rounds.map((round) => [round.id, round]));
  const targets = new Set(me.nomination?.targets ?? []);
  const outcomes: Outcome[] = [];
  for (const tally of tallies) {
    const round = byRound.get(tally.roundId);
    const result = tally.rewards?.result as (RewardsResult & { rewards?: { slashes?: SlashLeg[] } }) | undefined;
    if (round === undefined || result === undefined) continue;
    const slashed = (result.slashes ?? [])
      .filter((s) => s.party === me.did)
      .reduce((sum, s) => sum + BigInt(s.slashedPoints), 0n);
    const causes = (result.rewards?.slashes ?? []).filter((s) => s.party === me.did).map((s) => s.tester);
    const backed = (result.rewards?.testers ?? []).filter((r) => targets.has(r.tester) || causes.includes(r.tester));
    if (slashed === 0n && backed.length === 0) continue;
    outcomes.push({ round, at: tally.decidedAt ?? round.revealDeadline, slashed, backed, causes });
  }
  return outcomes.sort((a, b) => b.at.localeCompare(a.at));
}

interface SlashLeg {
  party: string;
  tester: string;
}

/** Rewards and slashes: per decided round, and my points' movements on the ledger. */
export function RewardsCard({ me, rounds, tallies }: { me: ConsensusMe; rounds: RoundSummary[]; tallies: Tally[] }) {
  const { t, i18n } = useTranslation();
  const points = useQuery({
    queryKey: nominatorKeys.points(me.did),
    queryFn: () => unwrap(api.GET('/v1/points', { params: { query: { limit: 50 } } })),
  });
  const outcomes = outcomesOf(me, rounds, tallies);
  const language = i18n.language;
  return (
    <Card size="small" title={t('console.nominator.rewards.title')} data-testid="rewards">
      {outcomes.length === 0 ? (
        <Typography.Paragraph type="secondary">{t('console.nominator.rewards.none')}</Typography.Paragraph>
      ) : (
        <List
          size="small"
          dataSource={outcomes}
          renderItem={(o) => (
            <List.Item data-testid={`round-outcome-${o.round.id}`}>
              <div style={{ width: '100%' }}>
                <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, flexWrap: 'wrap' }}>
                  <Link href={`/products/${encodeURIComponent(o.round.productId)}`}>
                    {t('console.nominator.rewards.round', { product: o.round.productId, lot: o.round.lotId })}
                  </Link>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatDate(o.at, language)}
                  </Typography.Text>
                </div>
                {o.slashed > 0n && (
                  <div data-testid="slash" style={{ color: '#cf1322', marginTop: 4 }}>
                    {t('console.nominator.rewards.slashed', {
                      points: formatPoints(o.slashed),
                      testers: o.causes.map(shortDid).join('、'),
                    })}
                  </div>
                )}
                <div style={{ marginTop: 4 }}>
                  {o.backed.map((b) => (
                    <Tag key={b.tester} color={b.penalised ? 'red' : b.outcome === 'won' ? 'green' : 'default'}>
                      {shortDid(b.tester)} ·{' '}
                      {t(`console.nominator.rewards.outcome.${b.penalised ? 'penalised' : b.outcome}`, {
                        defaultValue: b.outcome,
                      })}
                    </Tag>
                  ))}
                </div>
              </div>
            </List.Item>
          )}
        />
      )}
      <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>
        {t('console.nominator.rewards.movements')}
      </Typography.Text>
      {points.isPending ? (
        <Loading rows={2} />
      ) : points.isError ? (
        <ErrorState error={points.error} retry={() => void points.refetch()} />
      ) : points.data.movements.length === 0 ? (
        <Typography.Paragraph type="secondary">{t('console.nominator.rewards.noMovements')}</Typography.Paragraph>
      ) : (
        <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="point-movements">
          {points.data.movements.map((m) => (
            <li
              key={m.transferId}
              style={{ display: 'flex', justifyContent: 'space-between', padding: '6px 0', gap: 8 }}
            >
              <span>
                {t(`console.nominator.rewards.code.${m.code}`, { defaultValue: m.code })}
                <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 8 }}>
                  {formatDate(m.createdAt, language)}
                </Typography.Text>
              </span>
              <span style={{ fontWeight: 600, color: BigInt(m.points) < 0n ? '#5b6b66' : '#1f6f5c' }}>
                {formatPoints(m.points, { sign: true })}
              </span>
            </li>
          ))}
        </ul>
      )}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
        {t('console.nominator.rewards.help')}
      </Typography.Paragraph>
    </Card>
  );
}
