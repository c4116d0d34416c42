/** Hashes, keys, DIDs and signatures: monospace, and broken anywhere so they never overflow a phone. */
export const MONO = {
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  wordBreak: 'break-all' as const,
};
