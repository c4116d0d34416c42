import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatVerifierKey, fromHex, signInMessage, toBase64Url } from '@concord/protocol';
import { nodeCrypto } from '@concord/protocol/node';
import {
  type AppContext,
  type KeyPair,
  keyPaths,
  loadOrCreateKeyFile,
  type ResolvedConfig,
  readKeyFile,
  runWitness,
  type WitnessEndpoint,
} from '@concord/server';
import type { FastifyInstance } from 'fastify';
import {
  type BuyerName,
  DEMO_CATEGORIES,
  DEMO_EXPERTS,
  DEMO_MODELS,
  DEMO_PRODUCERS,
  type DemoProducer,
  type ProducerName,
} from './demo-catalog.js';
import { DemoClient, type DemoClock, until } from './demo-client.js';
import {
  CONSENSUS_ACCOUNTS,
  CONSENSUS_DAYS_AGO,
  CONSENSUS_PRODUCER,
  consensusLines,
  consensusLoaded,
  loadConsensus,
} from './demo-consensus.js';
import { DISTRIBUTION_PERSONAS, loadChannel, releaseDemoCommissions } from './demo-distribution.js';
import { DEMO_BUYERS, DEMO_ORDERS, loadOrders } from './demo-orders.js';
import { DEMO_POINTS_ORDERS, loadPoints, pointsLines } from './demo-points.js';
import { closeDemoCycles } from './demo-settlement.js';
import { decideDemoReviews, loadWithdrawals, reviewLines, withdrawalLines } from './demo-withdrawals.js';

type AppliedRole = 'producer' | 'expert' | 'tester' | 'promoter';

/** The demo's producers: the catalogue's, and the consensus story's trader. */
const PRODUCERS: DemoProducer[] = [...DEMO_PRODUCERS, CONSENSUS_PRODUCER];

/**
 * The demo accounts, by key file name (DATA_DIR/demo-keys/<name>.json): those with a role apply
 * for it and the operator approves; the others are plain accounts (any account may buy and
 * nominate): the buyers, the nominators, the promoter until she is bound, and the witness (the
 * payee of the first demo witness's trust fee).
 */
const ACCOUNTS: { name: string; role?: AppliedRole; persona?: string }[] = [
  ...PRODUCERS.map((p) => ({ name: p.name, role: 'producer' as const, persona: p.persona })),
  ...Object.entries(DEMO_EXPERTS).map(([name, persona]) => ({ name, role: 'expert' as const, persona })),
  ...CONSENSUS_ACCOUNTS,
  // The promoter is approved once bound to the team lead (loadChannel): she becomes his upline.
  { name: 'team-lead', role: 'promoter', persona: DISTRIBUTION_PERSONAS['team-lead'] },
  { name: 'promoter', persona: DISTRIBUTION_PERSONAS.promoter },
  ...DEMO_BUYERS.map((b) => ({ name: b.name, persona: `买家 ${b.persona}` })),
  { name: 'witness' },
];

export interface DemoAccount {
  /** The key file's name: the role, numbered when there are several (producer-2). */
  role: string;
  did: string;
  keyFile: string;
  persona?: string;
}

/**
 * The part of a running server the demo needs: its app, its context (for the return window and
 * the jobs the demo runs), and the clock the server was started with, which the demo moves.
 */
export interface DemoServer {
  app: FastifyInstance;
  ctx: AppContext;
  clock: DemoClock;
}

export const demoKeysDir = (dataDir: string) => join(dataDir, 'demo-keys');
/** Written last, so that a demo interrupted half-way is loaded again on the next `start --demo`. */
const summaryFile = (dataDir: string) => join(demoKeysDir(dataDir), 'summary.txt');

