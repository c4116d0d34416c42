import type { QualityModelDefinition, SplitPolicyOverride } from '@concord/protocol';
import { sql } from 'drizzle-orm';
import { bigint, customType, date, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** The catalog's tables (migrations/0005_catalog.sql). Only this module reads or writes them. */

export const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export type ProductStatus = 'draft' | 'listed' | 'delisted' | 'suspended';
export type Verdict = 'untested' | 'testing' | 'passed' | 'failed';
export type ClaimsRecord = Record<string, number | boolean | string>;
export type SkuOptions = Record<string, string>;

export const categories = pgTable('catalog_categories', {
  slug: text('slug').primaryKey(),
  nameZh: text('name_zh').notNull(),
  nameEn: text('name_en').notNull(),
  parentSlug: text('parent_slug'),
  depositFen: bigint('deposit_fen', { mode: 'bigint' }).notNull(),
  splitOverride: jsonb('split_override').$type<SplitPolicyOverride>(),
  definedEventId: bigint('defined_event_id', { mode: 'bigint' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().default(sql`now()`),
});

export const models = pgTable('catalog_models', {
  id: text('id').primaryKey(),
  ownerDid: text('owner_did').notNull(),
  createdEventId: bigint('created_event_id', { mode: 'bigint' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
});

export const modelVersions = pgTable(
  'catalog_model_versions',
  {
    modelId: text('model_id').notNull(),
    version: integer('version').notNull(),
    expertDid: text('expert_did').notNull(),
    category: text('category').notNull(),
    definition: jsonb('definition').$type<QualityModelDefinition>().notNull(),
    status: text('status', { enum: ['published', 'deprecated'] }).notNull(),
    publishedEventId: bigint('published_event_id', { mode: 'bigint' }).notNull(),
    deprecatedEventId: bigint('deprecated_event_id', { mode: 'bigint' }),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().default(sql`now()`),
    deprecatedAt: timestamp('deprecated_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.version] })],
);

export const products = pgTable('catalog_products', {
  id: text('id').primaryKey(),
  producerDid: text('producer_did').notNull(),
  category: text('category').notNull(),
  titleZh: text('title_zh').notNull(),
  titleEn: text('title_en'),
  description: text('description').notNull(),
  images: jsonb('images').$type<string[]>().notNull(),
  modelId: text('model_id').notNull(),
  modelVersion: integer('model_version').notNull(),
  claims: jsonb('claims').$type<ClaimsRecord>().notNull(),
  status: text('status', { enum: ['draft', 'listed', 'delisted', 'suspended'] })
    .$type<ProductStatus>()
    .notNull(),
  verdict: text('verdict', { enum: ['untested', 'testing', 'passed', 'failed'] })
    .$type<Verdict>()
    .notNull(),
  suspendedReason: text('suspended_reason'),
  searchText: text('search_text').notNull(),
  search: tsvector('search').notNull(),
  minPriceFen: bigint('min_price_fen', { mode: 'bigint' }).notNull(),
  maxPriceFen: bigint('max_price_fen', { mode: 'bigint' }).notNull(),
  publishedEventId: bigint('published_event_id', { mode: 'bigint' }).notNull(),
  // The publication that set the current model version and claims: what a verdict must have tested.
  claimsEventId: bigint('claims_event_id', { mode: 'bigint' }).notNull(),
  statusEventId: bigint('status_event_id', { mode: 'bigint' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().default(sql`now()`),
  listedAt: timestamp('listed_at', { withTimezone: true }),
});

export const skus = pgTable('catalog_skus', {
  id: text('id').primaryKey(),
  productId: text('product_id').notNull(),
  code: text('code').notNull(),
  options: jsonb('options').$type<SkuOptions>().notNull(),
  priceFen: bigint('price_fen', { mode: 'bigint' }).notNull(),
  stock: integer('stock').notNull(),
  position: integer('position').notNull(),
});

export const lots = pgTable(
  'catalog_lots',
  {
    productId: text('product_id').notNull(),
    lotId: text('lot_id').notNull(),
    // 'YYYY-MM-DD' as text both ways: no time zone can shift it.
    productionDate: date('production_date', { mode: 'string' }).notNull(),
    quantity: integer('quantity').notNull(),
    registeredEventId: bigint('registered_event_id', { mode: 'bigint' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.productId, t.lotId] })],
);

export const images = pgTable('catalog_images', {
  sha256: text('sha256').primaryKey(),
  mime: text('mime').notNull(),
  size: integer('size').notNull(),
  uploadedBy: text('uploaded_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(sql`now()`),
});
