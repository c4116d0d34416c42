import {
  type Claims,
  type CompletedTest,
  type Envelope,
  experiencePower,
  type JuryStakes,
  type Nomination,
  type PhragmenResult,
  type QualityModelDefinition,
  type RevealStatus,
  type RewardTester,
  type TestReport,
  validateClaims,
  validateQualityModel,
} from '@concord/protocol';
import { type ConsensusPolicy, caseIdOf, GENESIS_ROUND } from '@concord/server';

/**
 * The state the consensus rules read, rebuilt from the log alone: who holds the tester role and
 * since when (a tester's approval is their first experience), the candidates and nominations,
 * the elected panels, the rounds with their drawn testers, commits and reveals, the completed
 * tests behind experience power, and what the conflicts of interest need (products, their
 * producers, promoters' share links). It mirrors the server's tables as each envelope's handler
 * left them; consensus-results.ts recomputes the published results from it.
 */

/** A drawn tester of a round, as a tally reads them (protocol `DrawnTester`, kept up to date). */
export interface Seat {
  tester: string;
  stage: number;
  weight: number;
  commit: string | null;
  committedAtMs: number | null;
  report: TestReport | null;
  salt: string | null;
  revealedAtMs: number | null;
  revealStatus: RevealStatus | null;
}

export interface ReplayRound {
  id: string;
  productId: string;
  producer: string;
  category: string;
  modelKey: string;
  cycle: number;
  stage: number;
  checkpointRoot: string;
  commitDeadlineMs: number;
  revealDeadlineMs: number;
  status: 'open' | 'decided' | 'inconclusive';
  seats: Map<string, Seat>;
}

export interface ReplayProduct {
  producer: string;
  category: string;
  modelKey: string;
  claims: Claims;
}

export interface ReplayPanel {
  result: PhragmenResult;
  electedAtMs: number;
}

/** An appeal case as its jury draws read it. */
export interface ReplayCase {
  roundId: string;
  appellants: Set<string>;
  /** When each instance was filed: experience is weighed as of then. */
  filedAtMs: Map<number, number>;
  /** Jurors of the instances drawn so far. */
  jurors: Set<string>;
  /** The stakes each drawn instance's jurors serve with, as the replay computed them at the draw. */
  stakes: Map<number, JuryStakes>;
}

export const modelKeyOf = (id: string, version: number) => `${id}#${version}`;
export const panelKeyOf = (cycle: number, category: string) => `${cycle}\n${category}`;

export class ConsensusState {
  private readonly roles = new Map<string, Set<string>>();
  /** Completed tests by tester, then by round: one per (tester, round), the first recorded. */
  private readonly tests = new Map<string, Map<string, CompletedTest>>();
  /** category → candidate → commission (bps). */
  readonly candidates = new Map<string, Map<string, number>>();
  readonly nominations = new Map<string, { targets: string[]; stakeFen: bigint }>();
  readonly panels = new Map<string, ReplayPanel>();
  readonly rounds = new Map<string, ReplayRound>();
  /** A decided round's reward inputs as the replay computed them (what a settlement cycle reruns). */
  readonly rewardInputs = new Map<string, readonly RewardTester[]>();
  /** Products as last published (settlement-cycles.ts reads, at each order placed, whose model its items use). */
  readonly products = new Map<string, ReplayProduct>();
  /** Appeal cases by case id (server `caseIdOf`). */
  readonly cases = new Map<string, ReplayCase>();
  readonly models = new Map<string, QualityModelDefinition>();
  /** modelKey → the expert who published it (tied to any case about a product using it). */
  readonly modelExperts = new Map<string, string>();
  /** producer → promoters who earn from it (a shop link, or a product link of its products). */
  private readonly promoters = new Map<string, Set<string>>();
  /** `${producer}\n${cycle}` → tester → times drawn for that producer's rounds in the cycle. */
  private readonly drawnFor = new Map<string, Map<string, number>>();

  constructor(private readonly policy: ConsensusPolicy) {}