/**
 * Loads the demo through the real API (the same signed envelopes, sessions and Idempotency-Keys a
 * client would send), so the demo is also a smoke test of the pipeline: accounts, a catalogue
 * (categories with deposits, experts' quality models, producers' products and lots, listed once
 * their deposit is paid), orders in every state, the distribution channel with its commissions,
 * points in every state, withdrawals and the anti-abuse review queue; and the experience
 * consensus (demo-consensus.ts): a panel, a round that passes, one that fails and an appeal ruled.
 * Payments and payouts go through the sandbox, whose webhooks the server's own delivery job sends.
 * Running it again changes nothing.
 *
 * The consensus deadlines are days long, so until its story is told the demo starts in the past
 * (the server follows the demo's clock): the accounts, the catalogue and the story happen
 * CONSENSUS_DAYS_AGO days back, the story moves the clock forward, and the rest of the demo runs
 * at the real time.
 */
export async function loadDemo(server: DemoServer, say: (line: string) => void): Promise<DemoAccount[]> {
  const started = Date.now();
  const dataDir = server.ctx.config.dataDir;
  const client = new DemoClient(server.app, server.clock);
  const consensusDone = await consensusLoaded(client);
  if (!consensusDone) server.clock.daysAgo(CONSENSUS_DAYS_AGO);
  const paths = keyPaths(dataDir);
  const operator = readKeyFile(paths.operator, nodeCrypto);
  const custodian = readKeyFile(paths.custodian, nodeCrypto);
  const accounts: DemoAccount[] = [
    { role: 'operator', did: operator.did, keyFile: paths.operator },
    { role: 'custodian', did: custodian.did, keyFile: paths.custodian },
  ];
  await ensureRegistered(client, operator, '平台运营');
  await ensureRegistered(client, custodian, '资金托管方');

  const pairs = new Map<string, KeyPair>();
  for (const account of ACCOUNTS) {
    const keyFile = join(demoKeysDir(dataDir), `${account.name}.json`);
    const pair = loadOrCreateKeyFile(keyFile, nodeCrypto);
    pairs.set(account.name, pair);
    accounts.push({
      role: account.name,
      did: pair.did,
      keyFile,
      ...(account.persona === undefined ? {} : { persona: account.persona }),
    });
  }
  const pair = (name: string) => pairs.get(name) as KeyPair;
  // Independent accounts (and below, producers) go side by side: the server commits their
  // envelopes in shared batches.
  await Promise.all(
    ACCOUNTS.map(async (account) => {
      await ensureRegistered(client, pair(account.name), account.persona);
      if (account.role !== undefined) await ensureRole(client, operator, pair(account.name), account.role);
    }),
  );

  await loadCategories(client, operator);
  for (const model of DEMO_MODELS) {
    const found = await client.request('GET', `/v1/catalog/models/${model.id}`);
    if (found.status === 404) {
      await client.submit(pair(model.expert), 'catalog.model.published', {
        modelId: model.id,
        version: 1,
        definition: model.definition,
      });
    }
  }
  await Promise.all(PRODUCERS.map((producer) => loadProducer(client, pair(producer.name), producer)));
  if (!consensusDone) {
    await loadConsensus(client, server.ctx, {
      operator,
      accounts: pairs,
      ensureAddress: (buyer, address) => ensureAddress(client, buyer, address),
    });
  }
  // The rest of the demo happens today.
  server.clock.daysAgo(0);

  const buyers = new Map<BuyerName, KeyPair & { addressId: string }>();
  for (const buyer of DEMO_BUYERS) {
    const key = pair(buyer.name);
    buyers.set(buyer.name, { ...key, addressId: await ensureAddress(client, key, buyer.address) });
  }
  const producers = new Map<ProducerName, KeyPair>(DEMO_PRODUCERS.map((p) => [p.name, pair(p.name)]));
  await loadChannel(client, {
    teamLead: pair('team-lead'),
    promoter: pair('promoter'),
    shopProducer: pair('producer'),
    consumers: [pair('consumer'), pair('consumer-3'), pair('consumer-2')],
    approvePromoter: (promoter) => ensureRole(client, operator, promoter, 'promoter'),
  });
  const orderParties = { buyers, producers, operator };
  await loadOrders(client, server.ctx, orderParties);
  await releaseDemoCommissions(server.ctx, 'demo-completed-oil');
  // In this order: the approval of a held order pays the referral reward that the points orders
  // spend, and one of those orders earns the commission the withdrawals draw on.
  await decideDemoReviews(client, operator);
  await loadPoints(client, server.ctx, orderParties);
  await loadWithdrawals(client, server.ctx, { promoter: pair('promoter'), teamLead: pair('team-lead'), operator });

  const settled = await closeDemoCycles(server.ctx);
  const lines = await summary(client, server.ctx, {
    accounts,
    pairs,
    buyers,
    promoters: [pair('promoter'), pair('team-lead')],
    operator,
  });
  lines.push(...settled);
  for (const line of lines) say(line);
  say(`Demo loaded in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  writeFileSync(summaryFile(dataDir), `${lines.join('\n')}\n`);
  return accounts;
}

export function demoLoaded(dataDir: string): boolean {
  return existsSync(summaryFile(dataDir));
}

/**
 * Registers a demo account with its persona as the display name (without the place in brackets):
 * what the consoles show instead of a DID. A profile is personal data: the database keeps it, the
 * log never sees it.
 */
async function ensureRegistered(client: DemoClient, pair: KeyPair, persona?: string): Promise<void> {
  const found = await client.request('GET', `/v1/accounts/${pair.did}`);
  if (found.status === 200) return;
  const displayName = persona
    ?.replace(/（[^）]*）$/, '')
    .trim()
    .slice(0, 64);
  await client.expect([201], 'POST', '/v1/accounts', {
    payload: {
      envelope: client.sign(pair, 'identity.account.registered', {}),
      ...(displayName ? { profile: { displayName } } : {}),
    },
  });
}

async function ensureRole(client: DemoClient, operator: KeyPair, pair: KeyPair, role: AppliedRole): Promise<void> {
  const account = await client.expect<{ roles: string[] }>([200], 'GET', `/v1/accounts/${pair.did}`);
  if (account.body.roles.includes(role)) return;
  await client.submit(pair, 'identity.role.applied', { role }, [201, 409]);
  await client.submit(operator, 'identity.role.approved', { account: pair.did, role });
}

interface CategoryView {
  slug: string;
  depositFen: string;
}

async function categories(client: DemoClient): Promise<Map<string, CategoryView>> {
  const found = new Map<string, CategoryView>();
  let cursor: string | null = null;
  do {
    const url: string = `/v1/catalog/categories?limit=100${cursor === null ? '' : `&cursor=${cursor}`}`;
    const page = await client.expect<{ items: CategoryView[]; nextCursor: string | null }>([200], 'GET', url);
    for (const item of page.body.items) found.set(item.slug, item);
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return found;
}

/** The operator defines the categories that do not exist yet (ones that do are left as they are). */
async function loadCategories(client: DemoClient, operator: KeyPair): Promise<void> {
  const existing = await categories(client);
  for (const category of DEMO_CATEGORIES) {
    if (existing.has(category.slug)) continue;
    await client.submit(operator, 'catalog.category.defined', { ...category });
  }
}

interface ProductView {
  status: 'draft' | 'listed' | 'delisted' | 'suspended';
  lots: { lotId: string }[];
}

/**
 * A producer's products: published as drafts with their lots, the deposit of their categories paid
 * through the sandbox, then listed.
 */
async function loadProducer(client: DemoClient, producer: KeyPair, data: DemoProducer): Promise<void> {
  const today = client.clock.now().toISOString().slice(0, 10);
  const toList: string[] = [];
  for (const product of data.products) {
    let found = await client.request<ProductView>('GET', `/v1/catalog/products/${product.id}`, { as: producer });
    if (found.status === 404) {
      await client.submit(producer, 'catalog.product.published', {
        productId: product.id,
        category: product.category,
        title: product.title,
        description: product.description,
        images: [],
        model: { id: product.model, version: 1 },
        claims: product.claims,
        skus: product.skus,
      });
      found = await client.expect<ProductView>([200], 'GET', `/v1/catalog/products/${product.id}`, { as: producer });
    } else if (found.status !== 200) {
      throw new Error(`demo: product ${product.id} answered ${found.status}: ${JSON.stringify(found.body)}`);
    }
    const registered = new Set(found.body.lots.map((lot) => lot.lotId));
    for (const lot of product.lots) {
      if (registered.has(lot.lotId)) continue;
      // The demo's dates are of the 2026 harvest; never in the future of the demo's clock.
      const productionDate = lot.productionDate < today ? lot.productionDate : today;
      await client.submit(producer, 'catalog.lot.registered', { productId: product.id, ...lot, productionDate });
    }
    if (found.body.status === 'draft' || found.body.status === 'delisted') toList.push(product.id);
  }
  if (toList.length === 0) return;
  await payDeposit(client, producer, data);
  for (const productId of toList) await client.submit(producer, 'catalog.product.listed', { productId });
}

interface DepositView {
  heldFen: string;
  categories: { slug: string; depositFen: string }[];
}

/** Pays what the producer's deposit lacks for all its categories, and waits for the webhook. */
async function payDeposit(client: DemoClient, producer: KeyPair, data: DemoProducer): Promise<void> {
  const deposits = await categories(client);
  const deposit = async () =>
    (await client.expect<DepositView>([200], 'GET', '/v1/catalog/deposits', { as: producer })).body;
  const before = await deposit();
  const slugs = new Set([...data.products.map((p) => p.category), ...before.categories.map((c) => c.slug)]);
  const required = [...slugs].reduce((sum, slug) => sum + BigInt(deposits.get(slug)?.depositFen ?? '0'), 0n);
  const held = BigInt(before.heldFen);
  if (held >= required) return;
  await client.expect([201], 'POST', '/v1/catalog/deposits', {
    as: producer,
    // The same shortfall asked again (a rerun before the webhook came) replays the same payment.
    headers: { 'idempotency-key': `demo-deposit-${required}-${held}` },
    payload: { amount: (required - held).toString() },
  });
  await until(`the deposit of ${data.persona}`, async () => BigInt((await deposit()).heldFen) >= required);
}

async function ensureAddress(
  client: DemoClient,
  buyer: KeyPair,
  address: { recipient: string; phone: string; region: string; detail: string },
): Promise<string> {
  const saved = await client.expect<{ items: (typeof address & { id: string })[] }>([200], 'GET', '/v1/addresses', {
    as: buyer,
  });
  const same = saved.body.items.find((a) => a.recipient === address.recipient && a.detail === address.detail);
  if (same !== undefined) return same.id;
  return (await client.expect<{ id: string }>([201], 'POST', '/v1/addresses', { as: buyer, payload: address })).body.id;
}

/** What was created, and whom to sign in as. */
async function summary(
  client: DemoClient,
  ctx: AppContext,
  {
    accounts,
    pairs,
    buyers,
    promoters,
    operator,
  }: {
    accounts: DemoAccount[];
    pairs: Map<string, KeyPair>;
    buyers: Map<BuyerName, KeyPair>;
    promoters: KeyPair[];
    operator: KeyPair;
  },
): Promise<string[]> {
  const lines = ['Demo accounts (name, DID, key file):'];
  for (const a of accounts) {
    lines.push(`  ${a.role.padEnd(10)} ${a.did}  ${a.keyFile}${a.persona === undefined ? '' : `  ${a.persona}`}`);
  }
  const products = PRODUCERS.reduce((n, p) => n + p.products.length, 0);
  lines.push(
    `Catalogue: ${DEMO_CATEGORIES.length} categories, ${DEMO_MODELS.length} quality models by ${Object.keys(DEMO_EXPERTS).length} experts, ${products} products by ${PRODUCERS.length} producers (search 大米, 绿茶 or 苹果).`,
  );
  lines.push('Orders (id: status now):');
  for (const buyer of DEMO_BUYERS) {
    const pair = buyers.get(buyer.name) as KeyPair;
    const own = [];
    for (const order of [...DEMO_ORDERS, ...DEMO_POINTS_ORDERS].filter((o) => o.buyer === buyer.name)) {
      const view = await client.expect<{ status: string }>([200], 'GET', `/v1/orders/${order.id}`, { as: pair });
      own.push(`${order.id}: ${view.body.status}`);
    }
    lines.push(`  ${buyer.name.padEnd(10)} ${own.join(', ')}`);
  }
  const nameOf = (did: string) => accounts.find((a) => a.did === did)?.role ?? did;
  lines.push(...(await pointsLines(client, buyers, nameOf)));
  lines.push('Commissions (order kind: amount in fen, status):');
  for (const [i, promoter] of promoters.entries()) {
    const { items } = (
      await client.expect<{ items: { orderId: string; kind: string; amountFen: string; status: string }[] }>(
        [200],
        'GET',
        '/v1/distribution/commissions',
        { as: promoter },
      )
    ).body;
    const name = i === 0 ? 'promoter' : 'team-lead';
    lines.push(
      `  ${name.padEnd(10)} ${items.map((c) => `${c.orderId} ${c.kind}: ${c.amountFen}, ${c.status}`).join('; ') || 'none yet'}`,
    );
  }
  const earners = promoters.map((p, i): [string, KeyPair] => [i === 0 ? 'promoter' : 'team-lead', p]);
  lines.push(...(await withdrawalLines(client, ctx, earners)));
  lines.push(...(await reviewLines(client, operator)));
  lines.push(...(await consensusLines(client, { accounts: pairs }, nameOf)));
  lines.push(
    'Sign in with a key file: keys/operator.json (operator: withdrawals and orders held for review),',
    '  demo-keys/producer*.json (products, deposit, shipping, refunds), demo-keys/expert*.json (quality models),',
    '  demo-keys/consumer*.json (buyers: orders in every state, points), demo-keys/promoter.json and',
    '  team-lead.json (share links, the team, commissions frozen and released, withdrawals),',
    '  demo-keys/tester*.json (the oil panel: drawn, bought, committed and revealed), nominator*.json (stake',
    '  behind the panel), producer-4.json (the failed product and its appeal), juror.json and expert*.json (juries).',
    'demo-keys/witness.json is paid the trust fee of witness-1.demo (with `start --demo`, which runs the witnesses);',
    '  every party of a closed cycle reads its statement at GET /v1/settlement/cycles/{cycle}/statement.',
  );
  return lines;
}

/** Signs in as a demo account, for scripts that want a session token. */
export async function demoSession(app: FastifyInstance, pair: KeyPair): Promise<string> {
  const { challenge } = (
    await app.inject({ method: 'POST', url: '/v1/auth/challenges', payload: { did: pair.did } })
  ).json();
  const signature = toBase64Url(nodeCrypto.ed25519.sign(signInMessage(challenge), pair.secretKey));
  return (
    await app.inject({ method: 'POST', url: '/v1/auth/sessions', payload: { did: pair.did, challenge, signature } })
  ).json().token;
}

/**
 * Two witnesses in this process, with keys and state under DATA_DIR/demo-witnesses/, following
 * this log: so the demo log is cosigned and /log/checkpoint shows a quorum of 2.
 */
export async function startDemoWitnesses(
  config: ResolvedConfig,
): Promise<{ endpoints: WitnessEndpoint[]; close: () => Promise<void> }> {
  const secretKey = fromHex(config.logSigningKeyHex);
  const logKey = formatVerifierKey(nodeCrypto, {
    name: config.logOrigin,
    publicKey: nodeCrypto.ed25519.publicKey(secretKey),
  });
  const endpoints: WitnessEndpoint[] = [];
  const running: { close: () => Promise<unknown> }[] = [];
  // The first witness is run by the demo's witness account and paid its share of the trust fee
  // there; the second named no payee, so its share waits in an account of its key name.
  const payee = loadOrCreateKeyFile(join(demoKeysDir(config.dataDir), 'witness.json'), nodeCrypto).did;
  for (const name of ['witness-1.demo', 'witness-2.demo']) {
    const witness = await runWitness({
      crypto: nodeCrypto,
      dataDir: join(config.dataDir, 'demo-witnesses', name),
      name,
      follow: [{ origin: config.logOrigin, verifierKey: logKey }],
      host: '127.0.0.1',
      port: 0,
    });
    running.push(witness);
    endpoints.push({
      url: witness.url,
      verifierKey: witness.verifierKey,
      ...(name === 'witness-1.demo' ? { payee } : {}),
    });
  }
  return {
    endpoints,
    close: async () => {
      await Promise.all(running.map((witness) => witness.close()));
    },
  };
}
