import {
  checkFiniteNumber,
  checkText,
  isPlainObject,
  missingIssue,
  own,
  type TextLimits,
  unknownFieldIssues,
} from './checks.js';
import { CommerceError, type CommerceIssue } from './commerce-error.js';

/**
 * A commodity expert's quality model (DESIGN §8.1): the standards it cites and the attributes a
 * product is tested on. This is the definition only; its id, version and status (draft,
 * published, retired) live in the server, which never changes a published version: a product's
 * claims and every consensus round refer to one exact version.
 */

export type AttributeKind = 'numeric' | 'boolean' | 'grade';

export const ATTRIBUTE_KINDS: readonly AttributeKind[] = Object.freeze(['numeric', 'boolean', 'grade']);

export interface BilingualText {
  zh: string;
  en: string;
}

export interface ModelAttribute {
  /** Stable machine name, unique within the model: /^[a-z][a-z0-9_]{0,63}$/. */
  key: string;
  label: BilingualText;
  /** 'g/100g', '%', 'mg/kg'… Required for numeric attributes, '' for boolean and grade ones. */
  unit: string;
  kind: AttributeKind;
  /** Numeric only, both required: the physically or legally possible range, min < max. */
  min?: number;
  max?: number;
  /** Grade only: 2–10 distinct labels, best first, e.g. ['特级', '一级', '二级', '合格']. */
  grades?: string[];
  /**
   * How far a measurement may be from the claim and still conform. Numeric: an absolute amount
   * in `unit`, at most max − min. Boolean: 0. Grade: a whole number of grade steps worse than the
   * claim, fewer than the number of grades.
   */
  tolerance: number;
  /** Relative weight of the attribute in the verdict: an integer 1–1000. */
  weight: number;
  /** A mandatory attribute that fails fails the product. */
  mandatory: boolean;
  /** How to measure it, e.g. 'GB 5009.3-2016 直接干燥法'. */
  testMethod: string;
}

export interface QualityModelDefinition {
  name: BilingualText;
  /** Category slug: /^[a-z0-9][a-z0-9-]{0,63}$/. */
  category: string;
  /** The standards the model is based on, e.g. 'GB/T 20886': 1–20 distinct entries. */
  standards: string[];
  description?: string;
  attributes: ModelAttribute[];
}

/** Every bound a quality model must respect; text lengths count Unicode characters after trimming. */
export const QUALITY_MODEL_LIMITS = Object.freeze({
  nameCharsMax: 100,
  labelCharsMax: 100,
  unitCharsMax: 20,
  testMethodCharsMax: 500,
  descriptionCharsMax: 2000,
  standardCharsMax: 100,
  standardsMin: 1,
  standardsMax: 20,
  attributesMin: 1,
  attributesMax: 100,
  gradesMin: 2,
  gradesMax: 10,
  gradeCharsMax: 50,
  weightMin: 1,
  weightMax: 1000,
});

export const ATTRIBUTE_KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
export const CATEGORY_SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

const L = QUALITY_MODEL_LIMITS;
const MODEL_FIELDS: readonly string[] = ['name', 'category', 'standards', 'description', 'attributes'];
const ATTRIBUTE_FIELDS: readonly string[] = [
  'key',
  'label',
  'unit',
  'kind',
  'min',
  'max',
  'grades',
  'tolerance',
  'weight',
  'mandatory',
  'testMethod',
];
const BILINGUAL_FIELDS: readonly string[] = ['zh', 'en'];

/**
 * Every problem with `input` as a quality model definition, or none. Issue fields are dotted
 * paths under `field`, e.g. 'model.attributes[2].max'; a problem of the whole model or of a whole
 * list blames that path itself.
 */
export function qualityModelIssues(input: unknown, field = 'model'): CommerceIssue[] {
  const issues: CommerceIssue[] = [];
  readModel(input, field, issues);
  return issues;
}

/**
 * Returns `input` as a clean copy of a quality model definition — texts trimmed, only the known
 * members, nothing shared with `input` — or throws a `CommerceError` listing every issue.
 */
export function validateQualityModel(input: unknown, field = 'model'): QualityModelDefinition {
  const issues: CommerceIssue[] = [];
  const model = readModel(input, field, issues);
  if (issues.length > 0 || model === undefined) throw CommerceError.fromIssues(issues);
  return model;
}

