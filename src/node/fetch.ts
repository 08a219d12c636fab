/// <reference types="node" />
/**
 * `createNodeFetch`: a `fetch`-compatible function for Node built on undici's dispatcher API
 * (`agent.request`), with Unix-socket and TLS/mTLS support.
 *
 * Why not the global `fetch` or undici's `fetch`? They cost several times more per request than
 * undici's `request` (measured with `bench/node-fetch.mjs`), cannot reach a Unix socket without an
 * npm-undici dispatcher (which must not be mixed with the global fetch), and reject the built-in
 * `Request` objects ky hands over. This function takes any `Request`, unpacks it, sends it with
 * `agent.request`, and builds a web `Response` from the result. Redirects are never followed (Consul
 * answers path cleaning with a 301, and following it would replay writes).
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { finished, Readable } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { createSecureContext } from 'node:tls';
import type { Dispatcher } from 'undici';
import { Agent } from 'undici';
import type { BodyGuard } from '../core/body.ts';
import { BODY_DEADLINE, idleDeadline, MAX_DELAY, NULL_BODY_STATUSES } from '../core/body.ts';
import type { FetchLike } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';

/**
 * TLS settings for HTTPS agents: the CA to trust, a client certificate for `verify_incoming`, the
 * server name to verify. Certificates and keys are PEM, given inline or as file paths (read once,
 * when the client is created). Verification is on unless `rejectUnauthorized` is `false`.
 * @example
 * ```ts
 * const tls: NodeTlsOptions = {
 *   caFile: '/etc/consul.d/consul-agent-ca.pem',
 *   certFile: '/etc/consul.d/dc1-client-consul-0.pem',
 *   keyFile: '/etc/consul.d/dc1-client-consul-0-key.pem',
 * };
 * ```
 */
export interface NodeTlsOptions {
  /**
   * CA certificate(s) to trust, PEM text or bytes. Replaces the system roots, like Consul's `-ca-file`.
   * All of `ca`, `caFile` and `caPath` that are given are trusted together.
   */
  ca?: string | Uint8Array | readonly (string | Uint8Array)[] | undefined;
  /** Path of a PEM file with the CA certificate(s) to trust (`CONSUL_CACERT`). */
  caFile?: string | undefined;
  /** A directory of PEM files, each with CA certificate(s) to trust (`CONSUL_CAPATH`); searched recursively. */
  caPath?: string | undefined;
  /** Client certificate (PEM text or bytes) for agents with `verify_incoming`; needs `key`/`keyFile`. */
  cert?: string | Uint8Array | undefined;
  /** Path of the client certificate PEM file (`CONSUL_CLIENT_CERT`). */
  certFile?: string | undefined;
  /** Private key of the client certificate (PEM text or bytes). Never logged or put in an error. */
  key?: string | Uint8Array | undefined;
  /** Path of the client key PEM file (`CONSUL_CLIENT_KEY`). */
  keyFile?: string | undefined;
  /** Server name for SNI and certificate verification (`CONSUL_TLS_SERVER_NAME`), e.g. `server.dc1.consul`. */
  servername?: string | undefined;
  /**
   * Verify the server's certificate chain and name. Set `false` only for testing
   * (`CONSUL_HTTP_SSL_VERIFY=false`).
   * @default true
   */
  rejectUnauthorized?: boolean | undefined;
}

/**
 * Options of {@link createNodeFetch}: where to connect and how.
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
   * HTTP/1.1 pipelining depth per connection (requests that block are never pipelined behind).
   * @default 1
   */
  pipelining?: number | undefined;
  /**
   * Milliseconds to establish a connection (including the TLS handshake).
   * @default 10000
   */
  connectTimeout?: number | undefined;
}

/**
 * A `fetch`-compatible function bound to one undici connection pool. Call {@link NodeFetch.close}
 * when done so that idle keep-alive sockets do not keep the process alive.
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

/** Names used in configuration errors (`tls.caFile`, or `CONSUL_CACERT` when `fromEnv` read it). @internal */
export type OptionLabels = Partial<Record<keyof NodeTlsOptions | 'socketPath', string>>;

