/**
 * Client configuration: what the user passes to `createClient`, checked with valibot and resolved
 * into a frozen {@link ResolvedConfig}. Invalid configuration throws a {@link ConfigError} here,
 * not at the first request.
 * @module
 */
import * as v from 'valibot';
import { ConfigError } from './errors.ts';
import { RETRY_DEFAULTS } from './retry.ts';

/** A `fetch`-compatible function (the global `fetch`, undici's, a test double…). */
export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/** Retry policy for requests that are safe to repeat. */
export interface RetryOptions {
  /**
   * How many times a failed read is retried (network errors and the `statusCodes` below).
   * @default 2
   */
  limit?: number;
  /**
   * Statuses that are retried. `Retry-After` is honoured on 429 and 503.
   * @default [408, 429, 502, 503, 504]
   */
  statusCodes?: number[];
  /**
   * Upper bound of the exponential backoff between attempts, in milliseconds.
   * @default 3000
   */
  backoffLimit?: number;
}

/** Options accepted by {@link createClient} and `new Consul()`. */
export interface ClientConfig {
  /**
   * Where the agent listens: `host:port`, or a full URL such as `https://consul.example:8501` — or a
   * list of them, for agent failover. Mutually exclusive with `host`/`port`/`scheme`; `pathPrefix`
   * applies to every address.
   *
   * With a list, each request goes to the client's current address (the first one to begin with) and
   * the address sticks until it fails. A request moves on to the next address (in list order, wrapping
   * round; each address once per round) when:
   * - the connection failed before the request was sent (refused, host or network unreachable, host
   *   not found, connect timeout, TLS handshake): any request, writes included;
   * - the connection broke after the request may have been sent (a reset or hang-up mid-request, a
   *   garbled answer, or a timeout that left time on the deadline): idempotent reads (`GET`, blocking
   *   reads of watches included) only. Writes are not replayed then — never a `?cas=`/`?acquire=`
   *   write, nor a stream body — and fail with a `NetworkError` saying so. In browsers `fetch` gives no
   *   reason for a failure, so it counts as a possible send: only reads move on.
   *
   * One deadline (`timeout`, plus a blocking read's wait) covers a request across every address it
   * tries: an address that accepts the connection and then stalls uses the deadline up, and the
   * request fails with a `TimeoutError` (the next request starts at the next address). Reads get
   * `retry.limit` more rounds over the list, with the retry backoff between rounds, while time remains.
   * HTTP error statuses are answers (a 503 is retried as usual), except that a read answered 500 — an
   * agent that cannot reach the servers, or is shutting down — asks the next address (the last one's
   * answer is returned whatever it is). Errors name every
   * address tried and why it failed. Agent-local endpoints (`/v1/agent/…`: service registration,
   * members, self) answer for whichever agent is current.
   * @default "http://127.0.0.1:8500"
   * @example createClient({ address: "10.0.0.5:8500" })
   * @example createClient({ address: ["10.0.0.5:8500", "10.0.0.6:8500", "https://10.0.0.7:8501"] })
   */
  address?: string | readonly string[];
  /**
   * Agent host name or IP (consulate's `host`).
   * @default "127.0.0.1"
   */
  host?: string;
  /**
   * Agent port (consulate's `port`), 1–65535.
   * @default 8500
   */
  port?: number;
  /**
   * `http` or `https` (consulate's `scheme`).
   * @default "http"
   */
  scheme?: 'http' | 'https';
  /**
   * A path in front of `/v1`, for Consul behind a proxy (e.g. a CORS proxy at `/consul`).
   * @default ""
   * @example createClient({ address: "https://dash.example", pathPrefix: "/consul" })
   */
  pathPrefix?: string;
  /** Default datacenter (`?dc=`) for every request. */
  datacenter?: string;
  /** ACL token, sent only in the `X-Consul-Token` header. */
  token?: string;
  /** Default namespace (`?ns=`, Consul Enterprise). */
  namespace?: string;
  /** Default admin partition (`?partition=`, Consul Enterprise). */
  partition?: string;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /**
   * The fetch implementation.
   * @default globalThis.fetch
   */
  fetch?: FetchLike;
  /**
   * Milliseconds before a request fails with a `TimeoutError`, or `false` for none. Blocking reads
   * add their `wait` (and Consul's wait/16 jitter) to this. It covers the whole exchange: until the
   * headers arrive, then the body, which must keep coming — a read of it (buffered or streamed, such as
   * a snapshot) that gets no data for `timeout` ms fails with a `TimeoutError`.
   * @default 10000
   */
  timeout?: number | false;
  /**
   * Retries for reads (GET); writes are never replayed. A number is the retry limit.
   * @default { limit: 2, statusCodes: [408, 429, 502, 503, 504], backoffLimit: 3000 }
   */
  retry?: number | RetryOptions;
  /**
   * Check responses against valibot schemas; a mismatch throws `ResponseValidationError`.
   * @default true
   */
  validateResponses?: boolean;
}

