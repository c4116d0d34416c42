import { Alert, Card, Typography } from 'antd';
import type { CSSProperties, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { idempotencyKey } from '../../api/client';
import type { paths } from '../../api/schema';
import { useErrorText } from '../../shared/error-text';

type Get<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer T } } } };
}
  ? T
  : never;

export type MyProduct = Get<'/v1/producer/products'>['items'][number];
export type ProductDetail = Get<'/v1/catalog/products/{id}'>;
export type ModelDetail = Get<'/v1/catalog/models/{id}'>;
export type ModelVersion = ModelDetail['versions'][number];
export type ModelAttribute = ModelVersion['definition']['attributes'][number];
export type ProducerOrder = Get<'/v1/orders'>['items'][number];
export type Round = Get<'/v1/consensus/rounds'>['items'][number];
export type Deposit = Get<'/v1/catalog/deposits'>;
export type Cycle = Get<'/v1/settlement/cycles'>['items'][number];
export type Statement = Get<'/v1/settlement/cycles/{cycle}/statement'>;

/** Query keys: the API path and the account they belong to. */
export const keys = {
  products: (did: string) => ['/v1/producer/products', did] as const,
  product: (id: string) => ['product', id] as const,
  deposit: (did: string) => ['/v1/catalog/deposits', did] as const,
  orders: (did: string, status: string) => ['/v1/orders', did, 'producer', status] as const,
  ratings: (did: string) => ['/v1/supplier/ratings', did] as const,
  rounds: (did: string) => ['/v1/consensus/rounds', did, 'producer'] as const,
  cycles: ['/v1/settlement/cycles'] as const,
  statement: (did: string, cycle: number) => ['/v1/settlement/cycles/statement', did, cycle] as const,
  tokens: (did: string) => ['/v1/supplier/token-redemptions', did] as const,
  withdrawals: (did: string) => ['/v1/distribution/withdrawals', did] as const,
  balances: (did: string) => ['/v1/distribution/me', did] as const,
};

/** Signs and submits an event as the signed-in producer (the signer loads only when it is needed). */
export async function submit(type: string, body: Record<string, unknown>, key = idempotencyKey('producer')) {
  const { submitEvent } = await import('../../session/signer');
  return submitEvent(type, body, key);
}

/** An envelope signed as the signed-in producer, for the requests that take one. */
export async function envelope(type: string, body: Record<string, unknown>, key?: string) {
  const { signEnvelopeAs } = await import('../../session/signer');
  return signEnvelopeAs(type, body, key);
}

/**
 * What an action came to, for the alert under its form: the failure in the producer's words, else
 * `done` once it went through; nothing before that. A sandbox payment can go through and still
 * fail, hence `doneOk`.
 */
export function ActionNote({
  error,
  done,
  doneOk = true,
  style,
  testId,
}: {
  error: unknown;
  done?: string | undefined;
  doneOk?: boolean;
  style?: CSSProperties;
  testId?: string;
}) {
  const errorText = useErrorText('console.producer.errors');
  if (error !== null && error !== undefined)
    return <Alert type="error" showIcon title={errorText(error)} style={style} data-testid={testId} />;
  if (done === undefined) return null;
  return <Alert type={doneOk ? 'success' : 'error'} showIcon title={done} style={style} data-testid={testId} />;
}

/** A card of the console. */
export function Section({
  title,
  extra,
  children,
  testId,
}: {
  title: ReactNode;
  extra?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Card size="small" title={title} extra={extra} style={{ marginBottom: 12 }} data-testid={testId}>
      {children}
    </Card>
  );
}

/** What an action answers when it is done: a word and, when it went on the log, its entry. */
export function DoneNote({
  text,
  logIndex,
  onClose,
}: {
  text: string;
  logIndex?: string | number;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Alert
      type="success"
      showIcon
      closable={{ onClose }}
      style={{ marginBottom: 12 }}
      data-testid="producer-done"
      title={text}
      description={
        logIndex !== undefined ? (
          <Link href={`/explorer/entries/${logIndex}`}>{t('console.producer.onLog', { index: logIndex })}</Link>
        ) : undefined
      }
    />
  );
}

export function Muted({ children }: { children: ReactNode }) {
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
      {children}
    </Typography.Text>
  );
}
