import {
  CheckCircleFilled,
  CloseCircleFilled,
  MinusCircleOutlined,
  SafetyCertificateOutlined,
} from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Flex } from 'antd';
import type { CSSProperties, ReactNode } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../shared/format';
import type { EntryVerification, VerifyStep } from './browser-verify';
import { MONO } from './mono';
import { forgetLogTrust, type LogTrust } from './trust-store';

// Plain text styles instead of Typography, which would bring its editable input to every product page.
const SECONDARY = { color: 'rgba(0, 0, 0, 0.45)' } as const;
function Text({
  type,
  strong,
  style,
  children,
  ...rest
}: {
  type?: 'secondary';
  strong?: boolean;
  style?: CSSProperties;
  children: ReactNode;
  'data-testid'?: string;
}) {
  const look = { ...(type === 'secondary' ? SECONDARY : {}), ...(strong ? { fontWeight: 600 } : {}), ...style };
  return (
    <span style={look} {...rest}>
      {children}
    </span>
  );
}

export function StepIcon({ ok }: { ok: boolean | null }) {
  if (ok === true) return <CheckCircleFilled style={{ color: '#1f6f5c' }} aria-hidden />;
  if (ok === false) return <CloseCircleFilled style={{ color: '#cf1322' }} aria-hidden />;
  return <MinusCircleOutlined style={{ color: '#999' }} aria-hidden />;
}

/**
 * Says which keys a check trusted: the ones the server announced when this browser first asked,
 * and flags a change since, with a way to trust the new ones deliberately.
 */
export function TrustNote({ trust, onForget }: { trust: LogTrust; onForget?: () => void }) {
  const { t, i18n } = useTranslation();
  return (
    <Flex vertical gap={8}>
      <Text type="secondary" style={{ fontSize: 12 }} data-testid="verify-trust">
        {t('explorer.verify.tofu', { date: formatDateTime(trust.pinned.firstSeen, i18n.language) })}
      </Text>
      {trust.changed && (
        <Alert
          type="warning"
          showIcon
          data-testid="verify-key-changed"
          title={t('explorer.verify.keyChanged.title')}
          description={
            <Flex vertical gap={8}>
              <span>
                {[
                  trust.changed.log && t('explorer.verify.keyChanged.log'),
                  trust.changed.witnesses && t('explorer.verify.keyChanged.witnesses'),
                  trust.changed.quorum && t('explorer.verify.keyChanged.quorum'),
                ]
                  .filter(Boolean)
                  .join(' ')}
              </span>
              {onForget && (
                <Button
                  size="small"
                  onClick={() => {
                    forgetLogTrust();
                    onForget();
                  }}
                >
                  {t('explorer.verify.keyChanged.forget')}
                </Button>
              )}
            </Flex>
          }
        />
      )}
    </Flex>
  );
}

function stepText(
  t: (key: string, options?: Record<string, unknown>) => string,
  step: VerifyStep,
  r: EntryVerification,
) {
  const state = step.ok === true ? 'ok' : step.ok === false ? 'failed' : 'skipped';
  return t(`explorer.verify.steps.${step.key}.${state}`, {
    index: r.index,
    size: r.treeSize ?? '—',
    count: r.cosignatures,
    quorum: r.quorum,
    proofLength: r.proofLength,
    actor: r.envelope?.actor ?? '',
    origin: r.trust.pinned.origin,
  });
}

