/**
 * The transport: the only module that imports ky. It turns a prepared request into a `Response`,
 * applying the base URL, timeout and retry policy, and maps ky's and fetch's failures to
 * consulate's errors so that no ky or runtime type escapes.
 * @module
 */
import ky, { HTTPError, TimeoutError as KyTimeoutError } from 'ky';
import type { ResolvedConfig } from './config.ts';
import { NetworkError, TimeoutError } from './errors.ts';

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
  /** Milliseconds, or false for none. */
  timeout: number | false;
  /** Retry limit for this request (0 for writes). */
  retries: number;
  /** Statuses that are answers, not failures (never retried). */
  accept?: readonly number[] | undefined;
}

/** Sends {@link Outgoing} requests: a client's `transport` (`createClient` builds one per client). */
export interface Transport {
  /** Resolves with the response whatever its status (redirects are not followed); rejects on network failure, timeout or abort. */
  send(request: Outgoing): Promise<Response>;
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
  const { statusCodes, backoffLimit } = config.retry;
  return {
    async send(request) {
      const retryable = (status: number): boolean =>
        request.retries > 0 && statusCodes.includes(status) && !request.accept?.includes(status);
      const search = request.query.toString(); // not `query.size`: older browsers (Safari < 17) lack it
      const url = search ? `${request.path}?${search}` : request.path;
      try {
        return await http(url, {
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          signal: request.signal ?? null,
          timeout: request.timeout === false ? false : Math.min(request.timeout, 2_147_483_647),
          throwHttpErrors: retryable,
          retry: {
            limit: request.retries,
            methods: ['get', 'head', 'put', 'post', 'delete'],
            statusCodes,
            afterStatusCodes: [429, 503],
            backoffLimit,
            // a proxy's large Retry-After must not hold a read far past its timeout
            maxRetryAfter: request.timeout === false ? 60_000 : request.timeout,
          },
        });
      } catch (error) {
        if (error instanceof HTTPError) return error.response;
        if (request.signal?.aborted) throw request.signal.reason;
        const where = { method: request.method, path: `/v1/${request.path}` };
        if (error instanceof KyTimeoutError) {
          throw new TimeoutError(`${request.method} /v1/${request.path} timed out after ${request.timeout} ms`, where);
        }
        const reason = error instanceof Error ? error.message : String(error);
        throw new NetworkError(`${request.method} /v1/${request.path} failed: ${reason}`, { ...where, cause: error });
      }
    },
  };
}
