/// <reference types="node" />
/**
 * consulate/node's connections: keep-alive pools of `node:http`/`node:https` sockets, over TCP or a
 * Unix socket, with TLS/mTLS, a connect timeout, aborts and a `close()` that waits for the requests in
 * flight. The transport (`transport.ts`) and the `fetch` (`fetch.ts`) both send through one of these.
 *
 * Why `node:http` rather than undici: Node loads it in a few milliseconds, where importing undici
 * costs ~84 ms and its WebAssembly parser keeps a short-lived process (the CLI) alive 115–170 ms after
 * its work is done; per call it costs about what undici's `request` costs (`bench/per-call.mjs`).
 * @module
 */
import type { IncomingMessage, OutgoingHttpHeaders, RequestOptions } from 'node:http';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { CLIENT_CLOSED, CONNECT_TIMEOUT, explain } from './explain.ts';
import type { NodeTlsOptions, OptionLabels, ResolvedTls } from './tls.ts';
import { configError, resolveTls } from './tls.ts';

/**
 * Options of {@link createNodeFetch} and {@link createNodeTransport}: where to connect and how.
 * @example
 * ```ts
 * const options: NodeFetchOptions = { socketPath: '/var/run/consul/consul.sock' };
 * ```
 */
export interface NodeFetchOptions {
  /** Connect to this Unix socket instead of the URL's host and port (the URL still gives the `Host` header). */
  socketPath?: string | undefined;
  /** TLS settings for `https:` URLs. */
  tls?: NodeTlsOptions | undefined;
  /**
   * Maximum number of connections per origin (blocking queries each hold one while they wait).
   * @default unlimited
   */
  connections?: number | undefined;
  /**
   * HTTP/1.1 pipelining depth per connection. Node's HTTP client sends one request at a time per
   * connection: only `1` (and `0`, no keep-alive reuse limit either way) is accepted; a deeper value
   * is a `ConfigError` rather than silently ignored.
   * @default 1
   * @deprecated consulate/node runs on `node:http`, which does not pipeline; leave it out.
   */
  pipelining?: number | undefined;
  /**
   * Milliseconds to establish a connection (including the TLS handshake); a connection not
   * established in time fails with the code `ERR_CONSULATE_CONNECT_TIMEOUT` — nothing was sent, so
   * agent failover moves any request, writes included, to the next address. `0`: no connect timeout.
   * @default half of the request's timeout, at most 5000 (5000 when the request has none, as for
   * {@link createNodeFetch}): an agent that accepts TCP but never completes the TLS handshake leaves
   * time on the deadline to try the next address.
   */
  connectTimeout?: number | undefined;
}

/** How long an idle keep-alive connection is kept (undici's default too): servers and proxies may close older ones. */
const IDLE_MS = 4_000;

/**
 * What aborts a request: the transport's own (timeout or the caller's signal) or the caller's
 * `AbortSignal` as is. Cheaper than an `AbortController` per call. @internal
 */
export class Abort {
  aborted = false;
  reason: unknown = undefined;
  #listeners: (() => void)[] = [];

  /** Aborts with `reason` (once), calling the listeners. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }

  /** Calls `listener` on abort; returns the function that unsubscribes it. */
  listen(listener: () => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at !== -1) this.#listeners.splice(at, 1);
    };
  }
}

