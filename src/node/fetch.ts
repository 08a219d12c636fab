/// <reference types="node" />
/**
 * `createNodeFetch`: a `fetch`-compatible function for Node on `node:http`/`node:https` keep-alive
 * pools, with Unix-socket and TLS/mTLS support.
 *
 * Why not the global `fetch`? It costs several times more per request than a plain `node:http`
 * request (measured with `bench/node-fetch.mjs`), cannot reach a Unix socket, and takes no client
 * certificate. This function takes any `Request`, unpacks it, sends it on the pool and answers with a
 * `Response` whose body is read straight from the socket's stream (see `response.ts`). Redirects are
 * never followed (Consul answers path cleaning with a 301, and following it would replay writes).
 * @module
 */
import type { FetchLike } from '../core/config.ts';
import type { NodeConnection, NodeFetchOptions } from './connection.ts';
import { createConnection } from './connection.ts';
import { requestBody } from './request-body.ts';
import { linkWebPrototypes, toResponse } from './response.ts';
import type { OptionLabels } from './tls.ts';

export type { NodeFetchOptions } from './connection.ts';
export type { NodeTlsOptions } from './tls.ts';

/**
 * A `fetch`-compatible function bound to one connection pool. Call {@link NodeFetch.close} when done
 * so that requests in flight finish and idle keep-alive sockets close.
 * @example
 * ```ts
 * const fetch = createNodeFetch({ socketPath: '/tmp/consul.sock' });
 * const res = await fetch('http://localhost/v1/status/leader');
 * console.log(await res.json());
 * await fetch.close();
 * ```
 */
export interface NodeFetch extends FetchLike {
  /** Closes the connection pool: waits for requests in flight, then closes every socket. Idempotent. */
  close(): Promise<void>;
  /** Same as {@link NodeFetch.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** String/URL requests without a body are read without building a `Request` (it costs as much as the rest). */
function isSimple(input: Request | string | URL, init: RequestInit | undefined): input is string | URL {
  return (typeof input === 'string' || input instanceof URL) && (init === undefined || init.body === undefined || init.body === null);
}

/** Headers as `node:http` takes them: an object (a `Headers` or pairs are copied into one). */
function plainHeaders(headers: HeadersInit | undefined): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  if (typeof (headers as Headers).forEach === 'function' && !Array.isArray(headers)) {
    const out: Record<string, string> = {};
    (headers as Headers).forEach((value, name) => {
      out[name] = value;
    });
    return out;
  }
  if (Array.isArray(headers)) return Object.fromEntries(headers as [string, string][]);
  return headers as Record<string, string>;
}

/**
 * Creates a `fetch`-compatible function on a keep-alive connection pool, optionally over a Unix
 * socket and with TLS/mTLS settings. Pass it as `createClient({ fetch })`, or let
 * {@link createNodeClient} / {@link fromEnv} do it.
 *
 * Differences from the global `fetch`: redirects are never followed (a 3xx is returned as is), no
 * `Accept-Encoding` is added, and failures reject with a `TypeError` whose message explains the cause
 * (e.g. which TLS option to set) and whose `cause` is the original error.
 * @param options - socket path, TLS settings and pool limits; see {@link NodeFetchOptions}.
 * @returns a {@link NodeFetch}; call its `close()` when done.
 * @throws {ConfigError} when a certificate or key file cannot be read or parsed, or an option is invalid.
 * @example
 * ```ts
 * import { createClient } from 'consulate';
 * import * as kv from 'consulate/kv';
 * import { createNodeFetch } from 'consulate/node';
 * const fetch = createNodeFetch({ tls: { caFile: 'ca.pem', certFile: 'client.pem', keyFile: 'client-key.pem' } });
 * const client = createClient({ address: 'https://127.0.0.1:8501', fetch });
 * console.log((await kv.get(client, 'app/config')).data);
 * await fetch.close();
 * ```
 */
export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  return nodeFetch(options, {});
}

/** {@link createNodeFetch} with custom names for configuration errors. @internal */
export function nodeFetch(options: NodeFetchOptions, labels: OptionLabels): NodeFetch {
  return fetchOver(createConnection(options, labels));
}

/** A `fetch` over an existing connection pool; its `close()` closes the pool. @internal */
export function fetchOver(connection: NodeConnection): NodeFetch {
  const fetchImpl = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    // a fetch user works with web objects: answers are `instanceof Response` from the first call on
    linkWebPrototypes(true);
    let url: string;
    let method: string;
    let headers: HeadersInit | undefined;
    let signal: AbortSignal | undefined;
    let stream: ReadableStream<Uint8Array> | null = null;
    if (isSimple(input, init)) {
      url = typeof input === 'string' ? new URL(input).href : input.href;
      method = (init?.method ?? 'GET').toUpperCase();
      headers = init?.headers;
      signal = init?.signal ?? undefined;
    } else {
      // ky passes a built-in Request plus an init of options Request does not know: use the Request as is
      const request = input instanceof Request && (init === undefined || !('method' in init || 'headers' in init || 'body' in init || 'signal' in init))
        ? input
        : new Request(input, init);
      url = request.url;
      method = request.method;
      headers = request.headers;
      signal = request.signal;
      stream = request.body;
    }
    const start = url.indexOf('/', url.indexOf('//') + 2);
    const origin = start === -1 ? url : url.slice(0, start);
    const hash = url.indexOf('#');
    const path = start === -1 ? '/' : url.slice(start, hash === -1 ? undefined : hash);
    try {
      signal?.throwIfAborted();
      const body = stream === null ? null : await requestBody(stream, signal);
      const res = await connection.request({ origin, path, method, headers: plainHeaders(headers), body, signal });
      // resolved at the headers, as fetch does: the caller (ky's transport) puts its deadline on the body
      return await toResponse(res, method, url, undefined, false);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new TypeError(connection.explain(error, origin), { cause: error });
    }
  };
  return Object.assign(fetchImpl, { close: connection.close, [Symbol.asyncDispose]: connection.close });
}