function readModel(input: unknown, field: string, issues: CommerceIssue[]): QualityModelDefinition | undefined {
  if (!isPlainObject(input)) {
    issues.push({ code: 'not_an_object', field, message: 'a quality model must be an object' });
    return undefined;
  }
  unknownFieldIssues(input, MODEL_FIELDS, field, 'quality model', issues);

  const name = readBilingual(own(input, 'name'), `${field}.name`, 'the model name', L.nameCharsMax, issues);

  let category: string | undefined;
  const categoryValue = own(input, 'category');
  if (categoryValue === undefined) {
    issues.push(missingIssue(`${field}.category`, 'the category'));
  } else if (typeof categoryValue !== 'string' || !CATEGORY_SLUG_PATTERN.test(categoryValue)) {
    issues.push({
      code: 'invalid_category',
      field: `${field}.category`,
      message: 'a category is a slug of 1–64 lowercase letters, digits and hyphens, not starting with a hyphen',
    });
  } else {
    category = categoryValue;
  }

  const standards = readStandards(own(input, 'standards'), `${field}.standards`, issues);

  let description: string | undefined;
  const descriptionValue = own(input, 'description');
  if (descriptionValue !== undefined) {
    const limits = { minChars: 0, maxChars: L.descriptionCharsMax };
    description = checkText(descriptionValue, `${field}.description`, 'the description', limits, issues);
  }

  const attributes = readAttributes(own(input, 'attributes'), `${field}.attributes`, issues);

  if (name === undefined || category === undefined || standards === undefined || attributes === undefined) {
    return undefined;
  }
  const model: QualityModelDefinition = { name, category, standards, attributes };
  if (description !== undefined) model.description = description;
  return model;
}

function readBilingual(
  value: unknown,
  field: string,
  what: string,
  maxChars: number,
  issues: CommerceIssue[],
): BilingualText | undefined {
  if (value === undefined) {
    issues.push(missingIssue(field, what));
    return undefined;
  }
  if (!isPlainObject(value)) {
    issues.push({ code: 'not_an_object', field, message: `${what} must be an object with "zh" and "en" texts` });
    return undefined;
  }
  unknownFieldIssues(value, BILINGUAL_FIELDS, field, what, issues);
  const limits: TextLimits = { minChars: 1, maxChars };
  const texts: Partial<BilingualText> = {};
  for (const language of ['zh', 'en'] as const) {
    const text = own(value, language);
    if (text === undefined) issues.push(missingIssue(`${field}.${language}`, `the ${language} text`));
    else texts[language] = checkText(text, `${field}.${language}`, `the ${language} text`, limits, issues);
  }
  if (texts.zh === undefined || texts.en === undefined) return undefined;
  return { zh: texts.zh, en: texts.en };
}

function readStandards(value: unknown, field: string, issues: CommerceIssue[]): string[] | undefined {
  if (value === undefined) {
    issues.push(missingIssue(field, 'the standards'));
    return undefined;
  }
  if (!Array.isArray(value)) {
    issues.push({ code: 'not_an_array', field, message: 'the standards must be a list' });
    return undefined;
  }
  if (value.length < L.standardsMin || value.length > L.standardsMax) {
    issues.push({
      code: 'invalid_standards',
      field,
      message: `a model cites ${L.standardsMin}–${L.standardsMax} standards, not ${value.length}`,
    });
    return undefined;
  }
  const limits: TextLimits = { minChars: 1, maxChars: L.standardCharsMax };
  return readDistinctTexts(value, field, 'a standard', limits, 'duplicate_standard', issues);
}

/** Each entry a text within `limits`, no two equal after trimming (the later one is blamed). */
function readDistinctTexts(
  values: readonly unknown[],
  field: string,
  what: string,
  limits: TextLimits,
  duplicateCode: 'duplicate_standard' | 'duplicate_grade',
  issues: CommerceIssue[],
): string[] | undefined {
  const texts: string[] = [];
  const firstIndex = new Map<string, number>();
  let ok = true;
  values.forEach((value, index) => {
    const text = checkText(value, `${field}[${index}]`, what, limits, issues);
    if (text === undefined) {
      ok = false;
      return;
    }
    const earlier = firstIndex.get(text);
    if (earlier !== undefined) {
      issues.push({ code: duplicateCode, field: `${field}[${index}]`, message: `repeats ${field}[${earlier}]` });
      ok = false;
      return;
    }
    firstIndex.set(text, index);
    texts.push(text);
  });
  return ok ? texts : undefined;
}

