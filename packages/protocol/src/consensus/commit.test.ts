import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { canonicalize } from '../canonical/canonicalize.js';
import { fromHex, toHex, utf8Encode } from '../encoding/bytes.js';
import { caught } from './consensus.test-helper.js';
import {
  type CommitRecord,
  classifyReportReveals,
  commitOf,
  type RevealRecord,
  reportCommit,
  reportIssues,
  type TestReport,
  verifyReveal,
} from './index.js';

const SALT = '5a'.repeat(16);
const EVIDENCE = toHex(sha256(utf8Encode('lab sheet')));
const report = (tester: string, moisture = 6.2, round = 'round-1'): TestReport => ({
  round,
  tester,
  values: { moisture, pesticide_free: true, grade: '一级' },
  evidence: [EVIDENCE],
  text: '实测水分与标称一致',
});

describe('reportCommit and verifyReveal', () => {
  it('is SHA-256 of the canonical report followed by the salt bytes', () => {
    const r = report('alice');
    const bytes = [...utf8Encode(canonicalize(r)), ...fromHex(SALT)];
    expect(reportCommit(r, SALT)).toBe(toHex(sha256(Uint8Array.from(bytes))));
  });

  it('does not depend on member order, and opens only with the same report and salt', () => {
    const r = report('alice');
    const commit = reportCommit(r, SALT);
    const reordered = {
      text: r.text,
      evidence: r.evidence,
      values: { grade: '一级', pesticide_free: true, moisture: 6.2 },
    };
    expect(verifyReveal(commit, { ...reordered, tester: 'alice', round: 'round-1' }, SALT)).toBe(true);
    expect(verifyReveal(commit, report('alice', 6.3), SALT)).toBe(false);
    expect(verifyReveal(commit, report('bob'), SALT)).toBe(false);
    expect(verifyReveal(commit, report('alice', 6.2, 'round-2'), SALT)).toBe(false);
    expect(verifyReveal(commit, r, '5b'.repeat(16))).toBe(false);
    // Malformed things never open anything, and never throw.
    expect(verifyReveal('not a hash', r, SALT)).toBe(false);
    expect(verifyReveal(commit.toUpperCase(), r, SALT)).toBe(false);
    expect(verifyReveal(commit, r, 'xyz')).toBe(false);
    expect(verifyReveal(commit, { bad: Number.NaN }, SALT)).toBe(false);
  });

  it('needs a salt of 16–64 bytes, so a boolean report cannot be brute-forced', () => {
    expect(caught(() => reportCommit(report('a'), '00'.repeat(15))).code).toBe('invalid_salt');
    expect(caught(() => reportCommit(report('a'), '00'.repeat(65))).code).toBe('invalid_salt');
    expect(caught(() => commitOf({}, 'not hex')).code).toBe('invalid_salt');
  });

  it('checks the report shape', () => {
    expect(reportIssues(report('a'))).toEqual([]);
    const bad = { ...report('a'), values: { m: Number.POSITIVE_INFINITY }, evidence: ['abc'], text: 5, extra: 1 };
    expect(reportIssues(bad).map((issue) => issue.field)).toEqual([
      'report.extra',
      'report.values.m',
      'report.evidence[0]',
      'report.text',
    ]);
    expect(caught(() => reportCommit(bad as unknown as TestReport, SALT)).code).toBe('invalid_report');
  });
});

describe('classifyReportReveals', () => {
  const commitDeadlineMs = 1_000;
  const revealDeadlineMs = 2_000;
  const commitBy = (participant: string, r: TestReport, atMs = 500, salt = SALT): CommitRecord => ({
    participant,
    commit: reportCommit(r, salt),
    atMs,
  });
  const revealBy = (participant: string, r: TestReport, atMs = 1_500, salt = SALT): RevealRecord<TestReport> => ({
    participant,
    payload: r,
    salt,
    atMs,
  });
  const classify = (participants: string[], commits: CommitRecord[], reveals: RevealRecord<TestReport>[]) =>
    Object.fromEntries(
      classifyReportReveals({
        round: 'round-1',
        participants,
        commits,
        reveals,
        commitDeadlineMs,
        revealDeadlineMs,
      }).map((o) => [o.participant, o.status]),
    );

  it('tells valid, mismatched, early, late and missing reveals apart', () => {
    const statuses = classify(
      ['valid', 'mismatch', 'early', 'lateCommit', 'lateReveal', 'neverRevealed', 'neverCommitted'],
      [
        commitBy('valid', report('valid')),
        commitBy('mismatch', report('mismatch')),
        commitBy('early', report('early')),
        commitBy('lateCommit', report('lateCommit'), 1_001),
        commitBy('lateReveal', report('lateReveal')),
        commitBy('neverRevealed', report('neverRevealed')),
      ],
      [
        revealBy('valid', report('valid')),
        revealBy('mismatch', report('mismatch', 7.5)),
        revealBy('early', report('early'), 999),
        revealBy('lateCommit', report('lateCommit')),
        revealBy('lateReveal', report('lateReveal'), 2_001),
        revealBy('neverCommitted', report('neverCommitted')),
      ],
    );
    expect(statuses).toEqual({
      valid: 'valid',
      mismatch: 'mismatch',
      early: 'early',
      lateCommit: 'late',
      lateReveal: 'late',
      neverRevealed: 'missing',
      neverCommitted: 'missing',
    });
  });

  it('makes copying impossible: a copied commitment cannot be revealed as one’s own', () => {
    const alice = report('alice', 6.2);
    const aliceCommit = commitBy('alice', alice);
    // Bob publishes Alice's commitment as his, then reveals her report and salt once she has.
    const statuses = classify(
      ['alice', 'bob', 'carol'],
      [aliceCommit, { ...aliceCommit, participant: 'bob' }],
      [
        revealBy('alice', alice),
        revealBy('bob', alice, 1_600),
        revealBy('bob', { ...alice, tester: 'bob' }, 1_700),
        // Carol never committed; copying the revealed values now is too late.
        revealBy('carol', { ...alice, tester: 'carol' }, 1_800),
      ],
    );
    expect(statuses).toEqual({ alice: 'valid', bob: 'mismatch', carol: 'missing' });
  });

  it('counts the earliest commitment in time; a later one cannot replace it', () => {
    const first = report('alice', 6.2);
    const second = report('alice', 9.9);
    const outcomes = classifyReportReveals({
      round: 'round-1',
      participants: ['alice'],
      commits: [commitBy('alice', second, 800), commitBy('alice', first, 100)],
      reveals: [revealBy('alice', second), revealBy('alice', first, 1_900)],
      commitDeadlineMs,
      revealDeadlineMs,
    });
    expect(outcomes).toEqual([
      { participant: 'alice', status: 'valid', commit: reportCommit(first, SALT), payload: first },
    ]);
  });

  it('ignores those not drawn and reports participants in id order', () => {
    const outcomes = classifyReportReveals({
      round: 'round-1',
      participants: ['zoe', 'adam'],
      commits: [commitBy('mallory', report('mallory'))],
      reveals: [revealBy('mallory', report('mallory'))],
      commitDeadlineMs,
      revealDeadlineMs,
    });
    expect(outcomes.map((o) => [o.participant, o.status])).toEqual([
      ['adam', 'missing'],
      ['zoe', 'missing'],
    ]);
  });

  it('refuses deadlines in the wrong order', () => {
    expect(
      caught(() =>
        classifyReportReveals({
          round: 'r',
          participants: [],
          commits: [],
          reveals: [],
          commitDeadlineMs: 5,
          revealDeadlineMs: 5,
        }),
      ).code,
    ).toBe('invalid_deadline');
  });
});
