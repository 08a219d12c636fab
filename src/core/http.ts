/**
 * The transport: the only module that imports ky. It turns a prepared request into a `Response`,
 * applying the base URL, timeout, body deadline and retry policy, and maps ky's and fetch's failures
 * to consulate's errors so that no ky or runtime type escapes.
 * @module
 */
import ky, { HTTPError, TimeoutError as KyTimeoutError } from 'ky';
import { bodyStalled, guardBody, MAX_DELAY, NULL_BODY_STATUSES } from './body.ts';
import type { ResolvedConfig } from './config.ts';
import { globalFetch } from './config.ts';
import { NetworkError, TimeoutError } from './errors.ts';
import { redact } from './redact.ts';
import { kyRetry, retriesStatus, retryAfterCap } from './retry.ts';

/** A request ready to go on the wire. */
export interface Outgoing {
  /** HTTP method (`GET`, `PUT`, `DELETE`…). */
  method: string;
  /** Path below `/v1/`, already escaped. */
  path: string;
  /** Query parameters (never the token). */
  query: URLSearchParams;
  /** Request headers, `X-Consul-Token` included when there is a token. */
  headers: Record<string, string>;
  /** Request body, if any. */
  body?: RequestInit['body'] | undefined;
  /** Aborts the request (and its retries). */
  signal?: AbortSignal | undefined;
  /**
   * Milliseconds until the response's headers must have arrived (a blocking read's includes its wait
   * and wait/16), or false for none.
   */
  timeout: number | false;
  /**
   * Once the headers have arrived, how long the body may go without delivering a byte before reading
   * it fails with a `TimeoutError` (milliseconds, false for none); `timeout` when not given. A
   * transport applies it to every body, buffered or streamed to the caller.
   */
  bodyTimeout?: number | false | undefined;
  /** Retry limit for this request (0 for writes). */
  retries: number;
  /** Statuses that are answers, not failures (never retried). */
  accept?: readonly number[] | undefined;
  /**
   * Base URL (ending in `/v1/`) to send this request to: one of the client's `config.apiUrls`, chosen
   * by agent failover (`core/failover.ts`); `config.apiUrl` when not given.
   */
  apiUrl?: string | undefined;
  /**
   * Whether a network failure is retried on the same address (within `retries`); `false` when failover
   * tries the next address instead. Status retries are not affected.
   * @default true
   */
  networkRetries?: boolean | undefined;
}

/** Sends {@link Outgoing} requests: a client's `transport` (`createClient` builds one per client). */
export interface Transport {
  /**
   * Resolves with the response whatever its status (redirects are not followed); rejects on network
   * failure, timeout or abort. Reading the body fails with a `TimeoutError` when it stalls for
   * `bodyTimeout`, and with the signal's reason when the caller aborts.
   */
  send(request: Outgoing): Promise<Response>;
}

/**
 * The response with a deadline on its body's progress ({@link Outgoing.bodyTimeout}): a `Response`
 * with the same status, status text, headers and URL whose body fails with a `TimeoutError` when it
 * stalls (or the response itself when it guards its own body, as consulate/node's fetch does).
 * Bodiless responses and `redirect: 'manual'`'s opaque redirects (status 0 in browsers) are returned
 * as they are.
 */
function withBodyDeadline(response: Response, request: Outgoing): Response {
  const ms = request.bodyTimeout === undefined ? request.timeout : request.bodyTimeout;
  if (ms === false || response.type === 'opaqueredirect' || response.status < 200 || NULL_BODY_STATUSES.has(response.status)) {
    return response;
  }
  const stalled = (): Error => bodyStalled(request.method, request.path, response.status, ms);
  return guardBody(response, { ms, stalled, signal: request.signal });
}

