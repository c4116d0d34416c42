// The least any outside verifier of the log must do per entry, alone in a loop on this thread:
// parse the envelope, check that the entry is its canonical form, hash the leaf, import the
// signer's key and verify the signature. No download, no tree, no schema, no replay checks: the
// ceiling of `concord verify` against the bare verify rate.
import {
  canonicalBytes,
  checkEnvelopeShape,
  leafHash,
  nodeCrypto,
  signingBytesOfCanonical,
  utf8Decode,
  verifyEnvelope,
} from '../../packages/protocol/dist/node.js';

/** Entries per second over `entries` (canonical envelope bytes, each signer's key new to the loop). */
export function singleCoreEntryMinimumRate(entries, seconds = 2) {
  const one = (entry) => {
    const envelope = checkEnvelopeShape(JSON.parse(utf8Decode(entry)));
    if (canonicalBytes(envelope).length !== entry.length) throw new Error('not canonical');
    leafHash(nodeCrypto, entry);
    const result = verifyEnvelope(envelope, nodeCrypto, signingBytesOfCanonical(entry, envelope.sig));
    if (!result.ok) throw new Error(result.message);
  };
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  let count = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) one(entries[(count + i) % entries.length]);
    count += 100;
  }
  return count / ((performance.now() - start) / 1000);
}
