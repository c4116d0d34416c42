import { utf8Encode } from '../encoding/bytes.js';
import { CanonicalError } from './canonical-error.js';

export interface CanonicalizeOptions {
  /**
   * Refuse integers outside ±(2^53 − 1). RFC 8785 itself serializes them (as the double they
   * became), but then two parties may disagree on what was signed; Concord sends money and
   * counters as decimal strings instead, so its envelopes set this.
   */
  readonly safeIntegersOnly?: boolean;
}

/** Deep enough for any real document; a guard against cycles and stack exhaustion. */
const MAX_DEPTH = 128;

// RFC 8785 §3.2.2.2: JSON.stringify's string escaping is exactly the one the RFC prescribes
// (short escapes for \b \t \n \f \r \" \\, \u00xx for other controls, everything else literal).
// Lone surrogates are the one thing it escapes that UTF-8 cannot carry, so we refuse them first.
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// The path to the current value, kept as a stack and joined only when an error needs it.
type Path = (string | number)[];
const pathText = (path: Path): string =>
  path.reduce<string>((text, step) => (typeof step === 'number' ? `${text}[${step}]` : `${text}.${step}`), '$');

function serializeString(value: string, path: Path): string {
  // Most strings hold no surrogate at all; only those pay for the look-around test.
  if (SURROGATE.test(value) && LONE_SURROGATE.test(value)) {
    throw new CanonicalError(pathText(path), 'contains a lone UTF-16 surrogate');
  }
  return JSON.stringify(value);
}

function serializeNumber(value: number, path: Path, options: CanonicalizeOptions): string {
  if (!Number.isFinite(value)) throw new CanonicalError(pathText(path), `${value} is not a JSON number`);
  if (options.safeIntegersOnly && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new CanonicalError(
      pathText(path),
      `${value} is beyond ±(2^53−1); send large integers and money as decimal strings`,
    );
  }
  // ECMAScript Number::toString is the RFC's number format; it prints −0 as "0", as required.
  return String(value);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function serialize(value: unknown, path: Path, depth: number, options: CanonicalizeOptions): string {
  if (depth > MAX_DEPTH) throw new CanonicalError(pathText(path), `nested deeper than ${MAX_DEPTH} levels`);
  switch (typeof value) {
    case 'string':
      return serializeString(value, path);
    case 'number':
      return serializeNumber(value, path, options);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let index = 0; index < value.length; index++) {
          const item: unknown = value[index];
          path.push(index);
          if (item === undefined) throw new CanonicalError(pathText(path), 'undefined is not a JSON value');
          if (index > 0) out += ',';
          out += serialize(item, path, depth + 1, options);
          path.pop();
        }
        return `${out}]`;
      }
      if (!isPlainObject(value)) {
        throw new CanonicalError(pathText(path), `${value.constructor?.name ?? 'this object'} is not plain JSON data`);
      }
      // RFC 8785 §3.2.3: members sorted by their UTF-16 code units — what the default sort compares.
      const keys = Object.keys(value).sort();
      let out = '{';
      for (const key of keys) {
        const member = value[key];
        // Like JSON.stringify: an undefined member is absent, so the signer's and the wire's views agree.
        if (member === undefined) continue;
        path.push(key);
        if (out.length > 1) out += ',';
        out += `${serializeString(key, path)}:${serialize(member, path, depth + 1, options)}`;
        path.pop();
      }
      return `${out}}`;
    }
    default:
      throw new CanonicalError(pathText(path), `a ${typeof value} is not a JSON value`);
  }
}

/** RFC 8785 (JCS) canonical JSON text of `value`; throws CanonicalError for what JSON cannot hold. */
export function canonicalize(value: unknown, options: CanonicalizeOptions = {}): string {
  return serialize(value, [], 0, options);
}

/**
 * The canonical UTF-8 bytes Concord signs and logs: RFC 8785 with integers kept inside the safe
 * range, so every implementation reads back exactly the number that was signed.
 */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8Encode(canonicalize(value, { safeIntegersOnly: true }));
}
