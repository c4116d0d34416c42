import { type QualityModelDefinition, RICE_CLAIMS_EXAMPLE, riceModelExample } from '@concord/protocol';
import { type KeyPair, mintPoints, transaction } from '@concord/server';
import type { SimClient } from './client.js';
import { keyPairFrom, type SimServer } from './engine.js';
import type { CityParams } from './params.js';
import type { Prng } from './prng.js';

/**
 * The city's people and shops, made through the API as their real counterparts would make them:
 * accounts registered and signed in, roles applied for and approved by the operator, the
 * category, the experts' quality models, the producers' products, the promoters' invitations and
 * the consumers' bindings, the testers standing for the panel and the nominators backing them.
 */

export const CATEGORY = 'rice';

export type Role = 'platform' | 'producer' | 'expert' | 'tester' | 'nominator' | 'promoter' | 'team_lead' | 'consumer';

export interface Consumer {
  pair: KeyPair;
  index: number;
  addressId: string;
  /** Holds the tester role too and stands for the panel. */
  tester: boolean;
  /** Measures carelessly (a tester only). */
  sloppy: boolean;
}

export interface Product {
  id: string;
  skuId: string;
  priceFen: bigint;
  producer: KeyPair;
  /** What a careful tester measures (the claim is 14.5 g/100g ± 0.5). */
  trueMoisture: number;
  honest: boolean;
  listed: boolean;
  rounds: number;
}

export interface City {
  operator: KeyPair;
  experts: KeyPair[];
  producers: KeyPair[];
  products: Product[];
  teamLeads: KeyPair[];
  promoters: KeyPair[];
  consumers: Consumer[];
  nominators: KeyPair[];
  /** Every account's role in the city (the first one it was made for), by DID. */
  roles: Map<string, Role>;
}

/** The claims every product makes: the rice model's attributes. */
export const CLAIMS = RICE_CLAIMS_EXAMPLE;

/** A rice quality model (GB/T 1354-2018): what the experts publish, one model each. */
export const riceModel = (): QualityModelDefinition => riceModelExample(CATEGORY);

const CITIES = ['杭州市 西湖区', '杭州市 拱墅区', '杭州市 滨江区', '杭州市 余杭区', '杭州市 上城区'];

type ApplicableRole = 'producer' | 'expert' | 'tester' | 'promoter';

export interface CityBuilder {
  client: SimClient;
  server: SimServer;
  params: CityParams;
  prng: Prng;
  /** Called after each account is made, for the progress bar. */
  onAccount?: () => void;
}

/** How many accounts `buildCity` makes, for the progress bar. */
export const accountsOf = (p: CityParams) =>
  1 + p.experts + p.producers + p.teamLeads + p.promoters + p.consumers + p.nominators;