/** Request bodies up to this size are buffered and sent with a Content-Length; larger ones are streamed. */
const BUFFER_LIMIT = 1024 * 1024;
/** Responses with a Content-Length up to this size are read at once; others (and unsized ones) stream. */
const RESPONSE_BUFFER_LIMIT = 1024 * 1024;

function configError(message: string): ConfigError {
  return new ConfigError(`invalid consulate config: ${message}`);
}

function readText(path: string, label: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw configError(`${label}: cannot read ${JSON.stringify(path)} (${code})`);
  }
}

const PEM_CERT = '-----BEGIN CERTIFICATE-----';

function pemText(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : new TextDecoder().decode(value);
}

/** Reads every regular file under `dir` (recursively), each of which must hold a PEM certificate — as Consul's CAPath does. */
function readCaPath(dir: string, label: string): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    let names: string[];
    try {
      names = readdirSync(path).sort();
    } catch (error) {
      throw configError(`${label}: cannot read directory ${JSON.stringify(path)} (${(error as { code?: string }).code ?? String(error)})`);
    }
    for (const name of names) {
      const file = join(path, name);
      let isDir: boolean;
      try {
        isDir = statSync(file).isDirectory();
      } catch (error) {
        throw configError(`${label}: cannot read ${JSON.stringify(file)} (${(error as { code?: string }).code ?? String(error)})`);
      }
      if (isDir) {
        walk(file);
        continue;
      }
      const text = readText(file, label);
      if (!text.includes(PEM_CERT)) throw configError(`${label}: ${JSON.stringify(file)} holds no PEM certificate`);
      out.push(text);
    }
  };
  walk(dir);
  if (out.length === 0) throw configError(`${label}: no CA certificate found in ${JSON.stringify(dir)}`);
  return out;
}

interface ResolvedTls {
  secureContext?: SecureContext;
  rejectUnauthorized: boolean;
  servername?: string;
  hasClientCert: boolean;
}

/** Loads certificates and keys once and checks them, so that a bad file is a ConfigError now, not a network error later. */
function resolveTls(tls: NodeTlsOptions, labels: OptionLabels): ResolvedTls {
  const label = (key: keyof NodeTlsOptions): string => labels[key] ?? `tls.${key}`;
  const ca: string[] = [];
  if (tls.ca !== undefined) {
    const list = Array.isArray(tls.ca) ? (tls.ca as readonly (string | Uint8Array)[]) : [tls.ca as string | Uint8Array];
    for (const item of list) {
      const text = pemText(item);
      if (!text.includes(PEM_CERT)) throw configError(`${label('ca')}: expected PEM text ("${PEM_CERT}…")`);
      ca.push(text);
    }
  }
  if (tls.caFile !== undefined) {
    const text = readText(tls.caFile, label('caFile'));
    if (!text.includes(PEM_CERT)) throw configError(`${label('caFile')}: ${JSON.stringify(tls.caFile)} holds no PEM certificate`);
    ca.push(text);
  }
  if (tls.caPath !== undefined) ca.push(...readCaPath(tls.caPath, label('caPath')));

  if (tls.cert !== undefined && tls.certFile !== undefined) throw configError(`give ${label('cert')} or ${label('certFile')}, not both`);
  if (tls.key !== undefined && tls.keyFile !== undefined) throw configError(`give ${label('key')} or ${label('keyFile')}, not both`);
  const cert = tls.certFile !== undefined ? readText(tls.certFile, label('certFile')) : tls.cert === undefined ? undefined : pemText(tls.cert);
  const key = tls.keyFile !== undefined ? readText(tls.keyFile, label('keyFile')) : tls.key === undefined ? undefined : pemText(tls.key);
  const certLabel = tls.certFile !== undefined ? label('certFile') : tls.cert !== undefined ? label('cert') : (labels.certFile ?? 'tls.cert/certFile');
  const keyLabel = tls.keyFile !== undefined ? label('keyFile') : tls.key !== undefined ? label('key') : (labels.keyFile ?? 'tls.key/keyFile');
  if ((cert === undefined) !== (key === undefined)) {
    const [given, missing] = cert === undefined ? [keyLabel, certLabel] : [certLabel, keyLabel];
    throw configError(`${given} is set but ${missing} is not: a client certificate needs its key`);
  }
  if (tls.servername !== undefined && (typeof tls.servername !== 'string' || tls.servername === '')) {
    throw configError(`${label('servername')}: expected a non-empty host name`);
  }
  if (tls.rejectUnauthorized !== undefined && typeof tls.rejectUnauthorized !== 'boolean') {
    throw configError(`${label('rejectUnauthorized')}: expected a boolean`);
  }
  const resolved: ResolvedTls = {
    rejectUnauthorized: tls.rejectUnauthorized !== false,
    hasClientCert: cert !== undefined,
  };
  if (tls.servername !== undefined) resolved.servername = tls.servername;
  if (ca.length > 0 || cert !== undefined) {
    try {
      resolved.secureContext = createSecureContext({
        ...(ca.length > 0 ? { ca } : {}),
        ...(cert !== undefined ? { cert, key } : {}),
      });
    } catch (error) {
      // OpenSSL's message names the problem (bad PEM, key mismatch), never the key material
      const which = cert === undefined
        ? (tls.caFile !== undefined ? label('caFile') : tls.caPath !== undefined ? label('caPath') : label('ca'))
        : `${certLabel}/${keyLabel}`;
      throw configError(`${which}: unusable certificate or key (${(error as Error).message})`);
    }
  }
  return resolved;
}

