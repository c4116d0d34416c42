import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, type ButtonProps, Popconfirm, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';

/** The JSON a GET of `P` answers with. */
export type Json<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer T } } } };
}
  ? T
  : never;

export type Cycle = Json<'/v1/settlement/cycles'>['items'][number];
export type Leaf = Json<'/v1/settlement/cycles/{cycle}/leaves'>['items'][number];

/** A public log entry's envelope (GET /v1/log/entries/{index}): what the console reads from it. */
export interface LogEntry {
  index: number;
  envelope: { type: string; actor: string; ts: string; body: Record<string, unknown> };
}

export function fetchEntry(index: number): Promise<LogEntry> {
  return unwrap(api.GET('/v1/log/entries/{index}', { params: { path: { index } } })) as unknown as Promise<LogEntry>;
}

/** The server's error in a sentence, with its code for the record. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

/** Signs an event as the signed-in operator (the wallet asks for the passphrase when locked). */
export async function signAndSubmit(type: string, body: Record<string, unknown>, key?: string) {
  const { submitEvent } = await import('../../session/signer');
  return submitEvent(type, body, key);
}

/**
 * A button for one act: asks first when `confirm` is given, then runs `act`, refreshes the queries
 * under `refresh`, and says what went wrong beside it when the act fails.
 */
export function ActButton({
  label,
  act,
  refresh = [],
  confirm,
  onDone,
  ...props
}: Omit<ButtonProps, 'onClick'> & {
  label: ReactNode;
  act: () => Promise<unknown>;
  refresh?: string[];
  confirm?: string;
  onDone?: (result: unknown) => void;
  'data-testid'?: string;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const run = useMutation({
    mutationFn: () => act(),
    onSuccess: async (result) => {
      await Promise.all(refresh.map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
      onDone?.(result);
    },
  });
  const button = (
    <Button loading={run.isPending} onClick={confirm === undefined ? () => run.mutate() : undefined} {...props}>
      {label}
    </Button>
  );
  return (
    <Space orientation="vertical" size={4} style={{ maxWidth: '100%' }}>
      {confirm === undefined ? (
        button
      ) : (
        <Popconfirm
          title={confirm}
          okText={t('common.confirm')}
          cancelText={t('common.cancel')}
          // The confirm's OK button spins until the act is done; its failure is shown below, not thrown.
          onConfirm={() => run.mutateAsync().catch(() => undefined)}
          okButtonProps={{ 'data-testid': 'confirm-ok' } as ButtonProps}
        >
          {button}
        </Popconfirm>
      )}
      {run.isError && <Alert type="error" showIcon title={errorText(run.error)} data-testid="action-error" />}
    </Space>
  );
}

/** A section of a console tab: its heading, a line on what it is, and its content. */
export function Section({
  title,
  text,
  children,
  extra,
}: {
  title: ReactNode;
  text?: ReactNode;
  children: ReactNode;
  extra?: ReactNode;
}) {
  return (
    <section
      style={{ background: '#fff', border: '1px solid #eef1f0', borderRadius: 10, padding: 16, marginBottom: 16 }}
    >
      <div style={{ display: 'flex', alignItems: 'baseline', gap: 8, flexWrap: 'wrap', marginBottom: 4 }}>
        <Typography.Title level={4} style={{ margin: 0, fontSize: 16, flex: 1 }}>
          {title}
        </Typography.Title>
        {extra}
      </div>
      {text !== undefined && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
          {text}
        </Typography.Paragraph>
      )}
      {children}
    </section>
  );
}

/** A hash or a DID shown in full, small and copyable, wrapping on a phone. */
export function Mono({ children }: { children: string }) {
  return (
    <Typography.Text code copyable={{ text: children }} style={{ wordBreak: 'break-all', fontSize: 12 }}>
      {children}
    </Typography.Text>
  );
}

/** The signed-in account's roles (GET /v1/me). */
