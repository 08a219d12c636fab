/**
 * The transport: the only module that imports ky. It turns a prepared request into a `Response`,
 * applying the base URL, timeout, body deadline and retry policy, and maps ky's and fetch's failures
 * to consulate's errors so that no ky or runtime type escapes.
 * @module
 */
import ky, { HTTPError, TimeoutError as KyTimeoutError } from 'ky';
import { bodyStalled, guardBody, MAX_DELAY, NULL_BODY_STATUSES } from './body.ts';
import type { ResolvedConfig } from './config.ts';
import { NetworkError, TimeoutError } from './errors.ts';
import { redact } from './redact.ts';
import { kyRetry, retriesStatus } from './retry.ts';

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

/** Builds the transport for a resolved configuration. */
export function createTransport(config: ResolvedConfig): Transport {
  const fetchImpl = config.fetch;
  const http = ky.create({
    prefixUrl: config.apiUrl,
    // a plain call: window.fetch throws "Illegal invocation" when called as a method of another object
    fetch: (input, init) => fetchImpl(input, init),
    redirect: 'manual',
  });
  return {
    async send(request) {
      const retryable = (status: number): boolean => retriesStatus(config.retry, request, status);
      const search = request.query.toString(); // not `query.size`: older browsers (Safari < 17) lack it
      const url = search ? `${request.path}?${search}` : request.path;
      try {
        const response = await http(url, {
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          signal: request.signal ?? null,
          timeout: request.timeout === false ? false : Math.min(request.timeout, MAX_DELAY),
          throwHttpErrors: retryable,
          // the one retry policy (core/retry.ts); its Retry-After cap keeps a proxy's large value within the timeout
          retry: kyRetry(config.retry, request),
        });
        return withBodyDeadline(response, request);
      } catch (error) {
        if (error instanceof HTTPError) return withBodyDeadline(error.response, request);
        if (request.signal?.aborted) throw request.signal.reason;
        const where = { method: request.method, path: `/v1/${request.path}` };
        if (error instanceof KyTimeoutError) {
          throw new TimeoutError(`${request.method} /v1/${request.path} timed out after ${request.timeout} ms`, where);
        }
        const reason = describeFetchFailure(error, `${config.apiUrl}${url}`);
        throw new NetworkError(`${request.method} /v1/${request.path} failed: ${reason}`, { ...where, cause: error });
      }
    },
  };
}
