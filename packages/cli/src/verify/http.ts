import http from 'node:http';
import https from 'node:https';

/** The server could not be reached or answered out of protocol: exit code 2, not a divergence. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

const TIMEOUT_MS = 30_000;

// node:http with keep-alive rather than fetch: a verification downloads thousands of tiles, and
// fetch's per-request machinery showed in the profile about as much as hashing the tiles did.
const transports: Record<string, { get: typeof http.get; agent: http.Agent }> = {
  'http:': { get: http.get, agent: new http.Agent({ keepAlive: true, maxSockets: 16 }) },
  'https:': { get: https.get, agent: new https.Agent({ keepAlive: true, maxSockets: 16 }) },
};

function get(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const fail = (message: string) => reject(new NetworkError(`GET ${url}: ${message}`));
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      fail('not a URL');
      return;
    }
    const transport = transports[parsed.protocol];
    if (transport === undefined) {
      fail(`unsupported protocol ${parsed.protocol}`);
      return;
    }
    const request = transport.get(parsed, { agent: transport.agent, timeout: TIMEOUT_MS }, (response) => {
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        response.resume();
        fail(`HTTP ${status}`);
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => fail(error.message));
      response.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)));
    request.on('error', (error) => fail(error.message));
  });
}

export const getText = async (url: string): Promise<string> => (await get(url)).toString('utf8');
export const getBytes = async (url: string): Promise<Uint8Array> => {
  const body = await get(url);
  return new Uint8Array(body.buffer, body.byteOffset, body.length);
};
export const getJson = async <T>(url: string): Promise<T> => {
  const text = await getText(url);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new NetworkError(`GET ${url}: the answer is not JSON`);
  }
};
