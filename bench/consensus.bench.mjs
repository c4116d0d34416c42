// Experience consensus at scale (issue 7): the tally of one round with 10,000 revealed reports ×
// 20 attributes (goal < 100 ms), and sequential Phragmén over Kusama-sized nominations —
// 22,500 nominators × 16 votes over 1,000 candidates electing 300 (goal < 5 s; Polkadot's Rust
// implementation with balancing takes ~5 s). Inputs come from a seeded PRNG, so every run
// measures the same work.
import { resultDigest, seqPhragmen, tallyRound } from '../packages/protocol/dist/index.js';
import { median, report } from './lib.mjs';

const TALLY_GOAL_MS = 100;
const ELECTION_GOAL_MS = 5_000;

/** mulberry32: small, fast and seeded. */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GRADES = ['特级', '一级', '二级', '三级', '合格'];

/** 20 attributes like a food model's: 14 numeric, 3 boolean, 3 graded; 5 mandatory. */
function benchModel() {
  return Array.from({ length: 20 }, (_, i) => {
    const kind = i < 14 ? 'numeric' : i < 17 ? 'boolean' : 'grade';
    return {
      key: `attribute_${i}`,
      label: { zh: `指标${i}`, en: `Attribute ${i}` },
      unit: kind === 'numeric' ? 'g/100g' : '',
      kind,
      ...(kind === 'numeric' ? { min: 0, max: 100 } : {}),
      ...(kind === 'grade' ? { grades: GRADES } : {}),
      tolerance: kind === 'numeric' ? 0.5 : kind === 'grade' ? 1 : 0,
      weight: 10 + 20 * i,
      mandatory: i % 4 === 0,
      testMethod: 'GB 5009',
    };
  });
}

/** A round: honest noisy testers, a tenth of them far off, weights spread over two orders. */
function tallyInput(reportsCount, random) {
  const attributes = benchModel();
  const truth = attributes.map((a) =>
    a.kind === 'numeric' ? 10 + random() * 80 : a.kind === 'boolean' ? true : '一级',
  );
  const claims = Object.fromEntries(attributes.map((a, i) => [a.key, truth[i]]));
  const reports = Array.from({ length: reportsCount }, (_, r) => {
    const wild = random() < 0.1;
    const values = {};
    attributes.forEach((a, i) => {
      if (a.kind === 'numeric') values[a.key] = truth[i] + (random() - 0.5) * (wild ? 10 : 0.4);
      else if (a.kind === 'boolean') values[a.key] = wild ? random() < 0.5 : true;
      else values[a.key] = GRADES[wild ? Math.floor(random() * GRADES.length) : 1];
    });
    return { tester: `did:key:z6Mk${r.toString(36).padStart(8, '0')}`, weight: 1 + random() * random() * 100, values };
  });
  return { attributes, claims, reports, drawnCount: reportsCount };
}

/** Kusama-like nominations: popular candidates get more votes; stakes are heavy-tailed. */
function electionInput(voters, candidates, votesPerVoter, random) {
  const ids = Array.from({ length: candidates }, (_, c) => `validator-${c.toString().padStart(4, '0')}`);
  return {
    candidates: ids,
    voters: Array.from({ length: voters }, (_, v) => {
      const votes = new Set();
      while (votes.size < votesPerVoter) votes.add(ids[Math.floor(candidates * random() ** 1.5)]);
      // Pareto-like stake (α ≈ 1.2) from 10 units up, in units of 10¹⁰ plancks.
      const units = Math.floor(10 / (1 - random()) ** (1 / 1.2));
      return {
        id: `nominator-${v.toString().padStart(6, '0')}`,
        stakeFen: BigInt(units) * 10_000_000_000n,
        votes: [...votes],
      };
    }),
  };
}

function time(fn) {
  const start = performance.now();
  const result = fn();
  return { ms: performance.now() - start, result };
}

export async function run({ quick = false } = {}) {
  const sizes = quick
    ? { reports: 2_000, tallyRuns: 7, voters: 2_250, candidates: 100, toElect: 30, electionRuns: 3 }
    : { reports: 10_000, tallyRuns: 15, voters: 22_500, candidates: 1_000, toElect: 300, electionRuns: 3 };

  const tally = tallyInput(sizes.reports, prng(7));
  for (let i = 0; i < 3; i++) tallyRound(tally); // warm-up: the JIT, not the figure
  const tallySamples = [];
  let tallyResult;
  for (let i = 0; i < sizes.tallyRuns; i++) {
    const { ms, result } = time(() => tallyRound(tally));
    tallySamples.push(ms);
    tallyResult = result;
  }
  const tallyMs = median(tallySamples);
  console.log(
    `  tally ${sizes.reports.toLocaleString('en-US')} reports × 20 attributes   median ${tallyMs.toFixed(1)} ms ` +
      `(min ${Math.min(...tallySamples).toFixed(1)}, max ${Math.max(...tallySamples).toFixed(1)}) ` +
      `goal < ${TALLY_GOAL_MS} ms: ${tallyMs < TALLY_GOAL_MS ? 'met' : 'NOT met'}`,
  );

  const election = electionInput(sizes.voters, sizes.candidates, 16, prng(11));
  const electionSamples = [];
  let electionResult;
  for (let i = 0; i < sizes.electionRuns; i++) {
    const { ms, result } = time(() => seqPhragmen({ ...election, toElect: sizes.toElect }));
    electionSamples.push(ms);
    electionResult = result;
  }
  const electionMs = median(electionSamples);
  if (electionResult.elected.length !== sizes.toElect) throw new Error('the election did not fill every seat');
  console.log(
    `  seq-Phragmén ${sizes.voters.toLocaleString('en-US')} voters × 16 votes, ${sizes.candidates} candidates → ${sizes.toElect}` +
      `   median ${electionMs.toFixed(0)} ms (samples ${electionSamples.map((ms) => ms.toFixed(0)).join(', ')}) ` +
      `goal < ${ELECTION_GOAL_MS} ms: ${electionMs < ELECTION_GOAL_MS ? 'met' : 'NOT met'}`,
  );

  return report(quick ? 'consensus-quick' : 'consensus', {
    tally: {
      reports: sizes.reports,
      attributes: 20,
      runs: sizes.tallyRuns,
      medianMs: tallyMs,
      samplesMs: tallySamples,
      goalMs: TALLY_GOAL_MS,
      goalMet: tallyMs < TALLY_GOAL_MS,
      decision: tallyResult.decision,
      verdict: tallyResult.verdict,
      resultDigest: resultDigest(tallyResult),
    },
    election: {
      voters: sizes.voters,
      votesPerVoter: 16,
      candidates: sizes.candidates,
      toElect: sizes.toElect,
      runs: sizes.electionRuns,
      medianMs: electionMs,
      samplesMs: electionSamples,
      goalMs: ELECTION_GOAL_MS,
      goalMet: electionMs < ELECTION_GOAL_MS,
      resultDigest: resultDigest(electionResult),
    },
  });
}
