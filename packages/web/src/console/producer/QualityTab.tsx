import { appealBondFen } from '@concord/protocol';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Collapse, Descriptions, Form, Input, Radio, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, idempotencyKey, unwrap } from '../../api/client';
import { platformNow } from '../../api/server-time';
import { formatDateTime, formatFen, localized, shortDid } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { formatValue } from '../../trust/attribute-rows';
import { ActionNote, DoneNote, envelope, keys, type ProductDetail, type Round, Section } from './shared';

type Outcome = 'succeed' | 'fail' | 'timeout';

const VERDICT_COLOR: Record<string, string> = { pass: 'green', fail: 'red' };

function VerdictOf({ verdict, status }: { verdict: string | null; status: Round['status'] }) {
  const { t } = useTranslation();
  if (verdict === null) return <Tag>{t(`console.producer.quality.roundStatus.${status}`)}</Tag>;
  return (
    <Tag color={VERDICT_COLOR[verdict] ?? 'default'} data-testid="round-verdict">
      {t(`console.producer.quality.verdict.${verdict}`, { defaultValue: verdict })}
    </Tag>
  );
}

/** Filing an appeal of the round's verdict (or the last ruling): the grounds and a bond paid through the sandbox. */
function AppealForm({
  round,
  instance,
  onDone,
}: {
  round: Round;
  instance: number;
  onDone: (logIndex: string) => void;
}) {
  const { t } = useTranslation();
  const [key] = useState(() => idempotencyKey('appeal'));
  const file = useMutation({
    mutationFn: async (values: { grounds: string; simulate: Outcome }) => {
      const signed = await envelope(
        'consensus.appeal.filed',
        { roundId: round.id, instance, grounds: values.grounds.trim() },
        key,
      );
      return unwrap(
        api.POST('/v1/consensus/appeals', {
          body: { envelope: signed as never, simulate: values.simulate },
          headers: { 'idempotency-key': key },
        }),
      );
    },
    onSuccess: (answer) => onDone(answer.receipt.logIndex),
  });
  return (
    <Form
      layout="vertical"
      initialValues={{ simulate: 'succeed' }}
      onFinish={(values) => file.mutate(values)}
      data-testid="appeal-form"
    >
      <Typography.Paragraph type="secondary">
        {t('console.producer.quality.appealText', { bond: formatFen(appealBondFen(instance)), instance })}
      </Typography.Paragraph>
      <Form.Item
        name="grounds"
        label={t('console.producer.quality.grounds')}
        rules={[
          { required: true, whitespace: true, min: 10, message: t('console.producer.quality.groundsMin') },
          { max: 2000 },
        ]}
      >
        <Input.TextArea rows={3} maxLength={2000} showCount data-testid="appeal-grounds" />
      </Form.Item>
      <Form.Item name="simulate" label={t('console.producer.sandbox')}>
        <Radio.Group
          options={(['succeed', 'fail', 'timeout'] as const).map((o) => ({
            value: o,
            label: t(`console.producer.outcome.${o}`),
          }))}
        />
      </Form.Item>
      <ActionNote error={file.error} style={{ marginBottom: 8 }} testId="appeal-error" />
      <Button htmlType="submit" danger loading={file.isPending} data-testid="appeal-submit">
        {t('console.producer.quality.appealSubmit', { bond: formatFen(appealBondFen(instance)) })}
      </Button>
    </Form>
  );
}

