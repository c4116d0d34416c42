import createClient, { type Middleware } from 'openapi-fetch';
import { currentSession, signOutLocally } from '../session/session-store';
import type { paths } from './schema';
import { learnPlatformTime } from './server-time';

/** The server's error answer: `{ error: { code, message, field? } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const withSession: Middleware = {
  onRequest({ request }) {
    const session = currentSession();
    if (session !== null && !request.headers.has('authorization')) {
      request.headers.set('authorization', `Bearer ${session.token}`);
    }
    return request;
  },
  onResponse({ response, request }) {
    learnPlatformTime(response);
    // The server forgot the session (expired, revoked): the app shows the signed-out state.
    if (response.status === 401 && request.headers.has('authorization')) signOutLocally();
    return response;
  },
};

/** The typed API client, generated from the server's /openapi.json (src/api/schema.d.ts). */
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? '' });
api.use(withSession);

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The answer's data, or an ApiError that says what went wrong. */
export async function unwrap<T>(pending: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await pending;
  } catch (error) {
    throw new ApiError(0, 'network_error', (error as Error).message);
  }
  if (answer.response.ok) return answer.data as T;
  const body = answer.error as
    | { error?: { code?: string; message?: string; field?: string; details?: Record<string, unknown> } }
    | undefined;
  throw new ApiError(
    answer.response.status,
    body?.error?.code ?? 'http_error',
    body?.error?.message ?? answer.response.statusText,
    body?.error?.field,
    body?.error?.details,
  );
}

/** A fresh Idempotency-Key for one money-moving or state-changing request (kept across its retries). */
export const idempotencyKey = (what: string): string => `${what}-${crypto.randomUUID()}`;
