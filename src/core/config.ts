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
   * Where the agent listens: `host:port`, or a full URL such as `https://consul.example:8501`.
   * Mutually exclusive with `host`/`port`/`scheme`.
   * @default "http://127.0.0.1:8500"
   * @example createClient({ address: "10.0.0.5:8500" })
   */
  address?: string;
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
  /** Base URL ending in `/v1/`. */
  readonly apiUrl: string;
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
    address: text,
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

function resolveUrl(config: ClientConfig): URL {
  const address = config.address;
  if (address !== undefined && (config.host !== undefined || config.port !== undefined || config.scheme !== undefined)) {
    fail('give either address or host/port/scheme, not both');
  }
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
    fail(`address ${JSON.stringify(address ?? text)} is not a valid URL or host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(`unsupported scheme ${JSON.stringify(url.protocol.slice(0, -1))} in address (use http or https; unix sockets need consulate/node)`);
  }
  if (url.username || url.password) fail('credentials in the address are not supported; use token or headers');
  if (url.search || url.hash) fail('the address must not have a query or fragment');
  return url;
}

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
  const url = resolveUrl(config);
  const prefix = `${url.pathname}/${config.pathPrefix ?? ''}`.split('/').filter(Boolean).join('/');
  // the global fetch is looked up per call, so polyfills and interceptors installed later still apply
  const fetchImpl: FetchLike | undefined =
    config.fetch ?? (typeof globalThis.fetch === 'function' ? (input, init) => globalThis.fetch(input, init) : undefined);
  if (fetchImpl === undefined) {
    fail('no fetch implementation: this runtime has no global fetch; pass one as the `fetch` option (Node: use consulate/node)');
  }
  const retry = typeof config.retry === 'number' ? { limit: config.retry } : (config.retry ?? {});
  return Object.freeze({
    apiUrl: `${url.origin}/${prefix ? `${prefix}/` : ''}v1/`,
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
