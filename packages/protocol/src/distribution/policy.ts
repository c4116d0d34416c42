import { type SplitPolicy, splitPolicyIssues } from '../money/split-policy.js';
import { member, readAmount, readBoolean, readBps, readChoice, readInteger, readObject } from './checks.js';
import { DistributionError, type DistributionIssue } from './distribution-error.js';

/**
 * The distribution policy (DESIGN §9, seed `002_…`): promoter levels, the freeze of commissions,
 * how a consumer is bound to a promoter, membership tiers, referral rewards, points, supplier
 * tokens and ratings, and the anti-abuse limits. Every rule in this folder takes it as an
 * argument; nothing here reads a clock or a database.
 *
 * Money it pays comes out of the order split policy (DESIGN §7), never on top of it:
 * - a level's `commissionBps` is a part of the split's `promoterCommissionBps` share and its
 *   `overrideBps` a part of `teamOverrideBps`. `validateDistributionPolicy` REFUSES a rate above
 *   the share of the split policy it is given (the issue names such rates as bad input). Orders
 *   may still carry a lower per-category or per-product share (`resolveSplitPolicy`), so the
 *   commission rules also CAP the rate at the order's share; what the rate leaves of the share
 *   goes to the split policy's `unusedShareDestination`, like a share with no promoter.
 * - a tier's `cashbackBps` is CAPPED at the order's `consumerCashbackBps`, not refused: a tier is
 *   a member's promise ("gold: up to 12%"), while the share that funds it is set per category or
 *   product. The seed's 12% for gold is paid in full only where the split policy sets aside 12%.
 */

/** The promoter ladder of seed `002_…`: 推广者 → 团队长 → 区域合伙人 → 城市代理. */
export type PromoterLevel = 'promoter' | 'team_lead' | 'regional_partner' | 'city_agent';
export const PROMOTER_LEVELS: readonly PromoterLevel[] = Object.freeze([
  'promoter',
  'team_lead',
  'regional_partner',
  'city_agent',
]);

/** Membership tiers, lowest first (seed: 会员等级, e.g. 黄金会员). */
export type MembershipTier = 'normal' | 'silver' | 'gold';
export const MEMBERSHIP_TIERS: readonly MembershipTier[] = Object.freeze(['normal', 'silver', 'gold']);

/** 'first': the first promoter a consumer arrives through keeps them; 'last_click': the latest click within a window. */
export type BindingMode = 'first' | 'last_click';
export const BINDING_MODES: readonly BindingMode[] = Object.freeze(['first', 'last_click']);

/** 'burn': a share of every holding is destroyed each month; 'expiry': points older than N months lapse. */
export type PointsRetirementMode = 'burn' | 'expiry';
export const POINTS_RETIREMENT_MODES: readonly PointsRetirementMode[] = Object.freeze(['burn', 'expiry']);

/**
 * One rung of the promoter ladder. A promoter holds the highest level whose three thresholds are
 * all met over the evaluation period; the first rung is 'promoter' with no thresholds, the level
 * an approved promoter starts at.
 */
export interface LevelRule {
  readonly level: PromoterLevel;
  /** Sales the promoter brought in themselves. */
  readonly minOwnSalesFen: bigint;
  /** Sales brought in by the promoter's direct team (the promoters whose upline they are). */
  readonly minTeamSalesFen: bigint;
  /** Promoters whose upline they are. */
  readonly minDirectMembers: number;
  /** Direct commission, in bps of the paid amount: part of the split's promoter share. */
  readonly commissionBps: number;
  /** Override paid to a promoter of this level on a direct member's sale: part of the split's team share. */
  readonly overrideBps: number;
}

/** One membership tier: reached when both thresholds are met. */
export interface TierRule {
  readonly tier: MembershipTier;
  /** Completed spend of the member. */
  readonly minSpendFen: bigint;
  /** Invitees who have completed at least one order: rewards follow purchases, never sign-ups. */
  readonly minInvites: number;
  /** Cashback in bps of the paid amount, as points; capped at the order's consumer cashback share. */
  readonly cashbackBps: number;
}

