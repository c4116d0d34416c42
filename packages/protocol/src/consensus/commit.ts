import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalBytes } from '../canonical/canonicalize.js';
import type { ClaimValue } from '../commerce/claims.js';
import { QUALITY_MODEL_LIMITS } from '../commerce/quality-model.js';
import { fromHex, toHex } from '../encoding/bytes.js';
import { byId, checkCount, checkDistinct, checkId, checkList } from './checks.js';
import { ConsensusError, type ConsensusIssue } from './consensus-error.js';
import { CONSENSUS_LIMITS } from './limits.js';

/**
 * Commit–reveal (DESIGN §8.3): a tester first publishes H(report ‖ salt), and only after the
 * commit deadline reveals the report and the salt. Nobody can copy a report they have not seen,
 * and once reports are visible it is too late to commit. The salt (≥ 16 random bytes) keeps a
 * commitment from being brute-forced: a boolean measurement alone would have two possible hashes.
 *
 * The committed payload names its round and its author (`round`, and `tester` or `juror`), so a
 * commitment copied from another tester, or from another round, can never be revealed as one's
 * own: the author would differ and so would the hash.
 */

export const SALT_BYTES_MIN = 16;
export const SALT_BYTES_MAX = 64;
const HASH_HEX = /^[0-9a-f]{64}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const VALUE_CHARS_MAX = QUALITY_MODEL_LIMITS.gradeCharsMax;

/** A tester's report: what it measured, the evidence, and what it has to say. */
export interface TestReport {
  readonly round: string;
  readonly tester: string;
  /** Attribute key → measured value (number, boolean, or grade label, as in the claims). */
  readonly values: Readonly<Record<string, ClaimValue>>;
  /** SHA-256 of each evidence file (photos, lab sheets), 64 lowercase hex digits each. */
  readonly evidence: readonly string[];
  /** Free text, at most 5000 characters. */
  readonly text: string;
}

/**
 * The commitment to `payload`: hex SHA-256 of canonicalBytes(payload) ‖ salt bytes. Canonical
 * JSON makes it independent of member order and spelling of the same value.
 * Throws `ConsensusError` `invalid_salt` (not 16–64 bytes of hex) and `invalid_report` (a payload
 * canonical JSON cannot hold).
 */
export function commitOf(payload: unknown, saltHex: string): string {
  const salt = saltBytes(saltHex);
  let body: Uint8Array;
  try {
    body = canonicalBytes(payload);
  } catch (error) {
    throw new ConsensusError('invalid_report', 'payload', `not canonical JSON: ${(error as Error).message}`);
  }
  const message = new Uint8Array(body.length + salt.length);
  message.set(body);
  message.set(salt, body.length);
  return toHex(sha256(message));
}

/** The commitment to a report (checked first: `invalid_report` lists what is wrong). */
export function reportCommit(report: TestReport, saltHex: string): string {
  return commitOf(validateReport(report), saltHex);
}

/**
 * Whether `payload` and `saltHex` open `commit`. Never throws: a malformed commit, salt or
 * payload simply does not open it.
 */
export function verifyReveal(commit: string, payload: unknown, saltHex: string): boolean {
  if (typeof commit !== 'string' || !HASH_HEX.test(commit)) return false;
  try {
    return commitOf(payload, saltHex) === commit;
  } catch {
    return false;
  }
}