/** Hints for the codes of failures to reach a server (Node's, undici's, OpenSSL's, Bun's). */
const HINTS: Record<string, string> = {};
const hint = (text: string, codes: string): void => {
  for (const code of codes.split(' ')) HINTS[code] = text;
};
hint('connection refused — is the Consul agent running and listening there?', 'ECONNREFUSED ConnectionRefused');
hint('host name not found', 'ENOTFOUND EAI_AGAIN');
hint('connection timed out', 'ETIMEDOUT UND_ERR_CONNECT_TIMEOUT');
hint('host unreachable', 'EHOSTUNREACH ENETUNREACH');
hint(
  "TLS: the server's certificate is not trusted — trust its CA (consulate/node: tls.caFile, CONSUL_CACERT; Node's fetch: NODE_EXTRA_CA_CERTS)",
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE DEPTH_ZERO_SELF_SIGNED_CERT SELF_SIGNED_CERT_IN_CHAIN UNABLE_TO_GET_ISSUER_CERT UNABLE_TO_GET_ISSUER_CERT_LOCALLY CERT_UNTRUSTED CERT_SIGNATURE_FAILURE INVALID_CA',
);
hint("TLS: the server's certificate is not valid now", 'CERT_HAS_EXPIRED CERT_NOT_YET_VALID');
hint("TLS: the server's certificate does not name this host (consulate/node: tls.servername)", 'ERR_TLS_CERT_ALTNAME_INVALID');
hint('TLS: the server does not speak TLS on this port — is it the plain HTTP port?', 'ERR_SSL_WRONG_VERSION_NUMBER');
hint('the server closed the connection (over HTTPS: does it need a client certificate?)', 'ECONNRESET UND_ERR_SOCKET EPIPE');

/** The first `code` (and its error's message) along a failure's `cause` chain (or an AggregateError's errors). */
function rootCause(error: unknown): { code: string | undefined; message: string } {
  let message = error instanceof Error ? error.message : String(error);
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const { code, message: text, cause, errors } = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof text === 'string' && text !== '') message = text;
    if (typeof code === 'string' && code !== '') return { code, message };
    current = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return { code: undefined, message };
}

/**
 * Says why a `fetch` failed, in words a user can act on: the URL, the underlying code
 * (`ECONNREFUSED`, `ENOTFOUND`, `DEPTH_ZERO_SELF_SIGNED_CERT`…) with a hint, or, when the runtime gives
 * no reason (browsers: "Failed to fetch"), that a CORS refusal or a network failure is likely.
 */
function describeFetchFailure(error: unknown, url: string): string {
  const { code, message } = rootCause(error);
  const detail = code === undefined || message.includes(code) ? message : `${code}: ${message}`;
  let text = code === undefined ? undefined : code.startsWith('HPE_') ? "the answer is not HTTP — is this Consul's HTTP port?" : HINTS[code];
  if (code === undefined && (typeof (globalThis as { document?: unknown }).document !== 'undefined' || /failed to fetch|networkerror|load failed/i.test(message))) {
    text = 'no reason given, as browsers do for a CORS refusal or a network failure: check the address, `pathPrefix` and the proxy (its CORS headers)';
  }
  return `${redact(url)}: ${text === undefined ? detail : `${text} (${detail})`}`;
}

/** The ky options a request adds to its ky instance's defaults (only what differs from them). */
type KyCallOptions = NonNullable<Parameters<typeof ky>[1]>;

/** ky's `retry.shouldRetry` for a request that fails over: a network failure is not retried (an HTTP status is, as usual). */
const statusesOnly = ({ error }: { error: Error }): false | undefined => (error instanceof HTTPError ? undefined : false);

/**
 * ky's `retry.shouldRetry` for a request with the caller's signal: nothing is retried once it has aborted.
 * Where the runtime lacks `AbortSignal.any` (Vercel's edge runtime, Safari < 17.4), ky retries an aborted
 * request after each backoff, and the retry's cloned `Request` may have lost its link to the signal
 * (nodejs/undici#4068): the aborted read was sent again and waited out Consul's whole wait.
 */
function untilAborted(signal: AbortSignal, then?: typeof statusesOnly): typeof statusesOnly {
  return (state) => (signal.aborted ? false : then?.(state));
}

/** ky's `beforeRetry` hook for a request with the caller's signal: an abort during a backoff sends nothing more (see {@link untilAborted}). */
function abortsRetry(signal: AbortSignal): () => void {
  return () => {
    if (signal.aborted) throw signal.reason;
  };
}

/** ky's `timeout` when none is given, ms. */
const KY_DEFAULT_TIMEOUT = 10_000;

