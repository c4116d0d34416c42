import type { TestReport } from '@concord/protocol';

/**
 * A committed report and its secret salt, kept in this browser until the reveal: the salt never
 * leaves it before then (the commit is only their hash). Keyed by tester and round. Clearing the
 * browser's data loses it, and without it the commit cannot be opened: the download is the backup.
 */
export interface SavedReport {
  report: TestReport;
  salt: string;
  commit: string;
  savedAt: string;
}

const PREFIX = 'concord.testReport';
const keyOf = (did: string, roundId: string) => `${PREFIX}.${did}.${roundId}`;

export function loadReport(did: string, roundId: string): SavedReport | null {
  try {
    const text = globalThis.localStorage?.getItem(keyOf(did, roundId));
    if (!text) return null;
    const saved = JSON.parse(text) as SavedReport;
    return typeof saved.salt === 'string' && typeof saved.commit === 'string' ? saved : null;
  } catch {
    return null;
  }
}

export function saveReport(did: string, roundId: string, saved: SavedReport): void {
  globalThis.localStorage.setItem(keyOf(did, roundId), JSON.stringify(saved));
}

/** The saved report as a file the tester keeps elsewhere (and can load back here). */
export function downloadReport(roundId: string, saved: SavedReport): void {
  const blob = new Blob([JSON.stringify({ roundId, ...saved }, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `concord-report-${roundId}.json`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/** Reads a backup file back: it must be for this round and tester. */
export async function readBackup(file: File, did: string, roundId: string): Promise<SavedReport> {
  const parsed = JSON.parse(await file.text()) as SavedReport & { roundId?: string };
  if (parsed.roundId !== roundId || parsed.report?.tester !== did || typeof parsed.salt !== 'string') {
    throw new Error('backup');
  }
  return { report: parsed.report, salt: parsed.salt, commit: parsed.commit, savedAt: parsed.savedAt };
}

/** Forgets a report whose commit the server refused (it was never recorded): the next try makes a new one. */
export function forgetReport(did: string, roundId: string): void {
  globalThis.localStorage?.removeItem(keyOf(did, roundId));
}