/** Every problem with `input` as a test report, or none. */
export function reportIssues(input: unknown, field = 'report'): ConsensusIssue[] {
  const issues: ConsensusIssue[] = [];
  const bad = (at: string, message: string) => issues.push({ code: 'invalid_report', field: at, message });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    bad(field, 'a report is an object');
    return issues;
  }
  const report = input as Record<string, unknown>;
  for (const key of Object.keys(report)) {
    if (!['round', 'tester', 'values', 'evidence', 'text'].includes(key)) bad(`${field}.${key}`, 'unknown member');
  }
  for (const key of ['round', 'tester'] as const) {
    try {
      checkId(report[key], `${field}.${key}`);
    } catch (error) {
      bad(`${field}.${key}`, (error as Error).message);
    }
  }
  const values = report.values;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    bad(`${field}.values`, 'values is an object of attribute key → measured value');
  } else {
    const entries = Object.entries(values);
    if (entries.length > QUALITY_MODEL_LIMITS.attributesMax) {
      bad(`${field}.values`, `at most ${QUALITY_MODEL_LIMITS.attributesMax} values`);
    }
    for (const [key, value] of entries) {
      const ok =
        (typeof value === 'number' && Number.isFinite(value)) ||
        typeof value === 'boolean' ||
        (typeof value === 'string' && value.length <= VALUE_CHARS_MAX && !LONE_SURROGATE.test(value));
      if (!ok) bad(`${field}.values.${key}`, 'a value is a finite number, a boolean or a grade label');
    }
  }
  const evidence = report.evidence;
  if (!Array.isArray(evidence) || evidence.length > CONSENSUS_LIMITS.evidenceMax) {
    bad(`${field}.evidence`, `evidence is a list of at most ${CONSENSUS_LIMITS.evidenceMax} file hashes`);
  } else {
    evidence.forEach((hash, index) => {
      if (typeof hash !== 'string' || !HASH_HEX.test(hash)) {
        bad(`${field}.evidence[${index}]`, 'an evidence hash is 64 lowercase hex digits (SHA-256)');
      }
    });
  }
  const text = report.text;
  if (typeof text !== 'string' || text.length > CONSENSUS_LIMITS.reportTextCharsMax || LONE_SURROGATE.test(text)) {
    bad(`${field}.text`, `the text is a string of at most ${CONSENSUS_LIMITS.reportTextCharsMax} characters`);
  }
  return issues;
}

/** Returns `input` as a report, or throws `ConsensusError` `invalid_report` listing every issue. */
export function validateReport(input: unknown, field = 'report'): TestReport {
  const issues = reportIssues(input, field);
  if (issues.length > 0) throw ConsensusError.fromIssues(issues);
  return input as TestReport;
}

/**
 * What became of one participant's commitment:
 * - `valid`: committed by the commit deadline, and revealed a matching payload after the commit
 *   deadline and by the reveal deadline;
 * - `mismatch`: revealed, but nothing revealed opens the commitment (or names another round or
 *   author, or is not a well-formed payload);
 * - `early`: the only matching reveal came before the commit deadline, when others could still
 *   copy it — so it does not count, which makes revealing early pointless;
 * - `late`: committed only after the commit deadline, or revealed only after the reveal deadline;
 * - `missing`: never committed, or committed and never revealed.
 * Only `valid` counts as revealed; every other status is "not revealed" for the tally and the
 * rewards.
 */
export type RevealStatus = 'valid' | 'mismatch' | 'early' | 'late' | 'missing';

/**
 * Whether a reveal's status `next` outranks the status kept so far (`null`: none yet), as
 * `classifyReveals` ranks a participant's reveals: one valid reveal makes the participant valid,
 * else one late, else one early; mismatches count only when nothing opens the commit. A store
 * that keeps one reveal per participant keeps the best, so it says what the rule says of all.
 */
export function outranks(next: RevealStatus, kept: RevealStatus | null): boolean {
  return kept === null || REVEAL_RANK[next] > REVEAL_RANK[kept];
}

const REVEAL_RANK: Record<RevealStatus, number> = { missing: 0, mismatch: 1, early: 2, late: 3, valid: 4 };

export interface CommitRecord {
  readonly participant: string;
  readonly commit: string;
  /** When the log received it, Unix milliseconds. */
  readonly atMs: number;
}

export interface RevealRecord<T> {
  readonly participant: string;
  readonly payload: T;
  readonly salt: string;
  readonly atMs: number;
}

export interface RevealInput<T> {
  readonly round: string;
  /** Those drawn for the round: everyone else's commits and reveals are ignored. */
  readonly participants: readonly string[];
  readonly commits: readonly CommitRecord[];
  readonly reveals: readonly RevealRecord<T>[];
  readonly commitDeadlineMs: number;
  readonly revealDeadlineMs: number;
}

export interface RevealOutcome<T> {
  readonly participant: string;
  readonly status: RevealStatus;
  /** The commitment that counted (the earliest one by the deadline), or null. */
  readonly commit: string | null;
  /** The revealed payload when `valid`, else null. */
  readonly payload: T | null;
}

/**
 * Classifies every participant's commit and reveal (see `RevealStatus`), in participant-id order.
 * A participant's earliest commitment made by the commit deadline is the one that counts (a
 * later one cannot replace it); any reveal that opens it inside the reveal window makes it valid.
 * `authorKey` names the payload member that must equal the participant ('tester' for reports,
 * 'juror' for votes); the payload's `round` must equal `round`. Never throws on what the
 * participants sent, so a replay of any log can classify it.
 *
 * Throws `ConsensusError` only for the caller's inputs: `invalid_deadline` (not integers, or the
 * reveal deadline not after the commit deadline), `invalid_id`, `duplicate_id`, `too_many`.
 */
