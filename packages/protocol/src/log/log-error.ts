/** Thrown for malformed log wire data: tile paths, tile data, entry bundles. */
export class LogFormatError extends Error {
  override readonly name = 'LogFormatError';
}
