import { describe, expect, it } from 'vitest';
import { yuanToFen } from '../../shared/format';
import {
  type CategoryPolicyValues,
  categoryBody,
  type EditedCategory,
  formValuesOf,
  overrideOf,
  percentToBps,
  policyFieldOf,
  policyIssues,
  supplierBpsOf,
} from './category-policy';

const tea: EditedCategory = {
  slug: 'tea',
  name: { zh: '茶叶', en: 'Tea' },
  parent: null,
  depositFen: '80000',
  splitPolicy: { promoterCommissionBps: 1200 },
};

const withShares = (values: CategoryPolicyValues, shares: Partial<CategoryPolicyValues['shares']>) => ({
  ...values,
  shares: { ...values.shares, ...shares },
});

describe('the category policy form', () => {
  it('starts from the category: its own shares set, the others on the default', () => {
    const values = formValuesOf(tea);
    expect(values.depositYuan).toBe('800.00');
    expect(values.shares.promoterCommissionBps).toEqual({ useDefault: false, percent: 12 });
    expect(values.shares.trustFeeBps).toEqual({ useDefault: true, percent: 0.6 });
    expect(overrideOf(values.shares, tea.splitPolicy)).toEqual({ promoterCommissionBps: 1200 });
    expect(policyIssues(values, tea.splitPolicy)).toEqual([]);
    // 10000 − (1500 + 60 + 1200 + 300 + 500 + 600)
    expect(supplierBpsOf(overrideOf(values.shares, null))).toBe(5840);
  });

  it('turns percents into whole bps, and yuan into fen without floating point', () => {
    expect(percentToBps(12.3)).toBe(1230);
    expect(percentToBps(0.6)).toBe(60);
    expect(percentToBps(1.005)).toBeCloseTo(100.5);
    expect(yuanToFen('800')).toBe('80000');
    expect(yuanToFen('0.1')).toBe('10');
    expect(yuanToFen('1.234')).toBeNull();
    expect(yuanToFen('')).toBeNull();
  });

  it('puts each issue on its field: the sum on the split, an empty share on the share, the deposit on the deposit', () => {
    const values = formValuesOf(tea);
    const over = withShares(values, { experienceFeeBps: { useDefault: false, percent: 95 } });
    expect(policyIssues(over, null)).toEqual([
      expect.objectContaining({ field: 'splitPolicy', code: 'shares_exceed_whole' }),
    ]);
    expect(supplierBpsOf(overrideOf(over.shares, null))).toBeLessThan(0);

    const empty = withShares(values, { trustFeeBps: { useDefault: false, percent: null } });
    expect(policyIssues({ ...empty, depositYuan: 'abc' }, null).map((i) => [i.field, i.code])).toEqual([
      ['depositFen', 'deposit_invalid'],
      ['trustFeeBps', 'share_missing'],
    ]);
  });

  it('maps the server’s field names to the form’s', () => {
    expect(policyFieldOf('body.splitPolicy.trustFeeBps')).toBe('trustFeeBps');
    expect(policyFieldOf('body.splitPolicy')).toBe('splitPolicy');
    expect(policyFieldOf('body.splitPolicy.unusedShareDestination')).toBe('splitPolicy');
    expect(policyFieldOf('body.depositFen')).toBe('depositFen');
    expect(policyFieldOf('body.parent')).toBeNull();
    expect(policyFieldOf(undefined)).toBeNull();
  });

  it('sends the name and parent unchanged, and no override when every share is on the default', () => {
    const rice: EditedCategory = { ...tea, slug: 'rice', parent: 'grain', splitPolicy: null };
    const values = formValuesOf(rice);
    expect(categoryBody(rice, { ...values, depositYuan: '600.5' })).toEqual({
      slug: 'rice',
      name: { zh: '茶叶', en: 'Tea' },
      parent: 'grain',
      depositFen: '60050',
    });
    const body = categoryBody(tea, withShares(values, { teamOverrideBps: { useDefault: false, percent: 0 } }));
    expect(body).toEqual({ slug: 'tea', name: tea.name, depositFen: '80000', splitPolicy: { teamOverrideBps: 0 } });
    // What the form does not edit of the override is kept.
    const platform = { ...tea, splitPolicy: { unusedShareDestination: 'platform' } };
    expect(categoryBody(platform, formValuesOf(platform)).splitPolicy).toEqual({ unusedShareDestination: 'platform' });
  });
});
