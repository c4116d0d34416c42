/** A value that RFC 8785 (or Concord's stricter profile of it) cannot represent; `path` says where. */
export class CanonicalError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'CanonicalError';
  }
}