function AppealCase({ caseId }: { caseId: string }) {
  const { t, i18n } = useTranslation();
  const appeal = useQuery({
    queryKey: ['/v1/consensus/appeals', caseId],
    queryFn: () => unwrap(api.GET('/v1/consensus/appeals/{caseId}', { params: { path: { caseId } } })),
  });
  if (appeal.isPending) return <Loading rows={2} />;
  if (appeal.isError) return <ErrorState error={appeal.error} retry={() => void appeal.refetch()} />;
  return (
    <div data-testid="appeal-case">
      {appeal.data.instances.map((instance) => (
        <Descriptions
          key={instance.instance}
          size="small"
          column={{ xs: 1, sm: 2 }}
          title={t('console.producer.quality.instance', { instance: instance.instance })}
          style={{ marginBottom: 8 }}
        >
          <Descriptions.Item label={t('console.producer.quality.appealStatus')}>
            <Tag data-testid="appeal-status">{t(`console.producer.quality.appealStatuses.${instance.status}`)}</Tag>
            {instance.ruling && (
              <Tag color={instance.ruling === 'overturn' ? 'orange' : 'blue'}>
                {t(`console.producer.quality.ruling.${instance.ruling}`)}
              </Tag>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('console.producer.quality.appellant')}>
            {shortDid(instance.appellant)}
          </Descriptions.Item>
          <Descriptions.Item label={t('console.producer.quality.bond')}>
            {formatFen(instance.bondFen)}
          </Descriptions.Item>
          <Descriptions.Item label={t('console.producer.quality.jury')}>
            {t('console.producer.quality.jurors', {
              count: instance.jurors.length,
              revealed: instance.jurors.filter((j) => j.revealed).length,
            })}
          </Descriptions.Item>
          {instance.revealDeadline && (
            <Descriptions.Item label={t('console.producer.quality.revealDeadline')}>
              {formatDateTime(instance.revealDeadline, i18n.language)}
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('console.producer.quality.grounds')}>{instance.grounds}</Descriptions.Item>
        </Descriptions>
      ))}
    </div>
  );
}

/** One round: the verdict per attribute (from the product's latest decided round), testers, tallies, appeal. */
function RoundDetail({ round, did }: { round: Round; did: string }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const detail = useQuery({
    queryKey: ['/v1/consensus/rounds', round.id],
    queryFn: () => unwrap(api.GET('/v1/consensus/rounds/{id}', { params: { path: { id: round.id } } })),
  });
  const tally = useQuery({
    queryKey: ['/v1/consensus/rounds', round.id, 'tally'],
    queryFn: () => unwrap(api.GET('/v1/consensus/rounds/{id}/tally', { params: { path: { id: round.id } } })),
  });
  const product = useQuery({
    queryKey: keys.product(round.productId),
    queryFn: () => unwrap(api.GET('/v1/catalog/products/{id}', { params: { path: { id: round.productId } } })),
  });
  if (detail.isPending || tally.isPending || product.isPending) return <Loading rows={3} />;
  if (detail.isError) return <ErrorState error={detail.error} retry={() => void detail.refetch()} />;
  if (tally.isError) return <ErrorState error={tally.error} retry={() => void tally.refetch()} />;
  if (product.isError) return <ErrorState error={product.error} retry={() => void product.refetch()} />;

  const consensus: ProductDetail['consensus'] =
    product.data.consensus?.round.id === round.id ? product.data.consensus : null;
  const labels = new Map(
    product.data.attributes.map((a) => [
      a.key,
      `${localized(a.label, i18n.language) || a.key}${a.unit ? ` (${a.unit})` : ''}`,
    ]),
  );
  const appeal = consensus?.round.appeal ?? null;
  const until = consensus?.round.appealUntil ?? tally.data.appealUntil;
  const open = until !== null && new Date(until).getTime() > platformNow().getTime();
  const canAppeal = round.status === 'decided' && open && (appeal === null || appeal.status === 'ruled');
  const instance = appeal === null ? 0 : appeal.instance + 1;

  return (
    <div data-testid={`round-detail-${round.id}`}>
      {done !== null && (
        <DoneNote text={t('console.producer.quality.appealed')} logIndex={done} onClose={() => setDone(null)} />
      )}
      <Descriptions size="small" column={{ xs: 1, sm: 2, md: 3 }}>
        <Descriptions.Item label={t('console.producer.quality.lot')}>{round.lotId}</Descriptions.Item>
        <Descriptions.Item label={t('console.producer.quality.opened')}>
          {formatDateTime(round.openedAt, i18n.language)}
        </Descriptions.Item>
        <Descriptions.Item label={t('console.producer.quality.testers')}>
          {t('console.producer.quality.revealed', {
            count: detail.data.testers.length,
            revealed: detail.data.testers.filter((x) => x.revealStatus === 'valid').length,
          })}
        </Descriptions.Item>
        {tally.data.decidedAt && (
          <Descriptions.Item label={t('console.producer.quality.decided')}>
            {formatDateTime(tally.data.decidedAt, i18n.language)}
          </Descriptions.Item>
        )}
        {until && (
          <Descriptions.Item label={t('console.producer.quality.appealUntil')}>
            {formatDateTime(until, i18n.language)}
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('console.producer.quality.tallies')}>
          {tally.data.tallies.length === 0
            ? '—'
            : tally.data.tallies.map((x) => (
                <Typography.Text key={x.eventId} code title={x.digest} style={{ fontSize: 12 }}>
                  {t('console.producer.quality.stage', { stage: x.stage })} {x.digest.slice(0, 10)}…
                </Typography.Text>
              ))}
        </Descriptions.Item>
      </Descriptions>
      {round.status === 'decided' && !canAppeal && appeal === null && (
        <Typography.Paragraph type="secondary">{t('console.producer.quality.appealClosed')}</Typography.Paragraph>
      )}
      {consensus !== null && (
        <Table
          style={{ marginTop: 8 }}
          size="small"
          pagination={false}
          rowKey="key"
          scroll={{ x: true }}
          data-testid="round-attributes"
          dataSource={consensus.attributes}
          columns={[
            {
              title: t('console.producer.quality.attribute'),
              dataIndex: 'key',
              render: (key: string, row) => `${labels.get(key) ?? key}${row.mandatory ? ' *' : ''}`,
            },
            { title: t('console.producer.quality.claimed'), dataIndex: 'claimed', render: (v) => formatValue(v, t) },
            {
              title: t('console.producer.quality.consensus'),
              dataIndex: 'consensus',
              render: (v) => formatValue(v, t),
            },
            {
              title: t('console.producer.quality.conforms'),
              dataIndex: 'conforms',
              render: (v: boolean | null) =>
                v === null ? (
                  '—'
                ) : (
                  <Tag color={v ? 'green' : 'red'}>
                    {t(v ? 'console.producer.quality.ok' : 'console.producer.quality.notOk')}
                  </Tag>
                ),
            },
          ]}
        />
      )}
      {consensus?.round.verdict !== undefined && consensus.round.verdict !== consensus.round.tallyVerdict && (
        <Alert type="info" showIcon style={{ marginTop: 8 }} title={t('console.producer.quality.overturned')} />
      )}
      {appeal !== null && (
        <div style={{ marginTop: 12 }}>
          <Typography.Title level={5}>{t('console.producer.quality.appeal')}</Typography.Title>
          <AppealCase caseId={appeal.caseId} />
        </div>
      )}
      {canAppeal && (
        <div style={{ marginTop: 12 }}>
          <Typography.Title level={5}>{t('console.producer.quality.appealTitle')}</Typography.Title>
          <AppealForm
            round={round}
            instance={instance}
            onDone={(logIndex) => {
              setDone(logIndex);
              void client.invalidateQueries({ queryKey: keys.product(round.productId) });
              void client.invalidateQueries({ queryKey: keys.rounds(did) });
            }}
          />
        </div>
      )}
      <Typography.Paragraph style={{ marginTop: 8, marginBottom: 0 }}>
        <Link href={`/products/${encodeURIComponent(round.productId)}`}>
          {t('console.producer.quality.trustPanel')}
        </Link>
      </Typography.Paragraph>
    </div>
  );
}

/** Test rounds of my products, newest first, with their verdicts; each opens to its detail and appeal. */
export function QualityTab({ did }: { did: string }) {
  const { t, i18n } = useTranslation();
  const rounds = useInfiniteQuery({
    queryKey: keys.rounds(did),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/v1/consensus/rounds', {
          params: {
            query: { producer: did, limit: 100, ...(pageParam === undefined ? {} : { cursor: pageParam }) },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const mine = (rounds.data?.pages ?? []).flatMap((page) => page.items);
  const products = useQuery({
    queryKey: keys.products(did),
    queryFn: () => unwrap(api.GET('/v1/producer/products', { params: { query: { limit: 100 } } })),
  });
  const titles = new Map((products.data?.items ?? []).map((p) => [p.id, localized(p.title, i18n.language)]));
  return (
    <div data-testid="producer-quality">
      <Section title={t('console.producer.quality.title')}>
        <Typography.Paragraph type="secondary">{t('console.producer.quality.text')}</Typography.Paragraph>
        {rounds.isPending ? (
          <Loading />
        ) : rounds.isError ? (
          <ErrorState error={rounds.error} retry={() => void rounds.refetch()} />
        ) : mine.length === 0 ? (
          <EmptyState description={t('console.producer.quality.empty')} />
        ) : (
          <Collapse
            items={mine.map((round) => ({
              key: round.id,
              label: (
                <span
                  data-testid={`quality-round-${round.id}`}
                  style={{ display: 'inline-flex', gap: 8, flexWrap: 'wrap', alignItems: 'center' }}
                >
                  <strong title={round.productId}>{titles.get(round.productId) ?? round.productId}</strong>
                  <span>{round.lotId}</span>
                  <VerdictOf verdict={round.verdict} status={round.status} />
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatDateTime(round.openedAt, i18n.language)}
                  </Typography.Text>
                </span>
              ),
              children: <RoundDetail round={round} did={did} />,
            }))}
          />
        )}
        {rounds.hasNextPage && (
          <Button
            style={{ marginTop: 12 }}
            loading={rounds.isFetchingNextPage}
            onClick={() => void rounds.fetchNextPage()}
          >
            {t('console.producer.more')}
          </Button>
        )}
      </Section>
    </div>
  );
}
