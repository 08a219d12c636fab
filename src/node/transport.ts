/// <reference types="node" />
/**
 * `createNodeTransport`: consulate's {@link Transport} for Node, sent straight through a
 * `node:http`/`node:https` keep-alive pool instead of ky and a `fetch`.
 *
 * Why Node gets its own transport: the core transport (ky over `fetch`) is the one that runs
 * everywhere, but on Node 20 ky builds and clones a web `Request` and wires `AbortSignal`s on every
 * call, ~100–200 µs of CPU — more than the HTTP client spends on the whole request — and the first web
 * `Response` loads Node's whole web fetch (20–30 ms, more than a CLI call to a local agent). This
 * transport keeps ky's observable behaviour (same base URL, redirects returned not followed, timeouts,
 * retries, errors) and costs about what a plain `node:http` request costs (`bench/per-call.mjs`).
 * @module
 */
import type { BodyGuard } from '../core/body.ts';
import { bodyStalled, MAX_DELAY } from '../core/body.ts';
import type { ResolvedConfig } from '../core/config.ts';
import { sleep } from '../core/async.ts';
import { NetworkError, TimeoutError } from '../core/errors.ts';
import type { Outgoing, Transport } from '../core/http.ts';
import { requestRetryDelay } from '../core/retry.ts';
import type { NodeConnection, NodeFetchOptions } from './connection.ts';
import { Abort, createConnection } from './connection.ts';
import { CONNECT_TIMEOUT } from './explain.ts';
import type { WireBody } from './request-body.ts';
import { toWireBody } from './request-body.ts';
import { toResponse } from './response.ts';

/**
 * Options of {@link createNodeTransport}: the same socket, TLS and pool settings as
 * {@link NodeFetchOptions}.
 * @example
 * ```ts
 * const options: NodeTransportOptions = { socketPath: '/var/run/consul/consul.sock', connections: 32 };
 * ```
 */
export type NodeTransportOptions = NodeFetchOptions;

/**
 * A {@link Transport} that owns a connection pool: call {@link NodeTransport.close} when done.
 * @example
 * ```ts
 * await using transport = createNodeTransport(config);
 * ```
 */
export interface NodeTransport extends Transport {
  /** Closes the connection pool after requests in flight finish. Idempotent. */
  close(): Promise<void>;
  /** Same as {@link NodeTransport.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Network failures worth another attempt: refused, reset, unreachable, timed out, and a Unix socket
 * that is briefly missing while the agent restarts. TLS verification failures, a closed client or an
 * invalid request fail at once: another attempt would fail the same way.
 */
const TRANSIENT = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'ENETDOWN', 'ENETUNREACH', 'EHOSTDOWN', 'EHOSTUNREACH', 'EPIPE',
  'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'ENOENT', CONNECT_TIMEOUT,
]);

/** Whether a failed request is worth another attempt (its code is {@link TRANSIENT}). */
function transient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT.has(code);
}

/**
 * Creates a {@link Transport} on a `node:http`/`node:https` keep-alive pool, for a client built by
 * hand (`createNodeClient` and `fromEnv` already use it).
 *
 * It behaves like the core's ky transport: requests go to `config.apiUrl` (including a path prefix);
 * redirects are returned, never followed; `timeout` bounds the call until the final response's
 * headers — every attempt and the waits between them — and then rejects with a {@link TimeoutError};
 * from the headers on, the body must keep coming: a read of it (buffered here, or the caller's read of
 * a streamed body) that waits `bodyTimeout` (default: `timeout`) without data fails with a
 * {@link TimeoutError} and closes the connection;
 * aborting the caller's signal rejects with its reason; a read (`retries > 0`) is retried on network
 * failures and on `config.retry.statusCodes` (never on the statuses it accepts as data), with ky's
 * exponential backoff capped at `config.retry.backoffLimit` and `Retry-After` honoured on 429 and
 * 503; after the last attempt the failing response itself is returned, so the error carries Consul's
 * status and text. Network failures reject with a {@link NetworkError} that explains the cause (which
 * TLS option to set, a refused connection…); its `cause` is a `TypeError` whose `cause` is Node's
 * error — the shape the global `fetch` gives. Bodies with a length up to 1 MiB are read at once;
 * larger or unsized ones (a snapshot, the monitor stream, Consul's longer lists) are left on the
 * connection for the caller to read or stream, under the same body deadline. Paths are sent as the
 * endpoint escaped them: unlike `fetch`, `.`/`..` segments are not resolved on the client (Consul
 * answers them with a redirect instead). Network failures are retried when they are transient
 * (refused, reset, host unreachable, connect timeout…), not when another attempt would fail the same
 * way (an untrusted certificate, a closed client).
 *
 * The answers have every member of a `Response` but are built without Node's web fetch (see
 * `NodeResponse`); they are `instanceof Response` once the process has loaded it anyway.
 * @param config - the resolved configuration of the client (its `apiUrl` and `retry` are used).
 * @param options - socket path, TLS settings and pool limits; see {@link NodeFetchOptions}.
 * @returns a {@link NodeTransport}; close it when done.
 * @throws {ConfigError} for invalid options or unreadable certificate or key files.
 * @example
 * ```ts
 * import type { Client } from 'consulate';
 * import { createClient } from 'consulate';
 * import * as kv from 'consulate/kv';
 * import { createNodeTransport } from 'consulate/node';
 * const { config } = createClient({ address: 'http://127.0.0.1:8500', token: 'secret' });
 * const transport = createNodeTransport(config, { connections: 16 });
 * const client: Client = { config, transport };
 * console.log((await kv.get(client, 'app/config')).data);
 * await transport.close();
 * ```
 */
