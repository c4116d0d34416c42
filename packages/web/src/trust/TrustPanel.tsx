import { CheckCircleFilled, CloseCircleFilled, SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, Space, Tag } from 'antd';
import { lazy, type ReactNode, Suspense, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { platformNow } from '../api/server-time';
import { VerifyEntry } from '../log/VerifyEntry';
import { formatDate, formatDateTime, localized } from '../shared/format';
import { Loading } from '../shared/states';
import { useInView } from '../shared/use-in-view';
import { useIsPhone } from '../shared/use-media';
import type { ProductDetail } from '../shop/queries';
import { type AttributeRow, attributeRows, formatValue } from './attribute-rows';

// ECharts is big: it loads with the chart, after the rest of the page is on screen.
const ClaimsChart = lazy(async () => ({ default: (await import('./ClaimsChart')).ClaimsChart }));

/**
 * Why this product can be trusted, shown rather than claimed: the expert's quality model and the
 * standards it cites, the producer's claim beside the testers' consensus for every attribute, the
 * verdict with its round, testers and appeal, the paid-test disclosure, and a check in this
 * browser that the envelopes behind it are in the public log.
 */
export function TrustPanel({ product }: { product: ProductDetail }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const model = product.qualityModel;
  const consensus = product.consensus;
  const rows = useMemo(() => attributeRows(product, language), [product, language]);
  const round = consensus?.round;

  return (
    <section
      style={{ marginTop: 20, background: '#fff', borderRadius: 10, border: '1px solid #eef1f0', padding: 16 }}
      aria-labelledby="trust-title"
      data-testid="trust-panel"
    >
      <h2 id="trust-title" style={{ fontSize: 17, margin: '0 0 14px' }}>
        <SafetyCertificateOutlined style={{ color: '#1f6f5c' }} /> {t('trust.title')}
      </h2>
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        <section aria-labelledby="trust-model">
          <h3 id="trust-model" style={{ fontSize: 15, margin: '0 0 6px' }}>
            {t('trust.model')}: {localized(model.definition.name, language)}{' '}
            <span style={{ color: '#5b6b66', fontWeight: 400 }}>v{model.version}</span>
          </h3>
          <Space wrap size={4} data-testid="trust-standards">
            {model.definition.standards.map((standard) => (
              <Tag key={standard}>{standard}</Tag>
            ))}
            {model.status === 'deprecated' && <Tag color="orange">{t('trust.deprecated')}</Tag>}
          </Space>
          {model.definition.description && (
            <p style={{ color: '#5b6b66', fontSize: 13, lineHeight: 1.7, margin: '8px 0 0' }}>
              {model.definition.description}
            </p>
          )}
        </section>

        <VerdictSummary product={product} />

        <section aria-labelledby="trust-claims">
          <h3 id="trust-claims" style={{ fontSize: 15, margin: '0 0 8px' }}>
            {consensus ? t('trust.claimsVsConsensus') : t('trust.claims')}
          </h3>
          {consensus && rows.some((row) => row.chartable) && <LazyChart rows={rows} />}
          <AttributeTable rows={rows} tested={consensus !== null} />
        </section>

        {consensus && (
          <Alert
            type="info"
            showIcon
            title={t('trust.paidTests')}
            description={localized(consensus.disclosure, language)}
          />
        )}

        <section aria-labelledby="trust-verify">
          <h3 id="trust-verify" style={{ fontSize: 15, margin: '0 0 4px' }}>
            {t('trust.verifyTitle')}
          </h3>
          <p style={{ color: '#5b6b66', fontSize: 13, margin: '0 0 8px' }}>{t('trust.verifyText')}</p>
          <Space orientation="vertical" style={{ width: '100%' }}>
            {round?.decidedLogIndex != null && (
              <ProofRow label={t('trust.proofVerdict')} index={round.decidedLogIndex} testId="proof-verdict" />
            )}
            {product.log.product !== null && (
              <ProofRow label={t('trust.proofClaims')} index={product.log.product} testId="proof-claims" />
            )}
            {product.log.model !== null && (
              <ProofRow label={t('trust.proofModel')} index={product.log.model} testId="proof-model" />
            )}
          </Space>
        </section>
        {round && (
          <p style={{ color: '#8a9793', fontSize: 12, margin: 0 }}>
            {t('trust.decidedAt', { at: formatDateTime(round.decidedAt, language) })}
          </p>
        )}
      </Space>
    </section>
  );
}

/** The chart's space is kept; the chart (and ECharts) loads when that space scrolls into view. */
function LazyChart({ rows }: { rows: AttributeRow[] }) {
  const anchor = useRef<HTMLDivElement>(null);
  const visible = useInView(anchor, '0px');
  const height = 40 + rows.filter((row) => row.chartable).length * 44;
  return (
    <div ref={anchor} style={{ minHeight: height + 24 }}>
      {visible && (
        <Suspense fallback={<Loading rows={3} />}>
          <ClaimsChart rows={rows} />
        </Suspense>
      )}
    </div>
  );
}

function ProofRow({ label, index, testId }: { label: string; index: number; testId: string }) {
  const { t } = useTranslation();
  return (
    <div data-testid={testId} style={{ borderTop: '1px solid #f0f0f0', paddingTop: 8 }}>
      <div style={{ marginBottom: 6 }}>
        {label} · <Link href={`/explorer/entries/${index}`}>{t('trust.entry', { index })}</Link>
      </div>
      <VerifyEntry index={index} />
    </div>
  );
}

function VerdictSummary({ product }: { product: ProductDetail }) {
  const { t, i18n } = useTranslation();
  const consensus = product.consensus;
  if (consensus === null) {
    return (
      <Alert
        type={product.verdict === 'testing' ? 'info' : 'warning'}
        showIcon
        title={t(`trust.notTested.${product.verdict === 'testing' ? 'testing' : 'untested'}`)}
        description={t('trust.notTestedText')}
        data-testid="trust-verdict"
      />
    );
  }
  const { round } = consensus;
  const passed = round.verdict === 'pass';
  const appeal = round.appeal;
  const appealOpen = round.appealUntil !== null && Date.parse(round.appealUntil) > platformNow().getTime();
  return (
    <section aria-labelledby="trust-verdict-heading">
      <Alert
        type={passed ? 'success' : 'error'}
        showIcon
        icon={passed ? <CheckCircleFilled /> : <CloseCircleFilled />}
        title={<span id="trust-verdict-heading">{t(passed ? 'trust.verdictPass' : 'trust.verdictFail')}</span>}
        description={
          round.verdict !== round.tallyVerdict
            ? t('trust.overturned', { tally: t(`trust.v.${round.tallyVerdict}`) })
            : undefined
        }
        data-testid="trust-verdict"
        data-verdict={round.verdict}
      />
      <dl
        style={{
          display: 'grid',
          gridTemplateColumns: 'repeat(auto-fit, minmax(240px, 1fr))',
          gap: '6px 16px',
          margin: '10px 0 0',
          fontSize: 13,
        }}
      >
        <Fact label={t('trust.round')}>
          <code style={{ fontSize: 12 }}>{round.id}</code>
        </Fact>
        <Fact label={t('trust.lot')}>{round.lotId}</Fact>
        <Fact label={t('trust.testers')}>
          <span data-testid="trust-testers">
            {t('trust.testersValue', { revealed: round.testersRevealed, drawn: round.testersDrawn })}
          </span>
        </Fact>
        <Fact label={t('trust.decided')}>{formatDate(round.decidedAt, i18n.language)}</Fact>
        <Fact label={t('trust.appeal')}>
          <span data-testid="trust-appeal">
            {appeal
              ? t(`trust.appealStatus.${appeal.status}`, {
                  ruling: appeal.ruling ? t(`trust.ruling.${appeal.ruling}`) : '',
                })
              : appealOpen
                ? t('trust.appealOpen', { until: formatDate(round.appealUntil as string, i18n.language) })
                : t('trust.appealNone')}
          </span>
        </Fact>
        {consensus.badge && (
          <Fact label={t('trust.badge')}>
            {t('trust.badgeValue', {
              lot: consensus.badge.lotId,
              at: formatDate(consensus.badge.awardedAt, i18n.language),
            })}
          </Fact>
        )}
      </dl>
    </section>
  );
}

/** One line of the verdict's facts: a term and its value. */
function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div style={{ display: 'flex', gap: 8 }}>
      <dt style={{ color: '#5b6b66', flex: '0 0 auto' }}>{label}</dt>
      <dd style={{ margin: 0 }}>{children}</dd>
    </div>
  );
}

