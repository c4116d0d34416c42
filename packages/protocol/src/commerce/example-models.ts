import type { QualityModelDefinition } from './quality-model.js';

/**
 * A small, complete quality model to start from (GB/T 1354-2018, rice): one attribute of each
 * kind — numeric with bounds and a tolerance, boolean, grade — with the claims a conforming
 * product makes. The tests, the simulator and the examples publish it; a real expert writes
 * their own.
 */
export const riceModelExample = (category = 'rice'): QualityModelDefinition => ({
  name: { zh: '大米质量模型', en: 'Rice quality model' },
  category,
  standards: ['GB/T 1354-2018'],
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
      key: 'organic',
      label: { zh: '有机认证', en: 'Organic certified' },
      unit: '',
      kind: 'boolean',
      tolerance: 0,
      weight: 200,
      mandatory: true,
      testMethod: '查验有机产品认证证书',
    },
    {
      key: 'grade',
      label: { zh: '等级', en: 'Grade' },
      unit: '',
      kind: 'grade',
      grades: ['特级', '一级', '二级'],
      tolerance: 1,
      weight: 100,
      mandatory: false,
      testMethod: 'GB/T 1354-2018 感官检验',
    },
  ],
});

/** What a product conforming to `riceModelExample` claims. */
export const RICE_CLAIMS_EXAMPLE = Object.freeze({ moisture: 14.5, organic: true, grade: '一级' });
