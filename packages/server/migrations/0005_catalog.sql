-- Catalog (issue 5): categories, quality models and their versions, products with their SKUs
-- and lots, uploaded images. Each row names the event that made it; no foreign keys leave the
-- module (other modules are reached through their service functions).

create table catalog_categories (
  slug text primary key check (slug ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  name_zh text not null check (length(name_zh) between 1 and 64),
  name_en text not null check (length(name_en) between 1 and 64),
  parent_slug text references catalog_categories (slug),
  -- What a producer must hold as deposit to list products in this category.
  deposit_fen int8 not null check (deposit_fen >= 0),
  -- A partial split policy (DESIGN §7) that overrides the platform default for this category.
  split_override jsonb,
  defined_event_id bigint not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (parent_slug is null or parent_slug <> slug)
);
create index catalog_categories_parent on catalog_categories (parent_slug);

-- A quality model belongs to the expert who published its first version.
create table catalog_models (
  id text primary key check (id ~ '^[a-z0-9][a-z0-9-]{2,63}$'),
  owner_did text not null,
  created_event_id bigint not null,
  created_at timestamptz not null default now()
);

-- A published version never changes; a change is the next version.
create table catalog_model_versions (
  model_id text not null references catalog_models (id),
  version int not null check (version >= 1),
  expert_did text not null,
  category text not null references catalog_categories (slug),
  definition jsonb not null,
  status text not null check (status in ('published', 'deprecated')),
  published_event_id bigint not null,
  deprecated_event_id bigint,
  published_at timestamptz not null default now(),
  deprecated_at timestamptz,
  primary key (model_id, version),
  check ((status = 'deprecated') = (deprecated_event_id is not null))
);
create index catalog_model_versions_category on catalog_model_versions (category, model_id);

create table catalog_products (
  id text primary key check (id ~ '^[a-z0-9][a-z0-9-]{2,63}$'),
  producer_did text not null,
  category text not null references catalog_categories (slug),
  title_zh text not null,
  title_en text,
  description text not null,
  -- SHA-256 (hex) of uploaded images, in display order.
  images jsonb not null default '[]',
  -- The model version the claims are made against (experts are paid by this link).
  model_id text not null,
  model_version int not null,
  claims jsonb not null,
  status text not null check (status in ('draft', 'listed', 'delisted', 'suspended')),
  -- Filled by the experience consensus (DESIGN §8).
  verdict text not null default 'untested' check (verdict in ('untested', 'testing', 'passed', 'failed')),
  suspended_reason text,
  -- Search tokens of the product's own text (search-tokens.ts); `search` adds its category names.
  search_text text not null,
  search tsvector not null,
  min_price_fen int8 not null check (min_price_fen > 0),
  max_price_fen int8 not null check (max_price_fen >= min_price_fen),
  published_event_id bigint not null,
  status_event_id bigint not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  listed_at timestamptz,
  foreign key (model_id, model_version) references catalog_model_versions (model_id, version)
);
create index catalog_products_search on catalog_products using gin (search);
create index catalog_products_listed on catalog_products (category, id) where status = 'listed';
create index catalog_products_producer on catalog_products (producer_did, id);
create index catalog_products_model on catalog_products (model_id, model_version);

create table catalog_skus (
  -- `${product_id}:${code}`
  id text primary key,
  product_id text not null references catalog_products (id),
  code text not null check (code ~ '^[A-Za-z0-9-]{1,32}$'),
  options jsonb not null,
  price_fen int8 not null check (price_fen > 0),
  stock int not null check (stock >= 0),
  position int not null check (position >= 0),
  unique (product_id, code),
  check (id = product_id || ':' || code)
);
create index catalog_skus_product on catalog_skus (product_id, position);

create table catalog_lots (
  product_id text not null references catalog_products (id),
  lot_id text not null check (lot_id ~ '^[A-Za-z0-9-]{1,64}$'),
  production_date date not null,
  quantity int not null check (quantity > 0),
  registered_event_id bigint not null,
  created_at timestamptz not null default now(),
  primary key (product_id, lot_id)
);

-- Uploaded images; the bytes are on disk at <dataDir>/blobs/<sha256>.
create table catalog_images (
  sha256 text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
  mime text not null check (mime in ('image/png', 'image/jpeg', 'image/webp')),
  size int not null check (size > 0),
  uploaded_by text not null,
  created_at timestamptz not null default now()
);
