import { Form, InputNumber, Radio, Select, Typography } from 'antd';
import type { Rule } from 'antd/es/form';
import { useTranslation } from 'react-i18next';
import { localized } from '../../shared/format';
import type { ModelAttribute } from './shared';

/** The bounds of a numeric attribute as a person reads them: "0–30 %". */
export function boundsText(attribute: ModelAttribute): string {
  const { min, max, unit } = attribute;
  if (min !== undefined && max !== undefined) return `${min}–${max} ${unit}`.trim();
  if (min !== undefined) return `≥ ${min} ${unit}`.trim();
  if (max !== undefined) return `≤ ${max} ${unit}`.trim();
  return unit;
}

/**
 * The claims form of a quality model version: one field per attribute, numeric with its unit and
 * bounds, yes/no, or a grade; mandatory ones required, numbers checked against the bounds before
 * anything is signed.
 */
export function ClaimFields({ attributes }: { attributes: ModelAttribute[] }) {
  const { t, i18n } = useTranslation();
  return (
    <div
      style={{
        display: 'grid',
        gridTemplateColumns: 'repeat(auto-fill, minmax(min(240px, 100%), 1fr))',
        gap: '0 16px',
      }}
      data-testid="claims-form"
    >
      {attributes.map((attribute) => {
        const label = localized(attribute.label, i18n.language) || attribute.key;
        const rules: Rule[] = [];
        if (attribute.mandatory) rules.push({ required: true, message: t('console.producer.form.claimRequired') });
        if (attribute.kind === 'numeric') {
          rules.push({
            validator: async (_, value: number | null | undefined) => {
              if (value === null || value === undefined) return;
              if (
                (attribute.min !== undefined && value < attribute.min) ||
                (attribute.max !== undefined && value > attribute.max)
              ) {
                throw new Error(t('console.producer.form.outOfBounds', { bounds: boundsText(attribute) }));
              }
            },
          });
        }
        const extra = (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {attribute.kind === 'numeric' &&
              `${t('console.producer.form.bounds', { bounds: boundsText(attribute) })} · `}
            {t('console.producer.form.tolerance', { tolerance: attribute.tolerance })} · {attribute.testMethod}
          </Typography.Text>
        );
        return (
          <Form.Item
            key={attribute.key}
            name={['claims', attribute.key]}
            label={label}
            rules={rules}
            extra={extra}
            required={attribute.mandatory}
          >
            {attribute.kind === 'numeric' ? (
              <InputNumber
                style={{ width: '100%' }}
                suffix={attribute.unit || undefined}
                data-testid={`claim-${attribute.key}`}
                aria-label={label}
              />
            ) : attribute.kind === 'boolean' ? (
              <Radio.Group
                data-testid={`claim-${attribute.key}`}
                aria-label={label}
                options={[
                  { value: true, label: t('console.producer.yes') },
                  { value: false, label: t('console.producer.no') },
                  ...(attribute.mandatory ? [] : [{ value: null, label: t('console.producer.form.notClaimed') }]),
                ]}
              />
            ) : (
              <Select
                allowClear={!attribute.mandatory}
                data-testid={`claim-${attribute.key}`}
                aria-label={label}
                options={(attribute.grades ?? []).map((grade) => ({ value: grade, label: grade }))}
              />
            )}
          </Form.Item>
        );
      })}
    </div>
  );
}