function Outcome({ result, onForget }: { result: EntryVerification; onForget: () => void }) {
  const { t } = useTranslation();
  const ok = result.status === 'ok';
  return (
    <Flex vertical gap={12} data-testid="verify-result" data-status={result.status}>
      <Alert
        type={ok ? 'success' : 'error'}
        showIcon
        title={ok ? t('explorer.verify.ok') : t('explorer.verify.failed')}
        description={ok ? t('explorer.verify.okDetail', { index: result.index, size: result.treeSize }) : undefined}
      />
      <dl style={{ margin: 0, display: 'grid', gridTemplateColumns: 'auto 1fr', gap: '4px 12px' }}>
        <dt>
          <Text type="secondary">{t('explorer.verify.checkpointSize')}</Text>
        </dt>
        <dd style={{ margin: 0 }} data-testid="verify-size">
          {result.treeSize ?? '—'}
        </dd>
        <dt>
          <Text type="secondary">{t('explorer.verify.cosignatures')}</Text>
        </dt>
        <dd style={{ margin: 0 }} data-testid="verify-cosignatures">
          {t('explorer.verify.cosignaturesValue', { count: result.cosignatures, quorum: result.quorum })}
        </dd>
        <dt>
          <Text type="secondary">{t('explorer.verify.leafHash')}</Text>
        </dt>
        <dd style={{ margin: 0, ...MONO, fontSize: 12 }}>{result.leafHash}</dd>
      </dl>
      {result.steps.length > 0 && (
        <ol style={{ margin: 0, paddingInlineStart: 0, listStyle: 'none' }} data-testid="verify-steps">
          {result.steps.map((step) => (
            <li
              key={step.key}
              data-step={step.key}
              data-ok={String(step.ok)}
              style={{ display: 'flex', gap: 8, alignItems: 'baseline', padding: '4px 0' }}
            >
              <StepIcon ok={step.ok} />
              <span style={{ wordBreak: 'break-word' }}>{stepText(t, step, result)}</span>
            </li>
          ))}
        </ol>
      )}
      {result.problems.length > 0 && (
        <div>
          <Text strong>{t('explorer.verify.problems')}</Text>
          <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }} data-testid="verify-problems">
            {result.problems.map((problem) => (
              <li key={problem} style={{ color: '#cf1322', wordBreak: 'break-word' }}>
                {problem}
              </li>
            ))}
          </ul>
        </div>
      )}
      <TrustNote trust={result.trust} onForget={onForget} />
      <Text type="secondary" style={{ fontSize: 12 }} data-testid="verify-timing">
        {t('explorer.verify.timing', {
          total: result.timing.totalMs,
          check: result.timing.checkMs,
          attempts: result.attempts,
        })}
      </Text>
    </Flex>
  );
}

function VerifyEntryOf({ index }: { index: number }) {
  const { t } = useTranslation();
  const [attempt, setAttempt] = useState(0);
  // The check and its crypto load on the first click: product pages show this button to everyone.
  const run = useMutation({
    mutationFn: async () => (await import('./browser-verify')).verifyLogEntry(index, { onAttempt: setAttempt }),
  });
  return (
    <Flex vertical gap={12}>
      <p style={{ ...SECONDARY, margin: 0 }}>{t('explorer.verify.intro')}</p>
      <div>
        <Button
          type="primary"
          icon={<SafetyCertificateOutlined />}
          loading={run.isPending}
          onClick={() => run.mutate()}
          data-testid="verify-entry"
        >
          {run.isPending
            ? attempt > 1
              ? t('explorer.verify.waiting', { attempt })
              : t('explorer.verify.running')
            : t('explorer.verify.button')}
        </Button>
      </div>
      {run.isError && (
        <div data-testid="verify-result" data-status="failed">
          <Alert
            type="error"
            showIcon
            title={t('explorer.verify.unreachable')}
            description={(run.error as Error).message}
          />
        </div>
      )}
      {run.data && <Outcome result={run.data} onForget={() => run.mutate()} />}
    </Flex>
  );
}

/**
 * "Verify in this browser": fetches log entry `index` with its proof and checks it here, against
 * the keys this server announced the first time (see browser-verify.ts), then says what each step
 * proved or what is wrong. Used on the explorer's entry page and on product pages.
 */
export function VerifyEntry({ index }: { index: number }) {
  // A new entry starts from a clean slate.
  return <VerifyEntryOf key={index} index={index} />;
}
