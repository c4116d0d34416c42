import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '../crypto/noble.js';
import { fromBase64, toBase64, utf8Decode } from '../encoding/bytes.js';
import { nodeCrypto } from '../node.js';
import {
  CheckpointError,
  COSIGNATURE_V1_HEADER,
  cosignatureKeyId,
  cosignatureMessage,
  cosignatureNoteVerifier,
  cosignCheckpoint,
  ed25519NoteVerifier,
  formatCheckpoint,
  formatCosignatureVerifierKey,
  formatKeyId,
  NoteError,
  noteVerifierFromKey,
  openNote,
  parseCosignatureVerifierKey,
  parseNote,
  parseSignatureLine,
  signNote,
  splitCosignatures,
  verifyCosignature,
} from './index.js';

// c2sp.org/tlog-cosignature: the example cosigned checkpoint and the example signed message.
const SPEC_COSIGNED = `example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==
`;
const SPEC_MESSAGE = `cosignature/v1
time 1679315147
example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
`;
const SPEC_TEXT = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
// transparency-dev/formats tests: a cosignature/v1 verifier key, and a timestamped signature.
const REMORA_VKEY = 'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2';
const TIMESTAMPED_SIG =
  'ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==';

const crypto = nodeCrypto;
const witness = { name: 'witness.example/w1', secretKey: new Uint8Array(32).fill(5) };
const witnessKey = { name: witness.name, publicKey: crypto.ed25519.publicKey(witness.secretKey) };
const log = { name: 'example.com/behind-the-sofa', secretKey: new Uint8Array(32).fill(6) };
const logKey = { name: log.name, publicKey: crypto.ed25519.publicKey(log.secretKey) };

const readTimestamp = (base64: string): bigint => new DataView(fromBase64(base64).buffer).getBigUint64(4);

describe('cosignature/v1: spec examples', () => {
  it('builds the signed message of the spec byte for byte', () => {
    expect(COSIGNATURE_V1_HEADER).toBe('cosignature/v1\n');
    expect(utf8Decode(cosignatureMessage(SPEC_TEXT, 1679315147))).toBe(SPEC_MESSAGE);
  });

  it('reads the example cosignature: key ID ‖ timestamp 1679315147 (the example message) ‖ 64-byte signature', () => {
    const { text, signatures } = parseNote(SPEC_COSIGNED);
    expect(text).toBe(SPEC_TEXT);
    const cosignature = signatures[1];
    expect(cosignature?.name).toBe('witness.example.com/w1');
    expect(cosignature && formatKeyId(cosignature.keyId)).toBe('8d66cf3f');
    expect(cosignature?.signature).toHaveLength(72);
    expect(readTimestamp(cosignature?.base64 ?? '')).toBe(1679315147n);
    expect(readTimestamp(TIMESTAMPED_SIG)).toBe(1727964367n);
  });

  it('computes and formats 0x04 verifier keys (transparency-dev vector)', () => {
    const remora = parseCosignatureVerifierKey(crypto, REMORA_VKEY);
    expect(cosignatureKeyId(crypto, remora.name, remora.publicKey)).toBe(0xda77ade7);
    expect(formatCosignatureVerifierKey(crypto, remora)).toBe(REMORA_VKEY);
    expect(noteVerifierFromKey(crypto, REMORA_VKEY).keyId).toBe(0xda77ade7);
  });
});

