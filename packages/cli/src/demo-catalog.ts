import type { QualityModelDefinition } from '@concord/protocol';

/**
 * The demo's catalogue: categories with their deposits, the experts' quality models (citing the
 * Chinese national and agricultural standards they follow), and the producers' products with
 * claims for the model's attributes, SKUs and production lots. Data only; demo.ts loads it
 * through the API.
 */

export interface DemoCategory {
  slug: string;
  name: { zh: string; en: string };
  parent?: string;
  depositFen: string;
  splitPolicy?: Record<string, number>;
}

/** Parents before children, as the operator must define them. */
export const DEMO_CATEGORIES: DemoCategory[] = [
  { slug: 'grain', name: { zh: '粮油', en: 'Grain & oil' }, depositFen: '50000' },
  { slug: 'rice', name: { zh: '大米', en: 'Rice' }, parent: 'grain', depositFen: '50000' },
  { slug: 'oil', name: { zh: '食用油', en: 'Cooking oil' }, parent: 'grain', depositFen: '50000' },
  { slug: 'tea', name: { zh: '茶叶', en: 'Tea' }, depositFen: '80000', splitPolicy: { promoterCommissionBps: 1200 } },
  { slug: 'fresh', name: { zh: '生鲜水果', en: 'Fresh fruit' }, depositFen: '30000' },
  { slug: 'apple', name: { zh: '苹果', en: 'Apples' }, parent: 'fresh', depositFen: '30000' },
];

/** Demo accounts by key file name (DATA_DIR/demo-keys/<name>.json). */
export type ExpertName = 'expert' | 'expert-2' | 'expert-3';
/** producer-4 is the consensus story's trader (demo-consensus.ts), outside DEMO_PRODUCERS. */
export type ProducerName = 'producer' | 'producer-2' | 'producer-3' | 'producer-4';
export type BuyerName = 'consumer' | 'consumer-2' | 'consumer-3';

export const DEMO_EXPERTS: Record<ExpertName, string> = {
  expert: '刘建国 · 粮油质量检验工程师',
  'expert-2': '方茗 · 国家一级评茶师',
  'expert-3': '孙立 · 果品质量检测研究员',
};

export interface DemoModel {
  id: string;
  expert: ExpertName;
  definition: QualityModelDefinition;
}

const GRADE = { unit: '', kind: 'grade' as const };
const YES_NO = { unit: '', kind: 'boolean' as const, tolerance: 0 };

