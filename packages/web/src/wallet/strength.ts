/**
 * A rough passphrase strength from 0 (too weak) to 4 (strong): length first, then variety, less
 * for the obvious (one repeated character, a run like 12345678, a common word).
 */
const COMMON = /^(password|passw0rd|qwerty|iloveyou|admin|welcome|abc123|woaini|wodemima|1q2w3e4r|aaaaaaaa)/i;

const RUNS = ['01234567890', '9876543210', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnm'];

export function passphraseStrength(passphrase: string): 0 | 1 | 2 | 3 | 4 {
  const length = Array.from(passphrase).length;
  if (length < 8) return 0;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(passphrase)).length;
  const distinct = new Set(passphrase).size;
  const lower = passphrase.toLowerCase();
  if (distinct <= 2 || RUNS.some((run) => run.includes(lower)) || COMMON.test(passphrase)) return 1;
  let score = 1;
  if (length >= 12) score += 1;
  if (length >= 16) score += 1;
  if (classes >= 3 || (classes >= 2 && length >= 12) || /\s/.test(passphrase.trim())) score += 1;
  if (distinct < 6) score -= 1;
  return Math.max(1, Math.min(4, score)) as 1 | 2 | 3 | 4;
}