describe('cosignature/v1: cosign and verify', () => {
  it('cosigns identically with Node crypto and noble; each verifies the other', () => {
    const byNode = cosignCheckpoint(nodeCrypto, witness, SPEC_TEXT, 1679315147);
    const byNoble = cosignCheckpoint(nobleCrypto, witness, SPEC_TEXT, 1679315147);
    expect(byNoble).toBe(byNode);
    expect(byNode.startsWith('— witness.example/w1 ')).toBe(true);
    expect(byNode.endsWith('\n')).toBe(false);
    expect(verifyCosignature(nobleCrypto, witnessKey, SPEC_TEXT, byNode)).toEqual({ ok: true, timestamp: 1679315147 });
    expect(verifyCosignature(nodeCrypto, witnessKey, SPEC_TEXT, `${byNoble}\n`)).toEqual({
      ok: true,
      timestamp: 1679315147,
    });
  });

  it('lays the signature out as key ID (type 0x04) ‖ uint64 big-endian timestamp ‖ Ed25519 over the message', () => {
    const line = parseSignatureLine(cosignCheckpoint(crypto, witness, SPEC_TEXT, 1679315147));
    expect(line.keyId).toBe(cosignatureKeyId(crypto, witness.name, witnessKey.publicKey));
    expect(readTimestamp(line.base64)).toBe(1679315147n);
    const ed25519 = line.signature.slice(8);
    expect(crypto.ed25519.verify(ed25519, cosignatureMessage(SPEC_TEXT, 1679315147), witnessKey.publicKey)).toBe(true);
    // Not a plain note signature: the type byte and the message differ.
    expect(crypto.ed25519.verify(ed25519, new TextEncoder().encode(SPEC_TEXT), witnessKey.publicKey)).toBe(false);
  });

  it('signs extension lines too', () => {
    const text = `${SPEC_TEXT}extension\n`;
    const line = cosignCheckpoint(crypto, witness, text, 10);
    expect(verifyCosignature(crypto, witnessKey, text, line).ok).toBe(true);
    expect(verifyCosignature(crypto, witnessKey, `${SPEC_TEXT}extensioN\n`, line)).toMatchObject({
      ok: false,
      code: 'bad_signature',
    });
    expect(verifyCosignature(crypto, witnessKey, SPEC_TEXT, line)).toMatchObject({ ok: false, code: 'bad_signature' });
  });

  it('answers, never throws, for anything wrong', () => {
    const line = cosignCheckpoint(crypto, witness, SPEC_TEXT, 1679315147);
    const parsed = parseSignatureLine(line);
    const bytes = fromBase64(parsed.base64);
    const withBytes = (b: Uint8Array) => `— ${witness.name} ${toBase64(b)}`;
    const hugeTimestamp = bytes.slice();
    hugeTimestamp.set([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 4);
    const otherTime = bytes.slice();
    otherTime[11] = (otherTime[11] ?? 0) ^ 1;
    const cases: [string, string, string][] = [
      ['malformed_line', SPEC_TEXT, 'garbage'],
      ['malformed_line', SPEC_TEXT, line.replace('— ', '- ')],
      ['malformed_line', SPEC_TEXT, withBytes(bytes.slice(0, 75))], // truncated
      ['malformed_line', SPEC_TEXT, withBytes(new Uint8Array([...bytes, 0]))],
      ['other_key', SPEC_TEXT, line.replace(witness.name, 'witness.example/w2')],
      ['other_key', SPEC_TEXT, withBytes(new Uint8Array([bytes[0]! ^ 1, ...bytes.slice(1)]))],
      ['bad_timestamp', SPEC_TEXT, withBytes(hugeTimestamp)],
      ['bad_signature', SPEC_TEXT, withBytes(otherTime)],
      ['bad_checkpoint', 'not a checkpoint\n', line],
      ['bad_checkpoint', SPEC_TEXT.replace('20852163', '020852163'), line],
      ['bad_signature', SPEC_TEXT.replace('20852163', '20852164'), line],
    ];
    for (const [code, text, candidate] of cases) {
      expect(verifyCosignature(crypto, witnessKey, text, candidate), `${code} ${candidate}`).toMatchObject({
        ok: false,
        code,
      });
    }
    expect(verifyCosignature(crypto, { name: 'a b', publicKey: witnessKey.publicKey }, SPEC_TEXT, line)).toMatchObject({
      ok: false,
      code: 'bad_key',
    });
    expect(verifyCosignature(crypto, { name: witness.name, publicKey: new Uint8Array(3) }, SPEC_TEXT, line).ok).toBe(
      false,
    );
    expect(verifyCosignature(crypto, witnessKey, SPEC_TEXT, undefined as unknown as string).ok).toBe(false);
  });

  it('refuses to cosign non-checkpoints, bad timestamps and bad signers', () => {
    expect(() => cosignCheckpoint(crypto, witness, 'hello\n', 1)).toThrow(CheckpointError);
    expect(() => cosignCheckpoint(crypto, witness, SPEC_TEXT, -1)).toThrow(RangeError);
    expect(() => cosignCheckpoint(crypto, witness, SPEC_TEXT, 1.5)).toThrow(RangeError);
    expect(() => cosignCheckpoint(crypto, witness, SPEC_TEXT, 2 ** 53)).toThrow(RangeError);
    expect(() => cosignCheckpoint(crypto, { ...witness, name: 'a+b' }, SPEC_TEXT, 1)).toThrow(NoteError);
    expect(() => cosignCheckpoint(crypto, { ...witness, secretKey: new Uint8Array(31) }, SPEC_TEXT, 1)).toThrow(
      NoteError,
    );
  });

  it('fails verification after any tampering with the checkpoint text or the line', () => {
    const text = formatCheckpoint({ origin: 'example.com/log', size: 1234, rootHash: new Uint8Array(32).fill(8) });
    const line = cosignCheckpoint(crypto, witness, text, 1700000000);
    const replacement = fc.constantFrom('\n', ' ', '—', 'A', 'a', '0', '1', '+', '/', '=', 'é');
    const tamper = (s: string) =>
      fc
        .tuple(fc.nat(s.length - 1), replacement)
        .map(([i, c]) => s.slice(0, i) + c + s.slice(i + 1))
        .filter((t) => t !== s);
    fc.assert(
      fc.property(tamper(text), (changed) => {
        expect(verifyCosignature(crypto, witnessKey, changed, line).ok).toBe(false);
      }),
      { numRuns: 150 },
    );
    fc.assert(
      fc.property(tamper(line), (changed) => {
        expect(verifyCosignature(crypto, witnessKey, text, changed).ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});

describe('cosigned checkpoint notes', () => {
  const text = formatCheckpoint({
    origin: log.name,
    size: 20852163,
    rootHash: fromBase64('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I='),
  });
  const signed = signNote(crypto, text, [log]);
  const cosignature = cosignCheckpoint(crypto, witness, text, 1679315147);
  const served = `${signed}${cosignature}\n`;

  it('opens with the log key and the witness key as note verifiers', () => {
    const logVerifier = ed25519NoteVerifier(crypto, logKey);
    const witnessVerifier = cosignatureNoteVerifier(crypto, witnessKey);
    const opened = openNote(crypto, served, [logVerifier, witnessVerifier]);
    expect(opened.verified.map((s) => s.name)).toEqual([log.name, witness.name]);
    // A verifier built from the key strings behaves the same.
    const fromStrings = [
      noteVerifierFromKey(
        crypto,
        `${log.name}+${formatKeyId(logVerifier.keyId)}+${toBase64(new Uint8Array([1, ...logKey.publicKey]))}`,
      ),
      noteVerifierFromKey(crypto, formatCosignatureVerifierKey(crypto, witnessKey)),
    ];
    expect(openNote(crypto, served, fromStrings).verified).toHaveLength(2);
    // The witness key alone suffices for a client that trusts only witnesses.
    expect(openNote(crypto, served, [witnessVerifier]).unknown.map((s) => s.name)).toEqual([log.name]);
  });

  it('rejects the note when a known cosigner signature fails', () => {
    const bytes = fromBase64(parseSignatureLine(cosignature).base64);
    bytes[11] = (bytes[11] ?? 0) ^ 1; // another timestamp under the same Ed25519 signature
    const forged = `${signed}— ${witness.name} ${toBase64(bytes)}\n`;
    expect(() => openNote(crypto, forged, [cosignatureNoteVerifier(crypto, witnessKey)])).toThrow(
      expect.objectContaining({ code: 'invalid_signature' }),
    );
    // A cosignature is not a plain Ed25519 signature of the same key under type 0x01.
    expect(() => openNote(crypto, served, [ed25519NoteVerifier(crypto, witnessKey)])).toThrow(
      expect.objectContaining({ code: 'unverified_note' }),
    );
  });

  it('splits a served note into log signature lines and cosignature lines', () => {
    const other = { name: 'witness.example/w2', publicKey: crypto.ed25519.publicKey(new Uint8Array(32).fill(7)) };
    const split = splitCosignatures(crypto, served, [witnessKey, other]);
    expect(split.text).toBe(text);
    expect(split.logSignatures).toEqual([signed.slice(text.length + 1, -1)]);
    expect(split.cosignatures).toEqual([cosignature]);
    // Unknown witnesses stay with the rest; the spec example splits the same way.
    expect(splitCosignatures(crypto, served, [other]).cosignatures).toEqual([]);
    const spec = splitCosignatures(crypto, SPEC_COSIGNED, []);
    expect(spec.logSignatures).toHaveLength(2);
    expect(`${spec.text}\n${spec.logSignatures.map((l) => `${l}\n`).join('')}`).toBe(SPEC_COSIGNED);
    expect(() => splitCosignatures(crypto, text, [])).toThrow(NoteError);
  });
});
