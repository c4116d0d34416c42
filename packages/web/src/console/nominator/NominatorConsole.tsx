import { useQuery } from '@tanstack/react-query';
import { Col, Row, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'wouter';
import { SignInPrompt } from '../../account/shared';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/session-store';
import { localized } from '../../shared/format';
import { ErrorState, Loading } from '../../shared/states';
import { CandidatesTable } from './CandidatesTable';
import { nominatorKeys, useDecidedTallies } from './queries';
import { RewardsCard } from './RewardsCard';
import { StakeCard } from './StakeCard';

const DEFAULT_CATEGORY = 'oil';

/** The nominator's console: candidates of a category, my nomination and stake, rewards and slashes. */
export function NominatorConsole() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const category = params.get('category') ?? DEFAULT_CATEGORY;
  const me = useQuery({
    queryKey: nominatorKeys.me(session?.did ?? ''),
    queryFn: () => unwrap(api.GET('/v1/consensus/me')),
    enabled: session !== null,
  });
  const categories = useQuery({
    queryKey: nominatorKeys.categories,
    queryFn: () => unwrap(api.GET('/v1/catalog/categories')),
  });
  const candidates = useQuery({
    queryKey: nominatorKeys.candidates(category),
    queryFn: () => unwrap(api.GET('/v1/consensus/candidates', { params: { query: { category, limit: 100 } } })),
  });
  const { rounds, tallies } = useDecidedTallies(session !== null);

  if (session === null) return <SignInPrompt next="/console/nominator" />;
  if (me.isPending) return <Loading rows={8} />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  const roundItems = rounds.data?.items ?? [];
  const tallyItems = tallies.data ?? [];
  const leaves = (categories.data?.items ?? []).filter(
    (c) => !(categories.data?.items ?? []).some((other) => other.parent === c.slug),
  );

  return (
    <div data-testid="nominator-console">
      <Typography.Title level={3} style={{ fontSize: 20, margin: '4px 0 4px' }}>
        {t('console.nominator.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('console.nominator.intro')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <label htmlFor="nominator-category">{t('console.nominator.category')}</label>
        <Select
          id="nominator-category"
          value={category}
          style={{ minWidth: 160 }}
          loading={categories.isPending}
          onChange={(value: string) => setParams({ category: value })}
          options={leaves.map((c) => ({ value: c.slug, label: localized(c.name, i18n.language) }))}
          data-testid="nominator-category"
        />
      </Space>
      {rounds.isError && <ErrorState error={rounds.error} retry={() => void rounds.refetch()} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <CandidatesTable
            category={category}
            rounds={roundItems}
            roundsLoaded={!rounds.isPending}
            tallies={tallyItems}
            mine={new Set(me.data.nomination?.targets ?? [])}
          />
        </Col>
        <Col xs={24} xl={10}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <StakeCard me={me.data} candidates={candidates.data?.items ?? []} />
            {tallies.isPending && rounds.isPending ? (
              <Loading rows={3} />
            ) : (
              <RewardsCard me={me.data} rounds={roundItems} tallies={tallyItems} />
            )}
          </Space>
        </Col>
      </Row>
    </div>
  );
}
