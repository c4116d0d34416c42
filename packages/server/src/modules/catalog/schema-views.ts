import { z } from 'zod';
import { PRODUCT_CONSENSUS_VIEW } from '../consensus/verdict-view.js';

/** Response shapes of the catalog's routes (validation of what we send, and the OpenAPI document). */

const FEN_TEXT = z.string().describe('fen, decimal string');
const BILINGUAL_OUT = z.object({ zh: z.string(), en: z.string() });
const CLAIM_VALUE = z.union([z.number(), z.boolean(), z.string()]);

export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  });

export const CATEGORY_VIEW = z.object({
  slug: z.string(),
  name: BILINGUAL_OUT,
  parent: z.string().nullable(),
  depositFen: FEN_TEXT,
  splitPolicy: z.record(z.string(), z.unknown()).nullable().describe('Split policy override (bps), if any'),
});

export const ATTRIBUTE_VIEW = z.object({
  key: z.string(),
  label: BILINGUAL_OUT,
  unit: z.string(),
  kind: z.enum(['numeric', 'boolean', 'grade']),
  min: z.number().optional(),
  max: z.number().optional(),
  grades: z.array(z.string()).optional(),
  tolerance: z.number(),
  weight: z.number(),
  mandatory: z.boolean(),
  testMethod: z.string(),
});

export const MODEL_DEFINITION_VIEW = z.object({
  name: BILINGUAL_OUT,
  category: z.string(),
  standards: z.array(z.string()),
  description: z.string().optional(),
  attributes: z.array(ATTRIBUTE_VIEW),
});

export const MODEL_SUMMARY_VIEW = z.object({
  id: z.string(),
  ownerDid: z.string(),
  latestVersion: z.number(),
  name: BILINGUAL_OUT,
  category: z.string(),
  status: z.enum(['published', 'deprecated']),
  standards: z.array(z.string()),
});

export const MODEL_VIEW = z.object({
  id: z.string(),
  ownerDid: z.string(),
  versions: z.array(
    z.object({
      version: z.number(),
      status: z.enum(['published', 'deprecated']),
      expertDid: z.string(),
      category: z.string(),
      definition: MODEL_DEFINITION_VIEW,
      publishedAt: z.string(),
      deprecatedAt: z.string().nullable(),
    }),
  ),
});

export const PRODUCT_SUMMARY_VIEW = z.object({
  id: z.string(),
  producerDid: z.string(),
  category: z.string(),
  title: z.object({ zh: z.string(), en: z.string().nullable() }),
  imageUrls: z.array(z.string()),
  model: z.object({ id: z.string(), version: z.number() }),
  status: z.enum(['draft', 'listed', 'delisted', 'suspended']),
  verdict: z.enum(['untested', 'testing', 'passed', 'failed']),
  minPriceFen: FEN_TEXT,
  maxPriceFen: FEN_TEXT,
  listedAt: z.string().nullable(),
  updatedAt: z.string(),
});

export const PRODUCT_VIEW = PRODUCT_SUMMARY_VIEW.extend({
  description: z.string(),
  images: z.array(z.object({ sha256: z.string(), url: z.string() })),
  suspendedReason: z.string().nullable(),
  skus: z.array(
    z.object({
      id: z.string(),
      code: z.string(),
      options: z.record(z.string(), z.string()),
      priceFen: FEN_TEXT,
      stock: z.number(),
    }),
  ),
  lots: z.array(z.object({ lotId: z.string(), productionDate: z.string(), quantity: z.number() })),
  qualityModel: z.object({
    id: z.string(),
    version: z.number(),
    status: z.enum(['published', 'deprecated']),
    expertDid: z.string(),
    definition: MODEL_DEFINITION_VIEW,
  }),
  claims: z.record(z.string(), CLAIM_VALUE),
  attributes: z
    .array(ATTRIBUTE_VIEW.extend({ claim: CLAIM_VALUE.nullable() }))
    .describe('Each attribute beside its claimed value'),
  consensus: PRODUCT_CONSENSUS_VIEW,
  log: z
    .object({
      product: z.number().int().nullable().describe('The catalog.product.published envelope that made these claims'),
      model: z.number().int().nullable().describe('The catalog.model.published envelope of the quality model version'),
    })
    .describe(
      'Log indexes of the signed envelopes behind this page (null until sequenced): GET /v1/log/entries/{index}',
    ),
});

export const DEPOSIT_VIEW = z.object({
  account: z.string(),
  ledger: z.string(),
  heldFen: FEN_TEXT.describe('Pending and posted credits less debits'),
  requiredFen: FEN_TEXT.describe("Sum of the deposits of the categories of the producer's listed products"),
  shortfallFen: FEN_TEXT,
  balances: z.object({
    creditsPending: FEN_TEXT,
    creditsPosted: FEN_TEXT,
    debitsPending: FEN_TEXT,
    debitsPosted: FEN_TEXT,
  }),
  categories: z.array(z.object({ slug: z.string(), depositFen: FEN_TEXT })),
});

export const DEPOSIT_PAYMENT_VIEW = z.object({
  paymentId: z.string(),
  account: z.string(),
  amountFen: FEN_TEXT,
  status: z.enum(['created', 'succeeded', 'failed', 'timed_out']),
});

export const IMAGE_VIEW = z.object({
  sha256: z.string(),
  url: z.string(),
  mime: z.enum(['image/png', 'image/jpeg', 'image/webp']),
  size: z.number(),
});
