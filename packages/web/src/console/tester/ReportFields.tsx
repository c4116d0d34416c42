import { InputNumber, Radio, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { localized } from '../../shared/format';
import type { Attribute } from './queries';

export type Measured = Record<string, number | boolean | string | null>;

/** A value outside the model's bounds is accepted but the tally counts it as missing. */
export const outOfBounds = (a: Attribute, value: unknown): boolean =>
  a.kind === 'numeric' &&
  typeof value === 'number' &&
  ((a.min !== undefined && value < a.min) || (a.max !== undefined && value > a.max));

/** One field per attribute of the round's model, in its unit and bounds, with its test method. */
export function ReportFields({
  attributes,
  values,
  onChange,
  disabled,
}: {
  attributes: Attribute[];
  values: Measured;
  onChange: (next: Measured) => void;
  disabled?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const set = (key: string, value: number | boolean | string | null) => onChange({ ...values, [key]: value });
  return (
    <div style={{ display: 'grid', gap: 12 }}>
      {attributes.map((a) => {
        const id = `measure-${a.key}`;
        const label = localized(a.label, i18n.language) || a.key;
        const value = values[a.key] ?? null;
        return (
          <div key={a.key} data-testid={id} style={{ borderBottom: '1px solid #f2f4f3', paddingBottom: 8 }}>
            <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, flexWrap: 'wrap' }}>
              <strong id={`${id}-label`}>
                {label}
                {a.mandatory && <span style={{ color: '#cf1322' }}> *</span>}
              </strong>
              <span style={{ color: '#5b6b66', fontSize: 12 }}>
                {a.kind === 'numeric' && a.min !== undefined && a.max !== undefined
                  ? t('console.tester.report.bounds', { min: a.min, max: a.max, unit: a.unit })
                  : null}
              </span>
            </div>
            <div style={{ margin: '6px 0' }}>
              {a.kind === 'numeric' && (
                <InputNumber
                  value={typeof value === 'number' ? value : null}
                  onChange={(v) => set(a.key, v)}
                  suffix={a.unit || undefined}
                  disabled={disabled}
                  style={{ width: 220 }}
                  status={outOfBounds(a, value) ? 'warning' : undefined}
                  aria-labelledby={`${id}-label`}
                  data-testid={`${id}-input`}
                />
              )}
              {a.kind === 'boolean' && (
                <Radio.Group
                  value={typeof value === 'boolean' ? value : undefined}
                  onChange={(e) => set(a.key, e.target.value as boolean)}
                  disabled={disabled}
                  aria-labelledby={`${id}-label`}
                  data-testid={`${id}-input`}
                >
                  <Radio value={true}>{t('console.tester.report.yes')}</Radio>
                  <Radio value={false}>{t('console.tester.report.no')}</Radio>
                </Radio.Group>
              )}
              {a.kind === 'grade' && (
                <Select
                  value={typeof value === 'string' ? value : undefined}
                  onChange={(v: string) => set(a.key, v)}
                  disabled={disabled}
                  style={{ width: 220 }}
                  aria-labelledby={`${id}-label`}
                  data-testid={`${id}-input`}
                  options={(a.grades ?? []).map((g) => ({ value: g, label: g }))}
                />
              )}
            </div>
            {outOfBounds(a, value) && (
              <div style={{ color: '#d46b08', fontSize: 12 }}>{t('console.tester.report.outOfBounds')}</div>
            )}
            <div style={{ color: '#5b6b66', fontSize: 12 }}>
              {t('console.tester.report.method', { method: a.testMethod })}
            </div>
          </div>
        );
      })}
    </div>
  );
}