export interface PointsPolicy {
  /**
   * Points (minor units) credited per fen of cashback or reward. Points are bigints in minor
   * units like fen; at 1 a point minor unit is worth a fen. A finer rate is a finer minor unit.
   */
  readonly earnPointsPerFen: number;
  /** Points (minor units) that pay one fen at checkout. */
  readonly spendPointsPerFen: number;
  /** The most of an order's amount that points may pay, in bps. */
  readonly spendMaxOrderBps: number;
  /** Fee on a transfer between members, in bps of the amount sent, rounded up (see `transferPoints`). */
  readonly transferFeeBps: number;
  readonly retirementMode: PointsRetirementMode;
  /** 'burn' mode: the share of each holding destroyed by the monthly run. */
  readonly monthlyBurnBps: number;
  /** 'expiry' mode: points lapse this many calendar months after they were earned. */
  readonly expiryMonths: number;
}

export interface SupplierPolicy {
  /** Supplier tokens (minor units) earned per fen of completed sales, in bps: 100 = 1 token unit per 100 fen. */
  readonly tokenEarnBps: number;
  /** Tokens (minor units) redeemed to lower the platform fee by one bps for one cycle. */
  readonly tokensPerFeeBps: bigint;
  /** Redemption never lowers the platform fee below this. */
  readonly platformFeeFloorBps: number;
  /** A redemption lowers the fee of the cycle this many cycles after the one it is made in (≥ 1). */
  readonly redemptionDelayCycles: number;
  /** The rating rule looks at the last N buyer ratings… */
  readonly ratingWindow: number;
  /** …and decides nothing before this many exist. */
  readonly ratingMinCount: number;
  /** An average strictly below this many tenths of a star cuts the deposit (45 = 4.5 stars). */
  readonly ratingThresholdTenths: number;
  /** The deposit cut, in bps of the deposit. */
  readonly depositCutBps: number;
}

export interface AbusePolicy {
  /** The window of the velocity limits. */
  readonly velocityWindowMinutes: number;
  /** More orders than this from one device within the window send the order to review. */
  readonly maxOrdersPerDevice: number;
  /** More orders than this from one IP address within the window send the order to review. */
  readonly maxOrdersPerIp: number;
}

export interface DistributionPolicy {
  /** The ladder, lowest first: 'promoter', then any of the higher levels in ladder order. */
  readonly levels: readonly LevelRule[];
  /** 2: direct commission and one upline override; 1: direct only. Never more (DESIGN §9). */
  readonly maxCommissionLevels: 1 | 2;
  /** A commission is frozen until delivery + freezeDays + returnWindowDays. */
  readonly freezeDays: number;
  readonly returnWindowDays: number;
  readonly bindingMode: BindingMode;
  /** 'last_click' mode only: a binding lapses this many days after its last click. */
  readonly lastClickWindowDays: number;
  /** Whether a promoter earns commission on their own purchases. */
  readonly selfPurchaseCommission: boolean;
  /** The tiers, lowest first: 'normal', then any of the higher tiers in order. */
  readonly tiers: readonly TierRule[];
  /** Reward to the inviter, in bps of the invitee's first completed order, as points. */
  readonly referralRewardBps: number;
  readonly points: PointsPolicy;
  readonly supplier: SupplierPolicy;
  readonly abuse: AbusePolicy;
}

const level = (
  name: PromoterLevel,
  minOwnSalesFen: bigint,
  minTeamSalesFen: bigint,
  minDirectMembers: number,
): LevelRule =>
  // The seed's ladder pays 10–15% direct and 3–5% override; the default split policy sets aside
  // 10% and 3% (DESIGN §7), so every level defaults to those. Raise the split shares first, then
  // the rates (e.g. 1000/1200/1350/1500 and 300/400/450/500) to pay the seed's full ladder.
  Object.freeze({
    level: name,
    minOwnSalesFen,
    minTeamSalesFen,
    minDirectMembers,
    commissionBps: 1000,
    overrideBps: 300,
  });

