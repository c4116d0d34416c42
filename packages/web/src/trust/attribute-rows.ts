import type { TFunction } from 'i18next';
import { localized } from '../shared/format';
import type { ProductDetail } from '../shop/queries';

type Value = string | number | boolean | null;

export interface AttributeRow {
  key: string;
  label: string;
  unit: string;
  kind: string;
  mandatory: boolean;
  tolerance: number;
  testMethod: string;
  claimed: Value;
  consensus: Value;
  conforms: boolean | null;
  /** Numeric with bounds: where claim and consensus sit between the model's min and max (0–100). */
  chartable: boolean;
  claimedShare: number | null;
  consensusShare: number | null;
  min: number | null;
  max: number | null;
}

const share = (value: Value, min: number, max: number): number | null =>
  typeof value === 'number' && max > min ? Math.round(((value - min) / (max - min)) * 1000) / 10 : null;

/** Each attribute of the product's model with its claim and, once tested, the testers' consensus. */
export function attributeRows(product: ProductDetail, language: string): AttributeRow[] {
  const consensus = new Map((product.consensus?.attributes ?? []).map((a) => [a.key, a]));
  // The attribute view comes from the model definition; min/max exist on numeric attributes.
  return product.attributes.map((attribute) => {
    const bounds = attribute as { min?: number; max?: number };
    const tallied = consensus.get(attribute.key);
    const min = typeof bounds.min === 'number' ? bounds.min : null;
    const max = typeof bounds.max === 'number' ? bounds.max : null;
    const claimed = tallied?.claimed ?? attribute.claim;
    const measured = tallied?.consensus ?? null;
    const chartable = attribute.kind === 'numeric' && min !== null && max !== null && max > min;
    return {
      key: attribute.key,
      label: localized(attribute.label, language) || attribute.key,
      unit: attribute.unit,
      kind: attribute.kind,
      mandatory: attribute.mandatory,
      tolerance: attribute.tolerance,
      testMethod: attribute.testMethod,
      claimed,
      consensus: measured,
      conforms: tallied?.conforms ?? null,
      chartable,
      claimedShare: chartable ? share(claimed, min as number, max as number) : null,
      consensusShare: chartable ? share(measured, min as number, max as number) : null,
      min,
      max,
    };
  });
}

export function formatValue(value: Value, t: TFunction): string {
  if (value === null) return '—';
  if (typeof value === 'boolean') return value ? t('trust.yes') : t('trust.no');
  return String(value);
}
