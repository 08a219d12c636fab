/**
 * Byte, key and number encodings shared by the endpoints: base64, UTF-8, Consul key escaping,
 * uint64-exact JSON and Go durations. Web APIs only.
 * @module
 */
import { InputError, ResponseValidationError } from './errors.ts';

const encoder = /* @__PURE__ */ new TextEncoder();

/** UTF-8 encodes a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Decodes UTF-8 strictly: bytes that are not valid UTF-8 throw instead of being replaced, so a
 * binary value is never silently corrupted (use the `…Bytes` variants for binary values).
 */
export function fromUtf8(bytes: Uint8Array, what = 'value'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ResponseValidationError(`${what} is not valid UTF-8 text; read it as bytes instead`, [
      { path: '', message: 'invalid UTF-8' },
    ]);
  }
}

/** Encodes bytes as standard base64. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  }
  return btoa(binary);
}

/** The runtime's own decoder (`Uint8Array.fromBase64`, where present: newer V8, Safari, Firefox). */
const nativeFromBase64 = (Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array }).fromBase64;

/** The 6-bit value of each base64 character code below 128; -1 for every other code. */
const BASE64_VALUES = /* @__PURE__ */ (() => {
  const table = new Int16Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/** `atob` and a byte copy: the reference decoder, for anything but canonical padded base64. */
function fromBase64ViaAtob(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Decodes standard base64 (as Consul sends KV values) to bytes, exactly as `atob` does (and throws
 * where it throws). Canonical padded text — what Consul sends — is decoded four characters at a time
 * through a table, without `atob`'s intermediate string (a 100,000-key `kv.records` decodes every
 * value); anything else (whitespace, missing padding, an invalid character) goes through `atob`.
 */
export function fromBase64(text: string): Uint8Array {
  if (nativeFromBase64 !== undefined) return nativeFromBase64(text);
  const n = text.length;
  if (n === 0 || (n & 3) !== 0) return fromBase64ViaAtob(text);
  const pad = text.charCodeAt(n - 1) !== 61 /* = */ ? 0 : text.charCodeAt(n - 2) !== 61 ? 1 : 2;
  const bytes = new Uint8Array((n >> 2) * 3 - pad);
  const table = BASE64_VALUES;
  const whole = pad === 0 ? n : n - 4;
  let at = 0;
  let seen = 0; // every code and value ORed: a code ≥ 128 or a value of -1 shows up in it
  for (let i = 0; i < whole; i += 4) {
    const c0 = text.charCodeAt(i), c1 = text.charCodeAt(i + 1), c2 = text.charCodeAt(i + 2), c3 = text.charCodeAt(i + 3);
    const v0 = table[c0]!, v1 = table[c1]!, v2 = table[c2]!, v3 = table[c3]!;
    seen |= c0 | c1 | c2 | c3 | v0 | v1 | v2 | v3;
    const bits = (v0 << 18) | (v1 << 12) | (v2 << 6) | v3;
    bytes[at++] = bits >> 16;
    bytes[at++] = bits >> 8;
    bytes[at++] = bits;
  }
  if (pad > 0) {
    const c0 = text.charCodeAt(whole), c1 = text.charCodeAt(whole + 1), c2 = pad === 1 ? text.charCodeAt(whole + 2) : 65 /* A */;
    const v0 = table[c0]!, v1 = table[c1]!, v2 = table[c2]!;
    seen |= c0 | c1 | c2 | v0 | v1 | v2;
    const bits = (v0 << 18) | (v1 << 12) | (v2 << 6);
    bytes[at++] = bits >> 16;
    if (pad === 1) bytes[at] = bits >> 8;
  }
  // (an undefined table entry, for a code ≥ 128, ORs in as 0, but the code itself sets bit 7)
  return seen < 0 || seen > 127 ? fromBase64ViaAtob(text) : bytes;
}

/**
 * Normalises a KV key the way Consul's CLI does: one leading `/` is dropped.
 */
export function normalizeKey(key: string): string {
  if (typeof key !== 'string') throw new InputError(`key must be a string, got ${typeof key}`);
  return key.startsWith('/') ? key.slice(1) : key;
}

/**
 * True when Consul's HTTP router would clean (redirect) the key's path: an empty segment (`//`, a
 * leading `/`) or a `.`/`..` segment. Such keys can only be read and written exactly through `/v1/txn`.
 */
export function needsTxn(key: string): boolean {
  if (key.startsWith('/') || key.includes('//')) return true;
  return key.split('/').some((segment) => segment === '.' || segment === '..');
}

/** Percent-encodes each segment of a key (`? # % + space`, unicode) and keeps the `/` separators. */
export function escapeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** 2^64 - 1, the largest uint64. */
export const MAX_UINT64: bigint = 18446744073709551615n;

/**
 * Checks a uint64 given as a number or bigint and returns its decimal text. A number above 2^53 is
 * refused because it may already have been rounded; pass a bigint for those.
 */
export function uint64(value: number | bigint, name: string): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InputError(
        `${name} must be a non-negative integer no larger than 2^53-1 when given as a number (use a bigint for larger values), got ${value}`,
      );
    }
    return String(value);
  }
  if (typeof value !== 'bigint' || value < 0n || value > MAX_UINT64) {
    throw new InputError(`${name} must be a uint64 (0 … 2^64-1), got ${String(value)}`);
  }
  return value.toString();
}

const BIG_MARK = '\u0000u64:';

