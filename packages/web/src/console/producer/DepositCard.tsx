import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Descriptions, Radio, Space, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idempotencyKey, unwrap } from '../../api/client';
import { formatFen } from '../../shared/format';
import { ErrorState, Loading } from '../../shared/states';
import { ActionNote, keys, Muted, Section } from './shared';

type Outcome = 'succeed' | 'fail' | 'timeout';

/** The deposit: what is held, what my listings require, the shortfall, and paying it in (sandbox). */
export function DepositCard({ did }: { did: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [simulate, setSimulate] = useState<Outcome>('succeed');
  const [key, setKey] = useState(() => idempotencyKey('deposit'));
  const deposit = useQuery({
    queryKey: keys.deposit(did),
    queryFn: () => unwrap(api.GET('/v1/catalog/deposits')),
  });

  // The outcome asked of the sandbox travels with the payment: the note tells of that one, not of the radio's current choice.
  const pay = useMutation({
    mutationFn: ({ amount, simulate }: { amount: string; simulate: Outcome }) =>
      unwrap(
        api.POST('/v1/catalog/deposits', {
          body: { amount, simulate },
          headers: { 'idempotency-key': key },
        }),
      ),
    onSuccess: () => {
      setKey(idempotencyKey('deposit'));
      // The sandbox's webhook settles the payment a moment later.
      for (const wait of [600, 1500, 3000]) {
        setTimeout(() => void client.invalidateQueries({ queryKey: keys.deposit(did) }), wait);
      }
    },
  });

  if (deposit.isPending)
    return (
      <Section title={t('console.producer.deposit.title')}>
        <Loading rows={2} />
      </Section>
    );
  if (deposit.isError)
    return (
      <Section title={t('console.producer.deposit.title')}>
        <ErrorState error={deposit.error} retry={() => void deposit.refetch()} />
      </Section>
    );
  const data = deposit.data;
  const short = BigInt(data.shortfallFen) > 0n;
  // What listing one more product would need is not known here: a producer may also top up the largest category's deposit.
  const topUp = data.categories.reduce((most, c) => (BigInt(c.depositFen) > most ? BigInt(c.depositFen) : most), 0n);
  return (
    <Section
      title={t('console.producer.deposit.title')}
      testId="deposit-card"
      extra={
        short ? (
          <Tag color="red" data-testid="deposit-short">
            {t('console.producer.deposit.short')}
          </Tag>
        ) : (
          <Tag color="green">{t('console.producer.deposit.covered')}</Tag>
        )
      }
    >
      <Descriptions size="small" column={{ xs: 1, sm: 3 }}>
        <Descriptions.Item label={t('console.producer.deposit.held')}>
          <strong data-testid="deposit-held">{formatFen(data.heldFen)}</strong>
        </Descriptions.Item>
        <Descriptions.Item label={t('console.producer.deposit.required')}>
          {formatFen(data.requiredFen)}
        </Descriptions.Item>
        <Descriptions.Item label={t('console.producer.deposit.shortfall')}>
          <span data-testid="deposit-shortfall">{formatFen(data.shortfallFen)}</span>
        </Descriptions.Item>
      </Descriptions>
      {data.categories.length > 0 && (
        <Muted>
          {t('console.producer.deposit.categories')}
          {data.categories.map((c) => `${c.slug} ${formatFen(c.depositFen)}`).join('，')}
        </Muted>
      )}
      <div style={{ marginTop: 12 }}>
        <Muted>{t('console.producer.deposit.explain')}</Muted>
      </div>
      <Space wrap style={{ marginTop: 12 }}>
        <Radio.Group
          size="small"
          value={simulate}
          onChange={(event) => setSimulate(event.target.value)}
          aria-label={t('console.producer.sandbox')}
          options={(['succeed', 'fail', 'timeout'] as const).map((o) => ({
            value: o,
            label: t(`console.producer.outcome.${o}`),
          }))}
        />
        {short && (
          <Button
            type="primary"
            loading={pay.isPending}
            onClick={() => pay.mutate({ amount: data.shortfallFen, simulate })}
            data-testid="deposit-pay"
          >
            {t('console.producer.deposit.payShortfall', { amount: formatFen(data.shortfallFen) })}
          </Button>
        )}
        {topUp > 0n && (
          <Button
            loading={pay.isPending}
            onClick={() => pay.mutate({ amount: topUp.toString(), simulate })}
            data-testid="deposit-top-up"
          >
            {t('console.producer.deposit.topUp', { amount: formatFen(topUp) })}
          </Button>
        )}
      </Space>
      <ActionNote
        error={pay.error}
        done={
          pay.isSuccess
            ? t(`console.producer.deposit.payment.${pay.variables.simulate}`, {
                amount: formatFen(pay.variables.amount),
              })
            : undefined
        }
        doneOk={pay.data?.status !== 'failed' && pay.data?.status !== 'timed_out'}
        style={{ marginTop: 12 }}
        testId="deposit-note"
      />
    </Section>
  );
}
