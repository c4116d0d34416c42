/**
 * Plain JSON objects, as the validators see untrusted input (internal: not re-exported).
 */

/** A JSON object: not null, not an array, not a class instance (Date, Map, a Proxy'd class…). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The member `key` of `record` if it is the record's own, else undefined (never Object.prototype's). */
export function own(record: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