function readAttributes(value: unknown, field: string, issues: CommerceIssue[]): ModelAttribute[] | undefined {
  if (value === undefined) {
    issues.push(missingIssue(field, 'the attributes'));
    return undefined;
  }
  if (!Array.isArray(value)) {
    issues.push({ code: 'not_an_array', field, message: 'the attributes must be a list' });
    return undefined;
  }
  if (value.length < L.attributesMin || value.length > L.attributesMax) {
    issues.push({
      code: 'invalid_attributes',
      field,
      message: `a model has ${L.attributesMin}–${L.attributesMax} attributes, not ${value.length}`,
    });
    return undefined;
  }
  const attributes: ModelAttribute[] = [];
  const firstIndex = new Map<string, number>();
  let ok = true;
  value.forEach((item: unknown, index) => {
    const at = `${field}[${index}]`;
    const attribute = readAttribute(item, at, issues);
    const key = isPlainObject(item) ? own(item, 'key') : undefined;
    if (typeof key === 'string' && ATTRIBUTE_KEY_PATTERN.test(key)) {
      const earlier = firstIndex.get(key);
      if (earlier === undefined) {
        firstIndex.set(key, index);
      } else {
        issues.push({ code: 'duplicate_key', field: `${at}.key`, message: `repeats the key of ${field}[${earlier}]` });
        ok = false;
      }
    }
    if (attribute === undefined) ok = false;
    else attributes.push(attribute);
  });
  return ok ? attributes : undefined;
}

function readAttribute(input: unknown, field: string, issues: CommerceIssue[]): ModelAttribute | undefined {
  if (!isPlainObject(input)) {
    issues.push({ code: 'not_an_object', field, message: 'an attribute must be an object' });
    return undefined;
  }
  const before = issues.length;
  unknownFieldIssues(input, ATTRIBUTE_FIELDS, field, 'attribute', issues);
  const required = (member: string, what: string): unknown => {
    const value = own(input, member);
    if (value === undefined) issues.push(missingIssue(`${field}.${member}`, what));
    return value;
  };

  const keyValue = required('key', 'the key');
  if (keyValue !== undefined && (typeof keyValue !== 'string' || !ATTRIBUTE_KEY_PATTERN.test(keyValue))) {
    issues.push({
      code: 'invalid_key',
      field: `${field}.key`,
      message: 'a key is 1–64 lowercase letters, digits and underscores, starting with a letter',
    });
  }

  const label = readBilingual(own(input, 'label'), `${field}.label`, 'the label', L.labelCharsMax, issues);

  const kindValue = required('kind', 'the kind');
  let kind: AttributeKind | undefined;
  if (kindValue !== undefined) {
    if ((ATTRIBUTE_KINDS as readonly unknown[]).includes(kindValue)) {
      kind = kindValue as AttributeKind;
    } else {
      issues.push({
        code: 'invalid_kind',
        field: `${field}.kind`,
        message: `the kind is one of ${ATTRIBUTE_KINDS.join(', ')}`,
      });
    }
  }

  const unitValue = required('unit', 'the unit');
  const unitLimits: TextLimits = { minChars: 0, maxChars: L.unitCharsMax };
  const unit =
    unitValue === undefined ? undefined : checkText(unitValue, `${field}.unit`, 'the unit', unitLimits, issues);
  if (unit !== undefined && kind === 'numeric' && unit === '') {
    issues.push({ code: 'invalid_unit', field: `${field}.unit`, message: 'a numeric attribute needs a unit' });
  } else if (unit !== undefined && kind !== undefined && kind !== 'numeric' && unit !== '') {
    issues.push({ code: 'invalid_unit', field: `${field}.unit`, message: `a ${kind} attribute has no unit ('')` });
  }

  const { min, max } = readBounds(input, field, kind, issues);
  const grades = readGrades(own(input, 'grades'), `${field}.grades`, kind, issues);
  const tolerance = readTolerance(required('tolerance', 'the tolerance'), field, kind, min, max, grades, issues);

  const weightValue = required('weight', 'the weight');
  if (
    weightValue !== undefined &&
    checkFiniteNumber(weightValue, `${field}.weight`, 'the weight', issues) !== undefined
  ) {
    const weight = weightValue as number;
    if (!Number.isSafeInteger(weight) || weight < L.weightMin || weight > L.weightMax) {
      issues.push({
        code: 'invalid_weight',
        field: `${field}.weight`,
        message: `a weight is an integer ${L.weightMin}–${L.weightMax}`,
      });
    }
  }

  const mandatory = required('mandatory', 'the mandatory flag');
  if (mandatory !== undefined && typeof mandatory !== 'boolean') {
    issues.push({ code: 'invalid_boolean', field: `${field}.mandatory`, message: 'mandatory is true or false' });
  }

  const testMethodValue = required('testMethod', 'the test method');
  const testMethodLimits: TextLimits = { minChars: 1, maxChars: L.testMethodCharsMax };
  const testMethod =
    testMethodValue === undefined
      ? undefined
      : checkText(testMethodValue, `${field}.testMethod`, 'the test method', testMethodLimits, issues);

  if (issues.length > before || label === undefined || kind === undefined) return undefined;
  // Copy member by member, in a fixed order, so nothing else of the input travels with it.
  return {
    key: keyValue as string,
    label,
    unit: unit as string,
    kind,
    ...(kind === 'numeric' ? { min: min as number, max: max as number } : {}),
    ...(kind === 'grade' ? { grades: grades as string[] } : {}),
    tolerance: tolerance as number,
    weight: weightValue as number,
    mandatory: mandatory as boolean,
    testMethod: testMethod as string,
  };
}

