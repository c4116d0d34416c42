import { useQuery } from '@tanstack/react-query';
import { Space, Table, Tag } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idempotencyKey, unwrap } from '../../api/client';
import { formatDateTime, formatFen, shortDid } from '../../shared/format';
import { EmptyState, ErrorState, Loading } from '../../shared/states';
import { ActButton, type Json, Section, signAndSubmit } from './shared';

type Review = Json<'/v1/operator/reviews'>['items'][number];
type Withdrawal = Json<'/v1/operator/withdrawals'>['items'][number];
const REVIEWS = '/v1/operator/reviews';
const WITHDRAWALS = '/v1/operator/withdrawals';

/** Orders the anti-abuse checks held: they earn no commission or points until approved. */
function HeldOrders() {
  const { t, i18n } = useTranslation();
  const reviews = useQuery({
    queryKey: [REVIEWS, 'pending'],
    queryFn: () => unwrap(api.GET('/v1/operator/reviews', { params: { query: { status: 'pending', limit: 100 } } })),
  });
  const decide = (orderId: string, type: string) => () => signAndSubmit(type, { orderId }, idempotencyKey(type));
  let content: ReactNode;
  if (reviews.isPending) content = <Loading />;
  else if (reviews.isError) content = <ErrorState error={reviews.error} retry={() => void reviews.refetch()} />;
  else if (reviews.data.items.length === 0) content = <EmptyState description={t('console.operator.reviews.empty')} />;
  else
    content = (
      <Table<Review>
        rowKey="orderId"
        size="small"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={reviews.data.items}
        data-testid="reviews"
        columns={[
          { title: t('console.operator.reviews.order'), dataIndex: 'orderId' },
          {
            title: t('console.operator.reviews.buyer'),
            dataIndex: 'buyer',
            render: (did: string) => <span title={did}>{shortDid(did)}</span>,
          },
          { title: t('console.operator.amount'), dataIndex: 'totalFen', render: (fen: string) => formatFen(fen) },
          {
            title: t('console.operator.reviews.why'),
            dataIndex: 'reasons',
            render: (reasons: Review['reasons']) => (
              <Space orientation="vertical" size={2}>
                {reasons.map((reason) => (
                  <span key={reason.code}>
                    <Tag color="orange">{reason.code}</Tag>
                    <span style={{ fontSize: 12, color: '#5b6b66' }}>{reason.message}</span>
                  </span>
                ))}
              </Space>
            ),
          },
          {
            title: t('console.operator.reviews.heldAt'),
            dataIndex: 'createdAt',
            render: (at: string) => formatDateTime(at, i18n.language),
          },
          {
            title: t('console.operator.actions'),
            key: 'actions',
            render: (_: unknown, review) => (
              <Space wrap size={4}>
                <ActButton
                  type="primary"
                  size="small"
                  label={t('console.operator.approve')}
                  act={decide(review.orderId, 'distribution.review.approved')}
                  refresh={[REVIEWS]}
                  data-testid={`approve-review-${review.orderId}`}
                />
                <ActButton
                  danger
                  size="small"
                  label={t('console.operator.reject')}
                  confirm={t('console.operator.reviews.rejectConfirm')}
                  act={decide(review.orderId, 'distribution.review.rejected')}
                  refresh={[REVIEWS]}
                  data-testid={`reject-review-${review.orderId}`}
                />
              </Space>
            ),
          },
        ]}
      />
    );
  return (
    <Section title={t('console.operator.reviews.title')} text={t('console.operator.reviews.text')}>
      {content}
    </Section>
  );
}

/** Withdrawals above the review threshold wait for the operator; approving starts the payout. */
function WithdrawalsInReview() {
  const { t, i18n } = useTranslation();
  const withdrawals = useQuery({
    queryKey: [WITHDRAWALS, 'review'],
    queryFn: () => unwrap(api.GET('/v1/operator/withdrawals', { params: { query: { status: 'review', limit: 100 } } })),
  });
  const decide = (id: string, what: 'approve' | 'reject') => () =>
    unwrap(
      what === 'approve'
        ? api.POST('/v1/operator/withdrawals/{id}/approve', {
            params: { path: { id } },
            headers: { 'idempotency-key': idempotencyKey('wd-approve') },
            body: null,
          })
        : api.POST('/v1/operator/withdrawals/{id}/reject', {
            params: { path: { id } },
            headers: { 'idempotency-key': idempotencyKey('wd-reject') },
            body: null,
          }),
    );
  let content: ReactNode;
  if (withdrawals.isPending) content = <Loading />;
  else if (withdrawals.isError)
    content = <ErrorState error={withdrawals.error} retry={() => void withdrawals.refetch()} />;
  else if (withdrawals.data.items.length === 0)
    content = <EmptyState description={t('console.operator.withdrawals.empty')} />;
  else
    content = (
      <Table<Withdrawal>
        rowKey="id"
        size="small"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={withdrawals.data.items}
        data-testid="withdrawals"
        columns={[
          { title: t('console.operator.withdrawals.id'), dataIndex: 'id' },
          {
            title: t('console.operator.withdrawals.who'),
            dataIndex: 'did',
            render: (did: string) => <span title={did}>{shortDid(did)}</span>,
          },
          { title: t('console.operator.amount'), dataIndex: 'amountFen', render: (fen: string) => formatFen(fen) },
          {
            title: t('console.operator.withdrawals.fee'),
            dataIndex: 'feeFen',
            render: (fen: string) => formatFen(fen),
          },
          { title: t('console.operator.withdrawals.to'), dataIndex: 'destination' },
          {
            title: t('console.operator.withdrawals.askedAt'),
            dataIndex: 'createdAt',
            render: (at: string) => formatDateTime(at, i18n.language),
          },
          {
            title: t('console.operator.actions'),
            key: 'actions',
            render: (_: unknown, withdrawal) => (
              <Space wrap size={4}>
                <ActButton
                  type="primary"
                  size="small"
                  label={t('console.operator.approve')}
                  act={decide(withdrawal.id, 'approve')}
                  refresh={[WITHDRAWALS]}
                  data-testid={`approve-withdrawal-${withdrawal.id}`}
                />
                <ActButton
                  danger
                  size="small"
                  label={t('console.operator.reject')}
                  confirm={t('console.operator.withdrawals.rejectConfirm')}
                  act={decide(withdrawal.id, 'reject')}
                  refresh={[WITHDRAWALS]}
                  data-testid={`reject-withdrawal-${withdrawal.id}`}
                />
              </Space>
            ),
          },
        ]}
      />
    );
  return (
    <Section title={t('console.operator.withdrawals.title')} text={t('console.operator.withdrawals.text')}>
      {content}
    </Section>
  );
}

/** The review queue: held orders and withdrawals in review. */
export function ReviewQueue() {
  return (
    <>
      <HeldOrders />
      <WithdrawalsInReview />
    </>
  );
}
