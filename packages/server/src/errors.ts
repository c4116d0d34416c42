/**
 * The one error type the API answers with: `{"error":{"code","message","field?"}}` and an HTTP
 * status. Anything else that escapes a handler is a bug and is answered as a bare 500.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string; details?: Record<string, unknown> };
}

export const badRequest = (code: string, message: string, field?: string) => new AppError(400, code, message, field);
export const unauthorized = (message = 'Sign in first: send a session token as "Authorization: Bearer <token>".') =>
  new AppError(401, 'unauthorized', message);
export const forbidden = (code: string, message: string) => new AppError(403, code, message);
export const notFound = (what: string, field?: string, message?: string) =>
  new AppError(404, 'not_found', message ?? `${what} not found.`, field);
export const conflict = (code: string, message: string, field?: string) => new AppError(409, code, message, field);
export const unprocessable = (code: string, message: string, field?: string) => new AppError(422, code, message, field);
