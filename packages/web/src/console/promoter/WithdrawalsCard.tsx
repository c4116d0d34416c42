import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, InputNumber, Table, Tag, Typography } from 'antd';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { type DistributionMe, keys } from '../../account/shared';
import { api, idempotencyKey, unwrap } from '../../api/client';
import type { Session } from '../../session/session-store';
import { useErrorText } from '../../shared/error-text';
import { formatDateTime, formatFen } from '../../shared/format';
import { MutationError } from '../../shared/MutationError';
import { ErrorState, Loading } from '../../shared/states';
import { promoterKeys, type Withdrawal } from './queries';

const STATUS_COLOR = { review: 'gold', paying: 'blue', paid: 'green', failed: 'red', rejected: 'default' } as const;

interface Values {
  amountYuan: number;
  destination: string;
}

function WithdrawForm({ session, channel }: { session: Session; channel: DistributionMe }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const errorText = useErrorText('account.errors');
  const [form] = Form.useForm<Values>();
  // One key per request, kept across its retries (a double click or a lost answer pays once).
  const pending = useRef<{ body: string; key: string; id: string } | null>(null);
  const available = BigInt(channel.balances.earningsAvailableFen);

  const submit = useMutation({
    mutationFn: (values: Values) => {
      const amountFen = String(Math.round(values.amountYuan * 100));
      const destination = values.destination.trim();
      const body = `${amountFen}|${destination}`;
      if (pending.current?.body !== body) {
        pending.current = { body, key: idempotencyKey('withdrawal'), id: `wd-${crypto.randomUUID()}` };
      }
      const { key, id } = pending.current;
      return unwrap(
        api.POST('/v1/distribution/withdrawals', {
          body: { id, amountFen, destination },
          headers: { 'idempotency-key': key },
        }),
      );
    },
    // Awaited, so the button stays busy until the balance shown is the new one.
    onSuccess: async () => {
      pending.current = null;
      form.resetFields();
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: promoterKeys.withdrawals(session.did) }),
        queryClient.invalidateQueries({ queryKey: keys.distribution(session.did) }),
      ]);
    },
  });
  const done = submit.data;

  return (
    <Form
      form={form}
      layout="vertical"
      onFinish={(values) => submit.mutate(values)}
      data-testid="withdraw-form"
      style={{ marginBottom: 12 }}
    >
      <Typography.Paragraph style={{ marginBottom: 8 }}>
        {t('console.promoter.withdrawals.available')}{' '}
        <strong data-testid="earnings-available">{formatFen(available)}</strong>
        {BigInt(channel.balances.debtFen) > 0n &&
          ` · ${t('console.promoter.withdrawals.debt', { amount: formatFen(channel.balances.debtFen) })}`}
      </Typography.Paragraph>
      <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', alignItems: 'flex-start' }}>
        <Form.Item
          name="amountYuan"
          label={t('console.promoter.withdrawals.amount')}
          style={{ flex: '1 1 160px', marginBottom: 8 }}
          rules={[
            { required: true, message: t('console.promoter.withdrawals.amountRequired') },
            {
              validator: (_, value: number | undefined) =>
                value === undefined || value === null || BigInt(Math.round(value * 100)) <= available
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('console.promoter.withdrawals.tooMuch'))),
            },
          ]}
        >
          <InputNumber<number>
            min={0.01}
            step={1}
            precision={2}
            prefix="¥"
            style={{ width: '100%' }}
            data-testid="withdraw-amount"
          />
        </Form.Item>
        <Form.Item
          name="destination"
          label={t('console.promoter.withdrawals.destination')}
          style={{ flex: '2 1 220px', marginBottom: 8 }}
          rules={[{ required: true, whitespace: true, message: t('console.promoter.withdrawals.destinationRequired') }]}
          extra={t('console.promoter.withdrawals.destinationHint')}
        >
          <Input maxLength={200} autoComplete="off" data-testid="withdraw-destination" />
        </Form.Item>
      </div>
      <Button
        type="primary"
        htmlType="submit"
        loading={submit.isPending}
        disabled={available <= 0n}
        data-testid="withdraw-submit"
      >
        {t('console.promoter.withdrawals.submit')}
      </Button>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
        {t('console.promoter.withdrawals.rule')}
      </Typography.Paragraph>
      {done && (
        <Alert
          type={done.status === 'review' ? 'info' : 'success'}
          showIcon
          style={{ marginTop: 8 }}
          data-testid="withdraw-done"
          title={t(`console.promoter.withdrawals.done.${done.status === 'review' ? 'review' : 'paying'}`, {
            amount: formatFen(done.amountFen),
            fee: formatFen(done.feeFen),
          })}
        />
      )}
      <MutationError mutation={submit} text={errorText} style={{ marginTop: 8 }} testId="withdraw-error" />
    </Form>
  );
}

/** Withdraw released commission, and every withdrawal with its status and fee. */
export function WithdrawalsCard({ session, channel }: { session: Session; channel: DistributionMe }) {
  const { t, i18n } = useTranslation();
  const withdrawals = useQuery({
    queryKey: promoterKeys.withdrawals(session.did),
    queryFn: () => unwrap(api.GET('/v1/distribution/withdrawals', { params: { query: { limit: 50 } } })),
  });
  return (
    <Card size="small" title={t('console.promoter.withdrawals.title')} data-testid="promoter-withdrawals">
      <WithdrawForm session={session} channel={channel} />
      {withdrawals.isPending ? (
        <Loading rows={2} />
      ) : withdrawals.isError ? (
        <ErrorState error={withdrawals.error} retry={() => void withdrawals.refetch()} />
      ) : (
        <Table<Withdrawal>
          size="small"
          rowKey="id"
          dataSource={withdrawals.data.items}
          pagination={false}
          scroll={{ x: 520 }}
          locale={{ emptyText: t('console.promoter.withdrawals.none') }}
          data-testid="withdrawals-table"
          columns={[
            {
              title: t('console.promoter.withdrawals.when'),
              dataIndex: 'createdAt',
              render: (at: string) => formatDateTime(at, i18n.language),
            },
            {
              title: t('console.promoter.withdrawals.amount'),
              key: 'amount',
              align: 'right',
              render: (_, w) => (
                <span>
                  {formatFen(w.amountFen)}
                  <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                    {t('console.promoter.withdrawals.fee', { fee: formatFen(w.feeFen), net: formatFen(w.netFen) })}
                  </Typography.Text>
                </span>
              ),
            },
            { title: t('console.promoter.withdrawals.to'), dataIndex: 'destination' },
            {
              title: t('console.promoter.withdrawals.status'),
              key: 'status',
              render: (_, w) => (
                <span data-testid={`withdrawal-${w.status}`}>
                  <Tag color={STATUS_COLOR[w.status]}>{t(`console.promoter.withdrawals.state.${w.status}`)}</Tag>
                  {w.note && (
                    <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                      {w.note}
                    </Typography.Text>
                  )}
                </span>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}
