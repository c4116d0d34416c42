/** Shared fixtures and fast-check arbitraries for the commerce tests (not part of the build). */
import fc from 'fast-check';
import type { ClaimValue } from './claims.js';
import { CommerceError, type CommerceIssue } from './commerce-error.js';
import type { ModelAttribute, QualityModelDefinition } from './quality-model.js';

/** A realistic model: fresh on every call, so a test may mutate its copy freely. */
export function riceModel(): QualityModelDefinition {
  return {
    name: { zh: '五常大米质量模型', en: 'Wuchang rice quality model' },
    category: 'rice',
    standards: ['GB/T 19266', 'GB 2762'],
    description: '按国家标准检测的大米品质',
    attributes: [
      {
        key: 'moisture',
        label: { zh: '水分', en: 'Moisture' },
        unit: 'g/100g',
        kind: 'numeric',
        min: 0,
        max: 100,
        tolerance: 0.5,
        weight: 300,
        mandatory: true,
        testMethod: 'GB 5009.3-2016 直接干燥法',
      },
      {
        key: 'pesticide_free',
        label: { zh: '无农残', en: 'No pesticide residue' },
        unit: '',
        kind: 'boolean',
        tolerance: 0,
        weight: 500,
        mandatory: true,
        testMethod: 'GB 23200.113-2018',
      },
      {
        key: 'grade',
        label: { zh: '等级', en: 'Grade' },
        unit: '',
        kind: 'grade',
        grades: ['特级', '一级', '二级', '合格'],
        tolerance: 1,
        weight: 150,
        mandatory: true,
        testMethod: 'GB/T 19266-2008 感官检验',
      },
      {
        key: 'protein',
        label: { zh: '蛋白质', en: 'Protein' },
        unit: 'g/100g',
        kind: 'numeric',
        min: 0,
        max: 20,
        tolerance: 0.3,
        weight: 50,
        mandatory: false,
        testMethod: 'GB 5009.5-2016 凯氏定氮法',
      },
    ],
  };
}

/** The issues of a throwing call as [code, field] pairs; fails the test if nothing is thrown. */
export function thrownIssues(run: () => unknown): [string, string][] {
  try {
    run();
  } catch (error) {
    if (!(error instanceof CommerceError)) throw error;
    return error.issues.map((issue) => [issue.code, issue.field]);
  }
  throw new Error('expected a CommerceError, nothing was thrown');
}

export const pairs = (issues: readonly CommerceIssue[]): [string, string][] =>
  issues.map((issue) => [issue.code, issue.field]);

// Texts: Latin, CJK, a space inside, and an astral emoji (two UTF-16 units, one character).
const TEXT_CHARS = ['a', 'Z', '0', '/', '%', '.', ' ', '特', '级', '水', '分', 'é', '😀'];

/** A text of 1–maxChars characters that trimming leaves unchanged. */
export const textArb = (maxChars: number): fc.Arbitrary<string> =>
  fc
    .array(fc.constantFrom(...TEXT_CHARS), { minLength: 1, maxLength: maxChars })
    .map((chars) => chars.join('').trim())
    .filter((text) => text.length > 0);

const bilingualArb = (maxChars: number) => fc.record({ zh: textArb(maxChars), en: textArb(maxChars) });

export const keyArb = fc.stringMatching(/^[a-z][a-z0-9_]{0,63}$/);

const commonArb = fc.record({
  key: keyArb,
  label: bilingualArb(100),
  weight: fc.integer({ min: 1, max: 1000 }),
  mandatory: fc.boolean(),
  testMethod: textArb(500),
});

/** Realistic bounds: finite, min < max, far from overflow. */
export const boundsArb = fc
  .tuple(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.double({ min: -1e9, max: 1e9, noNaN: true }))
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => (a < b ? { min: a, max: b } : { min: b, max: a }));

export const numericAttributeArb: fc.Arbitrary<ModelAttribute> = fc
  .tuple(commonArb, textArb(20), boundsArb, fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([common, unit, { min, max }, fraction]) => ({
    ...common,
    unit,
    kind: 'numeric' as const,
    min,
    max,
    // fraction ≤ 1, so the rounded product never exceeds max − min.
    tolerance: fraction * (max - min),
  }));

export const booleanAttributeArb: fc.Arbitrary<ModelAttribute> = commonArb.map((common) => ({
  ...common,
  unit: '',
  kind: 'boolean' as const,
  tolerance: 0,
}));

export const gradeAttributeArb: fc.Arbitrary<ModelAttribute> = fc
  .tuple(commonArb, fc.uniqueArray(textArb(50), { minLength: 2, maxLength: 10 }))
  .chain(([common, grades]) =>
    fc.integer({ min: 0, max: grades.length - 1 }).map((tolerance) => ({
      ...common,
      unit: '',
      kind: 'grade' as const,
      grades,
      tolerance,
    })),
  );

export const attributeArb = fc.oneof(numericAttributeArb, booleanAttributeArb, gradeAttributeArb);

/** A valid model with 1–maxAttributes attributes of distinct keys. */
export const modelArb = (maxAttributes = 8): fc.Arbitrary<QualityModelDefinition> =>
  fc
    .record(
      {
        name: bilingualArb(100),
        category: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,63}$/),
        standards: fc.uniqueArray(textArb(100), { minLength: 1, maxLength: 20 }),
        description: fc.oneof(textArb(300), fc.constant('')),
        attributes: fc.uniqueArray(attributeArb, {
          minLength: 1,
          maxLength: maxAttributes,
          selector: (attribute) => attribute.key,
        }),
      },
      { requiredKeys: ['name', 'category', 'standards', 'attributes'] },
    )
    .map((model) => model as QualityModelDefinition);

/** A value inside the attribute's definition: within bounds, or one of its grades. */
export function valueArb(attribute: ModelAttribute): fc.Arbitrary<ClaimValue> {
  switch (attribute.kind) {
    case 'numeric':
      return fc.double({ min: attribute.min as number, max: attribute.max as number, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'grade':
      return fc.constantFrom(...(attribute.grades as string[]));
  }
}

/** Claims for `model`: every mandatory attribute, each optional one or not. */
export function claimsArb(model: QualityModelDefinition): fc.Arbitrary<Record<string, ClaimValue>> {
  const entries = model.attributes.map((attribute) =>
    attribute.mandatory
      ? valueArb(attribute).map((value) => [attribute.key, value] as const)
      : fc.option(valueArb(attribute), { nil: undefined }).map((value) => [attribute.key, value] as const),
  );
  return fc.tuple(...entries).map((pairsOf) => {
    const claims: Record<string, ClaimValue> = {};
    for (const [key, value] of pairsOf) if (value !== undefined) claims[key] = value;
    return claims;
  });
}
