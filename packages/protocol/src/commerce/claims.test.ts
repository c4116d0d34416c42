import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  booleanAttributeArb,
  claimsArb,
  gradeAttributeArb,
  modelArb,
  numericAttributeArb,
  pairs,
  riceModel,
  thrownIssues,
  valueArb,
} from './commerce.test-helper.js';
import {
  attributeConforms,
  type ClaimValue,
  CommerceError,
  claimIssues,
  type ModelAttribute,
  type QualityModelDefinition,
  validateClaims,
  validateQualityModel,
} from './index.js';

const model = validateQualityModel(riceModel());
const attributeOf = (key: string) => model.attributes.find((a) => a.key === key) as ModelAttribute;
const moisture = attributeOf('moisture');
const pesticideFree = attributeOf('pesticide_free');
const grade = attributeOf('grade');

const goodClaims = { moisture: 14.5, pesticide_free: true, grade: '一级' };

describe('validateClaims', () => {
  it('accepts claims of every mandatory attribute and returns a frozen copy in model order', () => {
    const claims = validateClaims(model, { grade: '一级', protein: 7.2, pesticide_free: true, moisture: 14.5 });
    expect(claims).toEqual({ moisture: 14.5, pesticide_free: true, grade: '一级', protein: 7.2 });
    expect(Object.keys(claims)).toEqual(['moisture', 'pesticide_free', 'grade', 'protein']);
    expect(Object.isFrozen(claims)).toBe(true);
    expect(claimIssues(model, goodClaims)).toEqual([]);
  });

  it('lets optional attributes be omitted, or set to undefined', () => {
    expect(validateClaims(model, goodClaims)).toEqual(goodClaims);
    expect(validateClaims(model, { ...goodClaims, protein: undefined })).toEqual(goodClaims);
  });

  it('accepts the bounds themselves and every grade', () => {
    for (const value of [0, 100]) expect(claimIssues(model, { ...goodClaims, moisture: value })).toEqual([]);
    for (const g of grade.grades ?? []) expect(claimIssues(model, { ...goodClaims, grade: g })).toEqual([]);
  });

  it.each<[string, unknown, [string, string][]]>([
    ['null', null, [['not_an_object', 'claims']]],
    ['an array', [14.5, true, '一级'], [['not_an_object', 'claims']]],
    ['a Map', new Map(Object.entries(goodClaims)), [['not_an_object', 'claims']]],
    ['a missing mandatory claim', { moisture: 14.5, grade: '一级' }, [['claim_missing', 'claims.pesticide_free']]],
    ['a missing grade claim', { moisture: 14.5, pesticide_free: false }, [['claim_missing', 'claims.grade']]],
    ['an undefined mandatory claim', { ...goodClaims, moisture: undefined }, [['claim_missing', 'claims.moisture']]],
    ['an attribute outside the model', { ...goodClaims, color: 'white' }, [['unknown_attribute', 'claims.color']]],
    [
      'a number for a boolean',
      { ...goodClaims, pesticide_free: 1 },
      [['claim_kind_mismatch', 'claims.pesticide_free']],
    ],
    ['a string for a number', { ...goodClaims, moisture: '14.5' }, [['claim_kind_mismatch', 'claims.moisture']]],
    ['a grade index for a grade', { ...goodClaims, grade: 1 }, [['claim_kind_mismatch', 'claims.grade']]],
    ['null for a grade', { ...goodClaims, grade: null }, [['claim_kind_mismatch', 'claims.grade']]],
    ['NaN for a number', { ...goodClaims, moisture: Number.NaN }, [['invalid_number', 'claims.moisture']]],
    [
      'Infinity for a number',
      { ...goodClaims, moisture: Number.POSITIVE_INFINITY },
      [['invalid_number', 'claims.moisture']],
    ],
    ['a number above max', { ...goodClaims, moisture: 100.000001 }, [['claim_out_of_bounds', 'claims.moisture']]],
    ['a number below min', { ...goodClaims, moisture: -0.1 }, [['claim_out_of_bounds', 'claims.moisture']]],
    ['an optional number out of bounds', { ...goodClaims, protein: 21 }, [['claim_out_of_bounds', 'claims.protein']]],
    ['an unknown grade', { ...goodClaims, grade: '三级' }, [['unknown_grade', 'claims.grade']]],
    ['a grade with spaces', { ...goodClaims, grade: ' 一级' }, [['unknown_grade', 'claims.grade']]],
  ])('rejects %s', (_, claims, expected) => {
    expect(pairs(claimIssues(model, claims))).toEqual(expected);
    expect(thrownIssues(() => validateClaims(model, claims))).toEqual(expected);
  });

  it('reports every problem at once, unknown attributes first, then in model order', () => {
    const issues = pairs(claimIssues(model, { colour: 'white', grade: 'A', moisture: 200 }, 'product.claims'));
    expect(issues).toEqual([
      ['unknown_attribute', 'product.claims.colour'],
      ['claim_out_of_bounds', 'product.claims.moisture'],
      ['claim_missing', 'product.claims.pesticide_free'],
      ['unknown_grade', 'product.claims.grade'],
    ]);
  });

  it('finds only own members: an attribute named "constructor" is missing from {}', () => {
    const tricky = validateQualityModel({
      ...riceModel(),
      attributes: [{ ...(riceModel().attributes[1] as ModelAttribute), key: 'constructor' }],
    });
    expect(pairs(claimIssues(tricky, {}))).toEqual([['claim_missing', 'claims.constructor']]);
    expect(validateClaims(tricky, { constructor: false })).toEqual({ constructor: false });
  });
});

