import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleCrypto } from '../crypto/noble.js';
import { fromBase64, toBase64, toHex, utf8Encode } from '../encoding/bytes.js';
import { nodeCrypto } from '../node.js';
import {
  ed25519NoteVerifier,
  NOTE_MAX_SIGNATURES,
  NoteError,
  type NoteErrorCode,
  openNote,
  parseNote,
  parseSignatureLine,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from './index.js';

// golang.org/x/mod/sumdb/note: documentation example and TestSign/TestOpen vectors.
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

// c2sp.org/signed-note: the example note (its verifier key is not published).
const SPEC_NOTE = `Ognuno sta solo sul cuor della terra
trafitto da un raggio di sole:

ed è subito sera.

— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=
`;

const crypto = nodeCrypto;
const peter = ed25519NoteVerifier(crypto, parseVerifierKey(crypto, PETER_VKEY));
const enoch = ed25519NoteVerifier(crypto, parseVerifierKey(crypto, ENOCH_VKEY));
const peterSigner = parseSignerKey(crypto, PETER_SKEY);

function noteErrorCode(fn: () => unknown): NoteErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(NoteError);
    return (error as NoteError).code;
  }
  return undefined;
}

describe('signed notes: reference vectors', () => {
  it.each([nodeCrypto, nobleCrypto])('signs the Go example byte for byte ($name)', (provider) => {
    expect(signNote(provider, TEXT, [peterSigner])).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it.each([nodeCrypto, nobleCrypto])('opens the Go example with its verifier key ($name)', (provider) => {
    const opened = openNote(provider, `${TEXT}\n${PETER_SIG}`, [peter]);
    expect(opened.text).toBe(TEXT);
    expect(opened.verified.map((s) => [s.name, s.keyId])).toEqual([['PeterNeumann', 0xc74f20a3]]);
    expect(opened.unknown).toEqual([]);
  });

  it('verifies the doubly signed Go example, and ignores the signature of an unknown key', () => {
    const note = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    const both = openNote(crypto, note, [peter, enoch]);
    expect(both.verified.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot']);
    const one = openNote(crypto, note, [peter]);
    expect(one.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(one.unknown.map((s) => [s.name, s.keyId])).toEqual([['EnochRoot', 0xaf0cfe78]]);
    expect(noteErrorCode(() => openNote(crypto, note, []))).toBe('unverified_note');
    // Bytes work as well as strings.
    expect(openNote(crypto, utf8Encode(note), [enoch]).verified.map((s) => s.name)).toEqual(['EnochRoot']);
  });

  it('parses the signed-note spec example: text up to the last blank line, one signature line', () => {
    const parsed = parseNote(SPEC_NOTE);
    expect(parsed.text).toBe(
      'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n',
    );
    expect(parsed.signatures).toHaveLength(1);
    const [signature] = parsed.signatures;
    expect(signature?.name).toBe('quasimodo.example/salvatore');
    expect(signature?.keyId).toBe(0x367ba04b);
    expect(signature?.signature).toHaveLength(64);
    // Without the (unpublished) key it cannot be trusted: the spec says such a note MUST be rejected.
    expect(noteErrorCode(() => openNote(crypto, SPEC_NOTE, [peter]))).toBe('unverified_note');
  });

  it('ignores signatures that share only the name or only the key ID of a known key', () => {
    const otherKey = ed25519NoteVerifier(crypto, { name: 'PeterNeumann', publicKey: new Uint8Array(32).fill(9) });
    expect(noteErrorCode(() => openNote(crypto, `${TEXT}\n${PETER_SIG}`, [otherKey]))).toBe('unverified_note');
    const renamed = { ...peter, name: 'CarmenSandiego' };
    expect(noteErrorCode(() => openNote(crypto, `${TEXT}\n${PETER_SIG}`, [renamed]))).toBe('unverified_note');
  });

  it('lists repeated signatures once, like Go', () => {
    const mangledEnoch = `${ENOCH_SIG.slice(0, 60)}ABCD${ENOCH_SIG.slice(60)}`;
    const opened = openNote(crypto, `${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${mangledEnoch}`, [
      peter,
    ]);
    expect(opened.verified).toHaveLength(1);
    expect(opened.unknown.map((s) => s.base64)).toEqual([
      ENOCH_SIG.slice(12, -1),
      `${ENOCH_SIG.slice(12, 60)}ABCD${ENOCH_SIG.slice(60, -1)}`,
    ]);
  });
});

describe('signed notes: rejections', () => {
  it('rejects a bad signature from a known key, even next to a good one', () => {
    const bad = `${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(noteErrorCode(() => openNote(crypto, `${TEXT}\n${bad}`, [peter]))).toBe('invalid_signature');
    expect(noteErrorCode(() => openNote(crypto, `${TEXT}\n${PETER_SIG}${bad}`, [peter]))).toBe('invalid_signature');
    expect(noteErrorCode(() => openNote(crypto, `${TEXT.replace('answer', 'Answer')}\n${PETER_SIG}`, [peter]))).toBe(
      'invalid_signature',
    );
    const truncated = parseSignatureLine(PETER_SIG);
    const shortLine = `— PeterNeumann ${toBase64(fromBase64(truncated.base64).slice(0, 67))}\n`;
    expect(noteErrorCode(() => openNote(crypto, `${TEXT}\n${shortLine}`, [peter]))).toBe('invalid_signature');
  });

  it('rejects malformed notes (Go bad messages and more)', () => {
    const cases: (string | Uint8Array)[] = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\u0001${TEXT}\n${PETER_SIG}`,
      `\t${TEXT}\n${PETER_SIG}`,
      `${TEXT.replace('\n', '\r\n')}\n${PETER_SIG}`,
      new Uint8Array([0xff, ...utf8Encode(`${TEXT}\n${PETER_SIG}`)]),
      `\ud800${TEXT}\n${PETER_SIG}`,
      `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
      `${TEXT}\n${PETER_SIG}\n`,
      `${TEXT}${PETER_SIG}`, // missing blank line
      `${TEXT}\n${PETER_SIG.replace('—', '-')}`, // hyphen instead of em dash
      `${TEXT}\n${PETER_SIG.replace('—', '–')}`, // en dash
      `${TEXT}\n${PETER_SIG.replace('— ', '—')}`,
      `${TEXT}\n${PETER_SIG.replace('— ', '—  ')}`,
      `${TEXT}\n${PETER_SIG.replace('PeterNeumann ', 'PeterNeumann  ')}`,
      `${TEXT}\n${PETER_SIG.replace('=\n', '= \n')}`,
      `${TEXT}\n${PETER_SIG.replace('AM=\n', 'AN=\n')}`, // non-canonical base64
      `${TEXT}\n${PETER_SIG.replace('=\n', '\n')}`, // unpadded
      `${TEXT}\n— PeterNeumann AAAAAA==\n`, // key ID only
      `${TEXT}\n— PeterNeumann \n`,
      `${TEXT}\n— +Peter x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      `${TEXT}\n${PETER_SIG.repeat(NOTE_MAX_SIGNATURES + 1)}`,
      '',
    ];
    for (const note of cases) {
      expect(noteErrorCode(() => openNote(crypto, note, [peter]))).toBe('malformed_note');
    }
  });

  it('accepts up to the signature cap, and at least the 16 the spec requires', () => {
    expect(NOTE_MAX_SIGNATURES).toBeGreaterThanOrEqual(16);
    expect(openNote(crypto, `${TEXT}\n${PETER_SIG.repeat(NOTE_MAX_SIGNATURES)}`, [peter]).verified).toHaveLength(1);
  });

  it('reports two configured keys with the same name and key ID only when a signature names them', () => {
    expect(noteErrorCode(() => openNote(crypto, `${TEXT}\n${PETER_SIG}`, [peter, enoch, peter]))).toBe('ambiguous_key');
    expect(openNote(crypto, `${TEXT}\n${ENOCH_SIG}`, [peter, enoch, peter]).verified).toHaveLength(1);
  });

  it('refuses to sign what would not be a valid note', () => {
    const signer = peterSigner;
    expect(noteErrorCode(() => signNote(crypto, 'no newline', [signer]))).toBe('malformed_note');
    expect(noteErrorCode(() => signNote(crypto, 'tab\there\n', [signer]))).toBe('malformed_note');
    expect(noteErrorCode(() => signNote(crypto, 'cr\r\n', [signer]))).toBe('malformed_note');
    expect(noteErrorCode(() => signNote(crypto, TEXT, []))).toBe('invalid_signer');
    for (const name of ['', 'a b', 'a+b', 'a\u2003b']) {
      expect(noteErrorCode(() => signNote(crypto, TEXT, [{ name, secretKey: signer.secretKey }]))).toBe(
        'invalid_signer',
      );
    }
    expect(noteErrorCode(() => signNote(crypto, TEXT, [{ name: 'a', secretKey: new Uint8Array(31) }]))).toBe(
      'invalid_signer',
    );
    expect(noteErrorCode(() => signNote(crypto, TEXT, [signer, signer]))).toBe('invalid_signer');
  });
});

describe('signed notes: round trips and tampering', () => {
  const alice = { name: 'example.com/alice', secretKey: new Uint8Array(32).fill(1) };
  const bob = { name: 'example.com/bob', secretKey: new Uint8Array(32).fill(2) };
  const verifierOf = (signer: typeof alice) =>
    ed25519NoteVerifier(crypto, { name: signer.name, publicKey: crypto.ed25519.publicKey(signer.secretKey) });

  it('signs identically with Node crypto and noble, and each opens the other', () => {
    const text = 'a text\n\nwith an empty line, ünïcødé and — dashes\n';
    const byNode = signNote(nodeCrypto, text, [alice, bob]);
    const byNoble = signNote(nobleCrypto, text, [alice, bob]);
    expect(byNoble).toBe(byNode);
    expect(openNote(nobleCrypto, byNode, [verifierOf(alice), verifierOf(bob)]).text).toBe(text);
    expect(openNote(nodeCrypto, byNoble, [verifierOf(bob)]).text).toBe(text);
  });

  it('round-trips any valid text', () => {
    const line = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => [...s].every((c) => c >= ' '));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 5 }), (lines) => {
        const text = `${lines.join('\n')}\n`;
        const opened = openNote(crypto, signNote(crypto, text, [alice]), [verifierOf(alice)]);
        expect(opened.text).toBe(text);
      }),
      { numRuns: 100 },
    );
  });

  it('fails to open after any one-character change, insertion or deletion', () => {
    const note = signNote(crypto, 'example.com/log\n42\nsome text with spaces\n', [alice]);
    const chars = [...note];
    const replacement = fc.constantFrom('\n', ' ', '—', '-', 'A', 'a', '0', '+', '/', '=', 'é', '\u2003', 'x');
    const tampered = fc.oneof(
      fc.tuple(fc.nat(chars.length - 1), replacement).map(([i, c]) => [...chars.slice(0, i), c, ...chars.slice(i + 1)]),
      fc.tuple(fc.nat(chars.length), replacement).map(([i, c]) => [...chars.slice(0, i), c, ...chars.slice(i)]),
      fc.nat(chars.length - 1).map((i) => [...chars.slice(0, i), ...chars.slice(i + 1)]),
    );
    fc.assert(
      fc.property(
        tampered.map((t) => t.join('')).filter((t) => t !== note),
        (changed) => {
          expect(() => openNote(crypto, changed, [verifierOf(alice)])).toThrow(NoteError);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the hex of a key ID in signature bytes big-endian', () => {
    const line = parseSignatureLine(PETER_SIG);
    expect(toHex(fromBase64(line.base64).slice(0, 4))).toBe('c74f20a3');
  });
});