function positiveInt(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw configError(`${name}: expected a positive integer`);
}

/** Codes of certificate-verification failures (the server's certificate is not trusted). */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** Finds the most specific `code` in an error's cause chain. */
function errorCode(error: unknown): { code: string | undefined; message: string } {
  let current: unknown = error;
  let found: { code: string | undefined; message: string } = { code: undefined, message: tidy((error as Error)?.message ?? error) };
  for (let depth = 0; current !== null && typeof current === 'object' && depth < 5; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && !code.startsWith('UND_ERR_')) return { code, message: tidy(message) };
    if (typeof code === 'string' && found.code === undefined) found = { code, message: tidy(message) };
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

/** First line of a message; OpenSSL's `…:error:0A00010B:SSL routines:fn:reason:file:line:` becomes its reason. */
function tidy(message: unknown): string {
  const line = String(message).split('\n')[0]!.trim();
  return /error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/.exec(line)?.[1] ?? line;
}

/**
 * Explains a connection failure in words that say what to change: an untrusted server certificate,
 * a missing client certificate, a wrong port or socket path…
 */
function explain(error: unknown, origin: string, socketPath: string | undefined, tls: ResolvedTls | undefined): string {
  const { code, message } = errorCode(error);
  const where = socketPath === undefined ? origin : `unix socket ${socketPath}`;
  const https = origin.startsWith('https:');
  const detail = code === undefined ? message : `${code}: ${message}`;
  if (code !== undefined && UNTRUSTED.has(code)) {
    return `${where}: TLS handshake failed, the server's certificate is not signed by a trusted CA (${detail}); ` +
      'give the CA that signed it as tls.ca/caFile/caPath (CONSUL_CACERT, CONSUL_CAPATH), or set rejectUnauthorized: false (CONSUL_HTTP_SSL_VERIFY=false) to skip verification';
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `${where}: TLS handshake failed, the server's certificate is not valid for this host name (${detail}); ` +
      'connect by a name the certificate lists or set tls.servername (CONSUL_TLS_SERVER_NAME), e.g. server.dc1.consul';
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return `${where}: TLS handshake failed, the server's certificate is outside its validity period (${detail})`;
  }
  if (code !== undefined && /^ERR_SSL_.*ALERT/.test(code)) {
    const hint = tls?.hasClientCert
      ? 'the server rejected our client certificate; check that tls.cert/certFile (CONSUL_CLIENT_CERT) is signed by a CA the agent trusts'
      : 'the server requires a client certificate (verify_incoming); give tls.cert/certFile and tls.key/keyFile (CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY)';
    return `${where}: TLS handshake failed, ${hint} (${detail})`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(message)) {
    return `${where}: TLS handshake failed, the server does not speak TLS on this port — is it the plain HTTP port? (${detail})`;
  }
  if (https && (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')) {
    // under TLS 1.3 the agent checks the client certificate after the handshake and just hangs up
    const hint = tls?.hasClientCert
      ? 'check that the client certificate tls.cert/certFile (CONSUL_CLIENT_CERT) is signed by a CA the agent trusts'
      : 'give a client certificate: tls.cert/certFile and tls.key/keyFile (CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY)';
    return `${where}: the server closed the TLS connection (${detail}); if it verifies clients (verify_incoming), ${hint}`;
  }
  if (code === 'ECONNREFUSED') return `${where}: connection refused — is the Consul agent running and listening there? (${detail})`;
  if (code === 'ENOENT' && socketPath !== undefined) return `${where} does not exist — is the agent listening on it? (${detail})`;
  if (code === 'EACCES' && socketPath !== undefined) return `${where}: permission denied (${detail})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${where}: host name not found (${detail})`;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return `${where}: connection timed out (${detail})`;
  if (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED') return `${where}: this client was closed (${detail})`;
  return `${where}: ${detail}`;
}

/**
 * Reads a request body: small bodies (up to 1 MiB) are buffered so they go out with a Content-Length,
 * larger or endless ones (a snapshot restore) are streamed after the buffered part.
 * @internal
 */
export async function requestBody(stream: ReadableStream<Uint8Array>, signal: AbortSignal | undefined): Promise<Uint8Array | Readable> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      if (chunks.length === 1) return chunks[0]!;
      const all = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) {
        all.set(chunk, at);
        at += chunk.byteLength;
      }
      return all;
    }
    chunks.push(value);
    size += value.byteLength;
    if (size > BUFFER_LIMIT) break;
  }
  const onAbort = (): void => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  async function* rest(): AsyncGenerator<Uint8Array> {
    let finished = false;
    try {
      yield* chunks;
      chunks.length = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        yield value;
      }
      finished = true;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished) await reader.cancel().catch(() => {});
    }
  }
  return Readable.from(rest(), { objectMode: false });
}