/**
 * The defaults. From seed `002_…` where it gives a number (quoted), otherwise chosen here:
 * - levels 推广者→团队长→区域合伙人→城市代理; rates 10% / 3% ("推广商品成交额的10%-15%佣金",
 *   "下级团队销售额的3%-5%作为管理津贴", at the default split's shares); thresholds chosen
 *   (team lead ¥5,000 own / ¥20,000 team / 10 members; regional ¥20,000 / ¥200,000 / 50, the
 *   seed's "人均团队50人"; city ¥50,000 / ¥1,000,000 / 200);
 * - freeze 30 + 7 days ("佣金按'30天确认收货+7天无退货'分批发放");
 * - first binding permanent, no commission on own purchases (issue 6); a 30-day window when
 *   switched to 'last_click', chosen;
 * - cashback 5% / 8% / 12% ("消费金额的5%-10%", "黄金会员返利12%"); tiers at ¥1,000 spend and
 *   1 invite (silver), ¥5,000 and 5 (gold), chosen;
 * - referral 8% of the invitee's first order ("获其首单金额的8%现金奖励");
 * - points: 1 point unit per fen both ways, no cap on the share of an order paid by points (the
 *   seed has none: "可兑换现金或商品"), transfer fee 1% ("平台收1%手续费"), a monthly burn of 5%
 *   ("每月销毁5%流通通证"; expiry after 12 months when switched to 'expiry');
 * - supplier tokens: 1 unit per ¥1 of sales (1%), and 10,000 units (earned on ¥10,000 of sales)
 *   lower the fee by one bps for one cycle, chosen; fee floor 5% ("交易抽成:商品成交额的5%-8%"),
 *   effective the next cycle; rating
 *   below 4.5 over the last 20 (at least 10) cuts 5% of the deposit ("评分低于4.5星,保证金扣除5%");
 * - velocity: more than 3 orders per device or 5 per IP in 24 hours goes to review (the seed's
 *   "同一设备/IP多次下单自动触发风控" gives no numbers).
 *
 * Valid against DEFAULT_SPLIT_POLICY (a test holds it so).
 */
export const DEFAULT_DISTRIBUTION_POLICY: DistributionPolicy = Object.freeze({
  levels: Object.freeze([
    level('promoter', 0n, 0n, 0),
    level('team_lead', 500_000n, 2_000_000n, 10),
    level('regional_partner', 2_000_000n, 20_000_000n, 50),
    level('city_agent', 5_000_000n, 100_000_000n, 200),
  ]),
  maxCommissionLevels: 2,
  freezeDays: 30,
  returnWindowDays: 7,
  bindingMode: 'first',
  lastClickWindowDays: 30,
  selfPurchaseCommission: false,
  tiers: Object.freeze([
    Object.freeze({ tier: 'normal', minSpendFen: 0n, minInvites: 0, cashbackBps: 500 }),
    Object.freeze({ tier: 'silver', minSpendFen: 100_000n, minInvites: 1, cashbackBps: 800 }),
    Object.freeze({ tier: 'gold', minSpendFen: 500_000n, minInvites: 5, cashbackBps: 1200 }),
  ]),
  referralRewardBps: 800,
  points: Object.freeze({
    earnPointsPerFen: 1,
    spendPointsPerFen: 1,
    spendMaxOrderBps: 10_000,
    transferFeeBps: 100,
    retirementMode: 'burn',
    monthlyBurnBps: 500,
    expiryMonths: 12,
  }),
  supplier: Object.freeze({
    tokenEarnBps: 100,
    tokensPerFeeBps: 10_000n,
    platformFeeFloorBps: 500,
    redemptionDelayCycles: 1,
    ratingWindow: 20,
    ratingMinCount: 10,
    ratingThresholdTenths: 45,
    depositCutBps: 500,
  }),
  abuse: Object.freeze({ velocityWindowMinutes: 24 * 60, maxOrdersPerDevice: 3, maxOrdersPerIp: 5 }),
});

/** Bounds of the policy's durations and counts: generous, but a typo of three zeros is refused. */
export const DISTRIBUTION_POLICY_LIMITS = Object.freeze({
  freezeDaysMax: 365,
  returnWindowDaysMax: 365,
  lastClickWindowDaysMax: 365,
  pointsPerFenMax: 10_000,
  expiryMonthsMax: 120,
  redemptionDelayCyclesMax: 12,
  ratingWindowMax: 1000,
  velocityWindowMinutesMax: 30 * 24 * 60,
  maxOrdersPerWindowMax: 10_000,
  directMembersMax: 1_000_000,
});