export function classifyReveals<T>(
  input: RevealInput<T>,
  authorKey: string,
  isWellFormed: (payload: unknown) => boolean = () => true,
): RevealOutcome<T>[] {
  const round = checkId(input.round, 'round');
  const commitDeadlineMs = checkCount(input.commitDeadlineMs, 'commitDeadlineMs', 0, Number.MAX_SAFE_INTEGER);
  const revealDeadlineMs = checkCount(input.revealDeadlineMs, 'revealDeadlineMs', 0, Number.MAX_SAFE_INTEGER);
  if (revealDeadlineMs <= commitDeadlineMs) {
    throw new ConsensusError('invalid_deadline', 'revealDeadlineMs', 'the reveal deadline comes after the commit one');
  }
  const participants = checkList(input.participants, 'participants', CONSENSUS_LIMITS.panelMax).map((id, index) =>
    checkId(id, `participants[${index}]`),
  );
  checkDistinct(participants, 'participants');
  const commits = checkList(input.commits, 'commits', CONSENSUS_LIMITS.panelMax * 4);
  const reveals = checkList(input.reveals, 'reveals', CONSENSUS_LIMITS.panelMax * 4);

  const commitsOf = groupBy(commits);
  const revealsOf = groupBy(reveals);
  return [...participants].sort(byId).map((participant): RevealOutcome<T> => {
    const own = (commitsOf.get(participant) ?? []).filter(isTimed);
    const inTime = own
      .filter((record) => record.atMs <= commitDeadlineMs && typeof record.commit === 'string')
      .sort((a, b) => a.atMs - b.atMs || byId(a.commit, b.commit));
    const counted = inTime[0];
    if (counted === undefined) {
      return { participant, status: own.length > 0 ? 'late' : 'missing', commit: null, payload: null };
    }
    const opened = (revealsOf.get(participant) ?? []).filter(isTimed);
    const matching = opened
      .filter((reveal) => opens(counted.commit, reveal, round, participant, authorKey, isWellFormed))
      .sort((a, b) => a.atMs - b.atMs);
    const inWindow = matching.find((reveal) => reveal.atMs > commitDeadlineMs && reveal.atMs <= revealDeadlineMs);
    if (inWindow !== undefined) {
      return { participant, status: 'valid', commit: counted.commit, payload: inWindow.payload };
    }
    let status: RevealStatus = 'missing';
    if (matching.some((reveal) => reveal.atMs > revealDeadlineMs)) status = 'late';
    else if (matching.length > 0) status = 'early';
    else if (opened.length > 0) status = 'mismatch';
    return { participant, status, commit: counted.commit, payload: null };
  });
}

/** `classifyReveals` for test reports: the author is `tester`, and a report must be well formed. */
export function classifyReportReveals(input: RevealInput<TestReport>): RevealOutcome<TestReport>[] {
  return classifyReveals(input, 'tester', (payload) => reportIssues(payload).length === 0);
}

function opens<T>(
  commit: string,
  reveal: RevealRecord<T>,
  round: string,
  participant: string,
  authorKey: string,
  isWellFormed: (payload: unknown) => boolean,
): boolean {
  const payload = reveal.payload as unknown;
  if (typeof payload !== 'object' || payload === null) return false;
  const record = payload as Record<string, unknown>;
  if (record.round !== round || record[authorKey] !== participant) return false;
  return isWellFormed(payload) && verifyReveal(commit, payload, reveal.salt);
}

function isTimed(record: { atMs: unknown }): boolean {
  return typeof record.atMs === 'number' && Number.isSafeInteger(record.atMs);
}

function groupBy<R extends { participant: string }>(records: readonly R[]): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const record of records) {
    const list = groups.get(record.participant);
    if (list === undefined) groups.set(record.participant, [record]);
    else list.push(record);
  }
  return groups;
}

function saltBytes(saltHex: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromHex(saltHex);
  } catch {
    throw new ConsensusError('invalid_salt', 'salt', 'a salt is hex');
  }
  if (bytes.length < SALT_BYTES_MIN || bytes.length > SALT_BYTES_MAX) {
    throw new ConsensusError('invalid_salt', 'salt', `a salt is ${SALT_BYTES_MIN}–${SALT_BYTES_MAX} bytes`);
  }
  return bytes;
}