  /**
   * Takes in what an accepted envelope changed outside the published results (those are
   * consensus-results.ts's). Bodies are the server's validated ones; a body the server could
   * not have accepted throws, and the caller reports it.
   */
  fold(envelope: Envelope): void {
    const body: unknown = envelope.body;
    const atMs = Date.parse(envelope.ts);
    switch (envelope.type) {
      case 'identity.role.approved': {
        const { account, role } = body as { account: string; role: string };
        const held = this.roles.get(account) ?? new Set();
        held.add(role);
        this.roles.set(account, held);
        // The approval stands for one accurate test (server consensus/experience.ts).
        if (role === 'tester') this.recordTest(account, GENESIS_ROUND, this.genesis(atMs));
        return;
      }
      case 'identity.role.revoked': {
        const { account, role } = body as { account: string; role: string };
        this.roles.get(account)?.delete(role);
        return;
      }
      case 'catalog.model.published': {
        const { modelId, version, definition } = body as { modelId: string; version: number; definition: unknown };
        this.models.set(modelKeyOf(modelId, version), validateQualityModel(definition, 'definition'));
        this.modelExperts.set(modelKeyOf(modelId, version), envelope.actor);
        return;
      }
      case 'catalog.product.published': {
        const { productId, category, model, claims } = body as {
          productId: string;
          category: string;
          model: { id: string; version: number };
          claims: unknown;
        };
        const modelKey = modelKeyOf(model.id, model.version);
        const definition = this.models.get(modelKey);
        if (definition === undefined)
          throw new Error(`product ${productId} claims against ${modelKey}, never published`);
        const producer = this.products.get(productId)?.producer ?? envelope.actor;
        this.products.set(productId, {
          producer,
          category,
          modelKey,
          claims: validateClaims(definition, claims, 'claims'),
        });
        return;
      }
      case 'distribution.link.created': {
        const link = body as { kind: string; productId?: string; producer?: string };
        const producer =
          link.kind === 'shop'
            ? link.producer
            : link.kind === 'product'
              ? this.products.get(link.productId ?? '')?.producer
              : undefined;
        if (producer === undefined) return;
        const owners = this.promoters.get(producer) ?? new Set();
        owners.add(envelope.actor);
        this.promoters.set(producer, owners);
        return;
      }
      case 'consensus.candidate.declared': {
        const { category, commissionBps } = body as { category: string; commissionBps: number };
        const standing = this.candidates.get(category) ?? new Map();
        standing.set(envelope.actor, commissionBps);
        this.candidates.set(category, standing);
        return;
      }
      case 'consensus.candidate.withdrawn':
        this.candidates.get((body as { category: string }).category)?.delete(envelope.actor);
        return;
      case 'consensus.nomination.set': {
        const { targets, stakePoints } = body as { targets: string[]; stakePoints: string };
        this.nominations.set(envelope.actor, { targets, stakeFen: BigInt(stakePoints) });
        return;
      }
      case 'consensus.appeal.filed': {
        const { roundId, instance } = body as { roundId: string; instance: number };
        const caseId = caseIdOf(roundId);
        const found = this.cases.get(caseId) ?? {
          roundId,
          appellants: new Set(),
          filedAtMs: new Map(),
          jurors: new Set(),
          stakes: new Map(),
        };
        found.appellants.add(envelope.actor);
        found.filedAtMs.set(instance, atMs);
        this.cases.set(caseId, found);
        return;
      }
      case 'consensus.stake.unlocked': {
        const nomination = this.nominations.get(envelope.actor);
        if (nomination !== undefined) nomination.stakeFen -= BigInt((body as { amountPoints: string }).amountPoints);
        return;
      }
      default:
        return;
    }
  }

  private genesis(atMs: number): CompletedTest {
    return { accuracy: this.policy.genesisAccuracy, penalty: 0, completedAtMs: atMs };
  }

  /** Records a completed test; a second one of the same tester and round is ignored, as the server does. */
  recordTest(tester: string, roundId: string, test: CompletedTest): void {
    const byRound = this.tests.get(tester) ?? new Map<string, CompletedTest>();
    if (!byRound.has(roundId)) byRound.set(roundId, test);
    this.tests.set(tester, byRound);
  }

  /** Each tester's experience power at `atMs`, from the tests completed by then. */
  experience(testers: readonly string[], atMs: number): Map<string, number> {
    const power = new Map<string, number>();
    for (const tester of testers) {
      const done = [...(this.tests.get(tester)?.values() ?? [])].filter((test) => test.completedAtMs <= atMs);
      power.set(
        tester,
        done.length === 0 ? 0 : experiencePower(done, { nowMs: atMs, halfLifeDays: this.policy.halfLifeDays }),
      );
    }
    return power;
  }

  /** Everyone holding any of `roles` now, with the roles they hold. */
  holders(roles: readonly string[]): { did: string; roles: string[] }[] {
    return [...this.roles].flatMap(([did, held]) => {
      const wanted = roles.filter((role) => held.has(role));
      return wanted.length === 0 ? [] : [{ did, roles: wanted }];
    });
  }

  /** The declared candidates of `category` who hold the tester role now. */
  eligibleCandidates(category: string): string[] {
    return [...(this.candidates.get(category)?.keys() ?? [])].filter((did) => this.roles.get(did)?.has('tester'));
  }

  /** Staked nominations, as an election or a round's backing reads them. */
  stakedNominations(): Nomination[] {
    return [...this.nominations].map(([nominator, n]) => ({ nominator, targets: n.targets, stakeFen: n.stakeFen }));
  }

  /** Takes up to `amountFen` out of a nominator's stake (a slash); returns what it took. */
  slash(party: string, amountFen: bigint): bigint {
    const nomination = this.nominations.get(party);
    const staked = nomination?.stakeFen ?? 0n;
    const taken = amountFen < staked ? amountFen : staked;
    if (nomination !== undefined) nomination.stakeFen -= taken;
    return taken;
  }

  /** Who may not test `producer`'s products in `cycle` (server consensus/draw.ts `conflictsOf`). */
  conflicts(producer: string, cycle: number): Set<string> {
    const excluded = new Set([producer, ...(this.promoters.get(producer) ?? [])]);
    for (const [tester, times] of this.drawnFor.get(`${producer}\n${cycle}`) ?? []) {
      if (times >= this.policy.maxTestsPerProducerPerCycle) excluded.add(tester);
    }
    return excluded;
  }

  /** Seats `tester` in `round` at its current stage with the weight drawn. */
  seat(round: ReplayRound, tester: string, weight: number): void {
    round.seats.set(tester, {
      tester,
      stage: round.stage,
      weight,
      commit: null,
      committedAtMs: null,
      report: null,
      salt: null,
      revealedAtMs: null,
      revealStatus: null,
    });
    const key = `${round.producer}\n${round.cycle}`;
    const counts = this.drawnFor.get(key) ?? new Map<string, number>();
    counts.set(tester, (counts.get(tester) ?? 0) + 1);
    this.drawnFor.set(key, counts);
  }
}