/**
 * Builds the transport for a resolved configuration. ky merges an instance's defaults into every call
 * and builds a `Request` from them, so what does not change between calls is set once here, in two
 * instances: one for reads under the retry policy and one for requests that are never retried (writes).
 * A call then passes only its method, headers, body and signal — plus a timeout, retry or
 * `throwHttpErrors` of its own when it has one (a blocking read's longer timeout, an endpoint that
 * takes a retryable status as data) — which keeps ky's per-call option merging small.
 */
export function createTransport(config: ResolvedConfig): Transport {
  const fetchImpl = config.fetch;
  const policy = config.retry;
  const timeout = config.timeout === false ? false : Math.min(config.timeout, MAX_DELAY);
  // ky's defaults are left out: every option is one more step of ky's merge, on every call
  const shared: KyCallOptions = { prefixUrl: config.apiUrl, redirect: 'manual' };
  // ky's own default is the global fetch, looked up per call too
  if (fetchImpl !== globalFetch) {
    // a plain call: window.fetch throws "Illegal invocation" when called as a method of another object
    shared.fetch = (input, init) => fetchImpl(input, init);
  }
  if (timeout !== KY_DEFAULT_TIMEOUT) shared.timeout = timeout;
  // the one retry policy (core/retry.ts); its Retry-After cap keeps a proxy's large value within the timeout
  const reads = ky.create({
    ...shared,
    retry: kyRetry(policy, { retries: policy.limit, timeout: config.timeout }),
    throwHttpErrors: (status) => policy.statusCodes.includes(status),
  });
  const writes = ky.create({ ...shared, retry: 0, throwHttpErrors: false });
  return {
    async send(request) {
      const retried = request.retries > 0;
      const http = retried && request.retries === policy.limit ? reads : writes;
      const options: KyCallOptions = { method: request.method };
      // only what differs from the instance's defaults: each option is one more step of ky's merge
      for (const _ in request.headers) {
        options.headers = request.headers;
        break;
      }
      if (request.body !== undefined && request.body !== null) options.body = request.body;
      if (request.signal !== undefined) options.signal = request.signal;
      const own = request.timeout === false ? false : Math.min(request.timeout, MAX_DELAY);
      if (own !== timeout) options.timeout = own;
      // ky merges a call's retry into its instance's: a longer timeout (a blocking read) changes only the Retry-After cap
      if (http === writes && retried) options.retry = kyRetry(policy, request);
      else if (retried && own !== timeout) options.retry = { maxRetryAfter: retryAfterCap(request.timeout) };
      if (retried && (http === writes || request.accept?.some((status) => policy.statusCodes.includes(status)))) {
        options.throwHttpErrors = (status) => retriesStatus(policy, request, status);
      }
      // failover moves on to the next address: only statuses are retried here
      const shouldRetry = request.networkRetries === false ? statusesOnly : undefined;
      if (retried && request.signal !== undefined) {
        options.retry = { ...(options.retry as object | undefined), shouldRetry: untilAborted(request.signal, shouldRetry) };
        options.hooks = { beforeRetry: [abortsRetry(request.signal)] };
      } else if (retried && shouldRetry !== undefined) {
        options.retry = { ...(options.retry as object | undefined), shouldRetry };
      }
      const apiUrl = request.apiUrl ?? config.apiUrl;
      if (apiUrl !== config.apiUrl) options.prefixUrl = apiUrl;
      const search = request.query.toString(); // not `query.size`: older browsers (Safari < 17) lack it
      const url = search ? `${request.path}?${search}` : request.path;
      try {
        return withBodyDeadline(await http(url, options), request);
      } catch (error) {
        if (error instanceof HTTPError) return withBodyDeadline(error.response, request);
        if (request.signal?.aborted) throw request.signal.reason;
        const where = { method: request.method, path: `/v1/${request.path}` };
        if (error instanceof KyTimeoutError) {
          throw new TimeoutError(`${request.method} /v1/${request.path} timed out after ${request.timeout} ms`, where);
        }
        const reason = describeFetchFailure(error, `${apiUrl}${url}`);
        throw new NetworkError(`${request.method} /v1/${request.path} failed: ${reason}`, { ...where, cause: error });
      }
    },
  };
}
