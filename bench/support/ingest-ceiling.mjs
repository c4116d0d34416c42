// The most a single Node process can accept through one envelope per POST on this machine, with
// no database, no framework and nothing stored: a bare node:http server that parses each envelope,
// checks its shape, canonicalizes it, hashes its leaf and verifies its signature, answering with
// a receipt-sized body. Run by the same client as the real ingest, it shows how much of the goal
// is left to the server's own work and how much the machine (HTTP, the client) takes anyway.
import { fork } from 'node:child_process';
import http from 'node:http';
import {
  canonicalBytes,
  checkEnvelopeShape,
  leafHash,
  nodeCrypto,
  toHex,
  verifyEnvelope,
} from '../../packages/protocol/dist/node.js';

if (process.argv[2] === 'ingest-ceiling-server') {
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const envelope = checkEnvelopeShape(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const leaf = leafHash(nodeCrypto, canonicalBytes(envelope));
      const ok = verifyEnvelope(envelope, nodeCrypto).ok;
      const body = JSON.stringify({
        eventId: '0',
        logIndex: '0',
        leafHash: toHex(leaf),
        type: envelope.type,
        actor: envelope.actor,
        replayed: false,
        result: {},
      });
      response.writeHead(ok ? 201 : 401, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      response.end(body);
    });
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
}

/** Starts the bare server in a child process: { url, pid, stop() }. */
export async function startIngestCeilingServer() {
  const child = fork(new URL(import.meta.url).pathname, ['ingest-ceiling-server'], { stdio: 'inherit' });
  const port = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the ceiling server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