const L = DISTRIBUTION_POLICY_LIMITS;
const POLICY_FIELDS = [
  'levels',
  'maxCommissionLevels',
  'freezeDays',
  'returnWindowDays',
  'bindingMode',
  'lastClickWindowDays',
  'selfPurchaseCommission',
  'tiers',
  'referralRewardBps',
  'points',
  'supplier',
  'abuse',
];
const LEVEL_FIELDS = ['level', 'minOwnSalesFen', 'minTeamSalesFen', 'minDirectMembers', 'commissionBps', 'overrideBps'];
const TIER_FIELDS = ['tier', 'minSpendFen', 'minInvites', 'cashbackBps'];
const POINTS_FIELDS = [
  'earnPointsPerFen',
  'spendPointsPerFen',
  'spendMaxOrderBps',
  'transferFeeBps',
  'retirementMode',
  'monthlyBurnBps',
  'expiryMonths',
];
const SUPPLIER_FIELDS = [
  'tokenEarnBps',
  'tokensPerFeeBps',
  'platformFeeFloorBps',
  'redemptionDelayCycles',
  'ratingWindow',
  'ratingMinCount',
  'ratingThresholdTenths',
  'depositCutBps',
];
const ABUSE_FIELDS = ['velocityWindowMinutes', 'maxOrdersPerDevice', 'maxOrdersPerIp'];

/**
 * Every problem with `input` as a distribution policy under `splitPolicy`, or none. Besides the
 * shape of each member: the ladders must start at 'promoter' / 'normal' with zero thresholds,
 * name each rung once in order (`invalid_ladder`), and never lower a threshold or a rate going
 * up (`ladder_not_monotonic`); a level's commission or override above the split policy's share
 * is `rate_exceeds_split_share`; more than two commission levels is `commission_depth_exceeded`;
 * an invalid split policy is `invalid_split_policy` (field `splitPolicy.…`).
 */
export function distributionPolicyIssues(
  input: unknown,
  splitPolicy: SplitPolicy,
  field = 'policy',
): DistributionIssue[] {
  const issues: DistributionIssue[] = [];
  readPolicy(input, splitPolicy, field, issues);
  return issues;
}

/**
 * Returns `input` as a clean, deeply frozen `DistributionPolicy` (amounts given as decimal text
 * become bigints; only the known members are copied) or throws a `DistributionError` listing
 * every issue (see `distributionPolicyIssues`).
 */
export function validateDistributionPolicy(
  input: unknown,
  splitPolicy: SplitPolicy,
  field = 'policy',
): DistributionPolicy {
  const issues: DistributionIssue[] = [];
  const policy = readPolicy(input, splitPolicy, field, issues);
  if (issues.length > 0 || policy === undefined) throw DistributionError.fromIssues(issues);
  return policy;
}

