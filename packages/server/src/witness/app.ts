import {
  bytesEqual,
  type CryptoProvider,
  checkAgainstLatestCheckpoint,
  cosignCheckpoint,
  formatAddCheckpointResponse,
  formatCosignatureVerifierKey,
  formatTlogSizeBody,
  fromBase64,
  type NoteSigner,
  noteVerifierFromKey,
  parseAddCheckpointRequest,
  TLOG_SIZE_CONTENT_TYPE,
  toBase64,
  verifyAddCheckpointRequest,
  verifyConsistency,
  WITNESS_ADD_CHECKPOINT_PATH,
  WitnessError,
} from '@concord/protocol';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { WitnessState } from './state.js';
import { witnessStatusPage } from './status-page.js';

export interface WitnessOptions {
  crypto: CryptoProvider;
  /** The witness's cosigning key; its name is the witness's name. */
  signer: NoteSigner;
  state: WitnessState;
  clock?: () => Date;
  logger?: Logger | false;
}

const BODY_LIMIT = 64 * 1024;

/**
 * A C2SP tlog-witness: `POST /add-checkpoint` cosigns a checkpoint of a followed log only if it
 * is signed by the log's key and provably extends the last checkpoint this witness cosigned.
 * The size check and the save happen under one lock, so it never cosigns a fork.
 */
export async function buildWitnessApp(options: WitnessOptions): Promise<FastifyInstance> {
  const { crypto, signer, state } = options;
  const clock = options.clock ?? (() => new Date());
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    // Idle keep-alive sockets would outlive close() and confuse clients of a restarted witness.
    forceCloseConnections: true,
  });
  // One request per checkpoint per log: not worth keep-alive sockets that go stale across restarts.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('connection', 'close');
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post(WITNESS_ADD_CHECKPOINT_PATH, async (request, reply) => {
    try {
      const parsed = parseAddCheckpointRequest(String(request.body ?? ''));
      verifyAddCheckpointRequest(crypto, parsed, (origin) => {
        const log = state.get(origin);
        return log === undefined ? undefined : [noteVerifierFromKey(crypto, log.verifierKey)];
      });
      const line = await state.update(parsed.parsed.origin, async (log) => {
        const latest =
          log === undefined || log.rootHash === undefined
            ? undefined
            : { size: log.size, rootHash: fromBase64(log.rootHash) };
        checkAgainstLatestCheckpoint(parsed, latest);
        if (
          latest !== undefined &&
          latest.size < parsed.parsed.size &&
          !verifyConsistency(
            crypto,
            latest.size,
            parsed.parsed.size,
            latest.rootHash,
            parsed.parsed.rootHash,
            parsed.proof,
          )
        ) {
          throw new WitnessError('invalid_proof', 'the consistency proof does not verify');
        }
        const cosignature = cosignCheckpoint(
          crypto,
          signer,
          parsed.checkpointText,
          Math.floor(clock().getTime() / 1000),
        );
        const unchanged =
          latest !== undefined &&
          latest.size === parsed.parsed.size &&
          bytesEqual(latest.rootHash, parsed.parsed.rootHash);
        if (unchanged) return { value: cosignature };
        return {
          value: cosignature,
          next: {
            ...(log as NonNullable<typeof log>),
            size: parsed.parsed.size,
            rootHash: toBase64(parsed.parsed.rootHash),
          },
        };
      });
      return reply.type('text/plain; charset=utf-8').send(formatAddCheckpointResponse([line]));
    } catch (error) {
      if (!(error instanceof WitnessError)) throw error;
      if (error.status === 409 && error.latestSize !== undefined) {
        return reply.status(409).type(TLOG_SIZE_CONTENT_TYPE).send(formatTlogSizeBody(error.latestSize));
      }
      return reply.status(error.status).type('text/plain; charset=utf-8').send(`${error.message}\n`);
    }
  });

  // The witness's own status page: which logs it follows and how far it has cosigned. People
  // (Accept: text/html) get a page; clients get JSON.
  const verifierKey = formatCosignatureVerifierKey(crypto, {
    name: signer.name,
    publicKey: crypto.ed25519.publicKey(signer.secretKey),
  });
  app.get('/', async (request, reply) => {
    const logs = state.list();
    if ((request.headers.accept ?? '').includes('text/html')) {
      return reply.type('text/html; charset=utf-8').send(witnessStatusPage(signer.name, verifierKey, logs));
    }
    return {
      witness: signer.name,
      verifierKey,
      logs: logs.map((log) => ({
        origin: log.origin,
        verifierKey: log.verifierKey,
        size: log.size,
        rootHash: log.rootHash ?? null,
      })),
    };
  });
  return app;
}
