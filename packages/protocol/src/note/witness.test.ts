import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, utf8Encode } from '../encoding/bytes.js';
import { nodeCrypto } from '../node.js';
import {
  checkAgainstLatestCheckpoint,
  cosignatureNoteVerifier,
  cosignCheckpoint,
  ed25519NoteVerifier,
  formatAddCheckpointRequest,
  formatAddCheckpointResponse,
  formatCheckpoint,
  formatKeyId,
  formatTlogSizeBody,
  NoteError,
  openNote,
  parseAddCheckpointRequest,
  parseAddCheckpointResponse,
  parseTlogSizeBody,
  signNote,
  TLOG_SIZE_CONTENT_TYPE,
  verifyAddCheckpointRequest,
  WITNESS_ADD_CHECKPOINT_PATH,
  WITNESS_MAX_PROOF_LINES,
  WitnessError,
  type WitnessErrorCode,
} from './index.js';

// c2sp.org/tlog-witness: the example add-checkpoint request body and the example 200 response body.
const SPEC_CHECKPOINT = `example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
`;
const SPEC_PROOF = [
  'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=',
  'jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=',
  '5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=',
  '/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=',
];
const SPEC_REQUEST = `old 20852014\n${SPEC_PROOF.map((h) => `${h}\n`).join('')}\n${SPEC_CHECKPOINT}`;
const SPEC_RESPONSE = `— witness.example/w1 CMp+6LWBU0anHGH5aNDTJkH/gj79sG+T6+iP2ThYN5krrDJbR1HDnucjL39QsZTSvVjyQLrdk3DXDqI5G2HgLatVs0pWh6Up69HVOw==
— witness.example/w1 I7rEps0pvK2UqkS2gSpVUDhrhVtQV9lgF6pRrWAvjJHjyWpW7VcE3SiOlVlbQNt64vWhO+DlkL0+UfzuOBMh9ChdMkP1vi/lCAsmlw==
— witness.example/w2 AWui8Sk55XjYLOijihBjhqEH6nS1ndDymE0a+6idX7pLcnoB+dhnz0854aLZgrrKbYKA7nC3HNJhm/kWl7oJlqU3rXXvpysAdyP3wQ==
`;

const crypto = nodeCrypto;
const log = { name: 'example.com/log', secretKey: new Uint8Array(32).fill(11) };
const logVerifier = ed25519NoteVerifier(crypto, { name: log.name, publicKey: crypto.ed25519.publicKey(log.secretKey) });
const witness = { name: 'witness.example/w1', secretKey: new Uint8Array(32).fill(12) };
const root = new Uint8Array(32).fill(13);
const checkpointText = formatCheckpoint({ origin: log.name, size: 10, rootHash: root });
const signedCheckpoint = signNote(crypto, checkpointText, [log]);
const proof = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];

function witnessError(fn: () => unknown): { code: WitnessErrorCode; status: number; latestSize?: number | undefined } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WitnessError);
    const { code, status, latestSize } = error as WitnessError;
    return latestSize === undefined ? { code, status } : { code, status, latestSize };
  }
  throw new Error('expected a WitnessError');
}

describe('tlog-witness: spec examples', () => {
  it('names the endpoint, the 409 content type and the proof line cap', () => {
    expect(WITNESS_ADD_CHECKPOINT_PATH).toBe('/add-checkpoint');
    expect(TLOG_SIZE_CONTENT_TYPE).toBe('text/x.tlog.size');
    expect(WITNESS_MAX_PROOF_LINES).toBe(63);
  });

  it('parses the example request body and formats it back byte for byte', () => {
    const request = parseAddCheckpointRequest(SPEC_REQUEST);
    expect(request.oldSize).toBe(20852014);
    expect(request.proof.map(toBase64)).toEqual(SPEC_PROOF);
    expect(request.checkpoint).toBe(SPEC_CHECKPOINT);
    expect(request.parsed.origin).toBe('example.com/behind-the-sofa');
    expect(request.parsed.size).toBe(20852163);
    expect(request.signatures.map((s) => formatKeyId(s.keyId))).toEqual(['033de0ae', 'a292ea05']);
    expect(formatAddCheckpointRequest(request)).toBe(SPEC_REQUEST);
    expect(parseAddCheckpointRequest(utf8Encode(SPEC_REQUEST)).oldSize).toBe(20852014);
  });

  it('parses the example response body: three cosignature lines of 4 + 8 + 64 bytes', () => {
    const lines = parseAddCheckpointResponse(SPEC_RESPONSE);
    expect(lines.map((l) => [l.name, l.signature.length])).toEqual([
      ['witness.example/w1', 72],
      ['witness.example/w1', 72],
      ['witness.example/w2', 72],
    ]);
    expect(formatAddCheckpointResponse(SPEC_RESPONSE.slice(0, -1).split('\n'))).toBe(SPEC_RESPONSE);
  });
});

