// What the CORS proxy lets through: one decision per request, made on the canonical path (no I/O here).
//
// A request is allowed when, after its path is decoded and checked to be canonical,
//   - its method is a read (GET, HEAD) under an `allowRead` prefix, or a write (PUT, POST, DELETE, PATCH)
//     under an `allowWrite` prefix; prefixes match whole segments (`/v1/kv/public` allows
//     `/v1/kv/public` and `/v1/kv/public/x`, never `/v1/kv/publicX`);
//   - it is not `/v1/txn` (a transaction's body can touch any key), unless `allowTxn`;
//   - a recursive KV request (`?recurse`, `?keys`) stays inside an allowed prefix: Consul matches such a
//     key as a string prefix, so `/v1/kv/public?recurse` would also return `publicX…` — it has to be
//     `/v1/kv/public/?recurse`; and the root of the KV store (`/v1/kv/?recurse`) needs `allowRootRecurse`;
//   - every `?dc=` names one of `datacenters`;
//   - with a server-side token, it is not `/v1/acl/token/self` (whose answer holds that token's SecretID).
// The path forwarded to the agent is rebuilt from the decoded segments, so the agent sees exactly the
// path that was matched (Consul treats `%2F` as `/` and redirects `//`, `.` and `..` to a cleaned path;
// such paths are refused here instead, so that no redirect is ever needed).

/** Methods that only read. */
export const READ_METHODS = new Set(['GET', 'HEAD']);
/** Methods that write (Consul takes PUT for most writes, POST and DELETE for some). */
export const WRITE_METHODS = new Set(['PUT', 'POST', 'DELETE', 'PATCH']);

/** A refusal: the HTTP status to answer and why (shown to the page as `cors proxy: <message>`). */
export class Refusal extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.name = 'Refusal';
    this.status = status;
  }
}

/**
 * The canonical form of a request path: percent-decoded, split into segments, and refused when it is
 * not canonical (empty segments from `//`, `.` or `..` segments — also when they were encoded, as
 * `%2e%2e` or `a%2F..%2Fb` — or bad percent-encoding). A trailing `/` is kept (`/v1/kv/dir/` is a key).
 * @param {string} rawPath the path as received, still percent-encoded, without the query
 * @returns {{ path: string, segments: string[], encoded: string }} `path`: decoded; `encoded`: re-encoded per segment
 * @throws {Refusal} 400 naming what is wrong
 */
export function canonicalPath(rawPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new Refusal(400, `malformed percent-encoding in ${JSON.stringify(rawPath)}`);
  }
  if (!decoded.startsWith('/')) throw new Refusal(400, `the path must start with "/", got ${JSON.stringify(rawPath)}`);
  const segments = decoded.slice(1).split('/');
  const trailingSlash = segments.length > 1 && segments.at(-1) === '';
  if (trailingSlash) segments.pop();
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new Refusal(400, `non-canonical path ${JSON.stringify(rawPath)} (empty, "." or ".." segment, also when encoded): Consul would redirect it; ask for the clean path`);
    }
  }
  const tail = trailingSlash ? '/' : '';
  return {
    path: `/${segments.join('/')}${tail}`,
    segments,
    encoded: `/${segments.map(encodeURIComponent).join('/')}${tail}`,
  };
}

/**
 * An allowlist entry in canonical form, without a trailing slash (`/v1/kv/public/` → `/v1/kv/public`).
 * @param {string} prefix e.g. `/v1/health`, `/v1/kv/public`
 * @returns {string}
 * @throws {Error} when it does not start with `/v1` or is not canonical
 */
export function canonicalPrefix(prefix) {
  const { path } = canonicalPath(prefix);
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed !== '/v1' && !trimmed.startsWith('/v1/')) throw new Error(`an allowed prefix must start with /v1, got ${JSON.stringify(prefix)}`);
  return trimmed;
}

/** Whether `path` is `prefix` itself or below it (whole segments only). */
export function under(path, prefix) {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * Splits a raw query string into its parts, byte for byte (`a=1&recurse` → [['a', '1', 'a=1'], ['recurse', undefined, 'recurse']]).
 * @param {string} query without the `?`
 * @returns {{ name: string, value: string | undefined, raw: string }[]}
 * @throws {Refusal} 400 on bad percent-encoding
 */
export function queryParts(query) {
  if (!query) return [];
  return query.split('&').filter(Boolean).map((raw) => {
    const at = raw.indexOf('=');
    const decode = (s) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        throw new Refusal(400, `malformed percent-encoding in the query parameter ${JSON.stringify(raw)}`);
      }
    };
    return at === -1 ? { name: decode(raw), value: undefined, raw } : { name: decode(raw.slice(0, at)), value: decode(raw.slice(at + 1)), raw };
  });
}

