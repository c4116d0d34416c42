import { allocate, splitByBps } from './allocate.js';
import { MoneyError } from './money-error.js';
import { SPLIT_SHARE_FIELDS, type SplitPolicy, type SplitShareField } from './split-policy.js';

export type SettlementShare =
  | 'experience_fee'
  | 'trust_fee'
  | 'promoter_commission'
  | 'team_override'
  | 'consumer_cashback'
  | 'platform_service_fee'
  | 'supplier';

/**
 * One movement of an order's settlement: `amountFen` of the paid amount to `party` (an id or DID,
 * or a pool such as 'pool:experience'), under the policy share that justifies it. A redirected
 * unused share keeps its own `share` name with the destination as `party`, so the ledger and the
 * auditor can still see why the supplier or the platform received it.
 */
export interface SettlementLeg {
  readonly share: SettlementShare;
  readonly party: string;
  readonly amountFen: bigint;
}

export const EXPERIENCE_POOL_PARTY = 'pool:experience';
export const TRUST_POOL_PARTY = 'pool:trust';

export interface OrderParties {
  readonly supplier: string;
  readonly platform: string;
  readonly buyer: string;
  /** The attributed promoter, if the buyer came through one. */
  readonly promoter?: string | undefined;
  /** The promoter's upline; ignored without a promoter (the override is earned on its sale). */
  readonly upline?: string | undefined;
  /** The cycle's pools, when the ledger keeps one per cycle; default to the shared pool names. */
  readonly experiencePool?: string | undefined;
  readonly trustPool?: string | undefined;
}

export interface SplitOrderInput {
  readonly paidFen: bigint;
  readonly policy: SplitPolicy;
  readonly parties: OrderParties;
}

const SHARE_OF_FIELD: Record<SplitShareField, SettlementShare> = {
  experienceFeeBps: 'experience_fee',
  trustFeeBps: 'trust_fee',
  promoterCommissionBps: 'promoter_commission',
  teamOverrideBps: 'team_override',
  consumerCashbackBps: 'consumer_cashback',
  platformServiceFeeBps: 'platform_service_fee',
};

/**
 * The legs of an order's settlement under `policy`: every share of `paidFen` as a leg, in the
 * order of `SPLIT_SHARE_FIELDS` with the supplier's rest last, zero legs left out. The shares are
 * cut together by `splitByBps`, so the legs sum to `paidFen` exactly and each is within one fen of
 * paidFen·bps/10000. A promoter commission without a promoter, and a team override without both a
 * promoter and an upline, go to `policy.unusedShareDestination`.
 *
 * Throws `MoneyError`: `invalid_amount` (paidFen negative), `invalid_party` (a required party
 * missing or empty), and the `splitByBps` errors for a policy built by hand that is not valid.
 */
export function splitOrder(input: SplitOrderInput): SettlementLeg[] {
  const { paidFen, policy, parties } = input;
  if (typeof paidFen !== 'bigint' || paidFen < 0n) {
    throw new MoneyError('invalid_amount', 'paidFen', 'the paid amount is a non-negative bigint of fen');
  }
  const supplier = requireParty(parties.supplier, 'parties.supplier');
  const platform = requireParty(parties.platform, 'parties.platform');
  const buyer = requireParty(parties.buyer, 'parties.buyer');
  const promoter = optionalParty(parties.promoter, 'parties.promoter');
  const upline = promoter === undefined ? undefined : optionalParty(parties.upline, 'parties.upline');
  const unusedTo = policy.unusedShareDestination === 'platform' ? platform : supplier;

  const partyOf: Record<SettlementShare, string> = {
    experience_fee: optionalParty(parties.experiencePool, 'parties.experiencePool') ?? EXPERIENCE_POOL_PARTY,
    trust_fee: optionalParty(parties.trustPool, 'parties.trustPool') ?? TRUST_POOL_PARTY,
    promoter_commission: promoter ?? unusedTo,
    team_override: upline ?? unusedTo,
    // Cashback reaches the buyer as points; the leg stays in fen so the legs balance the payment,
    // and the fen-to-points conversion happens where the points ledger is credited.
    consumer_cashback: buyer,
    platform_service_fee: platform,
    supplier,
  };

  const amountsFen = splitByBps(
    paidFen,
    SPLIT_SHARE_FIELDS.map((field) => policy[field]),
  );
  const shares: SettlementShare[] = [...SPLIT_SHARE_FIELDS.map((field) => SHARE_OF_FIELD[field]), 'supplier'];
  const legs: SettlementLeg[] = [];
  shares.forEach((share, index) => {
    const amountFen = amountsFen[index]!;
    if (amountFen !== 0n) legs.push({ share, party: partyOf[share], amountFen });
  });
  return legs;
}

