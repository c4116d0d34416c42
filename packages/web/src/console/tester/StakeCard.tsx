import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Descriptions, InputNumber, Popconfirm, Select, Space, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatPoints } from '../../account/shared';
import { useErrorText } from '../../shared/error-text';
import { localized } from '../../shared/format';
import { ErrorState, Loading } from '../../shared/states';
import { useCategories, useConsensusMe } from './queries';

/** My standing as a tester: EP, points locked, nominations, candidacies and panel seats. */
export function StakeCard({ did }: { did: string }) {
  const { t, i18n } = useTranslation();
  const me = useConsensusMe(did);
  if (me.isPending) return <Loading rows={3} />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  const m = me.data;
  return (
    <div data-testid="tester-standing">
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2, lg: 4 }}
        items={[
          {
            key: 'ep',
            label: t('console.tester.standing.ep'),
            children: <strong data-testid="tester-ep">{m.ep.toFixed(2)}</strong>,
          },
          { key: 'balance', label: t('console.tester.standing.balance'), children: formatPoints(m.pointsBalance) },
          { key: 'locked', label: t('console.tester.standing.locked'), children: formatPoints(m.lockedPoints) },
          { key: 'cooling', label: t('console.tester.standing.cooling'), children: formatPoints(m.coolingPoints) },
        ]}
      />
      {m.nomination !== null && (
        <p style={{ color: '#5b6b66' }}>
          {t('console.tester.standing.nomination', {
            points: formatPoints(m.nomination.stakePoints),
            count: m.nomination.targets.length,
          })}
        </p>
      )}
      <h4 style={{ margin: '12px 0 4px' }}>{t('console.tester.candidacy.title')}</h4>
      {m.candidacies.length === 0 ? (
        <p style={{ color: '#5b6b66', margin: 0 }} data-testid="no-candidacy">
          {t('console.tester.candidacy.none')}
        </p>
      ) : (
        <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {m.candidacies.map((c) => (
            <li
              key={c.category}
              data-testid={`candidacy-${c.category}`}
              style={{ display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap', padding: '6px 0' }}
            >
              <strong>{c.category}</strong>
              <span>{t('console.tester.candidacy.commission', { percent: (c.commissionBps / 100).toFixed(2) })}</span>
              {c.seat === null ? (
                <Tag>{t('console.tester.candidacy.noSeat')}</Tag>
              ) : (
                <Tag color="green" data-testid="seat">
                  {t('console.tester.candidacy.seat', {
                    cycle: c.seat.cycle,
                    points: formatPoints(c.seat.backedPoints),
                  })}
                </Tag>
              )}
              <WithdrawButton category={c.category} did={did} />
            </li>
          ))}
        </ul>
      )}
      <DeclareForm did={did} languageName={(name) => localized(name, i18n.language)} />
    </div>
  );
}

function WithdrawButton({ category, did }: { category: string; did: string }) {
  const { t } = useTranslation();
  const errorText = useErrorText('console.expert.errors');
  const queryClient = useQueryClient();
  const withdraw = useMutation({
    mutationFn: async () => {
      const { submitEvent } = await import('../../session/signer');
      return submitEvent('consensus.candidate.withdrawn', { category });
    },
    // Awaited, so the button stays busy until the candidacy shows as withdrawn.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tester', 'me', did] }),
  });
  return (
    <>
      <Popconfirm
        title={t('console.tester.candidacy.withdrawConfirm')}
        onConfirm={() => withdraw.mutate()}
        okText={t('console.tester.candidacy.withdraw')}
        cancelText={t('console.tester.cancel')}
      >
        <Button size="small" loading={withdraw.isPending} data-testid={`withdraw-${category}`}>
          {t('console.tester.candidacy.withdraw')}
        </Button>
      </Popconfirm>
      {withdraw.isError && <Alert type="error" showIcon title={errorText(withdraw.error)} />}
    </>
  );
}

function DeclareForm({
  did,
  languageName,
}: {
  did: string;
  languageName: (name: { zh: string; en: string }) => string;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText('console.expert.errors');
  const queryClient = useQueryClient();
  const categories = useCategories();
  const [category, setCategory] = useState<string | undefined>();
  const [percent, setPercent] = useState<number | null>(10);
  const declaring = useMutation({
    mutationFn: async ({ category, commissionBps }: { category: string; commissionBps: number }) => {
      const { submitEvent } = await import('../../session/signer');
      return submitEvent('consensus.candidate.declared', { category, commissionBps });
    },
    // Awaited, so the button stays busy until the candidacy is listed.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tester', 'me', did] }),
  });
  const declare = () => {
    if (category === undefined || percent === null) return;
    declaring.mutate({ category, commissionBps: Math.round(percent * 100) });
  };
  return (
    <div style={{ marginTop: 12 }}>
      <p style={{ color: '#5b6b66', margin: '0 0 6px', fontSize: 13 }}>{t('console.tester.candidacy.declareHint')}</p>
      <Space wrap>
        <Select
          value={category}
          onChange={setCategory}
          placeholder={t('console.tester.candidacy.category')}
          aria-label={t('console.tester.candidacy.category')}
          style={{ minWidth: 180 }}
          loading={categories.isPending}
          options={(categories.data?.items ?? []).map((c) => ({ value: c.slug, label: languageName(c.name) }))}
          data-testid="declare-category"
        />
        <InputNumber
          value={percent}
          onChange={setPercent}
          min={0}
          max={100}
          step={0.5}
          suffix="%"
          aria-label={t('console.tester.candidacy.commissionLabel')}
          data-testid="declare-commission"
        />
        <Button
          type="primary"
          loading={declaring.isPending}
          disabled={category === undefined || percent === null}
          onClick={declare}
          data-testid="declare"
        >
          {t('console.tester.candidacy.declare')}
        </Button>
      </Space>
      {declaring.isError && <Alert type="error" showIcon title={errorText(declaring.error)} style={{ marginTop: 8 }} />}
    </div>
  );
}
