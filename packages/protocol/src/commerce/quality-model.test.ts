import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelArb, numericAttributeArb, pairs, riceModel, thrownIssues } from './commerce.test-helper.js';
import {
  CommerceError,
  type ModelAttribute,
  QUALITY_MODEL_LIMITS,
  type QualityModelDefinition,
  qualityModelIssues,
  validateQualityModel,
} from './index.js';

type Mutable = Record<string, unknown>;
const attr = (model: QualityModelDefinition, index: number) => model.attributes[index] as unknown as Mutable;

/** The [code, field] pairs of the rice model after `mutate`. */
function issuesAfter(mutate: (model: QualityModelDefinition) => void): [string, string][] {
  const model = riceModel();
  mutate(model);
  return pairs(qualityModelIssues(model));
}

describe('validateQualityModel', () => {
  it('accepts a realistic model and returns an equal copy that shares nothing with the input', () => {
    const input = riceModel();
    const model = validateQualityModel(input);
    expect(model).toEqual(input);
    expect(model).not.toBe(input);
    expect(model.attributes[0]).not.toBe(input.attributes[0]);
    expect(model.attributes[2]?.grades).not.toBe(input.attributes[2]?.grades);
    expect(model.standards).not.toBe(input.standards);
    expect(model.name).not.toBe(input.name);
    expect(qualityModelIssues(input)).toEqual([]);
  });

  it('trims texts in the copy and measures them after trimming', () => {
    const input = riceModel();
    input.name.zh = '  大米  ';
    input.standards[0] = ' GB/T 19266 ';
    (input.attributes[0] as ModelAttribute).unit = ' g/100g ';
    const model = validateQualityModel(input);
    expect(model.name.zh).toBe('大米');
    expect(model.standards[0]).toBe('GB/T 19266');
    expect(model.attributes[0]?.unit).toBe('g/100g');
    // 100 characters plus surrounding spaces is still 100 characters.
    input.name.en = ` ${'x'.repeat(100)} `;
    expect(qualityModelIssues(input)).toEqual([]);
  });

  it('counts characters, not UTF-16 units: 100 emoji (200 units) fit, 101 do not', () => {
    expect(
      issuesAfter((m) => {
        m.name.en = '😀'.repeat(100);
      }),
    ).toEqual([]);
    expect(
      issuesAfter((m) => {
        m.name.en = '😀'.repeat(101);
      }),
    ).toEqual([['invalid_text', 'model.name.en']]);
    expect(
      issuesAfter((m) => {
        m.name.zh = '特'.repeat(100);
      }),
    ).toEqual([]);
  });

  it('omits the description when absent and leaves out min, max and grades where the kind has none', () => {
    const input = riceModel();
    delete input.description;
    const model = validateQualityModel(input);
    expect('description' in model).toBe(false);
    expect(Object.keys(model.attributes[1] as object)).toEqual([
      'key',
      'label',
      'unit',
      'kind',
      'tolerance',
      'weight',
      'mandatory',
      'testMethod',
    ]);
  });

  it('throws one CommerceError carrying every issue, the first naming code and field', () => {
    const input = riceModel() as unknown as Mutable;
    input.category = 'Rice!';
    (input.attributes as Mutable[])[0] = { ...(input.attributes as Mutable[])[0], weight: 0 };
    let caught: unknown;
    try {
      validateQualityModel(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CommerceError);
    const error = caught as CommerceError;
    expect(error.name).toBe('CommerceError');
    expect(error.code).toBe('invalid_category');
    expect(error.field).toBe('model.category');
    expect(pairs(error.issues)).toEqual([
      ['invalid_category', 'model.category'],
      ['invalid_weight', 'model.attributes[0].weight'],
    ]);
    expect(error.message).toContain('model.category: ');
    expect(error.message).toContain('model.attributes[0].weight: ');
  });

  it('prefixes every path with the field it is given', () => {
    expect(pairs(qualityModelIssues({ ...riceModel(), category: '' }, 'body.definition'))).toEqual([
      ['invalid_category', 'body.definition.category'],
    ]);
    expect(thrownIssues(() => validateQualityModel(null, 'definition'))).toEqual([['not_an_object', 'definition']]);
  });
});

describe('quality model issues, one by one', () => {
  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'model'],
    ['a Date', new Date(0)],
  ])('not_an_object: the model is %s', (_, value) => {
    expect(pairs(qualityModelIssues(value))).toEqual([['not_an_object', 'model']]);
  });

  const cases: [string, (m: QualityModelDefinition) => void, [string, string][]][] = [
    // shapes
    [
      'an attribute that is not an object',
      (m) => {
        (m.attributes as unknown[])[1] = 'moisture';
      },
      [['not_an_object', 'model.attributes[1]']],
    ],
    [
      'a name that is a string',
      (m) => {
        (m as unknown as Mutable).name = '大米';
      },
      [['not_an_object', 'model.name']],
    ],
    [
      'a label that is an array',
      (m) => {
        attr(m, 0).label = ['水分'];
      },
      [['not_an_object', 'model.attributes[0].label']],
    ],
    [
      'standards that are a string',
      (m) => {
        (m as unknown as Mutable).standards = 'GB 2762';
      },
      [['not_an_array', 'model.standards']],
    ],
    [
      'attributes that are an object',
      (m) => {
        (m as unknown as Mutable).attributes = {};
      },
      [['not_an_array', 'model.attributes']],
    ],
    [
      'grades that are a string',
      (m) => {
        attr(m, 2).grades = '特级';
      },
      [['not_an_array', 'model.attributes[2].grades']],
    ],
    [
      'an unknown model member',
      (m) => {
        (m as unknown as Mutable).version = 2;
      },
      [['unknown_field', 'model.version']],
    ],
    [
      'an unknown attribute member',
      (m) => {
        attr(m, 3).unitt = 'g';
      },
      [['unknown_field', 'model.attributes[3].unitt']],
    ],
    [
      'an unknown label member',
      (m) => {
        (attr(m, 0).label as Mutable).fr = 'Humidité';
      },
      [['unknown_field', 'model.attributes[0].label.fr']],
    ],
    [
      'a missing name',
      (m) => {
        delete (m as unknown as Mutable).name;
      },
      [['field_missing', 'model.name']],
    ],
    [
      'a missing category',
      (m) => {
        delete (m as unknown as Mutable).category;
      },
      [['field_missing', 'model.category']],
    ],
    [
      'missing standards',
      (m) => {
        delete (m as unknown as Mutable).standards;
      },
      [['field_missing', 'model.standards']],
    ],
    [
      'missing attributes',
      (m) => {
        delete (m as unknown as Mutable).attributes;
      },
      [['field_missing', 'model.attributes']],
    ],
    [
      'a missing en name',
      (m) => {
        delete (m.name as unknown as Mutable).en;
      },
      [['field_missing', 'model.name.en']],
    ],
    [
      'a missing min',
      (m) => {
        delete attr(m, 0).min;
      },
      [['field_missing', 'model.attributes[0].min']],
    ],
    [
      'missing grades',
      (m) => {
        delete attr(m, 2).grades;
      },
      [['field_missing', 'model.attributes[2].grades']],
    ],
    [
      'a missing mandatory flag',
      (m) => {
        delete attr(m, 1).mandatory;
      },
      [['field_missing', 'model.attributes[1].mandatory']],
    ],
    [
      'an undefined test method',
      (m) => {
        attr(m, 1).testMethod = undefined;
      },
      [['field_missing', 'model.attributes[1].testMethod']],
    ],
    [
      'a blank zh name',
      (m) => {
        m.name.zh = '   ';
      },
      [['invalid_text', 'model.name.zh']],
    ],
    [
      'a 101-character label',
      (m) => {
        (attr(m, 0).label as Mutable).en = 'x'.repeat(101);
      },
      [['invalid_text', 'model.attributes[0].label.en']],
    ],
    [
      'a numeric en label',
      (m) => {
        (attr(m, 0).label as Mutable).en = 7;
      },
      [['invalid_text', 'model.attributes[0].label.en']],
    ],
    [
      'a 21-character unit',
      (m) => {
        attr(m, 0).unit = 'g'.repeat(21);
      },
      [['invalid_text', 'model.attributes[0].unit']],
    ],
    [
      'a blank test method',
      (m) => {
        attr(m, 0).testMethod = ' ';
      },
      [['invalid_text', 'model.attributes[0].testMethod']],
    ],
    [
      'a 501-character test method',
      (m) => {
        attr(m, 0).testMethod = 'x'.repeat(501);
      },
      [['invalid_text', 'model.attributes[0].testMethod']],
    ],
    [
      'a 2001-character description',
      (m) => {
        m.description = 'x'.repeat(2001);
      },
      [['invalid_text', 'model.description']],
    ],
    [
      'a null description',
      (m) => {
        (m as unknown as Mutable).description = null;
      },
      [['invalid_text', 'model.description']],
    ],
    [
      'an empty standard',
      (m) => {
        m.standards[1] = '';
      },
      [['invalid_text', 'model.standards[1]']],
    ],
    [
      'a 101-character standard',
      (m) => {
        m.standards[0] = 'x'.repeat(101);
      },
      [['invalid_text', 'model.standards[0]']],
    ],
    [
      'a lone surrogate',
      (m) => {
        m.name.en = 'rice \uD800';
      },
      [['invalid_text', 'model.name.en']],
    ],
    [
      'an empty grade',
      (m) => {
        m.attributes[2]?.grades?.splice(1, 1, '');
      },
      [['invalid_text', 'model.attributes[2].grades[1]']],
    ],
    [
      'a NaN min',
      (m) => {
        attr(m, 0).min = Number.NaN;
      },
      [['invalid_number', 'model.attributes[0].min']],
    ],
    [
      'an infinite max',
      (m) => {
        attr(m, 0).max = Number.POSITIVE_INFINITY;
      },
      [['invalid_number', 'model.attributes[0].max']],
    ],
    [
      'a string max',
      (m) => {
        attr(m, 0).max = '100';
      },
      [['invalid_number', 'model.attributes[0].max']],
    ],
    [
      'a NaN tolerance',
      (m) => {
        attr(m, 0).tolerance = Number.NaN;
      },
      [['invalid_number', 'model.attributes[0].tolerance']],
    ],
    [
      'a string weight',
      (m) => {
        attr(m, 0).weight = '300';
      },
      [['invalid_number', 'model.attributes[0].weight']],
    ],
    [
      'a string mandatory flag',
      (m) => {
        attr(m, 0).mandatory = 'yes';
      },
      [['invalid_boolean', 'model.attributes[0].mandatory']],
    ],
    // the model
    [
      'an uppercase category',
      (m) => {
        m.category = 'Rice';
      },
      [['invalid_category', 'model.category']],
    ],
    [
      'a category starting with a hyphen',
      (m) => {
        m.category = '-rice';
      },
      [['invalid_category', 'model.category']],
    ],
    [
      'a 65-character category',
      (m) => {
        m.category = 'r'.repeat(65);
      },
      [['invalid_category', 'model.category']],
    ],
    [
      'no standards',
      (m) => {
        m.standards = [];
      },
      [['invalid_standards', 'model.standards']],
    ],
    [
      '21 standards',
      (m) => {
        m.standards = Array.from({ length: 21 }, (_, i) => `GB ${i}`);
      },
      [['invalid_standards', 'model.standards']],
    ],
    [
      'a repeated standard',
      (m) => {
        m.standards.push('GB 2762');
      },
      [['duplicate_standard', 'model.standards[2]']],
    ],
    [
      'a standard repeated but for spaces',
      (m) => {
        m.standards.push(' GB 2762');
      },
      [['duplicate_standard', 'model.standards[2]']],
    ],
    [
      'no attributes',
      (m) => {
        m.attributes = [];
      },
      [['invalid_attributes', 'model.attributes']],
    ],
    // attributes
    [
      'a key with an uppercase letter',
      (m) => {
        attr(m, 0).key = 'Moisture';
      },
      [['invalid_key', 'model.attributes[0].key']],
    ],
    [
      'a key starting with a digit',
      (m) => {
        attr(m, 0).key = '1moisture';
      },
      [['invalid_key', 'model.attributes[0].key']],
    ],
    [
      'a 65-character key',
      (m) => {
        attr(m, 0).key = 'k'.repeat(65);
      },
      [['invalid_key', 'model.attributes[0].key']],
    ],
    [
      'a numeric key',
      (m) => {
        attr(m, 0).key = 1;
      },
      [['invalid_key', 'model.attributes[0].key']],
    ],
    [
      'a repeated key',
      (m) => {
        attr(m, 3).key = 'moisture';
      },
      [['duplicate_key', 'model.attributes[3].key']],
    ],
    [
      'an unknown kind',
      (m) => {
        attr(m, 0).kind = 'text';
      },
      [['invalid_kind', 'model.attributes[0].kind']],
    ],
    [
      'a numeric attribute without a unit',
      (m) => {
        attr(m, 0).unit = '';
      },
      [['invalid_unit', 'model.attributes[0].unit']],
    ],
    [
      'a numeric attribute with a blank unit',
      (m) => {
        attr(m, 0).unit = '  ';
      },
      [['invalid_unit', 'model.attributes[0].unit']],
    ],
    [
      'a boolean attribute with a unit',
      (m) => {
        attr(m, 1).unit = '%';
      },
      [['invalid_unit', 'model.attributes[1].unit']],
    ],
    [
      'a grade attribute with a unit',
      (m) => {
        attr(m, 2).unit = '级';
      },
      [['invalid_unit', 'model.attributes[2].unit']],
    ],
    [
      'min above max',
      (m) => {
        Object.assign(attr(m, 0), { min: 100, max: 0 });
      },
      [['invalid_bounds', 'model.attributes[0].max']],
    ],
    [
      'min equal to max',
      (m) => {
        Object.assign(attr(m, 0), { min: 5, max: 5, tolerance: 0 });
      },
      [['invalid_bounds', 'model.attributes[0].max']],
    ],
    [
      'bounds on a boolean attribute',
      (m) => {
        attr(m, 1).min = 0;
      },
      [['invalid_bounds', 'model.attributes[1].min']],
    ],
    [
      'bounds on a grade attribute',
      (m) => {
        attr(m, 2).max = 3;
      },
      [['invalid_bounds', 'model.attributes[2].max']],
    ],
    [
      'one grade',
      (m) => {
        attr(m, 2).grades = ['特级'];
      },
      [['invalid_grades', 'model.attributes[2].grades']],
    ],
    [
      'eleven grades',
      (m) => {
        attr(m, 2).grades = Array.from({ length: 11 }, (_, i) => `G${i}`);
      },
      [['invalid_grades', 'model.attributes[2].grades']],
    ],
    [
      'grades on a numeric attribute',
      (m) => {
        attr(m, 0).grades = ['a', 'b'];
      },
      [['invalid_grades', 'model.attributes[0].grades']],
    ],
    [
      'a 51-character grade',
      (m) => {
        m.attributes[2]?.grades?.splice(0, 1, 'g'.repeat(51));
      },
      [['invalid_text', 'model.attributes[2].grades[0]']],
    ],
    [
      'a repeated grade',
      (m) => {
        m.attributes[2]?.grades?.splice(3, 1, '一级');
      },
      [['duplicate_grade', 'model.attributes[2].grades[3]']],
    ],
    [
      'a negative tolerance',
      (m) => {
        attr(m, 0).tolerance = -0.1;
      },
      [['invalid_tolerance', 'model.attributes[0].tolerance']],
    ],
    [
      'a tolerance wider than the range',
      (m) => {
        attr(m, 0).tolerance = 100.5;
      },
      [['invalid_tolerance', 'model.attributes[0].tolerance']],
    ],
    [
      'a boolean tolerance other than 0',
      (m) => {
        attr(m, 1).tolerance = 1;
      },
      [['invalid_tolerance', 'model.attributes[1].tolerance']],
    ],
    [
      'a fractional grade tolerance',
      (m) => {
        attr(m, 2).tolerance = 0.5;
      },
      [['invalid_tolerance', 'model.attributes[2].tolerance']],
    ],
    [
      'a grade tolerance of as many steps as grades',
      (m) => {
        attr(m, 2).tolerance = 4;
      },
      [['invalid_tolerance', 'model.attributes[2].tolerance']],
    ],
    [
      'a weight of 0',
      (m) => {
        attr(m, 0).weight = 0;
      },
      [['invalid_weight', 'model.attributes[0].weight']],
    ],
    [
      'a weight of 1001',
      (m) => {
        attr(m, 0).weight = 1001;
      },
      [['invalid_weight', 'model.attributes[0].weight']],
    ],
    [
      'a fractional weight',
      (m) => {
        attr(m, 0).weight = 1.5;
      },
      [['invalid_weight', 'model.attributes[0].weight']],
    ],
    [
      'an infinite weight',
      (m) => {
        attr(m, 0).weight = Number.POSITIVE_INFINITY;
      },
      [['invalid_number', 'model.attributes[0].weight']],
    ],
  ];

  it.each(cases)('%s', (_, mutate, expected) => {
    expect(issuesAfter(mutate)).toEqual(expected);
    expect(thrownIssues(() => validateQualityModel(issuesModel(mutate)))).toEqual(expected);
  });

  it('accepts the limits themselves', () => {
    const L = QUALITY_MODEL_LIMITS;
    const edge = riceModel();
    edge.standards = Array.from({ length: L.standardsMax }, (_, i) => `GB ${i}`);
    edge.description = 'x'.repeat(L.descriptionCharsMax);
    edge.category = `a${'-'.repeat(63)}`;
    Object.assign(attr(edge, 0), { key: `m${'_'.repeat(63)}`, unit: 'u'.repeat(L.unitCharsMax), weight: L.weightMax });
    Object.assign(attr(edge, 0), { tolerance: 100, testMethod: 'x'.repeat(L.testMethodCharsMax) });
    Object.assign(attr(edge, 1), { weight: L.weightMin, label: { zh: '无'.repeat(100), en: 'x' } });
    attr(edge, 2).grades = Array.from({ length: L.gradesMax }, (_, i) => `${i}`.padEnd(L.gradeCharsMax, '级'));
    attr(edge, 2).tolerance = L.gradesMax - 1;
    const many = riceModel();
    many.attributes = Array.from({ length: L.attributesMax }, (_, i) => ({
      ...(riceModel().attributes[1] as ModelAttribute),
      key: `a${i}`,
    }));
    expect(qualityModelIssues(edge)).toEqual([]);
    expect(qualityModelIssues(many)).toEqual([]);
    many.attributes.push({ ...(many.attributes[0] as ModelAttribute), key: 'one_too_many' });
    expect(pairs(qualityModelIssues(many))).toEqual([['invalid_attributes', 'model.attributes']]);
  });

  it('reports a "__proto__" member as unknown and refuses objects that are not plain', () => {
    const model = JSON.parse(JSON.stringify(riceModel()).replace('{"name"', '{"__proto__":{"x":1},"name"'));
    expect(pairs(qualityModelIssues(model))).toEqual([['unknown_field', 'model.__proto__']]);
    const bare = Object.create({ category: 'rice' });
    expect(pairs(qualityModelIssues(bare))).toEqual([['not_an_object', 'model']]);
  });

  it('reports every problem at once, across attributes', () => {
    expect(
      issuesAfter((m) => {
        m.category = '';
        attr(m, 0).kind = 'text';
        Object.assign(attr(m, 3), { key: 'moisture', weight: 0, mandatory: 1 });
      }),
    ).toEqual([
      ['invalid_category', 'model.category'],
      ['invalid_kind', 'model.attributes[0].kind'],
      ['invalid_weight', 'model.attributes[3].weight'],
      ['invalid_boolean', 'model.attributes[3].mandatory'],
      ['duplicate_key', 'model.attributes[3].key'],
    ]);
  });
});