function readPolicy(
  input: unknown,
  splitPolicy: SplitPolicy,
  field: string,
  issues: DistributionIssue[],
): DistributionPolicy | undefined {
  const splitIssues = splitPolicyIssues(splitPolicy, 'splitPolicy');
  for (const issue of splitIssues) {
    issues.push({ code: 'invalid_split_policy', field: issue.field, message: issue.message });
  }
  const record = readObject(input, field, 'distribution policy', POLICY_FIELDS, issues);
  if (record === undefined) return undefined;
  const before = issues.length;
  const shares = splitIssues.length === 0 ? splitPolicy : undefined;

  const levels = member(record, 'levels', field, issues, (value, at) => readLevels(value, at, shares, issues));
  const depth = member(record, 'maxCommissionLevels', field, issues, readInteger(1, Number.MAX_SAFE_INTEGER));
  if (depth !== undefined && depth > 2) {
    issues.push({
      code: 'commission_depth_exceeded',
      field: `${field}.maxCommissionLevels`,
      message: 'at most two commission levels: the direct promoter and one upline (DESIGN §9)',
    });
  }
  const freezeDays = member(record, 'freezeDays', field, issues, readInteger(0, L.freezeDaysMax));
  const returnWindowDays = member(record, 'returnWindowDays', field, issues, readInteger(0, L.returnWindowDaysMax));
  const bindingMode = member(record, 'bindingMode', field, issues, readChoice(BINDING_MODES));
  const lastClickWindowDays = member(
    record,
    'lastClickWindowDays',
    field,
    issues,
    readInteger(1, L.lastClickWindowDaysMax),
  );
  const selfPurchaseCommission = member(record, 'selfPurchaseCommission', field, issues, readBoolean);
  const tiers = member(record, 'tiers', field, issues, (value, at) => readTiers(value, at, issues));
  const referralRewardBps = member(record, 'referralRewardBps', field, issues, readBps);
  const points = member(record, 'points', field, issues, (value, at) => readPoints(value, at, issues));
  const supplier = member(record, 'supplier', field, issues, (value, at) => readSupplier(value, at, issues));
  const abuse = member(record, 'abuse', field, issues, (value, at) => readAbuse(value, at, issues));

  if (issues.length > before || splitIssues.length > 0) return undefined;
  return Object.freeze({
    levels: levels!,
    maxCommissionLevels: depth as 1 | 2,
    freezeDays: freezeDays!,
    returnWindowDays: returnWindowDays!,
    bindingMode: bindingMode!,
    lastClickWindowDays: lastClickWindowDays!,
    selfPurchaseCommission: selfPurchaseCommission!,
    tiers: tiers!,
    referralRewardBps: referralRewardBps!,
    points: points!,
    supplier: supplier!,
    abuse: abuse!,
  });
}

function readList(
  value: unknown,
  field: string,
  what: string,
  maxItems: number,
  issues: DistributionIssue[],
): readonly unknown[] | undefined {
  if (!Array.isArray(value)) {
    issues.push({ code: 'not_an_array', field, message: `${what} must be a list` });
    return undefined;
  }
  if (value.length < 1 || value.length > maxItems) {
    issues.push({ code: 'invalid_ladder', field, message: `${what}: 1 to ${maxItems} rungs, not ${value.length}` });
    return undefined;
  }
  return value;
}

/**
 * Checks the order of a ladder's names: the first is `names[0]`, and each later rung stands
 * higher in `names` than the one before (which also refuses a repeated or unknown name).
 */
function ladderOrderIssues(
  rungs: readonly string[],
  names: readonly string[],
  field: string,
  key: string,
  issues: DistributionIssue[],
): void {
  if (rungs[0] !== names[0]) {
    issues.push({ code: 'invalid_ladder', field: `${field}[0].${key}`, message: `the ladder starts at '${names[0]}'` });
  }
  for (let index = 1; index < rungs.length; index++) {
    if (names.indexOf(rungs[index]!) <= names.indexOf(rungs[index - 1]!)) {
      issues.push({
        code: 'invalid_ladder',
        field: `${field}[${index}].${key}`,
        message: `rungs follow the order ${names.join(' → ')}, each at most once`,
      });
    }
  }
}

/** `ladder_not_monotonic` for each named member that goes down from one rung to the next. */
function monotonicIssues<T>(
  rungs: readonly T[],
  keys: readonly (keyof T & string)[],
  field: string,
  issues: DistributionIssue[],
): void {
  for (let index = 1; index < rungs.length; index++) {
    for (const key of keys) {
      const lower = rungs[index - 1]![key] as bigint | number;
      const higher = rungs[index]![key] as bigint | number;
      if (higher < lower) {
        issues.push({
          code: 'ladder_not_monotonic',
          field: `${field}[${index}].${key}`,
          message: `${key} cannot be lower than on the rung below (${lower})`,
        });
      }
    }
  }
}

/** The entry rung qualifies everyone: otherwise an approved promoter or a new member would hold no rung at all. */
function entryIssues<T>(entry: T, keys: readonly (keyof T & string)[], field: string, issues: DistributionIssue[]) {
  for (const key of keys) {
    const value = entry[key] as bigint | number;
    if (value !== 0 && value !== 0n) {
      issues.push({
        code: 'invalid_ladder',
        field: `${field}[0].${key}`,
        message: 'the entry rung has no threshold (0)',
      });
    }
  }
}

