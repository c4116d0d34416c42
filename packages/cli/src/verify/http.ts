/** The server could not be reached or answered out of protocol: exit code 2, not a divergence. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

const TIMEOUT_MS = 30_000;

async function get(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new NetworkError(`GET ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new NetworkError(`GET ${url}: HTTP ${response.status}`);
  return response;
}

export const getText = async (url: string): Promise<string> => (await get(url)).text();
export const getBytes = async (url: string): Promise<Uint8Array> =>
  new Uint8Array(await (await get(url)).arrayBuffer());
export const getJson = async <T>(url: string): Promise<T> => (await (await get(url)).json()) as T;
