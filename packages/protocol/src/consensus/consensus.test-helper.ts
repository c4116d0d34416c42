/** Shared fixtures for the consensus tests (not part of the build). */
import type { ClaimValue } from '../commerce/claims.js';
import { type QualityModelDefinition, validateQualityModel } from '../commerce/quality-model.js';
import { toHex } from '../encoding/bytes.js';
import { ConsensusError } from './consensus-error.js';

/** A small, fast, seeded PRNG (mulberry32): the simulations must be the same on every run. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Roughly normal noise with standard deviation `sd` (Irwin–Hall: the sum of 12 uniforms). */
export function noise(random: () => number, sd: number): number {
  let sum = -6;
  for (let i = 0; i < 12; i++) sum += random();
  return sum * sd;
}

/** Hex of `bytes` deterministic bytes from `random`: salts, checkpoint roots. */
export function randomHex(random: () => number, bytes: number): string {
  return toHex(Uint8Array.from({ length: bytes }, () => Math.floor(random() * 256)));
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** A tea quality model: two numeric attributes, a boolean and a grade; three of them mandatory. */
export function teaModel(): QualityModelDefinition {
  return validateQualityModel({
    name: { zh: '西湖龙井质量模型', en: 'Longjing tea quality model' },
    category: 'tea',
    standards: ['GB/T 18650', 'GB 2763'],
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
        testMethod: 'GB 5009.3-2016',
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
        grades: ['特级', '一级', '二级', '三级'],
        tolerance: 1,
        weight: 150,
        mandatory: true,
        testMethod: 'GB/T 23776-2018 感官审评',
      },
      {
        key: 'tea_polyphenols',
        label: { zh: '茶多酚', en: 'Tea polyphenols' },
        unit: 'g/100g',
        kind: 'numeric',
        min: 0,
        max: 50,
        tolerance: 1,
        weight: 50,
        mandatory: false,
        testMethod: 'GB/T 8313-2018',
      },
    ],
  });
}

/** What a lot of the tea really is. */
export const TEA_TRUTH: Readonly<Record<string, ClaimValue>> = Object.freeze({
  moisture: 6.2,
  pesticide_free: true,
  grade: '一级',
  tea_polyphenols: 18,
});

/** An honest tester's measurement of `truth`: numeric noise of a third of the tolerance. */
export function honestValues(
  truth: Readonly<Record<string, ClaimValue>>,
  random: () => number,
): Record<string, ClaimValue> {
  return {
    moisture: round2((truth.moisture as number) + noise(random, 0.15)),
    pesticide_free: truth.pesticide_free as boolean,
    grade: truth.grade as string,
    tea_polyphenols: round2((truth.tea_polyphenols as number) + noise(random, 0.3)),
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The ConsensusError a call throws; fails the test if it throws nothing or something else. */
export function caught(run: () => unknown): ConsensusError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConsensusError) return error;
    throw error;
  }
  throw new Error('expected a ConsensusError');
}