const GO_DURATION = /^(?:(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/;
const UNIT_MS = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A Go duration (`90s`, `1m30s`, `1500ms`) in milliseconds, or undefined when it is not one.
 * @param {string | undefined} text
 * @returns {number | undefined}
 */
export function goDurationMs(text) {
  if (!text || !GO_DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(amount) * UNIT_MS[unit];
  return total;
}

/** Consul's longest blocking wait (a longer `wait` is clamped to it) and its default one. */
const MAX_WAIT_MS = 600_000;
const DEFAULT_WAIT_MS = 300_000;

/**
 * How long a blocking query may take at most: its `wait` (Consul's 5-minute default when absent or 0,
 * clamped to 10 minutes) plus the up to wait/16 of jitter Consul adds.
 * @param {string | undefined} wait the `?wait=` value
 * @returns {number} milliseconds
 */
export function blockingMs(wait) {
  const asked = goDurationMs(wait);
  const ms = !asked ? DEFAULT_WAIT_MS : Math.min(asked, MAX_WAIT_MS);
  return ms + ms / 16;
}

/**
 * @typedef {object} Policy
 * @property {string[]} allowRead canonical prefixes (see {@link canonicalPrefix}) where GET/HEAD are allowed
 * @property {string[]} allowWrite canonical prefixes where PUT/POST/DELETE/PATCH are allowed
 * @property {boolean} allowTxn whether `/v1/txn` is allowed (any method the allowlists permit there, and PUT)
 * @property {boolean} allowRootRecurse whether a recursive read (or delete) of the whole KV store is allowed
 * @property {string[]} datacenters the `?dc=` values allowed (none by default)
 * @property {boolean} serverToken whether the proxy adds its own token (then `/v1/acl/token/self` is refused)
 */

/**
 * @typedef {object} Decision
 * @property {string} path the canonical decoded path, for logs and matching
 * @property {string} forward the path and query to send to the agent (re-encoded path, query without `token`)
 * @property {boolean} blocking whether it is a blocking query (`?index=` above 0, or `?hash=`)
 * @property {number | undefined} blockingMs for a blocking query: the longest it may take (wait + jitter)
 * @property {boolean} hadQueryToken whether the query carried a `?token=` (removed from `forward`)
 */

/**
 * Decides whether one proxied request may go to the agent.
 * @param {{ method: string, path: string, query: string }} request `path`: below the proxy's prefix, still encoded (`/v1/kv/a%2Fb`); `query`: without `?`
 * @param {Policy} policy
 * @returns {Decision}
 * @throws {Refusal} 400 (malformed or non-canonical), 403 (not allowed), 405 (not an HTTP method the proxy forwards)
 */
export function decide(request, policy) {
  const method = request.method.toUpperCase();
  const { path, segments, encoded } = canonicalPath(request.path);
  const params = queryParts(request.query);
  const what = `${method} ${path}`;

  const isRead = READ_METHODS.has(method);
  if (!isRead && !WRITE_METHODS.has(method)) throw new Refusal(405, `method ${method} is not forwarded`);

  if (under(path, '/v1/txn')) {
    if (!policy.allowTxn) throw new Refusal(403, `${what} is not allowed: transactions can touch any key (start the proxy with --allow-txn to allow them)`);
  } else {
    const list = isRead ? policy.allowRead : policy.allowWrite;
    if (!list.some((prefix) => under(path, prefix))) {
      const flag = isRead ? '--allow-read' : '--allow-write';
      throw new Refusal(403, `${what} is not allowed (${isRead ? 'reads' : 'writes'} are allowed under: ${list.join(', ') || 'nothing'}; see ${flag})`);
    }
  }

  if (policy.serverToken && path === '/v1/acl/token/self') {
    throw new Refusal(403, `${what} is never forwarded with the proxy's own token: its answer would hand that token to the page`);
  }

  const has = (name) => params.some((p) => p.name === name);
  if (segments[0] === 'v1' && segments[1] === 'kv' && (has('recurse') || has('keys'))) {
    const key = path.slice('/v1/kv/'.length);
    if (path === '/v1/kv' || key === '') {
      if (!policy.allowRootRecurse) throw new Refusal(403, `${what} reads the whole KV store recursively: not allowed (see --allow-root-recurse)`);
    } else {
      const list = isRead ? policy.allowRead : policy.allowWrite;
      // Consul matches the key as a string prefix: `public?recurse` includes `publicX`, `public/?recurse` does not
      if (!list.some((prefix) => path.startsWith(`${prefix}/`))) {
        throw new Refusal(403, `${what} with ?recurse/?keys would also match keys outside the allowed prefixes (Consul matches a string prefix): end the key with "/"`);
      }
    }
  }

  for (const p of params) {
    if (p.name === 'dc' && !policy.datacenters.includes(p.value ?? '')) {
      throw new Refusal(403, `datacenter ${JSON.stringify(p.value ?? '')} is not allowed (allowed: ${policy.datacenters.join(', ') || 'none'}; see --datacenter)`);
    }
  }

  const index = params.find((p) => p.name === 'index')?.value;
  const blocking = (index !== undefined && /^\d+$/.test(index) && BigInt(index) > 0n) || has('hash');
  const kept = params.filter((p) => p.name !== 'token').map((p) => p.raw);
  return {
    path,
    forward: encoded + (kept.length ? `?${kept.join('&')}` : ''),
    blocking,
    blockingMs: blocking ? blockingMs(params.find((p) => p.name === 'wait')?.value) : undefined,
    hadQueryToken: has('token'),
  };
}