function issuesModel(mutate: (model: QualityModelDefinition) => void): QualityModelDefinition {
  const model = riceModel();
  mutate(model);
  return model;
}

// Corruptions of a valid model: each names the issue it must cause.
type Corruption = (model: QualityModelDefinition, pick: number) => [string, string];
const MODEL_REQUIRED = ['name', 'category', 'standards', 'attributes'] as const;
const ATTRIBUTE_REQUIRED = ['key', 'label', 'unit', 'kind', 'tolerance', 'weight', 'mandatory', 'testMethod'] as const;

const corruptions: Record<string, Corruption> = {
  dropModelMember: (model, pick) => {
    const member = MODEL_REQUIRED[pick % MODEL_REQUIRED.length] as string;
    delete (model as unknown as Mutable)[member];
    return ['field_missing', `model.${member}`];
  },
  dropAttributeMember: (model, pick) => {
    const index = pick % model.attributes.length;
    const attribute = attr(model, index);
    const kindMembers = { numeric: ['min', 'max'], boolean: [], grade: ['grades'] }[attribute.kind as string] ?? [];
    const members = [...ATTRIBUTE_REQUIRED, ...kindMembers];
    const member = members[pick % members.length] as string;
    delete attribute[member];
    return ['field_missing', `model.attributes[${index}].${member}`];
  },
  swapMinMax: (model, pick) => {
    const numeric = model.attributes.flatMap((a, i) => (a.kind === 'numeric' ? [i] : []));
    const index = numeric[pick % numeric.length] as number;
    const attribute = attr(model, index);
    [attribute.min, attribute.max] = [attribute.max, attribute.min];
    return ['invalid_bounds', `model.attributes[${index}].max`];
  },
  duplicateKey: (model, pick) => {
    const source = model.attributes[pick % model.attributes.length] as ModelAttribute;
    model.attributes.push({ ...source, label: { ...source.label } });
    return ['duplicate_key', `model.attributes[${model.attributes.length - 1}].key`];
  },
};