describe('attributeConforms', () => {
  it('numeric: within the tolerance and the bounds', () => {
    expect(attributeConforms(moisture, 14.5, 14.5)).toBe(true);
    expect(attributeConforms(moisture, 14.5, 15)).toBe(true);
    expect(attributeConforms(moisture, 14.5, 14)).toBe(true);
    expect(attributeConforms(moisture, 14.5, 15.01)).toBe(false);
    expect(attributeConforms(moisture, 14.5, 13.9)).toBe(false);
    // Within tolerance of the claim but outside the model's bounds.
    expect(attributeConforms(moisture, 100, 100.2)).toBe(false);
    expect(attributeConforms(moisture, 0, -0.2)).toBe(false);
    expect(attributeConforms(moisture, 100, 100)).toBe(true);
  });

  it('boolean: equal', () => {
    expect(attributeConforms(pesticideFree, true, true)).toBe(true);
    expect(attributeConforms(pesticideFree, false, false)).toBe(true);
    expect(attributeConforms(pesticideFree, true, false)).toBe(false);
    expect(attributeConforms(pesticideFree, false, true)).toBe(false);
  });

  it('grade: better, equal, or at most `tolerance` grades worse', () => {
    // grades ['特级', '一级', '二级', '合格'], tolerance 1
    expect(attributeConforms(grade, '一级', '特级')).toBe(true);
    expect(attributeConforms(grade, '一级', '一级')).toBe(true);
    expect(attributeConforms(grade, '一级', '二级')).toBe(true);
    expect(attributeConforms(grade, '一级', '合格')).toBe(false);
    expect(attributeConforms(grade, '特级', '二级')).toBe(false);
    expect(attributeConforms({ ...grade, tolerance: 0 }, '一级', '二级')).toBe(false);
    expect(attributeConforms({ ...grade, tolerance: 3 }, '特级', '合格')).toBe(true);
  });

  it.each<[string, ModelAttribute, ClaimValue, ClaimValue, string, string]>([
    ['a string measurement of a number', moisture, 14.5, '14.5', 'claim_kind_mismatch', 'measured'],
    ['a boolean claim of a number', moisture, true, 14.5, 'claim_kind_mismatch', 'claimed'],
    ['a NaN measurement', moisture, 14.5, Number.NaN, 'invalid_number', 'measured'],
    ['a number for a boolean', pesticideFree, true, 1, 'claim_kind_mismatch', 'measured'],
    ['an unknown measured grade', grade, '一级', '三级', 'unknown_grade', 'measured'],
    ['an unknown claimed grade', grade, 'A', '一级', 'unknown_grade', 'claimed'],
  ])('throws for %s instead of answering', (_, attribute, claimed, measured, code, field) => {
    expect(thrownIssues(() => attributeConforms(attribute, claimed, measured))).toEqual([[code, field]]);
    expect(() => attributeConforms(attribute, claimed, measured)).toThrow(CommerceError);
  });
});