function readLevels(
  value: unknown,
  field: string,
  shares: SplitPolicy | undefined,
  issues: DistributionIssue[],
): readonly LevelRule[] | undefined {
  const items = readList(value, field, 'the levels', PROMOTER_LEVELS.length, issues);
  if (items === undefined) return undefined;
  const before = issues.length;
  const levels: LevelRule[] = [];
  items.forEach((item, index) => {
    const at = `${field}[${index}]`;
    const record = readObject(item, at, 'level', LEVEL_FIELDS, issues);
    if (record === undefined) return;
    const name = member(record, 'level', at, issues, readChoice(PROMOTER_LEVELS));
    const minOwnSalesFen = member(record, 'minOwnSalesFen', at, issues, readAmount);
    const minTeamSalesFen = member(record, 'minTeamSalesFen', at, issues, readAmount);
    const minDirectMembers = member(record, 'minDirectMembers', at, issues, readInteger(0, L.directMembersMax));
    const commissionBps = member(record, 'commissionBps', at, issues, readBps);
    const overrideBps = member(record, 'overrideBps', at, issues, readBps);
    if (shares !== undefined && commissionBps !== undefined && commissionBps > shares.promoterCommissionBps) {
      issues.push({
        code: 'rate_exceeds_split_share',
        field: `${at}.commissionBps`,
        message: `${commissionBps} bps is over the split policy's promoter commission share of ${shares.promoterCommissionBps}`,
      });
    }
    if (shares !== undefined && overrideBps !== undefined && overrideBps > shares.teamOverrideBps) {
      issues.push({
        code: 'rate_exceeds_split_share',
        field: `${at}.overrideBps`,
        message: `${overrideBps} bps is over the split policy's team override share of ${shares.teamOverrideBps}`,
      });
    }
    if (
      name === undefined ||
      minOwnSalesFen === undefined ||
      minTeamSalesFen === undefined ||
      minDirectMembers === undefined ||
      commissionBps === undefined ||
      overrideBps === undefined
    ) {
      return;
    }
    levels.push(
      Object.freeze({ level: name, minOwnSalesFen, minTeamSalesFen, minDirectMembers, commissionBps, overrideBps }),
    );
  });
  if (issues.length > before) return undefined;
  ladderOrderIssues(
    levels.map((rung) => rung.level),
    PROMOTER_LEVELS,
    field,
    'level',
    issues,
  );
  entryIssues(levels[0]!, ['minOwnSalesFen', 'minTeamSalesFen', 'minDirectMembers'], field, issues);
  monotonicIssues(
    levels,
    ['minOwnSalesFen', 'minTeamSalesFen', 'minDirectMembers', 'commissionBps', 'overrideBps'],
    field,
    issues,
  );
  return issues.length > before ? undefined : Object.freeze(levels);
}

function readTiers(value: unknown, field: string, issues: DistributionIssue[]): readonly TierRule[] | undefined {
  const items = readList(value, field, 'the tiers', MEMBERSHIP_TIERS.length, issues);
  if (items === undefined) return undefined;
  const before = issues.length;
  const tiers: TierRule[] = [];
  items.forEach((item, index) => {
    const at = `${field}[${index}]`;
    const record = readObject(item, at, 'tier', TIER_FIELDS, issues);
    if (record === undefined) return;
    const tier = member(record, 'tier', at, issues, readChoice(MEMBERSHIP_TIERS));
    const minSpendFen = member(record, 'minSpendFen', at, issues, readAmount);
    const minInvites = member(record, 'minInvites', at, issues, readInteger(0, L.directMembersMax));
    const cashbackBps = member(record, 'cashbackBps', at, issues, readBps);
    if (tier === undefined || minSpendFen === undefined || minInvites === undefined || cashbackBps === undefined) {
      return;
    }
    tiers.push(Object.freeze({ tier, minSpendFen, minInvites, cashbackBps }));
  });
  if (issues.length > before) return undefined;
  ladderOrderIssues(
    tiers.map((rung) => rung.tier),
    MEMBERSHIP_TIERS,
    field,
    'tier',
    issues,
  );
  entryIssues(tiers[0]!, ['minSpendFen', 'minInvites'], field, issues);
  monotonicIssues(tiers, ['minSpendFen', 'minInvites', 'cashbackBps'], field, issues);
  return issues.length > before ? undefined : Object.freeze(tiers);
}