const cell = {
  padding: '8px 10px',
  borderBottom: '1px solid #f0f0f0',
  textAlign: 'left',
  verticalAlign: 'top',
} as const;

/** Every attribute: the claim, and once tested the consensus and whether it conforms. */
function AttributeTable({ rows, tested }: { rows: AttributeRow[]; tested: boolean }) {
  const { t } = useTranslation();
  const wide = !useIsPhone();
  return (
    <div style={{ overflowX: 'auto' }}>
      <table style={{ width: '100%', borderCollapse: 'collapse', fontSize: 13 }} data-testid="trust-attributes">
        <thead style={{ background: '#fafafa' }}>
          <tr>
            <th style={cell}>{t('trust.attribute')}</th>
            <th style={cell}>{t('trust.claimed')}</th>
            {tested && <th style={cell}>{t('trust.consensus')}</th>}
            {tested && <th style={cell}>{t('trust.conforms')}</th>}
            {wide && <th style={cell}>{t('trust.tolerance')}</th>}
            {wide && <th style={cell}>{t('trust.method')}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <td style={cell}>
                {row.label}
                {row.mandatory && (
                  <span style={{ color: '#d4380d' }} title={t('trust.mandatory')}>
                    {' '}
                    *
                  </span>
                )}
                {row.unit && <span style={{ color: '#8a9793' }}> ({row.unit})</span>}
              </td>
              <td style={cell}>{formatValue(row.claimed, t)}</td>
              {tested && <td style={cell}>{formatValue(row.consensus, t)}</td>}
              {tested && (
                <td style={cell}>
                  {row.conforms === null ? (
                    '—'
                  ) : row.conforms ? (
                    <CheckCircleFilled style={{ color: '#389e0d' }} aria-label={t('trust.yes')} />
                  ) : (
                    <CloseCircleFilled style={{ color: '#cf1322' }} aria-label={t('trust.no')} />
                  )}
                </td>
              )}
              {wide && <td style={cell}>{row.kind === 'numeric' ? `±${row.tolerance}` : '—'}</td>}
              {wide && <td style={{ ...cell, color: '#5b6b66' }}>{row.testMethod}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