/** The legs that undo `legs` entirely: every amount negated, same order (a full refund after settlement). */
export function reverseLegs(legs: readonly SettlementLeg[]): SettlementLeg[] {
  return legs.map((leg) => ({ share: leg.share, party: leg.party, amountFen: -leg.amountFen }));
}

/**
 * The reversal legs of a partial refund of `refundFen` after settlement: the refund is taken from
 * the legs in proportion to their amounts by `allocate`, so the reversals sum to −refundFen
 * exactly, follow the legs' order (zero reversals left out), and none exceeds its leg — each is
 * within one fen of the exact proportion, which never rounds past the leg itself.
 *
 * For a second partial refund pass what is left, `netLegs([...originalLegs, ...earlierReversals])`:
 * refunding against the original legs again could take the same rounding fen from one leg twice.
 *
 * Throws `MoneyError`: `invalid_leg` (a negative leg amount), `invalid_amount` (refundFen
 * negative), `refund_exceeds_remaining` (refundFen over the legs' total).
 */
export function splitRefund(originalLegs: readonly SettlementLeg[], refundFen: bigint): SettlementLeg[] {
  if (typeof refundFen !== 'bigint' || refundFen < 0n) {
    throw new MoneyError('invalid_amount', 'refundFen', 'the refund is a non-negative bigint of fen');
  }
  let remainingFen = 0n;
  originalLegs.forEach((leg, index) => {
    if (typeof leg.amountFen !== 'bigint' || leg.amountFen < 0n) {
      throw new MoneyError('invalid_leg', `legs.${index}.amountFen`, 'a leg to refund must be a non-negative amount');
    }
    remainingFen += leg.amountFen;
  });
  if (refundFen > remainingFen) {
    throw new MoneyError(
      'refund_exceeds_remaining',
      'refundFen',
      `the refund of ${refundFen} fen exceeds the ${remainingFen} fen left to refund`,
    );
  }
  if (refundFen === 0n) return [];
  const takenFen = allocate(
    refundFen,
    originalLegs.map((leg) => leg.amountFen),
  );
  const reversals: SettlementLeg[] = [];
  originalLegs.forEach((leg, index) => {
    const amountFen = takenFen[index]!;
    if (amountFen !== 0n) reversals.push({ share: leg.share, party: leg.party, amountFen: -amountFen });
  });
  return reversals;
}

/**
 * Sums legs by (share, party), keeping the order of first appearance and leaving out the legs
 * that net to zero: the settlement as it stands after earlier reversals.
 */
export function netLegs(legs: readonly SettlementLeg[]): SettlementLeg[] {
  const byKey = new Map<string, SettlementLeg>();
  for (const leg of legs) {
    // JSON of the pair cannot collide, whatever characters a party id contains.
    const key = JSON.stringify([leg.share, leg.party]);
    const seen = byKey.get(key);
    byKey.set(key, { share: leg.share, party: leg.party, amountFen: (seen?.amountFen ?? 0n) + leg.amountFen });
  }
  return [...byKey.values()].filter((leg) => leg.amountFen !== 0n);
}

function requireParty(party: string | undefined, field: string): string {
  const present = optionalParty(party, field);
  if (present === undefined) throw new MoneyError('invalid_party', field, 'the party is required');
  return present;
}

function optionalParty(party: string | undefined, field: string): string | undefined {
  if (party === undefined) return undefined;
  if (typeof party !== 'string' || party.length === 0) {
    throw new MoneyError('invalid_party', field, 'a party is a non-empty id');
  }
  return party;
}