export const DEMO_MODELS: DemoModel[] = [
  {
    id: 'rice-gbt1354',
    expert: 'expert',
    definition: {
      name: { zh: '大米质量模型（GB/T 1354-2018）', en: 'Rice quality model (GB/T 1354-2018)' },
      category: 'rice',
      standards: ['GB/T 1354-2018', 'GB/T 19266-2008', 'GB 2762-2022'],
      description:
        '按 GB/T 1354-2018《大米》的定等指标（碎米、不完善粒、水分、色泽气味）评定等级，镉限量按 GB 2762-2022；五常大米另参照地理标志产品标准 GB/T 19266-2008。',
      attributes: [
        {
          key: 'grade',
          label: { zh: '等级', en: 'Grade' },
          ...GRADE,
          grades: ['优质一级', '优质二级', '优质三级', '一级', '二级', '三级', '四级'],
          tolerance: 1,
          weight: 150,
          mandatory: true,
          testMethod: 'GB/T 1354-2018 第 6 章检验方法，按定等指标综合定等',
        },
        {
          key: 'moisture',
          label: { zh: '水分', en: 'Moisture' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 30,
          tolerance: 0.5,
          weight: 150,
          mandatory: true,
          testMethod: 'GB 5009.3-2016 第一法 直接干燥法',
        },
        {
          key: 'broken',
          label: { zh: '碎米总量', en: 'Total broken kernels' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 100,
          tolerance: 1,
          weight: 150,
          mandatory: true,
          testMethod: 'GB/T 5503-2009 粮油检验 碎米检验法',
        },
        {
          key: 'imperfect',
          label: { zh: '不完善粒', en: 'Imperfect kernels' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 100,
          tolerance: 0.5,
          weight: 100,
          mandatory: true,
          testMethod: 'GB/T 5494-2019 粮油检验 粮食、油料的杂质、不完善粒检验',
        },
        {
          key: 'yellow',
          label: { zh: '黄粒米', en: 'Yellow kernels' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 100,
          tolerance: 0.2,
          weight: 50,
          mandatory: false,
          testMethod: 'GB/T 5496-1985 粮食、油料检验 黄粒米及裂纹粒检验法',
        },
        {
          key: 'amylose',
          label: { zh: '直链淀粉（干基）', en: 'Amylose (dry basis)' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 40,
          tolerance: 1.5,
          weight: 100,
          mandatory: false,
          testMethod: 'GB/T 15683-2008 大米 直链淀粉含量的测定',
        },
        {
          key: 'cadmium',
          label: { zh: '镉（以 Cd 计）', en: 'Cadmium (as Cd)' },
          unit: 'mg/kg',
          kind: 'numeric',
          min: 0,
          max: 1,
          tolerance: 0.02,
          weight: 300,
          mandatory: true,
          testMethod: 'GB 5009.15-2014 石墨炉原子吸收光谱法',
        },
        {
          key: 'odour_normal',
          label: { zh: '色泽、气味正常', en: 'Normal colour and odour' },
          ...YES_NO,
          weight: 100,
          mandatory: true,
          testMethod: 'GB/T 5492-2008 粮油检验 粮食、油料的色泽、气味、口味鉴定',
        },
        {
          key: 'organic',
          label: { zh: '有机产品认证', en: 'Certified organic' },
          ...YES_NO,
          weight: 100,
          mandatory: false,
          testMethod: '查验 GB/T 19630-2019 有机产品认证证书及有效期',
        },
      ],
    },
  },
  {
    id: 'soybean-oil-gbt1535',
    expert: 'expert',
    definition: {
      name: { zh: '大豆油质量模型（GB/T 1535-2017）', en: 'Soybean oil quality model (GB/T 1535-2017)' },
      category: 'oil',
      standards: ['GB/T 1535-2017', 'GB 2716-2018', 'GB 2762-2022'],
      description:
        '成品大豆油按 GB/T 1535-2017《大豆油》的质量指标分级；酸价、过氧化值同时满足 GB 2716-2018 食用植物油的安全限量，苯并[a]芘按 GB 2762-2022。',
      attributes: [
        {
          key: 'grade',
          label: { zh: '质量等级', en: 'Quality grade' },
          ...GRADE,
          grades: ['一级', '二级', '三级'],
          tolerance: 0,
          weight: 150,
          mandatory: true,
          testMethod: 'GB/T 1535-2017 第 5 章 质量指标逐项检验',
        },
        {
          key: 'pressed',
          label: { zh: '压榨工艺（溶剂残留不得检出）', en: 'Pressed, no solvent residue' },
          ...YES_NO,
          weight: 100,
          mandatory: true,
          testMethod: 'GB 5009.262-2016 食品中溶剂残留量的测定',
        },
        {
          key: 'acid_value',
          label: { zh: '酸价（以 KOH 计）', en: 'Acid value (as KOH)' },
          unit: 'mg/g',
          kind: 'numeric',
          min: 0,
          max: 10,
          tolerance: 0.1,
          weight: 200,
          mandatory: true,
          testMethod: 'GB 5009.229-2016 第一法 冷溶剂指示剂滴定法',
        },
        {
          key: 'peroxide',
          label: { zh: '过氧化值', en: 'Peroxide value' },
          unit: 'mmol/kg',
          kind: 'numeric',
          min: 0,
          max: 20,
          tolerance: 0.5,
          weight: 200,
          mandatory: true,
          testMethod: 'GB 5009.227-2016 第一法 滴定法',
        },
        {
          key: 'moisture_volatile',
          label: { zh: '水分及挥发物', en: 'Moisture and volatile matter' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 1,
          tolerance: 0.02,
          weight: 100,
          mandatory: true,
          testMethod: 'GB 5009.236-2016 动植物油脂水分及挥发物的测定',
        },
        {
          key: 'insoluble',
          label: { zh: '不溶性杂质', en: 'Insoluble impurities' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 1,
          tolerance: 0.02,
          weight: 50,
          mandatory: false,
          testMethod: 'GB/T 15688-2008 动植物油脂 不溶性杂质含量的测定',
        },
        {
          key: 'benzopyrene',
          label: { zh: '苯并[a]芘', en: 'Benzo[a]pyrene' },
          unit: 'μg/kg',
          kind: 'numeric',
          min: 0,
          max: 50,
          tolerance: 1,
          weight: 200,
          mandatory: true,
          testMethod: 'GB 5009.27-2016 第一法 高效液相色谱法',
        },
        {
          key: 'non_gmo',
          label: { zh: '非转基因原料', en: 'Non-GMO soybeans' },
          ...YES_NO,
          weight: 100,
          mandatory: false,
          testMethod: 'GB/T 19495.4-2018 实时荧光 PCR 检测，并查验原料溯源记录',
        },
      ],
    },
  },
  {
    id: 'green-tea-gbt14456',
    expert: 'expert-2',
    definition: {
      name: { zh: '绿茶质量模型（GB/T 14456.1-2017）', en: 'Green tea quality model (GB/T 14456.1-2017)' },
      category: 'tea',
      standards: ['GB/T 14456.1-2017', 'GB/T 23776-2018', 'GB 2763-2021'],
      description:
        '绿茶理化指标按 GB/T 14456.1-2017《绿茶 第1部分：基本要求》，感官等级按 GB/T 23776-2018 审评，农药残留须符合 GB 2763-2021。',
      attributes: [
        {
          key: 'grade',
          label: { zh: '等级', en: 'Grade' },
          ...GRADE,
          grades: ['特级', '一级', '二级', '三级'],
          tolerance: 1,
          weight: 200,
          mandatory: true,
          testMethod: 'GB/T 23776-2018 茶叶感官审评方法（绿茶：外形、汤色、香气、滋味、叶底）',
        },
        {
          key: 'moisture',
          label: { zh: '水分', en: 'Moisture' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 20,
          tolerance: 0.5,
          weight: 100,
          mandatory: true,
          testMethod: 'GB 5009.3-2016 第一法 直接干燥法',
        },
        {
          key: 'water_extract',
          label: { zh: '水浸出物', en: 'Water extract' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 60,
          tolerance: 1.5,
          weight: 150,
          mandatory: true,
          testMethod: 'GB/T 8305-2013 茶 水浸出物测定',
        },
        {
          key: 'ash',
          label: { zh: '总灰分', en: 'Total ash' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 20,
          tolerance: 0.5,
          weight: 50,
          mandatory: false,
          testMethod: 'GB 5009.4-2016 食品中灰分的测定',
        },
        {
          key: 'powder',
          label: { zh: '粉末', en: 'Powder' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 10,
          tolerance: 0.3,
          weight: 50,
          mandatory: false,
          testMethod: 'GB/T 8311-2013 茶 粉末和碎茶含量测定',
        },
        {
          key: 'polyphenols',
          label: { zh: '茶多酚', en: 'Tea polyphenols' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 40,
          tolerance: 1.5,
          weight: 150,
          mandatory: false,
          testMethod: 'GB/T 8313-2018 茶叶中茶多酚和儿茶素类含量的检测方法',
        },
        {
          key: 'pesticide_ok',
          label: { zh: '农药残留符合 GB 2763', en: 'Pesticide residues within GB 2763' },
          ...YES_NO,
          weight: 300,
          mandatory: true,
          testMethod: 'GB 23200.113-2018 气相色谱-质谱联用法',
        },
        {
          key: 'pre_qingming',
          label: { zh: '明前采摘', en: 'Picked before Qingming' },
          ...YES_NO,
          weight: 50,
          mandatory: false,
          testMethod: '查验鲜叶采摘与加工记录',
        },
      ],
    },
  },
  {
    id: 'apple-gbt10651',
    expert: 'expert-3',
    definition: {
      name: { zh: '鲜苹果质量模型（GB/T 10651-2008）', en: 'Fresh apple quality model (GB/T 10651-2008)' },
      category: 'apple',
      standards: ['GB/T 10651-2008', 'NY/T 1793-2009', 'GB 2763-2021'],
      description:
        '鲜苹果按 GB/T 10651-2008《鲜苹果》分优等品、一等品、二等品，规格按 NY/T 1793-2009《苹果等级规格》的果径分档，农药残留须符合 GB 2763-2021。',
      attributes: [
        {
          key: 'grade',
          label: { zh: '等级', en: 'Grade' },
          ...GRADE,
          grades: ['优等品', '一等品', '二等品'],
          tolerance: 0,
          weight: 200,
          mandatory: true,
          testMethod: 'GB/T 10651-2008 逐果检验果形、色泽、果梗、果面缺陷',
        },
        {
          key: 'diameter',
          label: { zh: '果径', en: 'Fruit diameter' },
          unit: 'mm',
          kind: 'numeric',
          min: 50,
          max: 120,
          tolerance: 3,
          weight: 150,
          mandatory: true,
          testMethod: 'NY/T 1793-2009 用分级板或游标卡尺测量最大横切面直径',
        },
        {
          key: 'soluble_solids',
          label: { zh: '可溶性固形物', en: 'Soluble solids' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 30,
          tolerance: 1,
          weight: 200,
          mandatory: true,
          testMethod: 'NY/T 2637-2014 水果和蔬菜可溶性固形物含量的测定 折射仪法',
        },
        {
          key: 'firmness',
          label: { zh: '果实硬度', en: 'Firmness' },
          unit: 'kg/cm²',
          kind: 'numeric',
          min: 0,
          max: 20,
          tolerance: 0.8,
          weight: 100,
          mandatory: false,
          testMethod: 'NY/T 2009-2011 水果硬度的测定',
        },
        {
          key: 'colour',
          label: { zh: '着色面积', en: 'Colour coverage' },
          unit: '%',
          kind: 'numeric',
          min: 0,
          max: 100,
          tolerance: 10,
          weight: 100,
          mandatory: false,
          testMethod: 'GB/T 10651-2008 目测果面着色比例',
        },
        {
          key: 'pesticide_ok',
          label: { zh: '农药残留符合 GB 2763', en: 'Pesticide residues within GB 2763' },
          ...YES_NO,
          weight: 300,
          mandatory: true,
          testMethod: 'GB 23200.113-2018 气相色谱-质谱联用法',
        },
        {
          key: 'bagged',
          label: { zh: '套袋栽培', en: 'Bagged on the tree' },
          ...YES_NO,
          weight: 30,
          mandatory: false,
          testMethod: '查验果园生产记录',
        },
      ],
    },
  },
];

export interface DemoSku {
  code: string;
  options: Record<string, string>;
  priceFen: string;
  stock: number;
}

export interface DemoProduct {
  id: string;
  category: string;
  title: { zh: string; en: string };
  description: string;
  model: string;
  claims: Record<string, number | boolean | string>;
  skus: DemoSku[];
  lots: { lotId: string; productionDate: string; quantity: number }[];
}

export interface DemoProducer {
  name: ProducerName;
  persona: string;
  products: DemoProduct[];
}

export const DEMO_PRODUCERS: DemoProducer[] = [
  {
    name: 'producer',
    persona: '五常稻香农民专业合作社（黑龙江五常）',
    products: [
      {
        id: 'wuchang-daohuaxiang-rice',
        category: 'rice',
        title: { zh: '五常大米 稻花香2号 2026年新米', en: 'Wuchang Daohuaxiang No. 2 rice, 2026 new crop' },
        description:
          '黑龙江五常市拉林河畔自有稻田种植，稻花香2号品种，一年一季，十月中旬收割后低温仓储、现磨现发。米粒细长、油润透亮，蒸煮时满屋清香，口感软糯回甜。真空包装，每批附第三方检测报告。',
        model: 'rice-gbt1354',
        claims: {
          grade: '优质一级',
          moisture: 15,
          broken: 4.5,
          imperfect: 1.5,
          yellow: 0.2,
          amylose: 17.2,
          cadmium: 0.03,
          odour_normal: true,
          organic: false,
        },
        skus: [
          { code: '2-5kg', options: { 规格: '2.5kg', 包装: '真空袋装' }, priceFen: '5990', stock: 200 },
          { code: '5kg', options: { 规格: '5kg', 包装: '真空袋装' }, priceFen: '10800', stock: 150 },
          { code: '10kg', options: { 规格: '10kg', 包装: '编织袋' }, priceFen: '19900', stock: 60 },
        ],
        lots: [
          { lotId: 'WC-DHX-20261018', productionDate: '2026-10-18', quantity: 4000 },
          { lotId: 'WC-DHX-20261106', productionDate: '2026-11-06', quantity: 3000 },
        ],
      },
      {
        id: 'organic-changlixiang-rice',
        category: 'rice',
        title: { zh: '有机长粒香大米', en: 'Organic long-grain fragrant rice' },
        description:
          '有机转换期满的合作社基地种植，全程不施化肥、不打除草剂，人工与稻田鸭除草。持有机产品认证，认证证书编号可在包装上查询。米香浓郁，适合蒸饭、煮粥。',
        model: 'rice-gbt1354',
        claims: {
          grade: '优质二级',
          moisture: 14.8,
          broken: 6,
          imperfect: 2,
          amylose: 18.5,
          cadmium: 0.02,
          odour_normal: true,
          organic: true,
        },
        skus: [
          { code: '5kg', options: { 规格: '5kg' }, priceFen: '12800', stock: 80 },
          { code: '10kg', options: { 规格: '10kg' }, priceFen: '23800', stock: 40 },
        ],
        lots: [{ lotId: 'WC-YJ-20261025', productionDate: '2026-10-25', quantity: 1500 }],
      },
      {
        id: 'dongbei-pearl-rice',
        category: 'rice',
        title: { zh: '东北珍珠米 圆粒粳米', en: 'Northeast pearl rice, short-grain japonica' },
        description:
          '东北黑土地种植的圆粒粳米，颗粒饱满、晶莹剔透，适合做寿司、饭团和家常米饭。性价比之选，家庭囤粮装。',
        model: 'rice-gbt1354',
        claims: { grade: '一级', moisture: 15.2, broken: 9, imperfect: 2.8, cadmium: 0.05, odour_normal: true },
        skus: [
          { code: '10kg', options: { 规格: '10kg' }, priceFen: '7990', stock: 120 },
          { code: '25kg', options: { 规格: '25kg' }, priceFen: '18500', stock: 30 },
        ],
        lots: [{ lotId: 'WC-ZZ-20261030', productionDate: '2026-10-30', quantity: 6000 }],
      },
      {
        id: 'pressed-soybean-oil',
        category: 'oil',
        title: { zh: '非转基因压榨一级大豆油', en: 'Non-GMO pressed soybean oil, grade one' },
        description:
          '选用黑龙江当季非转基因大豆，物理压榨、五道过滤，不添加任何化学溶剂。色泽淡黄清亮，豆香自然，适合炒菜、凉拌与烘焙。',
        model: 'soybean-oil-gbt1535',
        claims: {
          grade: '一级',
          pressed: true,
          acid_value: 0.35,
          peroxide: 3.2,
          moisture_volatile: 0.05,
          insoluble: 0.02,
          benzopyrene: 1.5,
          non_gmo: true,
        },
        skus: [
          { code: '1-8L', options: { 规格: '1.8L' }, priceFen: '3990', stock: 300 },
          { code: '5L', options: { 规格: '5L' }, priceFen: '8990', stock: 160 },
        ],
        lots: [{ lotId: 'WC-OIL-20260920', productionDate: '2026-09-20', quantity: 5000 }],
      },
    ],
  },
  {
    name: 'producer-2',
    persona: '黄山云雾茶业有限公司（安徽黄山）',
    products: [
      {
        id: 'huangshan-maofeng',
        category: 'tea',
        title: { zh: '黄山毛峰 明前特级', en: 'Huangshan Maofeng, special grade, picked before Qingming' },
        description:
          '黄山汤口镇海拔八百米茶园，清明前采摘一芽一叶初展，传统手工杀青、烘焙。外形似雀舌、白毫显露，汤色清碧微黄，兰香高长，滋味鲜浓回甘。铝箔袋充氮密封。',
        model: 'green-tea-gbt14456',
        claims: {
          grade: '特级',
          moisture: 6.2,
          water_extract: 41.5,
          ash: 5.4,
          powder: 0.4,
          polyphenols: 18.6,
          pesticide_ok: true,
          pre_qingming: true,
        },
        skus: [
          { code: '100g', options: { 规格: '100g', 包装: '铁罐' }, priceFen: '12800', stock: 120 },
          { code: '250g', options: { 规格: '250g', 包装: '礼盒' }, priceFen: '29800', stock: 50 },
        ],
        lots: [{ lotId: 'HS-MF-20260328', productionDate: '2026-03-28', quantity: 800 }],
      },
      {
        id: 'taiping-houkui',
        category: 'tea',
        title: { zh: '太平猴魁 一级', en: 'Taiping Houkui, grade one' },
        description:
          '产自黄山区新明乡猴坑一带，两叶抱一芽、扁平挺直，手工捏尖烘制。冲泡后芽叶成朵，汤色嫩绿明亮，兰香持久，"猴韵"鲜明。',
        model: 'green-tea-gbt14456',
        claims: {
          grade: '一级',
          moisture: 6.5,
          water_extract: 39,
          ash: 5.6,
          powder: 0.3,
          polyphenols: 17.2,
          pesticide_ok: true,
          pre_qingming: false,
        },
        skus: [
          { code: '100g', options: { 规格: '100g' }, priceFen: '16800', stock: 60 },
          { code: '200g', options: { 规格: '200g', 包装: '礼盒' }, priceFen: '32000', stock: 25 },
        ],
        lots: [{ lotId: 'HS-HK-20260420', productionDate: '2026-04-20', quantity: 400 }],
      },
      {
        id: 'luan-guapian',
        category: 'tea',
        title: { zh: '六安瓜片 一级', en: "Lu'an Guapian, grade one" },
        description:
          '大别山区齐头山一带茶园，单片嫩叶炒制，无芽无梗。外形似瓜子、色泽宝绿，汤色清澈，滋味鲜醇回甜，耐冲泡。',
        model: 'green-tea-gbt14456',
        claims: {
          grade: '一级',
          moisture: 6.4,
          water_extract: 38.2,
          ash: 5.8,
          powder: 0.6,
          polyphenols: 19.1,
          pesticide_ok: true,
        },
        skus: [
          { code: '125g', options: { 规格: '125g' }, priceFen: '8800', stock: 90 },
          { code: '250g', options: { 规格: '250g' }, priceFen: '16800', stock: 45 },
        ],
        lots: [{ lotId: 'HS-GP-20260502', productionDate: '2026-05-02', quantity: 600 }],
      },
    ],
  },
  {
    name: 'producer-3',
    persona: '栖霞山果园专业合作社（山东烟台栖霞）',
    products: [
      {
        id: 'qixia-red-fuji',
        category: 'apple',
        title: { zh: '栖霞红富士苹果 果径80mm以上', en: 'Qixia Red Fuji apples, 80 mm and up' },
        description:
          '烟台栖霞山地果园，昼夜温差大，套袋栽培、霜降后采摘。果形端正、着色鲜红，果肉脆甜多汁。产地直发，泡沫网套加五层瓦楞纸箱包装。',
        model: 'apple-gbt10651',
        claims: {
          grade: '优等品',
          diameter: 82,
          soluble_solids: 14.5,
          firmness: 8.2,
          colour: 90,
          pesticide_ok: true,
          bagged: true,
        },
        skus: [
          { code: '5kg', options: { 规格: '5kg', 果径: '80-85mm' }, priceFen: '5990', stock: 200 },
          { code: '10kg', options: { 规格: '10kg', 果径: '80-85mm' }, priceFen: '10900', stock: 100 },
        ],
        lots: [{ lotId: 'QX-FJ-20261026', productionDate: '2026-10-26', quantity: 20000 }],
      },
      {
        id: 'yantai-fuji-gift-box',
        category: 'apple',
        title: { zh: '烟台富士苹果礼盒 85mm大果', en: 'Yantai Fuji apple gift box, 85 mm fruit' },
        description: '精选85mm以上大果，逐个挑拣、单果包装，适合节日送礼。冷链气调库贮藏，收到后冷藏口感更佳。',
        model: 'apple-gbt10651',
        claims: {
          grade: '优等品',
          diameter: 87,
          soluble_solids: 15,
          firmness: 8,
          colour: 95,
          pesticide_ok: true,
          bagged: true,
        },
        skus: [
          { code: 'box-12', options: { 规格: '12个装' }, priceFen: '8800', stock: 80 },
          { code: 'box-8', options: { 规格: '8个装' }, priceFen: '6600', stock: 80 },
        ],
        lots: [{ lotId: 'QX-GB-20261105', productionDate: '2026-11-05', quantity: 3000 }],
      },
      {
        id: 'qixia-gala',
        category: 'apple',
        title: { zh: '栖霞嘎啦苹果', en: 'Qixia Gala apples' },
        description: '早熟品种嘎啦，八月下旬采收后入气调库保鲜。果皮薄、酸甜适口，香气浓郁，适合小朋友和榨汁。',
        model: 'apple-gbt10651',
        claims: { grade: '一等品', diameter: 75, soluble_solids: 12.5, firmness: 7.5, colour: 80, pesticide_ok: true },
        skus: [
          { code: '3kg', options: { 规格: '3kg' }, priceFen: '2990', stock: 150 },
          { code: '5kg', options: { 规格: '5kg' }, priceFen: '4590', stock: 120 },
        ],
        lots: [{ lotId: 'QX-GL-20260825', productionDate: '2026-08-25', quantity: 8000 }],
      },
    ],
  },
];
