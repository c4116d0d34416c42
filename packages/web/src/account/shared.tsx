import { LoginOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Result, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import type { Session } from '../session/session-store';
import { meKey } from '../session/use-me';
import { lineTitle } from '../shared/format';

type Json<P extends keyof paths, M extends 'get'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type Order = Json<'/v1/orders/{id}', 'get'>;
export type OrderStatus = Order['status'];
export type Me = Json<'/v1/me', 'get'>;
export type DistributionMe = Json<'/v1/distribution/me', 'get'>;
export type ShareLink = Json<'/v1/links/{code}', 'get'>;

/** Query keys are the API paths (and the account they belong to), so every page shares one answer. */
export const keys = {
  me: meKey,
  distribution: (did: string) => ['/v1/distribution/me', did] as const,
  commissions: (did: string) => ['/v1/distribution/commissions', did] as const,
  points: (did: string) => ['/v1/points', did] as const,
  orders: (did: string) => ['/v1/orders', did] as const,
  order: (did: string, id: string) => ['/v1/orders', did, 'one', id] as const,
  link: (code: string) => ['/v1/links', code] as const,
};

export function useDistributionMe(session: Session | null) {
  return useQuery({
    queryKey: keys.distribution(session?.did ?? ''),
    queryFn: () => unwrap(api.GET('/v1/distribution/me')),
    enabled: session !== null,
  });
}

/** Where a signed-out visitor signs in, coming back to `next` afterwards. */
export const signInHref = (next: string): string => `/wallet?next=${encodeURIComponent(next)}`;

/** What an account page shows a visitor who is not signed in: why, and the way in. */
export function SignInPrompt({ next, title, text }: { next: string; title?: ReactNode; text?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Result
      status="info"
      icon={<LoginOutlined />}
      title={title ?? t('account.signIn.title')}
      subTitle={text ?? t('account.signIn.text')}
      extra={
        <Link href={signInHref(next)}>
          <Button type="primary" size="large" data-testid="sign-in-prompt">
            {t('nav.signIn')}
          </Button>
        </Link>
      }
      data-testid="signed-out"
    />
  );
}

/** The page's heading, with an optional action at its end. */
export function PageTitle({ children, extra }: { children: ReactNode; extra?: ReactNode }) {
  return (
    <div style={{ display: 'flex', alignItems: 'center', gap: 8, marginBottom: 12 }}>
      <Typography.Title level={3} style={{ margin: 0, flex: 1, fontSize: 20 }}>
        {children}
      </Typography.Title>
      {extra}
    </div>
  );
}

const STATUS_COLOR: Record<OrderStatus, string> = {
  created: 'orange',
  paid: 'blue',
  shipped: 'cyan',
  delivered: 'green',
  completed: 'default',
  cancelled: 'default',
  refunded: 'purple',
};

/** An order's status as a shopper reads it (待付款, 待发货…), with its refund state beside it. */
export function OrderStatusTags({ order, testId, large }: { order: Order; testId?: string; large?: boolean }) {
  const { t } = useTranslation();
  const refunds = order.refunds ?? [];
  const open = refunds.some((refund) => refund.status === 'requested');
  const refused = !open && refunds.at(-1)?.status === 'refused';
  const partial = order.status !== 'refunded' && BigInt(order.refundedFen) > 0n;
  const style = large
    ? { marginInlineEnd: 0, fontSize: 14, lineHeight: '24px', paddingInline: 10 }
    : { marginInlineEnd: 0 };
  return (
    <span style={{ display: 'inline-flex', gap: 4, flexWrap: 'wrap' }}>
      <Tag color={STATUS_COLOR[order.status]} data-testid={testId} style={style}>
        {t(`account.status.${order.status}`)}
      </Tag>
      {open && (
        <Tag color="gold" style={style}>
          {t('account.refund.status.requested')}
        </Tag>
      )}
      {partial && (
        <Tag color="purple" style={style}>
          {t('account.refund.partial')}
        </Tag>
      )}
      {refused && (
        <Tag color="red" style={style}>
          {t('account.refund.status.refused')}
        </Tag>
      )}
    </span>
  );
}

/** The order's first product, and how many more it has: "五常稻花香大米 等 2 件". */
export function orderTitle(
  order: Order,
  t: (key: string, options?: Record<string, unknown>) => string,
  language: string,
): string {
  const [first] = order.lines;
  if (first === undefined) return order.id;
  const title = lineTitle(first, language);
  const count = order.lines.reduce((sum, line) => sum + line.quantity, 0);
  return order.lines.length > 1 ? t('account.orders.andMore', { title, count }) : title;
}

/** Points are whole numbers (1 point is worth 1 fen at the default rate), grouped by thousands. */
export const formatPoints = (points: string | bigint, options: { sign?: boolean } = {}): string => {
  const value = BigInt(points);
  const abs = (value < 0n ? -value : value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0n ? '-' : options.sign && value > 0n ? '+' : ''}${abs}`;
};

/** What goes between two sentences: a space in English, nothing after a Chinese full stop. */
export const gap = (language: string): string => (language.startsWith('zh') ? '' : ' ');