/** Subscribes to an {@link Abort} or an `AbortSignal`. @internal */
export function onAbort(signal: Abort | AbortSignal, listener: () => void): () => void {
  if (signal instanceof Abort) return signal.listen(listener);
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/** One request as the connection sends it. @internal */
export interface Exchange {
  /** `http://host:port` or `https://host:port` (with a socket path: the host for the `Host` header). */
  origin: string;
  /** Path and query, as they go on the wire. */
  path: string;
  method: string;
  headers?: OutgoingHttpHeaders | undefined;
  /** Sent with a `Content-Length` (string, bytes) or chunked (a stream). */
  body?: string | Uint8Array | Readable | null | undefined;
  /** Aborting it fails the request with its reason, or destroys the response body with it once the headers are in. */
  signal?: Abort | AbortSignal | undefined;
  /** Milliseconds left on the request's deadline: the default connect timeout is half of it (at most 5 s). */
  timeout?: number | false | undefined;
}

/**
 * One connection pool set up from {@link NodeFetchOptions} (socket path, TLS, pool limits), shared
 * by {@link createNodeFetch} and the transport so both reach the agent the same way.
 * @internal
 */
export interface NodeConnection {
  /**
   * Sends a request; resolves with the response at its headers (the body left on the stream), rejects
   * with Node's error (its `code`: `ECONNREFUSED`, a TLS code…) or the signal's reason.
   */
  request(exchange: Exchange): Promise<IncomingMessage>;
  /** Explains a failure to reach `origin` in words that say what to change (a TLS option, the port, the socket…). */
  explain(error: unknown, origin: string): string;
  /**
   * Closes the pool. Requests waiting for their headers get them; then a response body still arriving
   * is waited for while something reads it, and destroyed at once (its reads reject with the code
   * `ERR_CONSULATE_CLIENT_CLOSED`) when nothing does — an unread body would otherwise hold its
   * connection, and `close()`, forever. Then every socket closes. Idempotent.
   */
  close(): Promise<void>;
}

function positiveInt(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw configError(`${name}: expected a positive integer`);
}

/** The error of a request on a closed client (never retried: another attempt would fail the same way). */
function closedError(message = 'the client is closed'): Error {
  return Object.assign(new Error(message), { code: CLIENT_CLOSED });
}

/** The longest default connect timeout (see {@link NodeFetchOptions.connectTimeout}). */
const CONNECT_MS = 5_000;

/** The request option that carries a request's connect timeout to the agent's `createConnection`. */
const CONNECT_OPTION = 'consulateConnectTimeout';

/**
 * Checks the transport options, loads certificates and sets up the pools (one for `http:`, one for
 * `https:`, each made on first use).
 * @throws {ConfigError} for an invalid option or an unreadable or unusable certificate or key.
 * @internal
 */
export function createConnection(options: NodeFetchOptions, labels: OptionLabels): NodeConnection {
  const { socketPath, connections, pipelining, connectTimeout } = options;
  if (socketPath !== undefined && (typeof socketPath !== 'string' || socketPath === '')) {
    throw configError(`${labels.socketPath ?? 'socketPath'}: expected a non-empty path`);
  }
  positiveInt(connections, 'connections');
  if (pipelining !== undefined && (!Number.isInteger(pipelining) || pipelining < 0)) throw configError('pipelining: expected an integer ≥ 0');
  if (pipelining !== undefined && pipelining > 1) {
    throw configError('pipelining: consulate/node sends one request at a time per connection (node:http); use `connections` for more in flight');
  }
  if (connectTimeout !== undefined && !(connectTimeout >= 0)) throw configError('connectTimeout: expected milliseconds ≥ 0');
  const tls: ResolvedTls | undefined = options.tls === undefined ? undefined : resolveTls(options.tls, labels);
  /** A request's connect timeout: the option, else half its deadline (at most {@link CONNECT_MS}). */
  const connectMsOf = (timeout: number | false | undefined): number =>
    connectTimeout ?? (timeout === undefined || timeout === false ? CONNECT_MS : Math.max(1, Math.min(CONNECT_MS, Math.floor(timeout / 2))));

  const pool = { keepAlive: true, timeout: IDLE_MS, scheduling: 'lifo' as const, maxSockets: connections ?? Number.POSITIVE_INFINITY };
  let http: HttpAgent | undefined;
  let https: HttpsAgent | undefined;
  // node:https (and with it node:tls and node:crypto, ~5 ms) is loaded by the first https: request
  let httpsRequest: typeof import('node:https').request | undefined;
  const httpsAgent = (): HttpsAgent => {
    if (https !== undefined) return https;
    const module = process.getBuiltinModule('node:https');
    httpsRequest = module.request;
    const secure: Record<string, unknown> = { rejectUnauthorized: tls?.rejectUnauthorized ?? true };
    if (tls?.secureContext !== undefined) secure['secureContext'] = tls.secureContext;
    if (tls?.servername !== undefined) secure['servername'] = tls.servername;
    return (https = withConnectTimeout(new module.Agent({ ...pool, ...secure }), 'secureConnect'));
  };

  /**
   * Puts the connect timeout of the request that opens it on every new connection of `agent`
   * (kept-alive ones are not touched, so a request on one costs nothing extra): no `ready` event in
   * time destroys the socket with a {@link CONNECT_TIMEOUT} error, which fails the request waiting for
   * it. Its own code, not `ETIMEDOUT`: Node gives that one to a kept-alive connection's `read` too,
   * after which the request may have been sent.
   */
  function withConnectTimeout<A extends HttpAgent>(agent: A, ready: 'connect' | 'secureConnect'): A {
    const open = (agent as unknown as { createConnection: (...args: unknown[]) => Socket }).createConnection;
    (agent as unknown as { createConnection: (...args: unknown[]) => Socket }).createConnection = function (this: A, ...args: unknown[]): Socket {
      const socket = open.apply(this, args);
      // node:http hands the request's options (ours included) to createConnection
      const connectMs = (args[0] as Record<string, unknown> | undefined)?.[CONNECT_OPTION];
      if (typeof connectMs !== 'number' || connectMs === 0) return socket;
      const timer = setTimeout(() => {
        socket.destroy(Object.assign(new Error(`connection not established within ${connectMs} ms`), { code: CONNECT_TIMEOUT }));
      }, connectMs);
      const done = (): void => clearTimeout(timer);
      socket.once(ready, done);
      socket.once('close', done);
      return socket;
    };
    return agent;
  }

  // origins parsed once (a client talks to one)
  const targets = new Map<string, { secure: boolean; hostname: string; port: string }>();
  const target = (origin: string): { secure: boolean; hostname: string; port: string } => {
    let found = targets.get(origin);
    if (found === undefined) {
      const url = new URL(origin);
      const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      found = { secure: url.protocol === 'https:', hostname, port: url.port };
      if (targets.size < 16) targets.set(origin, found);
    }
    return found;
  };

  let closed = false;
  let closing: Promise<void> | undefined;
  // requests waiting for their headers, and responses whose body is still open
  let waiting = 0;
  let headersIn: (() => void) | undefined;
  const open = new Set<IncomingMessage>();

  function request(exchange: Exchange): Promise<IncomingMessage> {
    const { signal } = exchange;
    if (closed || signal?.aborted) {
      const error = closed ? closedError() : signal!.reason;
      destroyBody(exchange.body, error as Error);
      return Promise.reject(error);
    }
    const { secure, hostname, port } = target(exchange.origin);
    return new Promise((resolve, reject) => {
      waiting++;
      let response: IncomingMessage | undefined;
      let answered = false;
      let unlink: (() => void) | undefined;
      const answer = (): void => {
        if (answered) return;
        answered = true;
        if (--waiting === 0) headersIn?.();
      };
      const agent = secure ? httpsAgent() : (http ??= withConnectTimeout(new HttpAgent(pool), 'connect'));
      let req: ReturnType<typeof httpRequest>;
      try {
        const options: RequestOptions & { [CONNECT_OPTION]: number } = {
          agent,
          hostname,
          port,
          ...(socketPath !== undefined ? { socketPath } : {}),
          method: exchange.method,
          path: exchange.path,
          headers: exchange.headers,
          setHost: true,
          [CONNECT_OPTION]: connectMsOf(exchange.timeout),
        };
        req = (secure ? httpsRequest! : httpRequest)(options, onResponse);
      } catch (error) {
        // an invalid header name or value (ERR_INVALID_HTTP_TOKEN, ERR_INVALID_CHAR: Node's message names
        // the header, never its value) or path (ERR_UNESCAPED_CHARACTERS): nothing was sent
        answer();
        destroyBody(exchange.body, error as Error);
        reject(error);
        return;
      }
      function onResponse(res: IncomingMessage): void {
        response = res;
        open.add(res);
        res.once('close', () => {
          open.delete(res);
          unlink?.();
        });
        answer();
        resolve(res);
      }
      req.once('error', (error) => {
        reject(error);
        if (response === undefined) {
          unlink?.();
          answer();
        }
      });
      if (signal !== undefined) {
        unlink = onAbort(signal, () => {
          if (response === undefined) req.destroy(signal.reason as Error);
          else response.destroy(signal.reason as Error);
        });
      }
      const body = exchange.body;
      if (body === null || body === undefined) req.end();
      else if (typeof body === 'string' || body instanceof Uint8Array) {
        if (req.getHeader('content-length') === undefined) req.setHeader('content-length', typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
        req.end(body);
      } else {
        // pipeline destroys the request when the body fails, and the body (cancelling its source) when
        // the request ends before the body did: an error, a timeout, an early answer and hang-up
        pipeline(body, req, () => {});
      }
    });
  }

  /** Destroys a stream body that will not be sent (cancelling its source). */
  function destroyBody(body: Exchange['body'], error: Error): void {
    if (body !== null && body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) body.destroy(error);
  }

  return {
    request,
    explain: (error, origin) => explain(error, origin, socketPath, tls),
    // like undici's close(): requests in flight finish and bodies being read are not cut; a body that
    // has fully arrived need not be read first (its bytes are already in memory); one still arriving
    // that nothing reads is destroyed (see NodeConnection.close)
    close: () => (closing ??= (async () => {
      closed = true;
      if (waiting > 0) await new Promise<void>((resolve) => (headersIn = resolve));
      // let the requests that just got their headers start reading their bodies (toResponse, readAll)
      await new Promise((resolve) => setImmediate(resolve));
      for (const res of open) {
        if (!res.complete && !res.destroyed && res.listenerCount('data') === 0 && res.readableFlowing !== true) {
          res.destroy(closedError('the client was closed before this response body was read'));
        }
      }
      const arriving = [...open].filter((res) => !res.complete && !res.closed);
      await Promise.all(arriving.map((res) => new Promise((resolve) => res.once('close', resolve))));
      http?.destroy();
      https?.destroy();
    })()),
  };
}