function readPoints(value: unknown, field: string, issues: DistributionIssue[]): PointsPolicy | undefined {
  const record = readObject(value, field, 'points policy', POINTS_FIELDS, issues);
  if (record === undefined) return undefined;
  const before = issues.length;
  const perFen = readInteger(1, L.pointsPerFenMax);
  const points = {
    earnPointsPerFen: member(record, 'earnPointsPerFen', field, issues, perFen),
    spendPointsPerFen: member(record, 'spendPointsPerFen', field, issues, perFen),
    spendMaxOrderBps: member(record, 'spendMaxOrderBps', field, issues, readBps),
    transferFeeBps: member(record, 'transferFeeBps', field, issues, readBps),
    retirementMode: member(record, 'retirementMode', field, issues, readChoice(POINTS_RETIREMENT_MODES)),
    monthlyBurnBps: member(record, 'monthlyBurnBps', field, issues, readBps),
    expiryMonths: member(record, 'expiryMonths', field, issues, readInteger(1, L.expiryMonthsMax)),
  };
  if (points.transferFeeBps === 10_000) {
    // The whole amount as fee: every transfer would deliver nothing.
    issues.push({ code: 'invalid_bps', field: `${field}.transferFeeBps`, message: 'the fee must be under 10000 bps' });
  }
  return issues.length > before ? undefined : (Object.freeze(points) as PointsPolicy);
}

function readSupplier(value: unknown, field: string, issues: DistributionIssue[]): SupplierPolicy | undefined {
  const record = readObject(value, field, 'supplier policy', SUPPLIER_FIELDS, issues);
  if (record === undefined) return undefined;
  const before = issues.length;
  const supplier = {
    tokenEarnBps: member(record, 'tokenEarnBps', field, issues, readBps),
    tokensPerFeeBps: member(record, 'tokensPerFeeBps', field, issues, readAmount),
    platformFeeFloorBps: member(record, 'platformFeeFloorBps', field, issues, readBps),
    redemptionDelayCycles: member(
      record,
      'redemptionDelayCycles',
      field,
      issues,
      readInteger(1, L.redemptionDelayCyclesMax),
    ),
    ratingWindow: member(record, 'ratingWindow', field, issues, readInteger(1, L.ratingWindowMax)),
    ratingMinCount: member(record, 'ratingMinCount', field, issues, readInteger(1, L.ratingWindowMax)),
    ratingThresholdTenths: member(record, 'ratingThresholdTenths', field, issues, readInteger(10, 50)),
    depositCutBps: member(record, 'depositCutBps', field, issues, readBps),
  };
  if (supplier.tokensPerFeeBps === 0n) {
    issues.push({
      code: 'invalid_amount',
      field: `${field}.tokensPerFeeBps`,
      message: 'a bps of fee costs at least one token unit',
    });
  }
  if (
    supplier.ratingWindow !== undefined &&
    supplier.ratingMinCount !== undefined &&
    supplier.ratingMinCount > supplier.ratingWindow
  ) {
    issues.push({
      code: 'invalid_integer',
      field: `${field}.ratingMinCount`,
      message: `the minimum count cannot exceed the window of ${supplier.ratingWindow} ratings`,
    });
  }
  return issues.length > before ? undefined : (Object.freeze(supplier) as SupplierPolicy);
}

function readAbuse(value: unknown, field: string, issues: DistributionIssue[]): AbusePolicy | undefined {
  const record = readObject(value, field, 'abuse policy', ABUSE_FIELDS, issues);
  if (record === undefined) return undefined;
  const before = issues.length;
  const perWindow = readInteger(1, L.maxOrdersPerWindowMax);
  const abuse = {
    velocityWindowMinutes: member(
      record,
      'velocityWindowMinutes',
      field,
      issues,
      readInteger(1, L.velocityWindowMinutesMax),
    ),
    maxOrdersPerDevice: member(record, 'maxOrdersPerDevice', field, issues, perWindow),
    maxOrdersPerIp: member(record, 'maxOrdersPerIp', field, issues, perWindow),
  };
  return issues.length > before ? undefined : (Object.freeze(abuse) as AbusePolicy);
}