describe('quality model properties', () => {
  it('every generated valid model validates to an equal copy', () => {
    fc.assert(
      fc.property(modelArb(), (model) => {
        expect(qualityModelIssues(model)).toEqual([]);
        const copy = validateQualityModel(model);
        expect(copy).toEqual(model);
        // Validation is idempotent: the copy is itself a valid model, equal to itself.
        expect(validateQualityModel(copy)).toEqual(copy);
      }),
    );
  });

  it('any single corruption of a valid model is rejected with the issue it causes', () => {
    // A model with at least one numeric attribute, so every corruption applies.
    const arb = fc
      .tuple(modelArb(6), numericAttributeArb, fc.nat())
      .filter(([model, numeric]) => model.attributes.every((a) => a.key !== numeric.key))
      .map(([model, numeric, at]) => {
        const attributes = [...model.attributes];
        attributes.splice(at % (attributes.length + 1), 0, numeric);
        return { ...model, attributes };
      });
    fc.assert(
      fc.property(arb, fc.constantFrom(...Object.keys(corruptions)), fc.nat(), (model, name, pick) => {
        expect(qualityModelIssues(model)).toEqual([]);
        // Corrupt a copy: fast-check replays generated values while shrinking, so they must not change.
        const corrupted = structuredClone(model);
        const expected = (corruptions[name] as Corruption)(corrupted, pick);
        const issues = pairs(qualityModelIssues(corrupted));
        expect(issues).toContainEqual(expected);
        expect(thrownIssues(() => validateQualityModel(corrupted))).toEqual(issues);
      }),
    );
  });
});
