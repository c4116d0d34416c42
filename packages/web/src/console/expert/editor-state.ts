import { type ModelAttribute, type QualityModelDefinition, qualityModelIssues } from '@concord/protocol';

/** One attribute as the editor holds it: numbers may be empty while the expert types. */
export interface AttributeDraft {
  /** A stable React key; not part of the model. */
  uid: string;
  key: string;
  labelZh: string;
  labelEn: string;
  unit: string;
  kind: ModelAttribute['kind'];
  min: number | null;
  max: number | null;
  grades: string[];
  tolerance: number | null;
  weight: number | null;
  mandatory: boolean;
  testMethod: string;
}

export interface ModelDraft {
  modelId: string;
  nameZh: string;
  nameEn: string;
  category: string;
  standards: string[];
  description: string;
  attributes: AttributeDraft[];
}

export const MODEL_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;

const uid = (): string => Math.random().toString(36).slice(2, 10);

export const emptyAttribute = (): AttributeDraft => ({
  uid: uid(),
  key: '',
  labelZh: '',
  labelEn: '',
  unit: '',
  kind: 'numeric',
  min: 0,
  max: 100,
  grades: [],
  tolerance: 0,
  weight: 100,
  mandatory: false,
  testMethod: '',
});

export const emptyDraft = (): ModelDraft => ({
  modelId: '',
  nameZh: '',
  nameEn: '',
  category: '',
  standards: [],
  description: '',
  attributes: [emptyAttribute()],
});

/** A draft from a published definition: editing it makes the next version. */
export function draftOf(modelId: string, definition: QualityModelDefinition): ModelDraft {
  return {
    modelId,
    nameZh: definition.name.zh,
    nameEn: definition.name.en,
    category: definition.category,
    standards: [...definition.standards],
    description: definition.description ?? '',
    attributes: definition.attributes.map((a) => ({
      uid: uid(),
      key: a.key,
      labelZh: a.label.zh,
      labelEn: a.label.en,
      unit: a.unit,
      kind: a.kind,
      min: a.min ?? null,
      max: a.max ?? null,
      grades: [...(a.grades ?? [])],
      tolerance: a.tolerance,
      weight: a.weight,
      mandatory: a.mandatory,
      testMethod: a.testMethod,
    })),
  };
}

/** The definition the draft stands for, as the protocol reads it (empty numbers stay missing). */
export function definitionOf(draft: ModelDraft): Record<string, unknown> {
  return {
    name: { zh: draft.nameZh, en: draft.nameEn },
    category: draft.category,
    standards: draft.standards,
    ...(draft.description.trim() === '' ? {} : { description: draft.description }),
    attributes: draft.attributes.map((a) => ({
      key: a.key,
      label: { zh: a.labelZh, en: a.labelEn },
      unit: a.kind === 'numeric' ? a.unit : '',
      kind: a.kind,
      ...(a.kind === 'numeric'
        ? { ...(a.min === null ? {} : { min: a.min }), ...(a.max === null ? {} : { max: a.max }) }
        : {}),
      ...(a.kind === 'grade' ? { grades: a.grades } : {}),
      ...(a.tolerance === null ? {} : { tolerance: a.tolerance }),
      ...(a.weight === null ? {} : { weight: a.weight }),
      mandatory: a.mandatory,
      testMethod: a.testMethod,
    })),
  };
}

export interface DraftIssue {
  /** The field's path under the model: 'name.zh', 'attributes[2].max', 'modelId'. */
  field: string;
  message: string;
  /** The attribute it is about, when it is about one. */
  attribute: number | null;
}

/** Every problem with the draft, by the protocol's own rules (the server applies the same). */
export function draftIssues(draft: ModelDraft): DraftIssue[] {
  const issues: DraftIssue[] = [];
  if (!MODEL_ID_PATTERN.test(draft.modelId)) {
    issues.push({ field: 'modelId', message: 'modelId', attribute: null });
  }
  for (const issue of qualityModelIssues(definitionOf(draft), 'model')) {
    const field = issue.field.replace(/^model\.?/, '');
    const match = /^attributes\[(\d+)\]/.exec(field);
    issues.push({ field, message: issue.message, attribute: match ? Number(match[1]) : null });
  }
  return issues;
}

export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length) return [...list];
  const copy = [...list];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item as T);
  return copy;
}
