import { CheckCircleFilled, CloseCircleFilled } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { localized } from '../../shared/format';
import { useProduct } from '../../shop/queries';
import type { TalliedAttribute } from './queries';

const cell = { padding: '6px 8px', borderBottom: '1px solid #f0f0f0', textAlign: 'start' as const };

const show = (value: TalliedAttribute['claimed'], yes: string, no: string): string =>
  value === null ? '—' : typeof value === 'boolean' ? (value ? yes : no) : String(value);

/** The round's tally, attribute by attribute: the producer's claim beside the testers' consensus. */
export function EvidenceTable({ attributes, productId }: { attributes: TalliedAttribute[]; productId: string }) {
  const { t, i18n } = useTranslation();
  // The model's names and units of the attributes, from the product (the tally names them by key).
  const product = useProduct(productId);
  const named = new Map(
    (product.data?.attributes ?? []).map((a) => [
      a.key,
      { label: localized(a.label, i18n.language) || a.key, unit: a.unit },
    ]),
  );
  const yes = t('console.juror.evidence.yes');
  const no = t('console.juror.evidence.no');
  return (
    <div style={{ overflowX: 'auto' }}>
      <table style={{ width: '100%', borderCollapse: 'collapse', fontSize: 13 }} data-testid="case-attributes">
        <thead style={{ background: '#fafafa' }}>
          <tr>
            <th style={cell}>{t('console.juror.evidence.attribute')}</th>
            <th style={cell}>{t('console.juror.evidence.claimed')}</th>
            <th style={cell}>{t('console.juror.evidence.consensus')}</th>
            <th style={cell}>{t('console.juror.evidence.conforms')}</th>
            <th style={cell}>{t('console.juror.evidence.reported')}</th>
          </tr>
        </thead>
        <tbody>
          {attributes.map((a) => (
            <tr key={a.key}>
              <td style={cell}>
                {named.get(a.key)?.label ?? <code>{a.key}</code>}
                {named.get(a.key)?.unit && <span style={{ color: '#8a9793' }}> ({named.get(a.key)?.unit})</span>}
                {a.mandatory && (
                  <span style={{ color: '#d4380d' }} title={t('console.juror.evidence.mandatory')}>
                    {' '}
                    *
                  </span>
                )}
              </td>
              <td style={cell}>{show(a.claimed, yes, no)}</td>
              <td style={cell}>{show(a.consensus, yes, no)}</td>
              <td style={cell}>
                {a.conforms === null ? (
                  '—'
                ) : a.conforms ? (
                  <CheckCircleFilled style={{ color: '#389e0d' }} aria-label={yes} />
                ) : (
                  <CloseCircleFilled style={{ color: '#cf1322' }} aria-label={no} />
                )}
              </td>
              <td style={cell}>{a.reported}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p style={{ color: '#8a9793', fontSize: 12, margin: '6px 0 0' }}>{t('console.juror.evidence.mandatoryNote')}</p>
    </div>
  );
}
