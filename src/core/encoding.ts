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

/** Decodes standard base64 (as Consul sends KV values) to bytes. */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
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

/**
 * Parses JSON keeping integers above 2^53 exact: they come back as `bigint`, every other number as
 * `number`. Fast path: text without a 16-digit run goes straight to `JSON.parse`.
 */
export function parseJson(text: string): unknown {
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  let out = '';
  let last = 0;
  let big = false;
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
      while (j < text.length && /[0-9.eE+-]/.test(text[j]!)) j++;
      const token = text.slice(i, j);
      if (/^\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += text.slice(last, i) + JSON.stringify(BIG_MARK + token);
        last = j;
        big = true;
      }
      i = j - 1;
    }
  }
  if (!big) return JSON.parse(text);
  out += text.slice(last);
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(BIG_MARK) ? BigInt(value.slice(BIG_MARK.length)) : value,
  );
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

/** Reads a uint64 field that may have arrived as number or bigint as a bigint. */
export function toBigInt(value: unknown): bigint {
  return typeof value === 'bigint' ? value : BigInt((value as number | undefined) ?? 0);
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