describe('tlog-witness: add-checkpoint requests', () => {
  it('round-trips, with and without a proof', () => {
    const body = formatAddCheckpointRequest({ oldSize: 4, proof, checkpoint: signedCheckpoint });
    const request = parseAddCheckpointRequest(body);
    expect(request.oldSize).toBe(4);
    expect(request.proof).toEqual(proof);
    expect(request.checkpointText).toBe(checkpointText);
    const first = formatAddCheckpointRequest({ oldSize: 0, proof: [], checkpoint: signedCheckpoint });
    expect(first).toBe(`old 0\n\n${signedCheckpoint}`);
    expect(parseAddCheckpointRequest(first).proof).toEqual([]);
  });

  it('answers 400 for every malformed body', () => {
    const hash = toBase64(new Uint8Array(32));
    const cases = [
      '',
      signedCheckpoint,
      `old 4\n${hash}\n${signedCheckpoint}`, // no empty line before the checkpoint
      `old 04\n\n${signedCheckpoint}`,
      `old -1\n\n${signedCheckpoint}`,
      `old +1\n\n${signedCheckpoint}`,
      `old  4\n\n${signedCheckpoint}`,
      `old 4 \n\n${signedCheckpoint}`,
      `Old 4\n\n${signedCheckpoint}`,
      `old\n\n${signedCheckpoint}`,
      `old 4\r\n\n${signedCheckpoint}`,
      `old 99999999999999999999\n\n${signedCheckpoint}`,
      `old 4\n${toBase64(new Uint8Array(31))}\n\n${signedCheckpoint}`,
      `old 4\n${hash.slice(0, -1)}\n\n${signedCheckpoint}`,
      `old 4\n ${hash}\n\n${signedCheckpoint}`,
      `old 4\n${`${hash}\n`.repeat(64)}\n${signedCheckpoint}`,
      `old 4\n\n${checkpointText}`, // unsigned checkpoint
      `old 4\n\n${signNote(crypto, 'example.com/log\n010\nAAAA\n', [log])}`, // malformed checkpoint text
      `old 4\n\n${signedCheckpoint.replace('—', '-')}`,
    ];
    for (const body of cases) {
      expect(
        witnessError(() => parseAddCheckpointRequest(body)),
        JSON.stringify(body.slice(0, 30)),
      ).toEqual({
        code: 'malformed_request',
        status: 400,
      });
    }
    expect(witnessError(() => parseAddCheckpointRequest(new Uint8Array([0x6f, 0xff])))).toMatchObject({ status: 400 });
    // 63 proof lines are fine.
    expect(parseAddCheckpointRequest(`old 4\n${`${hash}\n`.repeat(63)}\n${signedCheckpoint}`).proof).toHaveLength(63);
  });

  it('refuses to format what a client must not send', () => {
    const checkpoint = signedCheckpoint;
    expect(witnessError(() => formatAddCheckpointRequest({ oldSize: 11, proof, checkpoint }))).toEqual({
      code: 'old_size_too_large',
      status: 400,
    });
    const bad = [
      { oldSize: -1, proof: [], checkpoint },
      { oldSize: 0, proof, checkpoint },
      { oldSize: 4, proof: Array.from({ length: 64 }, () => proof[0]!), checkpoint },
      { oldSize: 4, proof: [new Uint8Array(31)], checkpoint },
      { oldSize: 4, proof, checkpoint: checkpointText },
    ];
    for (const request of bad) expect(witnessError(() => formatAddCheckpointRequest(request)).status).toBe(400);
  });

  it('checks signatures and sizes in the spec order: 404, 403, then 400', () => {
    const known = (origin: string) => (origin === log.name ? [logVerifier] : undefined);
    const request = parseAddCheckpointRequest(
      formatAddCheckpointRequest({ oldSize: 4, proof, checkpoint: signedCheckpoint }),
    );
    expect(verifyAddCheckpointRequest(crypto, request, known).verified).toHaveLength(1);

    const otherLog = { name: 'example.com/other', secretKey: new Uint8Array(32).fill(14) };
    const unknownOrigin = signNote(crypto, formatCheckpoint({ origin: otherLog.name, size: 3, rootHash: root }), [
      otherLog,
    ]);
    expect(
      witnessError(() =>
        verifyAddCheckpointRequest(crypto, parseAddCheckpointRequest(`old 9\n\n${unknownOrigin}`), known),
      ),
    ).toEqual({
      code: 'unknown_origin',
      status: 404,
    });

    const wrongKey = signNote(crypto, checkpointText, [{ ...log, secretKey: new Uint8Array(32).fill(15) }]);
    expect(
      witnessError(() => verifyAddCheckpointRequest(crypto, parseAddCheckpointRequest(`old 11\n\n${wrongKey}`), known)),
    ).toEqual({
      code: 'untrusted_checkpoint',
      status: 403,
    });
    const tampered = signedCheckpoint.replace('\n10\n', '\n11\n');
    expect(
      witnessError(() => verifyAddCheckpointRequest(crypto, parseAddCheckpointRequest(`old 4\n\n${tampered}`), known)),
    ).toEqual({
      code: 'untrusted_checkpoint',
      status: 403,
    });

    expect(
      witnessError(() =>
        verifyAddCheckpointRequest(crypto, parseAddCheckpointRequest(`old 11\n\n${signedCheckpoint}`), known),
      ),
    ).toEqual({
      code: 'old_size_too_large',
      status: 400,
    });
  });

  it('checks the request against the latest cosigned checkpoint: 409 with the size, 409 on another root, 422', () => {
    const request = parseAddCheckpointRequest(
      formatAddCheckpointRequest({ oldSize: 4, proof, checkpoint: signedCheckpoint }),
    );
    expect(() => checkAgainstLatestCheckpoint(request, { size: 4, rootHash: new Uint8Array(32) })).not.toThrow();
    expect(witnessError(() => checkAgainstLatestCheckpoint(request, { size: 6, rootHash: root }))).toEqual({
      code: 'old_size_mismatch',
      status: 409,
      latestSize: 6,
    });
    expect(witnessError(() => checkAgainstLatestCheckpoint(request, undefined))).toEqual({
      code: 'old_size_mismatch',
      status: 409,
      latestSize: 0,
    });
    const same = parseAddCheckpointRequest(`old 10\n\n${signedCheckpoint}`);
    expect(() => checkAgainstLatestCheckpoint(same, { size: 10, rootHash: root })).not.toThrow();
    expect(witnessError(() => checkAgainstLatestCheckpoint(same, { size: 10, rootHash: new Uint8Array(32) }))).toEqual({
      code: 'root_mismatch',
      status: 409,
    });
    const fresh = parseAddCheckpointRequest(`old 0\n${toBase64(proof[0]!)}\n\n${signedCheckpoint}`);
    expect(witnessError(() => checkAgainstLatestCheckpoint(fresh, undefined))).toEqual({
      code: 'invalid_proof',
      status: 422,
    });
    // A stale old size wins over the proof check, so the client learns the size to retry with.
    expect(witnessError(() => checkAgainstLatestCheckpoint(fresh, { size: 3, rootHash: root }))).toMatchObject({
      status: 409,
    });
  });
});