describe('claims properties', () => {
  const modelWithClaims = modelArb().chain((m) => claimsArb(m).map((claims) => ({ model: m, claims })));

  it('claims generated inside the bounds always validate, to an equal copy', () => {
    fc.assert(
      fc.property(modelWithClaims, ({ model: m, claims }) => {
        expect(claimIssues(m, claims)).toEqual([]);
        expect(validateClaims(m, claims)).toEqual(claims);
      }),
    );
  });

  it('leaving out any mandatory claim fails with claim_missing, and only for that attribute', () => {
    const arb = modelWithClaims.filter(({ model: m }) => m.attributes.some((a) => a.mandatory));
    fc.assert(
      fc.property(arb, fc.nat(), ({ model: m, claims }, pick) => {
        const mandatory = m.attributes.filter((a) => a.mandatory);
        const dropped = (mandatory[pick % mandatory.length] as ModelAttribute).key;
        const rest = Object.fromEntries(Object.entries(claims).filter(([key]) => key !== dropped));
        expect(pairs(claimIssues(m, rest))).toEqual([['claim_missing', `claims.${dropped}`]]);
      }),
    );
  });

  it('a numeric claim moved outside the bounds always fails', () => {
    const arb = fc
      .tuple(modelWithClaims, numericAttributeArb, fc.boolean(), fc.double({ min: 1, max: 1e9, noNaN: true }))
      .filter(([{ model: m }, numeric]) => m.attributes.every((a) => a.key !== numeric.key));
    fc.assert(
      fc.property(arb, ([{ model: m, claims }, numeric, above, distance]) => {
        const withNumeric: QualityModelDefinition = { ...m, attributes: [...m.attributes, numeric] };
        // Bounds are within ±1e9 and the distance at least 1, so the sum never rounds back inside.
        const outside = above ? (numeric.max as number) + distance : (numeric.min as number) - distance;
        const issues = pairs(claimIssues(withNumeric, { ...claims, [numeric.key]: outside }));
        expect(issues).toEqual([['claim_out_of_bounds', `claims.${numeric.key}`]]);
      }),
    );
  });

  it('boolean conformance is symmetric', () => {
    fc.assert(
      fc.property(booleanAttributeArb, fc.boolean(), fc.boolean(), (attribute, a, b) => {
        expect(attributeConforms(attribute, a, b)).toBe(attributeConforms(attribute, b, a));
        expect(attributeConforms(attribute, a, b)).toBe(a === b);
      }),
    );
  });

  it('a measurement equal to a claim inside the bounds always conforms', () => {
    const attributeWithValue = fc
      .oneof(numericAttributeArb, booleanAttributeArb, gradeAttributeArb)
      .chain((attribute) => valueArb(attribute).map((value) => ({ attribute, value })));
    fc.assert(
      fc.property(attributeWithValue, ({ attribute, value }) => {
        expect(attributeConforms(attribute, value, value)).toBe(true);
      }),
    );
  });

  it('a numeric measurement outside the bounds never conforms, whatever the claim and tolerance', () => {
    const arb = numericAttributeArb.chain((attribute) =>
      fc.tuple(
        fc.constant(attribute),
        valueArb(attribute),
        fc.boolean(),
        fc.double({ min: 1e-6, max: 1, noNaN: true }),
      ),
    );
    fc.assert(
      fc.property(arb, ([attribute, claimed, above, fraction]) => {
        const min = attribute.min as number;
        const max = attribute.max as number;
        // Just outside, by at most the tolerance's scale: often within tolerance of the claim.
        const step = Math.max(fraction * attribute.tolerance, 1e-6);
        const measured = above ? max + step : min - step;
        expect(measured > max || measured < min).toBe(true);
        expect(attributeConforms(attribute, claimed, measured)).toBe(false);
      }),
    );
  });
});