/** Numeric attributes need finite bounds with min < max; the other kinds have none. */
function readBounds(
  input: Readonly<Record<string, unknown>>,
  field: string,
  kind: AttributeKind | undefined,
  issues: CommerceIssue[],
): { min?: number; max?: number } {
  const bounds: { min?: number; max?: number } = {};
  for (const member of ['min', 'max'] as const) {
    const value = own(input, member);
    const at = `${field}.${member}`;
    if (value === undefined) {
      if (kind === 'numeric') issues.push(missingIssue(at, `the ${member === 'min' ? 'minimum' : 'maximum'}`));
    } else if (kind !== undefined && kind !== 'numeric') {
      issues.push({ code: 'invalid_bounds', field: at, message: `a ${kind} attribute has no ${member}` });
    } else {
      bounds[member] = checkFiniteNumber(value, at, `the ${member}`, issues);
    }
  }
  if (bounds.min !== undefined && bounds.max !== undefined && !(bounds.min < bounds.max)) {
    issues.push({
      code: 'invalid_bounds',
      field: `${field}.max`,
      message: `the max (${bounds.max}) must be greater than the min (${bounds.min})`,
    });
  }
  return bounds;
}

/** Grade attributes need 2–10 distinct grade labels, best first; the other kinds have none. */
function readGrades(
  value: unknown,
  field: string,
  kind: AttributeKind | undefined,
  issues: CommerceIssue[],
): string[] | undefined {
  if (value === undefined) {
    if (kind === 'grade') issues.push(missingIssue(field, 'the grades'));
    return undefined;
  }
  if (kind !== undefined && kind !== 'grade') {
    issues.push({ code: 'invalid_grades', field, message: `a ${kind} attribute has no grades` });
    return undefined;
  }
  if (!Array.isArray(value)) {
    issues.push({ code: 'not_an_array', field, message: 'the grades must be a list, best first' });
    return undefined;
  }
  if (value.length < L.gradesMin || value.length > L.gradesMax) {
    issues.push({
      code: 'invalid_grades',
      field,
      message: `a grade attribute has ${L.gradesMin}–${L.gradesMax} grades, not ${value.length}`,
    });
    return undefined;
  }
  const limits: TextLimits = { minChars: 1, maxChars: L.gradeCharsMax };
  return readDistinctTexts(value, field, 'a grade', limits, 'duplicate_grade', issues);
}

function readTolerance(
  value: unknown,
  field: string,
  kind: AttributeKind | undefined,
  min: number | undefined,
  max: number | undefined,
  grades: readonly string[] | undefined,
  issues: CommerceIssue[],
): number | undefined {
  const at = `${field}.tolerance`;
  if (value === undefined) return undefined;
  const tolerance = checkFiniteNumber(value, at, 'the tolerance', issues);
  if (tolerance === undefined) return undefined;
  const refuse = (message: string): undefined => {
    issues.push({ code: 'invalid_tolerance', field: at, message });
    return undefined;
  };
  if (tolerance < 0) return refuse('a tolerance cannot be negative');
  if (kind === 'numeric' && min !== undefined && max !== undefined && min < max && tolerance > max - min) {
    return refuse(`a tolerance cannot exceed the range max − min (${max - min})`);
  }
  if (kind === 'boolean' && tolerance !== 0) return refuse('a boolean attribute has tolerance 0');
  if (kind === 'grade') {
    if (!Number.isSafeInteger(tolerance)) return refuse('a grade tolerance is a whole number of grade steps');
    if (grades !== undefined && tolerance >= grades.length) {
      return refuse(`a grade tolerance is fewer steps than the ${grades.length} grades`);
    }
  }
  return tolerance;
}