describe('tlog-witness: responses', () => {
  it('formats and parses the 409 text/x.tlog.size body strictly', () => {
    expect(formatTlogSizeBody(20852014)).toBe('20852014\n');
    expect(formatTlogSizeBody(0)).toBe('0\n');
    expect(parseTlogSizeBody('20852014\n')).toBe(20852014);
    expect(parseTlogSizeBody('0\n')).toBe(0);
    for (const body of [
      '',
      '\n',
      '50',
      '050\n',
      '50\n\n',
      ' 50\n',
      '50 \n',
      '+50\n',
      '-1\n',
      '5e1\n',
      '50\r\n',
      '9007199254740992\n',
    ]) {
      expect(() => parseTlogSizeBody(body), JSON.stringify(body)).toThrow(RangeError);
    }
    expect(() => formatTlogSizeBody(-1)).toThrow(RangeError);
  });

  it('builds a 200 body a client verifies by appending it to the checkpoint', () => {
    const line = cosignCheckpoint(crypto, witness, checkpointText, 1700000000);
    const body = formatAddCheckpointResponse([line]);
    expect(body).toBe(`${line}\n`);
    const witnessKey = { name: witness.name, publicKey: crypto.ed25519.publicKey(witness.secretKey) };
    const opened = openNote(crypto, `${signedCheckpoint}${body}`, [cosignatureNoteVerifier(crypto, witnessKey)]);
    expect(opened.verified.map((s) => s.name)).toEqual([witness.name]);
    expect(parseAddCheckpointResponse(body)).toHaveLength(1);
  });

  it('refuses malformed 200 bodies', () => {
    for (const body of ['', '\n', SPEC_RESPONSE.slice(0, -1), `${SPEC_RESPONSE}\n`, SPEC_RESPONSE.replace('—', '-')]) {
      expect(() => parseAddCheckpointResponse(body)).toThrow(NoteError);
    }
    expect(() => formatAddCheckpointResponse([])).toThrow(RangeError);
    expect(fromBase64(parseAddCheckpointResponse(SPEC_RESPONSE)[2]!.base64)).toHaveLength(76);
  });
});
