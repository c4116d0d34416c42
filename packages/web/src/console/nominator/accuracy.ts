import type { RoundSummary, Tally, TallyResult } from './queries';

/** Each tester's accuracy in the latest decided round of `category` they revealed in (0–1). */
export function latestAccuracy(rounds: RoundSummary[], tallies: Tally[], category: string): Map<string, number> {
  const byRound = new Map(rounds.map((round) => [round.id, round]));
  const found = new Map<string, { at: string; accuracy: number }>();
  for (const tally of tallies) {
    const round = byRound.get(tally.roundId);
    if (round?.category !== category) continue;
    const at = tally.decidedAt ?? round.revealDeadline;
    const last = tally.tallies.at(-1)?.result as TallyResult | undefined;
    for (const entry of last?.accuracies ?? []) {
      const seen = found.get(entry.tester);
      if (seen === undefined || seen.at < at) found.set(entry.tester, { at, accuracy: entry.accuracy });
    }
  }
  return new Map([...found].map(([did, { accuracy }]) => [did, accuracy]));
}