type RawHeaders = Record<string, string | string[] | undefined>;

function toHeaders(raw: RawHeaders): Headers {
  const headers = new Headers();
  for (const name in raw) {
    const value = raw[name];
    if (typeof value === 'string') headers.append(name, value);
    else if (value !== undefined) for (const item of value) headers.append(name, item);
  }
  return headers;
}


/** undici's response body: a Node stream that can also read itself at once (`text()`, `arrayBuffer()`). */
type BodyReadable = Dispatcher.ResponseData['body'];

/**
 * Reads a whole undici body into one exactly-sized buffer. With a deadline, a pause of `deadline.ms`
 * without data destroys the body with `deadline.stalled()`, which the returned promise rejects with.
 */
function readAll(body: BodyReadable, deadline: BodyGuard | undefined): Promise<Uint8Array<ArrayBuffer>> {
  if (deadline === undefined) return body.arrayBuffer().then((buffer) => new Uint8Array(buffer));
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const timer = setTimeout(() => body.destroy(deadline.stalled()), Math.min(deadline.ms, MAX_DELAY));
    body.on('data', (chunk: Uint8Array) => {
      chunks.push(chunk);
      size += chunk.byteLength;
      timer.refresh();
    });
    finished(body, (error) => {
      clearTimeout(timer);
      if (error) return reject(error);
      const all = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) {
        all.set(chunk, at);
        at += chunk.byteLength;
      }
      resolve(all);
    });
  });
}

/**
 * A `Response` over bytes already in memory or over undici's body stream. A web `Response` wraps its
 * body in a `ReadableStream` and reads it back through it, which costs more than the rest of a small
 * request (Consul sends any answer above 2 KiB without a length, so most lists would pay it); this
 * one starts with no web stream and serves `text()`, `arrayBuffer()`, `json()`… straight from the
 * bytes or from undici's stream. Touching `body` (or `clone()` on a stream) switches it to a regular
 * `Response` over the same bytes or stream, so it behaves like one in every observable way
 * (`instanceof Response`, status, headers, streaming, `bodyUsed`, `clone()`…).
 */
class NodeResponse extends Response {
  #source: Uint8Array<ArrayBuffer> | BodyReadable;
  #init: ResponseInit;
  #deadline: BodyGuard | undefined;
  #used = false;
  #real: Response | undefined;