export function createNodeTransport(config: ResolvedConfig, options: NodeTransportOptions = {}): NodeTransport {
  return transportOver(config, createConnection(options, {}));
}

/** {@link createNodeTransport} over an existing pool (shared with a `fetch`); `close()` closes the pool. @internal */
export function transportOver(config: ResolvedConfig, connection: NodeConnection): NodeTransport {
  type Target = { origin: string; base: string; apiUrl: string };
  const targetOf = (apiUrl: string): Target => {
    const api = new URL(apiUrl);
    return { origin: api.origin, base: api.pathname, apiUrl };
  };
  // parsed once: failover (core/failover.ts) sends every request to one of these once it has moved
  const targets = new Map(config.apiUrls.map((apiUrl) => [apiUrl, targetOf(apiUrl)]));
  const home = targets.get(config.apiUrl) ?? targetOf(config.apiUrl);

  async function send(request: Outgoing): Promise<Response> {
    const { method, signal } = request;
    // the address agent failover chose (core/failover.ts), else the client's
    const { origin, base, apiUrl } = request.apiUrl === undefined ? home : (targets.get(request.apiUrl) ?? targetOf(request.apiUrl));
    signal?.throwIfAborted();
    // one abort for the connection, fired by the timeout and by the caller's signal
    let abort: Abort | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    let unlink: (() => void) | undefined;
    let deadline = Number.POSITIVE_INFINITY;
    if (request.timeout !== false || signal !== undefined) abort = new Abort();
    if (request.timeout !== false) {
      const limit = Math.min(request.timeout, MAX_DELAY);
      deadline = performance.now() + limit;
      timer = setTimeout(() => {
        timedOut = true;
        abort!.abort(new Error('timed out'));
      }, limit);
    }
    if (signal !== undefined) {
      const forward = (): void => abort!.abort(signal.reason);
      signal.addEventListener('abort', forward, { once: true });
      unlink = () => signal.removeEventListener('abort', forward);
    }
    try {
      let headers = request.headers;
      let body: WireBody = null;
      if (request.body != null) {
        // the first MiB of a stream body is read now: under the timeout and the caller's signal
        const encoded = await toWireBody(request.body, abort);
        body = encoded.body;
        if (encoded.type !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
          headers = { ...headers, 'content-type': encoded.type };
        }
      }
      const search = request.query.toString();
      const path = search ? `${base}${request.path}?${search}` : base + request.path;
      // Retries are this small loop: the first attempt costs nothing extra, and a connection lost
      // mid-body fails the call rather than asking again with a `Range` header Consul ignores.
      const retryable = request.retries > 0 && (body === null || typeof body === 'string' || body instanceof Uint8Array);
      let res: Awaited<ReturnType<NodeConnection['request']>> | undefined;
      for (let attempt = 1; ; attempt++) {
        let failure: unknown;
        res = undefined;
        try {
          const timeout = request.timeout === false ? false : deadline - performance.now();
          res = await connection.request({ origin, path, method, headers, body, signal: abort, timeout });
        } catch (error) {
          failure = error;
        }
        let delay: number | undefined;
        if (retryable && !abort?.aborted) {
          // the one retry policy (core/retry.ts), as the ky transport applies it
          if (res === undefined) delay = requestRetryDelay(config.retry, request, attempt, { transient: request.networkRetries !== false && transient(failure) });
          else if (res.statusCode! >= 300) delay = requestRetryDelay(config.retry, request, attempt, { status: res.statusCode!, retryAfter: res.headers['retry-after'] });
        }
        // no retry, or a wait that would outlast the timeout: this attempt's answer (or failure) is final
        if (delay === undefined || performance.now() + delay >= deadline) {
          if (res === undefined) throw failure;
          break;
        }
        res?.resume(); // read the small error body so the connection is reused
        await sleep(delay, signal);
        signal?.throwIfAborted(); // (the timeout cannot fire meanwhile: the delay ends before the deadline)
      }
      // the headers are in: from here the body must keep coming (no data for bodyTimeout fails its read)
      clearTimeout(timer);
      const bodyTimeout = request.bodyTimeout === undefined ? request.timeout : request.bodyTimeout;
      let bodyDeadline: BodyGuard | undefined;
      if (bodyTimeout !== false) {
        const status = res.statusCode!;
        bodyDeadline = { ms: bodyTimeout, stalled: () => bodyStalled(method, request.path, status, bodyTimeout) };
      }
      const response = await toResponse(res, method, apiUrl + (search ? `${request.path}?${search}` : request.path), bodyDeadline);
      if (unlink !== undefined) {
        // the caller may still abort a streamed body: keep forwarding its signal until the body closes
        if (res.closed) unlink();
        else res.once('close', unlink);
      }
      return response;
    } catch (error) {
      clearTimeout(timer);
      unlink?.();
      if (signal?.aborted) throw signal.reason;
      if (error instanceof TimeoutError) throw error; // the body stalled
      const where = { method, path: `/v1/${request.path}` };
      if (timedOut) throw new TimeoutError(`${method} /v1/${request.path} timed out after ${request.timeout} ms`, where);
      const explanation = connection.explain(error, origin);
      // the cause is shaped like the global fetch's failures: a TypeError whose cause is the system error
      throw new NetworkError(`${method} /v1/${request.path} failed: ${explanation}`, {
        ...where,
        cause: new TypeError(explanation, { cause: error }),
      });
    }
  }

  return { send, close: connection.close, [Symbol.asyncDispose]: connection.close };
}