export async function buildCity(b: CityBuilder): Promise<City> {
  const { client, server, params: p, prng } = b;
  const operator = server.operator;
  const roles = new Map<string, Role>([[operator.did, 'platform']]);
  const made = (pair: KeyPair, role: Role) => {
    if (!roles.has(pair.did)) roles.set(pair.did, role);
    b.onAccount?.();
  };

  const register = async (pair: KeyPair) => {
    await client.expect([201], 'POST', '/v1/accounts', {
      payload: { envelope: client.sign(pair, 'identity.account.registered', {}) },
    });
  };
  const grant = async (pair: KeyPair, role: ApplicableRole) => {
    await client.submit(pair, 'identity.role.applied', { role });
    await client.submit(operator, 'identity.role.approved', { account: pair.did, role });
  };
  const account = async (role: Role, applies?: ApplicableRole) => {
    const pair = keyPairFrom(prng);
    await register(pair);
    if (applies !== undefined) await grant(pair, applies);
    made(pair, role);
    return pair;
  };
  const inviteCode = async (owner: KeyPair) =>
    String(
      (await client.submit<{ result: { code: string } }>(owner, 'distribution.link.created', { kind: 'invite' })).body
        .result.code,
    );

  // The operator, the category (with the preset's split policy, if any) and the experts' models.
  await register(operator);
  made(operator, 'platform');
  const splitPolicy = Object.keys(p.splitPolicy).length > 0 ? { splitPolicy: p.splitPolicy } : {};
  await client.submit(operator, 'catalog.category.defined', {
    slug: CATEGORY,
    name: { zh: '大米', en: 'Rice' },
    depositFen: '0',
    ...splitPolicy,
  });
  const experts: KeyPair[] = [];
  for (let i = 0; i < p.experts; i++) {
    const expert = await account('expert', 'expert');
    await client.submit(expert, 'catalog.model.published', {
      modelId: `model-${i}`,
      version: 1,
      definition: riceModel(),
    });
    experts.push(expert);
  }

  // Producers and their products; some claim what their rice does not have.
  const dishonest = new Set(prng.sample([...Array(p.producers).keys()], Math.round(p.producers * p.dishonestShare)));
  const producers: KeyPair[] = [];
  const products: Product[] = [];
  const steps = (p.priceMaxFen - p.priceMinFen) / p.priceStepFen;
  for (let i = 0; i < p.producers; i++) {
    const producer = await account('producer', 'producer');
    producers.push(producer);
    for (let k = 0; k < p.productsPerProducer; k++) {
      const id = `rice-${i}-${k}`;
      const priceFen = p.priceMinFen + p.priceStepFen * BigInt(prng.int(0, Number(steps)));
      const honest = !dishonest.has(i);
      const model = products.length % p.experts;
      await client.submit(producer, 'catalog.product.published', {
        productId: id,
        category: CATEGORY,
        title: { zh: `有机大米 ${i + 1}-${k + 1}`, en: `Organic rice ${i + 1}-${k + 1}` },
        description: '东北有机稻花香大米，当季新米。',
        images: [],
        model: { id: `model-${model}`, version: 1 },
        claims: { ...CLAIMS },
        skus: [{ code: 'bag', options: { 规格: '5kg' }, priceFen: priceFen.toString(), stock: 1_000_000 }],
      });
      await client.submit(producer, 'catalog.product.listed', { productId: id });
      products.push({
        id,
        skuId: `${id}:bag`,
        priceFen,
        producer,
        trueMoisture: honest ? Math.round((14.5 + (prng.next() - 0.5) * 0.3) * 100) / 100 : 17,
        honest,
        listed: true,
        rounds: 0,
      });
    }
  }

  // Team leads invite the promoters (their upline), then the operator approves the promoters.
  const teamLeads: KeyPair[] = [];
  const leadCodes: string[] = [];
  for (let i = 0; i < p.teamLeads; i++) {
    const lead = await account('team_lead', 'promoter');
    teamLeads.push(lead);
    leadCodes.push(await inviteCode(lead));
  }
  const promoters: KeyPair[] = [];
  const promoterCodes: string[] = [];
  for (let i = 0; i < p.promoters; i++) {
    const pair = keyPairFrom(prng);
    await register(pair);
    const lead = leadCodes[i % Math.max(1, leadCodes.length)];
    if (lead !== undefined) await client.submit(pair, 'distribution.binding.created', { code: lead });
    await grant(pair, 'promoter');
    made(pair, 'promoter');
    promoters.push(pair);
    promoterCodes.push(await inviteCode(pair));
  }

  // Consumers join by a promoter's invitation (its team), or by a friend's (拉新); the first
  // `testers` of them also test.
  const sloppy = new Set(prng.sample([...Array(p.testers).keys()], Math.round(p.testers * p.sloppyShare)));
  const consumers: Consumer[] = [];
  const consumerCodes: string[] = [];
  for (let i = 0; i < p.consumers; i++) {
    const pair = keyPairFrom(prng);
    await register(pair);
    const byFriend = consumers.length > 0 && prng.chance(p.invitedShare);
    const code = byFriend
      ? await (async () => {
          const friend = prng.int(0, consumers.length - 1);
          consumerCodes[friend] ??= await inviteCode((consumers[friend] as Consumer).pair);
          return consumerCodes[friend];
        })()
      : promoterCodes[i % Math.max(1, promoterCodes.length)];
    if (code !== undefined) await client.submit(pair, 'distribution.binding.created', { code });
    const address = await client.expect<{ id: string | number }>([201], 'POST', '/v1/addresses', {
      as: pair,
      payload: {
        recipient: `居民${i + 1}`,
        phone: `138${String(10_000_000 + i).slice(-8)}`,
        region: `浙江省 ${CITIES[i % CITIES.length]}`,
        detail: `幸福路 ${i + 1} 号`,
      },
    });
    const tester = i < p.testers;
    if (tester) {
      await grant(pair, 'tester');
      await client.submit(pair, 'consensus.candidate.declared', { category: CATEGORY, commissionBps: 1_000 });
    }
    made(pair, tester ? 'tester' : 'consumer');
    consumers.push({ pair, index: i, addressId: String(address.body.id), tester, sloppy: tester && sloppy.has(i) });
  }

  // Nominators back the testers with points: granted here, standing in for cashback they earned
  // before the simulation (DESIGN §8.2: stake is points), at most 16 targets each.
  const nominators: KeyPair[] = [];
  const testers = consumers.filter((c) => c.tester).map((c) => c.pair.did);
  for (let i = 0; i < p.nominators; i++) {
    const pair = await account('nominator');
    await transaction(server.ctx.database.db, (tx) =>
      mintPoints(tx, {
        transferId: `simulate-stake-grant-${i}`,
        did: pair.did,
        points: p.nominatorStakePoints,
        code: 'points_grant',
        reference: 'simulate:nominator-stake',
        now: client.clock.now(),
      }),
    );
    nominators.push(pair);
  }
  for (const [i, pair] of nominators.entries()) {
    const targets = testers.filter((_, t) => t % nominators.length === i).slice(0, 16);
    if (targets.length === 0) continue;
    await client.submit(pair, 'consensus.nomination.set', {
      targets,
      stakePoints: p.nominatorStakePoints.toString(),
    });
  }

  return { operator, experts, producers, products, teamLeads, promoters, consumers, nominators, roles };
}