  /** `deadline` guards the reading of a streamed `source` (every read: text(), arrayBuffer(), body…). */
  constructor(source: Uint8Array<ArrayBuffer> | BodyReadable, init: ResponseInit, deadline?: BodyGuard) {
    super(null, init);
    this.#source = source;
    this.#init = init;
    this.#deadline = deadline;
  }

  /** The regular Response this one turns into once its stream is asked for. */
  #stream(): Response {
    if (this.#real === undefined) {
      const source = this.#source;
      let body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null = null;
      if (source instanceof Uint8Array) body = this.#used ? null : source;
      else if (!this.#used) {
        body = Readable.toWeb(source) as unknown as ReadableStream<Uint8Array>;
        const deadline = this.#deadline;
        if (deadline !== undefined) body = idleDeadline(body, deadline.ms, deadline.stalled);
      }
      this.#real = new Response(body, this.#init);
      if (this.#used) void this.#real.arrayBuffer(); // already read: make it report so
    }
    return this.#real;
  }

  #take(): Uint8Array<ArrayBuffer> | BodyReadable {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#source;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#real !== undefined) return this.#real.arrayBuffer();
    const source = this.#take();
    if (!(source instanceof Uint8Array)) return this.#deadline === undefined ? source.arrayBuffer() : (await readAll(source, this.#deadline)).buffer;
    return source.byteOffset === 0 && source.byteLength === source.buffer.byteLength ? source.buffer : source.slice().buffer;
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  override async text(): Promise<string> {
    if (this.#real !== undefined) return this.#real.text();
    const source = this.#take();
    if (source instanceof Uint8Array) return new TextDecoder().decode(source);
    return this.#deadline === undefined ? source.text() : new TextDecoder().decode(await readAll(source, this.#deadline));
  }

  override async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  override async blob(): Promise<Blob> {
    if (this.#real !== undefined) return this.#real.blob();
    return new Blob([await this.arrayBuffer()], { type: this.headers.get('content-type') ?? '' });
  }

  override async formData(): Promise<FormData> {
    return this.#stream().formData();
  }

  /** Takes a deadline on a streamed body not read yet (see `BODY_DEADLINE` in core/body.ts). */
  [BODY_DEADLINE](ms: number, stalled: () => Error): boolean {
    if (this.#source instanceof Uint8Array || this.#used || this.#real !== undefined) return false;
    this.#deadline = { ms, stalled };
    return true;
  }

  override clone(): Response {
    if (this.#real !== undefined) return this.#real.clone();
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    const source = this.#source;
    return source instanceof Uint8Array ? new NodeResponse(source.slice(), this.#init) : this.#stream().clone();
  }

  static {
    // `body` and `bodyUsed` are accessors on Response.prototype; TypeScript declares them as fields
    Object.defineProperties(NodeResponse.prototype, {
      body: {
        get(this: NodeResponse) {
          return this.#stream().body;
        },
        configurable: true,
      },
      bodyUsed: {
        get(this: NodeResponse) {
          return this.#real === undefined ? this.#used : this.#real.bodyUsed;
        },
        configurable: true,
      },
    });
  }
}

/** Reads `init.body`-less string/URL requests without building a `Request` (it costs as much as the rest). */
function isSimple(input: Request | string | URL, init: RequestInit | undefined): input is string | URL {
  return !(input instanceof Request) && (init === undefined || init.body === undefined || init.body === null);
}

/**
 * Creates a `fetch`-compatible function on an undici connection pool (keep-alive), optionally over a
 * Unix socket and with TLS/mTLS settings. Pass it as `createClient({ fetch })`, or let
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

/**
 * One undici connection pool set up from {@link NodeFetchOptions} (socket path, TLS, pool limits),
 * shared by {@link createNodeFetch} and `createUndiciTransport` so both reach the agent the same way.
 * @internal
 */
export interface NodeConnection {
  /** The keep-alive pool, with the socket path and TLS settings applied. */
  readonly agent: Agent;
  /** Explains a failure to reach `origin` in words that say what to change (a TLS option, the port, the socket…). */
  explain(error: unknown, origin: string): string;
  /** Closes the pool: waits for requests in flight, then closes every socket. Idempotent. */
  close(): Promise<void>;
}

/**
 * Checks the transport options, loads certificates and creates the undici pool.
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
  if (connectTimeout !== undefined && !(connectTimeout >= 0)) throw configError('connectTimeout: expected milliseconds ≥ 0');
  const tls = options.tls === undefined ? undefined : resolveTls(options.tls, labels);

  const connect: Record<string, unknown> = { timeout: connectTimeout ?? 10_000 };
  if (socketPath !== undefined) connect['socketPath'] = socketPath;
  if (tls !== undefined) {
    connect['rejectUnauthorized'] = tls.rejectUnauthorized;
    if (tls.secureContext !== undefined) connect['secureContext'] = tls.secureContext;
    if (tls.servername !== undefined) connect['servername'] = tls.servername;
  }
  const agent = new Agent({
    connect,
    // timeouts belong to the caller (the request's total timeout, derived from a blocking query's
    // wait, and the AbortSignal): undici's own 300 s limits would cut 10-minute blocking queries and quiet streams
    headersTimeout: 0,
    bodyTimeout: 0,
    ...(connections !== undefined ? { connections } : {}),
    ...(pipelining !== undefined ? { pipelining } : {}),
  });
  let closing: Promise<void> | undefined;
  return {
    agent,
    explain: (error, origin) => explain(error, origin, socketPath, tls),
    close: () => (closing ??= agent.close()),
  };
}

/**
 * Turns an undici response into a web `Response` ({@link NodeResponse}): no body for 204/304/HEAD,
 * bodies with a length up to 1 MiB read now (unless `buffer` is false, as for `fetch`, which resolves at
 * the headers), larger or unsized ones (a snapshot, the monitor stream, a long list) left on undici's
 * stream for the caller to read or stream. With a `deadline`, every read
 * of the body (now, or the caller's later) fails with `deadline.stalled()` when no data comes for
 * `deadline.ms`.
 * @internal
 */
export async function toResponse(res: Dispatcher.ResponseData, method: string, deadline?: BodyGuard, buffer = true): Promise<Response> {
  const status = res.statusCode;
  const init = { status, statusText: res.statusText, headers: toHeaders(res.headers as RawHeaders) };
  if (NULL_BODY_STATUSES.has(status) || method === 'HEAD') {
    await res.body.dump();
    return new Response(null, init);
  }
  const length = Number(res.headers['content-length'] ?? NaN);
  if (buffer && length <= RESPONSE_BUFFER_LIMIT) return new NodeResponse(await readAll(res.body, deadline), init);
  return new NodeResponse(res.body, init, deadline);
}

/** {@link createNodeFetch} with custom names for configuration errors. @internal */
export function nodeFetch(options: NodeFetchOptions, labels: OptionLabels): NodeFetch {
  return fetchOver(createConnection(options, labels));
}

/** A `fetch` over an existing connection pool; its `close()` closes the pool. @internal */
export function fetchOver(connection: NodeConnection): NodeFetch {
  const { agent } = connection;
  const fetchImpl = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    let url: string;
    let method: string;
    let headers: Iterable<[string, string]> | Record<string, string> | undefined;
    let signal: AbortSignal | undefined;
    let stream: ReadableStream<Uint8Array> | null = null;
    if (isSimple(input, init)) {
      url = typeof input === 'string' ? new URL(input).href : input.href;
      method = (init?.method ?? 'GET').toUpperCase();
      headers = init?.headers as Iterable<[string, string]> | Record<string, string> | undefined;
      signal = init?.signal ?? undefined;
    } else {
      // ky passes a built-in Request plus an init of options Request does not know: use the Request as is
      const request = input instanceof Request && (init === undefined || !('method' in init || 'headers' in init || 'body' in init || 'signal' in init))
        ? input
        : new Request(input, init);
      url = request.url;
      method = request.method;
      headers = request.headers as unknown as Iterable<[string, string]>;
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
      const options: Dispatcher.RequestOptions = { origin, path, method: method as Dispatcher.HttpMethod, body };
      if (headers !== undefined) options.headers = headers;
      if (signal !== undefined) options.signal = signal;
      // resolved at the headers, as fetch does: the caller (ky's transport) puts its deadline on the body
      return await toResponse(await agent.request(options), method, undefined, false);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new TypeError(connection.explain(error, origin), { cause: error });
    }
  };
  return Object.assign(fetchImpl, { close: connection.close, [Symbol.asyncDispose]: connection.close });
}
