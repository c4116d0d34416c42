import { DownloadOutlined } from '@ant-design/icons';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Form, Input, InputNumber, Radio, Space, Table, Tag, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, idempotencyKey, unwrap } from '../../api/client';
import { useErrorText } from '../../shared/error-text';
import { formatDateTime, formatFen, yuanToFen } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { ActionNote, type Cycle, keys, Muted, Section } from './shared';

const IncomeChart = lazy(async () => ({ default: (await import('../IncomeChart')).IncomeChart }));

type Outcome = 'succeed' | 'fail' | 'timeout';
const CHART_CYCLES = 12;

/** 11月23日 / Nov 23: a cycle's week, short enough for a phone's table. */
const shortDate = (iso: string, language: string): string =>
  new Date(iso).toLocaleDateString(language, { month: 'short', day: 'numeric' });

function statementQuery(did: string, cycle: number) {
  return {
    queryKey: keys.statement(did, cycle),
    queryFn: () => unwrap(api.GET('/v1/settlement/cycles/{cycle}/statement', { params: { path: { cycle } } })),
  };
}

/** Fetches the statement as CSV with the session and saves it. */
async function downloadCsv(cycle: number): Promise<void> {
  const answer = await api.GET('/v1/settlement/cycles/{cycle}/statement.csv', {
    params: { path: { cycle } },
    parseAs: 'blob',
  });
  if (!answer.response.ok) throw new Error(answer.response.statusText);
  const url = URL.createObjectURL(answer.data as unknown as Blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `cycle-${cycle}-statement.csv`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function StatementView({ did, cycle }: { did: string; cycle: Cycle }) {
  const { t } = useTranslation();
  const errorText = useErrorText('console.producer.errors');
  const [error, setError] = useState<string | null>(null);
  const statement = useQuery(statementQuery(did, cycle.cycle));
  if (statement.isPending) return <Loading rows={2} />;
  if (statement.isError) return <ErrorState error={statement.error} retry={() => void statement.refetch()} />;
  const data = statement.data;
  return (
    <div data-testid={`statement-${cycle.cycle}`}>
      <Space wrap style={{ marginBottom: 8 }}>
        <span>
          {t('console.producer.money.total')} <strong data-testid="statement-total">{formatFen(data.totalFen)}</strong>
        </span>
        <Button
          size="small"
          icon={<DownloadOutlined />}
          onClick={() => void downloadCsv(cycle.cycle).catch((failure) => setError(errorText(failure)))}
          data-testid="statement-csv"
        >
          CSV
        </Button>
        {cycle.logIndex && (
          <Link href={`/explorer/entries/${cycle.logIndex}`}>
            {t('console.producer.onLog', { index: cycle.logIndex })}
          </Link>
        )}
      </Space>
      {error !== null && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} />}
      {data.lines.length === 0 ? (
        <EmptyState description={t('console.producer.money.noLines')} />
      ) : (
        <Table
          size="small"
          rowKey={(line) => `${line.kind}-${line.source}-${line.ref}`}
          pagination={data.lines.length > 10 ? { pageSize: 10 } : false}
          scroll={{ x: true }}
          dataSource={data.lines}
          columns={[
            {
              title: t('console.producer.money.kind'),
              dataIndex: 'kind',
              render: (kind: string) => t(`console.producer.money.kinds.${kind}`, { defaultValue: kind }),
            },
            { title: t('console.producer.money.source'), dataIndex: 'source' },
            { title: t('console.producer.money.ref'), dataIndex: 'ref' },
            {
              title: t('console.producer.money.amount'),
              dataIndex: 'amountFen',
              align: 'right',
              render: (fen: string) => formatFen(fen),
            },
          ]}
        />
      )}
      <Muted>{t('console.producer.money.proof', { count: data.leaves.length, root: data.root.slice(0, 12) })}</Muted>
    </div>
  );
}

function Statements({ did }: { did: string }) {
  const { t, i18n } = useTranslation();
  const cycles = useQuery({
    queryKey: keys.cycles,
    queryFn: () => unwrap(api.GET('/v1/settlement/cycles', { params: { query: { limit: 50 } } })),
  });
  const closed = (cycles.data?.items ?? []).filter((c) => c.status === 'closed');
  const recent = closed.slice(0, CHART_CYCLES);
  const statements = useQueries({ queries: recent.map((c) => statementQuery(did, c.cycle)) });
  const income = recent
    .map((c, i) => ({ cycle: c.cycle, fen: statements[i]?.data?.totalFen ?? null }))
    .filter((row): row is { cycle: number; fen: string } => row.fen !== null)
    .reverse();
  const [open, setOpen] = useState<number | null>(null);

  return (
    <Section title={t('console.producer.money.statements')} testId="producer-statements">
      {cycles.isPending ? (
        <Loading />
      ) : cycles.isError ? (
        <ErrorState error={cycles.error} retry={() => void cycles.refetch()} />
      ) : closed.length === 0 ? (
        <EmptyState description={t('console.producer.money.noCycles', { current: cycles.data.current })} />
      ) : (
        <>
          {income.length > 0 && (
            <Suspense fallback={<Loading rows={3} />}>
              <IncomeChart cycles={income} />
            </Suspense>
          )}
          <Table
            size="small"
            rowKey="cycle"
            pagination={false}
            scroll={{ x: true }}
            dataSource={closed}
            data-testid="cycles-table"
            expandable={{
              showExpandColumn: false,
              expandedRowKeys: open === null ? [] : [open],
              onExpand: (expanded, row) => setOpen(expanded ? row.cycle : null),
              expandedRowRender: (row) => <StatementView did={did} cycle={row} />,
            }}
            columns={[
              { title: t('console.producer.money.cycleCol'), dataIndex: 'cycle', render: (n: number) => `#${n}` },
              {
                title: t('console.producer.money.period'),
                render: (_, row) =>
                  `${shortDate(row.startsAt, i18n.language)} – ${shortDate(row.endsAt, i18n.language)}`,
              },
              { title: t('console.producer.money.orders'), dataIndex: 'orders', responsive: ['sm'] },
              {
                title: t('console.producer.money.mine'),
                align: 'right',
                render: (_, row) => {
                  const at = recent.findIndex((c) => c.cycle === row.cycle);
                  const fen = at >= 0 ? statements[at]?.data?.totalFen : undefined;
                  return fen === undefined ? '—' : <strong>{formatFen(fen)}</strong>;
                },
              },
              {
                title: '',
                render: (_, row) => (
                  <Button
                    size="small"
                    onClick={() => setOpen(open === row.cycle ? null : row.cycle)}
                    data-testid={`cycle-open-${row.cycle}`}
                  >
                    {t('console.producer.money.statement')}
                  </Button>
                ),
              },
            ]}
          />
        </>
      )}
    </Section>
  );
}

function Withdrawals({ did }: { did: string }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [form] = Form.useForm<{ amount: string; destination: string; simulate: Outcome }>();
  const [key, setKey] = useState(() => idempotencyKey('withdrawal'));
  const balances = useQuery({
    queryKey: keys.balances(did),
    queryFn: () => unwrap(api.GET('/v1/distribution/me')),
  });
  const withdrawals = useQuery({
    queryKey: keys.withdrawals(did),
    queryFn: () => unwrap(api.GET('/v1/distribution/withdrawals', { params: { query: { limit: 20 } } })),
  });
  const withdraw = useMutation({
    mutationFn: ({ amountFen, destination, simulate }: { amountFen: string; destination: string; simulate: Outcome }) =>
      unwrap(
        api.POST('/v1/distribution/withdrawals', {
          body: { amountFen, destination, id: key, simulate },
          headers: { 'idempotency-key': key },
        }),
      ),
    onSuccess: () => {
      setKey(idempotencyKey('withdrawal'));
      form.resetFields(['amount']);
      void client.invalidateQueries({ queryKey: keys.withdrawals(did) });
      void client.invalidateQueries({ queryKey: keys.balances(did) });
    },
  });
  const b = balances.data?.balances;
  return (
    <Section title={t('console.producer.money.balances')} testId="producer-balances">
      {balances.isPending ? (
        <Loading rows={1} />
      ) : balances.isError ? (
        <ErrorState error={balances.error} retry={() => void balances.refetch()} />
      ) : (
        b && (
          <Descriptions size="small" column={{ xs: 1, sm: 3 }}>
            <Descriptions.Item label={t('console.producer.money.available')}>
              <strong data-testid="earnings-available">{formatFen(b.earningsAvailableFen)}</strong>
            </Descriptions.Item>
            <Descriptions.Item label={t('console.producer.money.frozen')}>
              {formatFen(b.earningsFrozenFen)}
            </Descriptions.Item>
            <Descriptions.Item label={t('console.producer.money.debt')}>{formatFen(b.debtFen)}</Descriptions.Item>
          </Descriptions>
        )
      )}
      <Typography.Title level={5}>{t('console.producer.money.withdraw')}</Typography.Title>
      <Form
        form={form}
        layout="inline"
        initialValues={{ simulate: 'succeed' }}
        onFinish={(values) => {
          const amountFen = yuanToFen(values.amount);
          if (amountFen === null) return;
          withdraw.mutate({ amountFen, destination: values.destination.trim(), simulate: values.simulate });
        }}
        style={{ rowGap: 8 }}
      >
        <Form.Item
          name="amount"
          rules={[
            {
              validator: async (_, value) => {
                const fen = yuanToFen(value);
                if (fen === null || fen === '0') throw new Error(t('console.producer.form.priceInvalid'));
              },
            },
          ]}
        >
          <Input
            prefix="¥"
            inputMode="decimal"
            placeholder={t('console.producer.money.amount')}
            aria-label={t('console.producer.money.amount')}
            style={{ width: 140 }}
          />
        </Form.Item>
        <Form.Item
          name="destination"
          rules={[{ required: true, whitespace: true, message: t('console.producer.form.required') }]}
        >
          <Input
            placeholder={t('console.producer.money.destination')}
            aria-label={t('console.producer.money.destination')}
            style={{ width: 200 }}
          />
        </Form.Item>
        <Form.Item name="simulate">
          <Radio.Group
            size="small"
            options={(['succeed', 'fail', 'timeout'] as const).map((o) => ({
              value: o,
              label: t(`console.producer.outcome.${o}`),
            }))}
          />
        </Form.Item>
        <Button htmlType="submit" type="primary" loading={withdraw.isPending}>
          {t('console.producer.money.withdrawSubmit')}
        </Button>
      </Form>
      <ActionNote
        error={withdraw.error}
        done={withdraw.isSuccess ? t(`console.producer.money.withdrawalStatus.${withdraw.data.status}`) : undefined}
        style={{ marginTop: 8 }}
      />
      <div style={{ marginTop: 12 }}>
        {withdrawals.isPending ? (
          <Loading rows={2} />
        ) : withdrawals.isError ? (
          <ErrorState error={withdrawals.error} retry={() => void withdrawals.refetch()} />
        ) : withdrawals.data.items.length === 0 ? (
          <Muted>{t('console.producer.money.noWithdrawals')}</Muted>
        ) : (
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            scroll={{ x: true }}
            dataSource={withdrawals.data.items}
            columns={[
              {
                title: t('console.producer.money.date'),
                dataIndex: 'createdAt',
                render: (at: string) => formatDateTime(at, i18n.language),
              },
              {
                title: t('console.producer.money.amount'),
                dataIndex: 'amountFen',
                render: (fen: string) => formatFen(fen),
              },
              { title: t('console.producer.money.fee'), dataIndex: 'feeFen', render: (fen: string) => formatFen(fen) },
              {
                title: t('console.producer.money.destination'),
                dataIndex: 'destination',
                render: (d: string) => `••••${d}`,
              },
              {
                title: t('console.producer.money.state'),
                dataIndex: 'status',
                render: (s: string) => <Tag>{t(`console.producer.money.withdrawalStatus.${s}`)}</Tag>,
              },
            ]}
          />
        )}
      </div>
    </Section>
  );
}

function SupplierTokens({ did }: { did: string }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [key, setKey] = useState(() => idempotencyKey('redeem'));
  const tokens = useQuery({
    queryKey: keys.tokens(did),
    queryFn: () => unwrap(api.GET('/v1/supplier/token-redemptions', { params: { query: { limit: 10 } } })),
  });
  const redeem = useMutation({
    mutationFn: (values: { tokens: number }) =>
      unwrap(
        api.POST('/v1/supplier/token-redemptions', {
          body: { tokens: String(values.tokens) },
          headers: { 'idempotency-key': key } as never,
        }),
      ),
    onSuccess: () => {
      setKey(idempotencyKey('redeem'));
      void client.invalidateQueries({ queryKey: keys.tokens(did) });
    },
  });
  return (
    <Section title={t('console.producer.tokens.title')} testId="producer-tokens">
      {tokens.isPending ? (
        <Loading rows={2} />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} retry={() => void tokens.refetch()} />
      ) : (
        <>
          <Descriptions size="small" column={{ xs: 2, sm: 4 }}>
            <Descriptions.Item label={t('console.producer.tokens.held')}>
              <strong data-testid="tokens-held">{tokens.data.tokens.held}</strong>
            </Descriptions.Item>
            <Descriptions.Item label={t('console.producer.tokens.earned')}>
              {tokens.data.tokens.earned}
            </Descriptions.Item>
            <Descriptions.Item label={t('console.producer.tokens.redeemedTotal')}>
              {tokens.data.tokens.redeemed}
            </Descriptions.Item>
            <Descriptions.Item label={t('console.producer.tokens.reversed')}>
              {tokens.data.tokens.reversed}
            </Descriptions.Item>
          </Descriptions>
          <Muted>{t('console.producer.tokens.explain')}</Muted>
          <Form
            layout="inline"
            onFinish={(values: { tokens: number }) => redeem.mutate(values)}
            style={{ marginTop: 8, rowGap: 8 }}
          >
            <Form.Item name="tokens" rules={[{ required: true, message: t('console.producer.form.required') }]}>
              <InputNumber
                min={1}
                precision={0}
                placeholder={t('console.producer.tokens.amount')}
                aria-label={t('console.producer.tokens.amount')}
                style={{ width: 160 }}
              />
            </Form.Item>
            <Button htmlType="submit" loading={redeem.isPending} disabled={BigInt(tokens.data.tokens.held) === 0n}>
              {t('console.producer.tokens.redeem')}
            </Button>
          </Form>
          <ActionNote
            error={redeem.error}
            done={
              redeem.isSuccess
                ? t('console.producer.tokens.redeemed', {
                    bps: redeem.data.reductionBps,
                    cycle: redeem.data.effectiveCycle,
                    after: (redeem.data.feeBpsAfter / 100).toFixed(2),
                  })
                : undefined
            }
            style={{ marginTop: 8 }}
          />
          {tokens.data.items.length > 0 && (
            <Table
              size="small"
              rowKey="id"
              pagination={false}
              scroll={{ x: true }}
              style={{ marginTop: 8 }}
              dataSource={tokens.data.items}
              columns={[
                {
                  title: t('console.producer.money.date'),
                  dataIndex: 'createdAt',
                  render: (at: string) => formatDateTime(at, i18n.language),
                },
                { title: t('console.producer.tokens.spent'), dataIndex: 'tokensSpent' },
                {
                  title: t('console.producer.tokens.cycle'),
                  dataIndex: 'effectiveCycle',
                  render: (n: number) => `#${n}`,
                },
                {
                  title: t('console.producer.tokens.fee'),
                  render: (_, r) => `${(r.feeBpsBefore / 100).toFixed(2)}% → ${(r.feeBpsAfter / 100).toFixed(2)}%`,
                },
              ]}
            />
          )}
        </>
      )}
    </Section>
  );
}

/** My money: statements per closed cycle with their income chart, balances and withdrawals, supplier tokens. */
export function MoneyTab({ did }: { did: string }) {
  return (
    <div data-testid="producer-money">
      <Statements did={did} />
      <Withdrawals did={did} />
      <SupplierTokens did={did} />
    </div>
  );
}