/** A checked, frozen configuration. */
export interface ResolvedConfig {
  /** Base URL ending in `/v1/` (of the first address, when `address` is a list). */
  readonly apiUrl: string;
  /**
   * Base URLs ending in `/v1/`, one per address, in the order given (`[apiUrl]` for one address); a
   * request goes to the client's current one and fails over to the next (see {@link ClientConfig.address}).
   */
  readonly apiUrls: readonly string[];
  /** Default datacenter (`?dc=`), if any. */
  readonly datacenter: string | undefined;
  /** ACL token (sent only in `X-Consul-Token`), if any. */
  readonly token: string | undefined;
  /** Default namespace (`?ns=`), if any. */
  readonly namespace: string | undefined;
  /** Default admin partition (`?partition=`), if any. */
  readonly partition: string | undefined;
  /** Extra headers sent with every request. */
  readonly headers: Readonly<Record<string, string>>;
  /** The fetch implementation in use. */
  readonly fetch: FetchLike;
  /** Milliseconds before a request times out, or `false` for none (blocking reads add their `wait`). */
  readonly timeout: number | false;
  /** Retry policy of reads, with every default filled in. */
  readonly retry: Readonly<Required<RetryOptions>>;
  /** Whether responses are checked against valibot schemas. */
  readonly validateResponses: boolean;
}

function Schema() {
  const text = v.optional(v.string());
  const count = v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)));
  return v.strictObject({
    address: v.optional(v.union([v.string(), v.pipe(v.array(v.string()), v.minLength(1, 'expected at least one address'))])),
    host: text,
    port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535))),
    scheme: v.optional(v.union([v.literal('http'), v.literal('https')])),
    pathPrefix: text,
    datacenter: text,
    token: text,
    namespace: text,
    partition: text,
    headers: v.optional(v.record(v.string(), v.string())),
    fetch: v.optional(v.function()),
    timeout: v.optional(v.union([v.literal(false), v.pipe(v.number(), v.minValue(0))])),
    retry: v.optional(
      v.union([count, v.strictObject({ limit: count, statusCodes: v.optional(v.array(v.number())), backoffLimit: count })]),
    ),
    validateResponses: v.optional(v.boolean()),
  });
}

function fail(message: string): never {
  throw new ConfigError(`invalid consulate config: ${message}`);
}

/** The URL of one address (`label` names it in errors: `address`, `address[1]`), or of host/port/scheme. */
function resolveUrl(config: ClientConfig, address: string | undefined, label: string): URL {
  let text: string;
  if (address !== undefined) {
    text = /^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `http://${address}`;
  } else {
    const host = config.host ?? '127.0.0.1';
    text = `${config.scheme ?? 'http'}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${config.port ?? 8500}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail(`${label} ${JSON.stringify(address ?? text)} is not a valid URL or host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(`unsupported scheme ${JSON.stringify(url.protocol.slice(0, -1))} in ${label} (use http or https; unix sockets need consulate/node)`);
  }
  if (url.username || url.password) fail(`credentials in ${label} are not supported; use token or headers`);
  if (url.search || url.hash) fail(`${label} must not have a query or fragment`);
  return url;
}

/** The base URL (ending in `/v1/`) of every address, in order; one for a single address or host/port/scheme. */
function resolveApiUrls(config: ClientConfig): string[] {
  const address = config.address;
  if (address !== undefined && (config.host !== undefined || config.port !== undefined || config.scheme !== undefined)) {
    fail('give either address or host/port/scheme, not both');
  }
  const list = typeof address === 'string' || address === undefined ? [address] : address;
  const apiUrls: string[] = [];
  list.forEach((entry, at) => {
    const url = resolveUrl(config, entry, typeof address === 'object' ? `address[${at}]` : 'address');
    const prefix = `${url.pathname}/${config.pathPrefix ?? ''}`.split('/').filter(Boolean).join('/');
    const apiUrl = `${url.origin}/${prefix ? `${prefix}/` : ''}v1/`;
    const same = apiUrls.indexOf(apiUrl);
    // a repeated address would be tried twice per round and hide how many agents there really are
    if (same !== -1) fail(`address[${at}] ${JSON.stringify(entry)} is the same agent as address[${same}]`);
    apiUrls.push(apiUrl);
  });
  return apiUrls;
}

/**
 * The global `fetch`, looked up per call (so polyfills and interceptors installed later still apply):
 * a client's `fetch` when none is given. @internal
 */
export const globalFetch: FetchLike = (input, init) => globalThis.fetch(input, init);

/**
 * Checks and resolves user configuration.
 * @throws {ConfigError} naming the offending option.
 */
export function resolveConfig(config: ClientConfig = {}): ResolvedConfig {
  const result = v.safeParse(Schema(), config);
  if (!result.success) {
    const issue = result.issues[0];
    const path = v.getDotPath(issue) ?? '(config)';
    fail(`${path}: ${issue.message}`);
  }
  const apiUrls = resolveApiUrls(config);
  // the global fetch is looked up per call, so polyfills and interceptors installed later still apply
  const fetchImpl: FetchLike | undefined = config.fetch ?? (typeof globalThis.fetch === 'function' ? globalFetch : undefined);
  if (fetchImpl === undefined) {
    fail('no fetch implementation: this runtime has no global fetch; pass one as the `fetch` option (Node: use consulate/node)');
  }
  const retry = typeof config.retry === 'number' ? { limit: config.retry } : (config.retry ?? {});
  return Object.freeze({
    apiUrl: apiUrls[0]!,
    apiUrls: Object.freeze(apiUrls),
    datacenter: config.datacenter,
    token: config.token === '' ? undefined : config.token,
    namespace: config.namespace,
    partition: config.partition,
    headers: Object.freeze({ ...config.headers }),
    fetch: fetchImpl,
    timeout: config.timeout ?? 10_000,
    retry: Object.freeze({
      limit: retry.limit ?? RETRY_DEFAULTS.limit,
      statusCodes: retry.statusCodes ?? [...RETRY_DEFAULTS.statusCodes],
      backoffLimit: retry.backoffLimit ?? RETRY_DEFAULTS.backoffLimit,
    }),
    validateResponses: config.validateResponses ?? true,
  });
}
