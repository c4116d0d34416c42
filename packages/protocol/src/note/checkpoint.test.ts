import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, toHex } from '../encoding/bytes.js';
import { nodeCrypto } from '../node.js';
import {
  CheckpointError,
  type CheckpointErrorCode,
  ed25519NoteVerifier,
  formatCheckpoint,
  NoteError,
  openCheckpoint,
  parseCheckpoint,
  parseNote,
  signNote,
} from './index.js';

// c2sp.org/tlog-checkpoint: the example checkpoint (its log key is not published).
const SPEC_CHECKPOINT = `example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
`;
const SPEC_TEXT = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const HASH = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';

function checkpointErrorCode(fn: () => unknown): CheckpointErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    return (error as CheckpointError).code;
  }
  return undefined;
}

describe('checkpoints', () => {
  it('parses the spec example and formats it back byte for byte', () => {
    const note = parseNote(SPEC_CHECKPOINT);
    expect(note.text).toBe(SPEC_TEXT);
    expect(note.signatures.map((s) => [s.name, s.keyId, s.signature.length])).toEqual([
      ['example.com/behind-the-sofa', 0x033de0ae, 64],
    ]);
    const checkpoint = parseCheckpoint(note.text);
    expect(checkpoint.origin).toBe('example.com/behind-the-sofa');
    expect(checkpoint.size).toBe(20852163);
    expect(toHex(checkpoint.rootHash)).toBe(toHex(fromBase64(HASH)));
    expect(checkpoint.extensions).toEqual([]);
    expect(formatCheckpoint(checkpoint)).toBe(SPEC_TEXT);
  });

  it('keeps extension lines, and the empty tree', () => {
    const text = `${SPEC_TEXT}ext one\nsecond ext\n`;
    const checkpoint = parseCheckpoint(text);
    expect(checkpoint.extensions).toEqual(['ext one', 'second ext']);
    expect(formatCheckpoint(checkpoint)).toBe(text);
    expect(parseCheckpoint(`log\n0\n${HASH}\n`).size).toBe(0);
    expect(parseCheckpoint(`log\n${Number.MAX_SAFE_INTEGER}\n${HASH}\n`).size).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses malformed checkpoint texts', () => {
    const cases = [
      '',
      'example.com/log\n',
      `example.com/log\n5\n`,
      `example.com/log\n5\n${HASH}`, // no final newline
      `\n5\n${HASH}\n`, // empty origin
      `example.com/log\n05\n${HASH}\n`, // leading zero
      `example.com/log\n00\n${HASH}\n`,
      `example.com/log\n+5\n${HASH}\n`,
      `example.com/log\n-5\n${HASH}\n`,
      `example.com/log\n 5\n${HASH}\n`, // extra spaces
      `example.com/log\n5 \n${HASH}\n`,
      `example.com/log\n5\n ${HASH}\n`,
      `example.com/log\n5\n${HASH} \n`,
      `example.com/log\n5.0\n${HASH}\n`,
      `example.com/log\n1e3\n${HASH}\n`,
      `example.com/log\n0x10\n${HASH}\n`,
      `example.com/log\n٥\n${HASH}\n`, // non-ASCII digit
      `example.com/log\n5\n${toBase64(new Uint8Array(31))}\n`, // 31-byte root
      `example.com/log\n5\n${toBase64(new Uint8Array(33))}\n`,
      `example.com/log\n5\n${HASH.replace('=', '')}\n`, // unpadded
      `example.com/log\n5\n${HASH.replace('/', '_')}\n`, // base64url
      `example.com/log\n5\n${HASH}\n\n`, // empty extension line
      `example.com/log\n5\n${HASH}\next\n\n`,
      `example.com/log\n5\n${HASH}\r\n`,
      `example.com/log\t\n5\n${HASH}\n`,
    ];
    for (const text of cases)
      expect(
        checkpointErrorCode(() => parseCheckpoint(text)),
        JSON.stringify(text),
      ).toBe('malformed_checkpoint');
  });

  it('refuses sizes above 2^53 - 1 clearly instead of rounding them', () => {
    expect(checkpointErrorCode(() => parseCheckpoint(`log\n9007199254740992\n${HASH}\n`))).toBe('size_out_of_range');
    expect(checkpointErrorCode(() => parseCheckpoint(`log\n18446744073709551615\n${HASH}\n`))).toBe(
      'size_out_of_range',
    );
    const rootHash = fromBase64(HASH);
    for (const size of [2 ** 53, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(checkpointErrorCode(() => formatCheckpoint({ origin: 'log', size, rootHash }))).toBe('size_out_of_range');
    }
  });

  it('refuses to format what it could not parse', () => {
    const rootHash = fromBase64(HASH);
    const bad = [
      { origin: '', size: 1, rootHash },
      { origin: 'a\nb', size: 1, rootHash },
      { origin: 'a', size: 1, rootHash: new Uint8Array(31) },
      { origin: 'a', size: 1, rootHash, extensions: [''] },
      { origin: 'a', size: 1, rootHash, extensions: ['x\ny'] },
      { origin: 'a\u0000', size: 1, rootHash },
    ];
    for (const input of bad) expect(checkpointErrorCode(() => formatCheckpoint(input))).toBe('malformed_checkpoint');
  });

  it('round-trips any valid checkpoint', () => {
    const line = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => [...s].every((c) => c >= ' '));
    fc.assert(
      fc.property(
        line,
        fc.maxSafeNat(),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(line, { maxLength: 3 }),
        (origin, size, rootHash, extensions) => {
          const parsed = parseCheckpoint(formatCheckpoint({ origin, size, rootHash, extensions }));
          expect(parsed).toEqual({ origin, size, rootHash, extensions });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('opens a signed checkpoint: verified first, then parsed', () => {
    const crypto = nodeCrypto;
    const log = { name: 'example.com/log', secretKey: new Uint8Array(32).fill(3) };
    const verifier = ed25519NoteVerifier(crypto, {
      name: log.name,
      publicKey: crypto.ed25519.publicKey(log.secretKey),
    });
    const text = formatCheckpoint({ origin: log.name, size: 7, rootHash: new Uint8Array(32).fill(4) });
    const opened = openCheckpoint(crypto, signNote(crypto, text, [log]), [verifier]);
    expect(opened.checkpoint.size).toBe(7);
    expect(opened.verified).toHaveLength(1);
    expect(() => openCheckpoint(crypto, SPEC_CHECKPOINT, [verifier])).toThrow(NoteError);
    expect(() => openCheckpoint(crypto, signNote(crypto, 'not\na checkpoint\n', [log]), [verifier])).toThrow(
      CheckpointError,
    );
  });
});