/** Whether a parsed JSON value holds a number beyond ±(2^53-1): one that may have been rounded. */
function hasUnsafeNumber(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return typeof value === 'number' && (value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' ? hasUnsafeNumber(item) : typeof item === 'number' && (item > Number.MAX_SAFE_INTEGER || item < -Number.MAX_SAFE_INTEGER)) return true;
    }
    return false;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' ? hasUnsafeNumber(item) : typeof item === 'number' && (item > Number.MAX_SAFE_INTEGER || item < -Number.MAX_SAFE_INTEGER)) return true;
  }
  return false;
}

/** Whether a character code can continue a JSON number token (digits, `.`, `e`, `E`, `+`, `-`). */
function numberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45;
}

/** Parses JSON whose integer tokens beyond 2^53 become bigints (the scan skips strings). */
function parseExact(text: string): unknown {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // skip the string
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if ((c >= 48 && c <= 57) || c === 45) {
      let j = i + 1;
      while (j < text.length && numberChar(text.charCodeAt(j))) j++;
      if (j - i >= 16) {
        const token = text.slice(i, j);
        if (/^\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
          out += text.slice(last, i) + JSON.stringify(BIG_MARK + token);
          last = j;
        }
      }
      i = j - 1;
    }
  }
  out += text.slice(last);
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(BIG_MARK) ? BigInt(value.slice(BIG_MARK.length)) : value,
  );
}

/**
 * Parses JSON keeping integers above 2^53 exact: they come back as `bigint`, every other number as
 * `number`. `JSON.parse` first, then a walk over the numbers it produced: only when one is beyond
 * 2^53 (so it may have been rounded) is the text parsed again exactly. The cost does not depend on
 * what strings hold — digits in a key or a value never send it down the slower path.
 */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return hasUnsafeNumber(value) ? parseExact(text) : value;
}

/**
 * Serialises to JSON like `JSON.stringify`, writing `bigint` values as exact JSON integers
 * (for uint64 fields such as `Flags`).
 */
export function stringifyJson(value: unknown): string {
  let big = false;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') {
      big = true;
      return BIG_MARK + v.toString();
    }
    return v;
  });
  if (!big) return text;
  return text.replace(/"\\u0000u64:(\d+)"/g, '$1');
}

/**
 * `0n`, `1n`… made once each, on first use: a 100,000-key `kv.records` has 100,000 `Flags`, nearly all
 * small, and a bigint per entry is that many more objects to allocate and collect (a bigint is a value:
 * sharing one is not observable).
 */
const SMALL_BIGINTS: bigint[] = [];

/** Reads a uint64 field that may have arrived as number or bigint as a bigint. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && value >= 0 && value < 1024 && Number.isInteger(value)) return (SMALL_BIGINTS[value] ??= BigInt(value));
  return BigInt((value as number | undefined) ?? 0);
}

const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };

/** A Go duration string (`"10s"`, `"1m30s"`, `"1500ms"`) or a number of milliseconds. */
export type Duration = string | number;

/**
 * Validates a duration and returns Go's text form (milliseconds become `"<n>ms"`).
 * @throws {InputError} for anything Go's `time.ParseDuration` would reject (a bare number string, a negative value…).
 */
export function formatDuration(value: Duration, name: string): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new InputError(`${name} must be a non-negative number of milliseconds, got ${value}`);
    return `${Math.round(value)}ms`;
  }
  if (typeof value !== 'string' || !(value === '0' || DURATION.test(value))) {
    throw new InputError(`${name} must be a Go duration such as "10s", "1m30s" or "1500ms", got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Checks a duration field of a request body written with Consul's names that Consul takes as a
 * string or a number (a session's `LockDelay`): a Go duration string, or a non-negative whole
 * number, sent unchanged — Consul reads it as nanoseconds (Go's `time.Duration`, as its reads return it).
 * @throws {InputError} naming `name` for anything else.
 */
export function wireDuration(value: unknown, name: string): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InputError(`${name} must be a Go duration such as "15s" or a non-negative whole number of nanoseconds, got ${value}`);
    }
    return;
  }
  if (typeof value !== 'string') {
    throw new InputError(`${name} must be a Go duration such as "15s" or a number of nanoseconds, got ${JSON.stringify(value)}`);
  }
  formatDuration(value, name);
}

/** Consul's spelling of the camelCase names consulate's inputs used before 1.0, where it is not just the first letter up. */
const WIRE_SPELLING: Record<string, string> = { ttl: 'TTL', accessorId: 'AccessorID', secretId: 'SecretID', id: 'ID', dns: 'DNS' };

/**
 * Refuses top-level camelCase keys in a request body written with Consul's names (Consul's fields
 * all start with a capital; Consul would match `ttl` to `TTL` case-insensitively, around the checks
 * made here): `{ ttl: '15s' }` is an {@link InputError} naming `TTL`.
 */
export function refuseCamelCase(body: Record<string, unknown>, what: string): void {
  for (const key of Object.keys(body)) {
    if (/^[a-z]/.test(key)) {
      const wire = WIRE_SPELLING[key] ?? key.replace(/TTL$|Id$/, (m) => (m === 'Id' ? 'ID' : m)).replace(/^./, (c) => c.toUpperCase());
      throw new InputError(`${what} takes Consul's field names: "${key}" should be "${wire}"`);
    }
  }
}

/** A duration in milliseconds. */
export function durationMs(value: Duration, name: string): number {
  const text = formatDuration(value, name);
  if (text === '0') return 0;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * UNIT_MS[unit!]!;
  }
  return total;
}
