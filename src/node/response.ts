/// <reference types="node" />
/**
 * consulate/node's answers: a `Response` over a `node:http` response, its body buffered or left on
 * the socket's stream, under an optional idle deadline.
 *
 * Why not a web `Response`: on Node the first touch of `Response` or `Headers` loads Node's whole
 * web fetch (20–30 ms — more than a whole CLI call to a local agent), and a web body is a
 * `ReadableStream` read back through promises, which costs more than the rest of a small request.
 * A {@link NodeResponse} has every member of a `Response` (status, headers, `ok`, `url`, `text()`,
 * `json()`, `arrayBuffer()`, `bytes()`, `blob()`, `body`, `bodyUsed`, `clone()`…) and builds web
 * objects only when asked for one (`body`, `blob()`, `formData()`). Once the process has loaded the
 * web `Response` anyway (any `fetch`, `Response` or `Headers` use), its prototype is chained to
 * `Response.prototype` and `Headers.prototype`, so `instanceof Response` holds as well.
 * @module
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { BodyGuard } from '../core/body.ts';
import { BODY_DEADLINE, concatChunks, idleDeadline, MAX_DELAY, NULL_BODY_STATUSES } from '../core/body.ts';

/** Bodies with a Content-Length up to this size are read at once; others (and unsized ones) stream. */
const BUFFER_LIMIT = 1024 * 1024;

let linked = false;

/** Node's web fetch (its internal undici) as Node's list of loaded internal modules names it. */
const WEB_FETCH_MODULE = 'NativeModule internal/deps/undici/undici';
/** How much of that list was searched already (it only grows). */
let searched = 0;

/**
 * Whether Node's web fetch is loaded already, so that chaining to its prototypes costs nothing. Read from
 * `process.moduleLoadList`, not from the `Response` global: on Node 22+ even reading that global's
 * property descriptor loads web fetch and its WebAssembly parser (~20 ms of CPU, and a CLI process that
 * lingers after its output while V8 finishes compiling that parser). Only the entries added since the
 * last call are searched.
 */
function webFetchLoaded(): boolean {
  const loaded = (process as { moduleLoadList?: readonly string[] }).moduleLoadList;
  if (loaded === undefined || loaded.length === searched) return false;
  const from = searched;
  searched = loaded.length;
  return loaded.indexOf(WEB_FETCH_MODULE, from) !== -1;
}

/**
 * Chains {@link NodeResponse} and {@link NodeHeaders} to the web classes' prototypes once Node has
 * loaded them (so `instanceof Response` holds), without loading them: `force` loads them (a `fetch`
 * user gets web objects anyway).
 * @internal
 */
export function linkWebPrototypes(force = false): void {
  if (linked || (!force && !webFetchLoaded())) return;
  linked = true;
  if (typeof Response === 'function') Object.setPrototypeOf(NodeResponse.prototype, Response.prototype);
  if (typeof Headers === 'function') Object.setPrototypeOf(NodeHeaders.prototype, Headers.prototype);
}

/** The immutable headers of a received response, read from Node's lower-cased header object. */
class NodeHeaders {
  readonly #raw: IncomingHttpHeaders;

  constructor(raw: IncomingHttpHeaders) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()];
    return value === undefined ? null : typeof value === 'string' ? value : value.join(', ');
  }

  has(name: string): boolean {
    return this.#raw[name.toLowerCase()] !== undefined;
  }

  getSetCookie(): string[] {
    const value = this.#raw['set-cookie'];
    return value === undefined ? [] : [...value];
  }

  forEach(callback: (value: string, name: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this as unknown as Headers);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.#raw).sort()) {
      const value = this.#raw[name];
      if (value === undefined) continue;
      if (name === 'set-cookie') for (const cookie of value) yield [name, cookie];
      else yield [name, typeof value === 'string' ? value : value.join(', ')];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  append(): void {
    throw new TypeError('Headers of a received response are immutable');
  }

  set(): void {
    throw new TypeError('Headers of a received response are immutable');
  }

  delete(): void {
    throw new TypeError('Headers of a received response are immutable');
  }

  get [Symbol.toStringTag](): string {
    return 'Headers';
  }
}

/** The largest announced size made room for before the bytes arrive (a larger body grows as it comes). */
const MAX_ROOM = 512 * 1024 * 1024;

/**
 * Reads a whole Node stream into one exactly-sized buffer. A body whose size is announced (an
 * `IncomingMessage` with a `Content-Length`) is copied piece by piece into a buffer of that size, each
 * piece let go at once: a 26 MB list is held once, not as its pieces and then as their concatenation.
 * With a guard, a pause of `guard.ms` without data destroys the stream with `guard.stalled()`, which
 * the returned promise rejects with.
 * @internal
 */
export function readAll(stream: Readable, guard: BodyGuard | undefined): Promise<Uint8Array<ArrayBuffer>> {
  // a stream destroyed before this read (the connection was reset, the caller's signal aborted, the
  // client closed) emits nothing more: fail with what destroyed it rather than wait forever
  if (stream.destroyed && !stream.readableEnded) return Promise.reject(stream.errored ?? prematureClose());
  const declared = Number((stream as Partial<IncomingMessage>).headers?.['content-length'] ?? NaN);
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let room: Uint8Array<ArrayBuffer> | undefined;
    let size = 0;
    let settled = false;
    const timer = guard === undefined ? undefined : setTimeout(() => stream.destroy(guard.stalled()), Math.min(guard.ms, MAX_DELAY));
    const onData = (chunk: Uint8Array): void => {
      const end = size + chunk.byteLength;
      if (room === undefined && declared >= end && declared <= MAX_ROOM) {
        room = new Uint8Array(declared);
        room.set(concatChunks(chunks, size));
        chunks.length = 0;
      } else if (room !== undefined && end > room.length) {
        // more than announced: Node's parser fails such a body, but never write past the room
        const bigger = new Uint8Array(Math.max(end, room.length * 2));
        bigger.set(room.subarray(0, size));
        room = bigger;
      }
      if (room === undefined) chunks.push(chunk);
      else room.set(chunk, size);
      size = end;
      timer?.refresh();
    };
    // Settled: the pieces are let go of. The stream outlives this read (the response holds it while the
    // caller parses what was read): its listener must not keep them (a 100,000-key list: 26 MB).
    const done = (): void => {
      settled = true;
      clearTimeout(timer);
      stream.off('data', onData);
      chunks.length = 0;
      room = undefined;
    };
    // four listeners rather than stream.finished's dozen: this runs for every response
    const fail = (error: unknown): void => {
      if (settled) return;
      done();
      reject(error);
    };
    stream.on('data', onData);
    stream.once('error', fail);
    // destroyed without an error before its end (every destroy here carries one; this is the safety net)
    stream.once('close', () => fail(prematureClose()));
    stream.once('end', () => {
      if (settled) return;
      const bytes = room === undefined ? concatChunks(chunks, size) : size === room.length ? room : room.slice(0, size);
      done();
      resolve(bytes);
    });
  });
}

/** The error of a body whose stream closed before its end without saying why. */
function prematureClose(): Error {
  return Object.assign(new Error('the response body ended early'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/** The body of a {@link NodeResponse}: bytes in memory, the socket's stream, or none. */
type Source = Uint8Array<ArrayBuffer> | IncomingMessage | null;

const utf8 = new TextDecoder();

/** The source of a body once it has been read (its bytes went to the reader). */
const READ: Uint8Array<ArrayBuffer> = new Uint8Array(0);

/**
 * A `Response` over a `node:http` answer (see the module's notes): the body is bytes already read, or
 * Node's stream, read at once by `text()`/`arrayBuffer()`/`json()`… and turned into a web stream only
 * when `body` is asked for. With a deadline, every read of a streamed body fails with
 * `deadline.stalled()` when no data comes for `deadline.ms`.
 * @internal
 */
class NodeResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  readonly redirected = false;
  readonly type: ResponseType = 'basic';
  #source: Source;
  #deadline: BodyGuard | undefined;
  #used = false;
  #web: ReadableStream<Uint8Array> | null | undefined;

  constructor(status: number, statusText: string, headers: Headers, url: string, source: Source, deadline?: BodyGuard) {
    this.status = status;
    this.statusText = statusText;
    this.headers = headers;
    this.url = url;
    this.#source = source;
    this.#deadline = deadline;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The body as a web stream, made on first use (then every reader goes through it). */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#web !== undefined) return this.#web;
    const source = this.#source;
    if (source === null) return (this.#web = null);
    if (this.#used) {
      // read already (or being read by text()…): an empty stream, locked as a read body's is — never
      // one over the Node stream, whose cancellation would cut the read in progress
      const placeholder = new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
      placeholder.getReader();
      return (this.#web = placeholder);
    }
    let stream: ReadableStream<Uint8Array>;
    if (source instanceof Uint8Array) {
      const bytes = source;
      stream = new ReadableStream<Uint8Array>({
        start(controller) {
          if (bytes.byteLength > 0) controller.enqueue(bytes);
          controller.close();
        },
      });
    } else {
      stream = Readable.toWeb(source) as unknown as ReadableStream<Uint8Array>;
      const deadline = this.#deadline;
      if (deadline !== undefined) stream = idleDeadline(stream, deadline.ms, deadline.stalled);
    }
    return (this.#web = stream);
  }

  get bodyUsed(): boolean {
    return this.#web != null ? this.#web.locked || this.#used : this.#used;
  }

  /** The body's bytes, read once. */
  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    const web = this.#web;
    if (web != null) return readWeb(web);
    const source = this.#source;
    if (source === null) return new Uint8Array(0);
    // read once: the response (which callers keep while they parse) need not keep the bytes too
    this.#source = READ;
    if (source instanceof Uint8Array) return source;
    return readAll(source, this.#deadline);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  }

  async text(): Promise<string> {
    return utf8.decode(await this.bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.bytes()], { type: this.headers.get('content-type') ?? '' });
  }

  async formData(): Promise<FormData> {
    linkWebPrototypes(true);
    return new Response(await this.bytes(), { headers: Object.fromEntries(this.headers) }).formData();
  }

  /** Takes a deadline on a streamed body not read yet (see `BODY_DEADLINE` in core/body.ts). */
  [BODY_DEADLINE](ms: number, stalled: () => Error): boolean {
    if (!(this.#source instanceof Readable) || this.#used || this.#web !== undefined) return false;
    this.#deadline = { ms, stalled };
    return true;
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    const source = this.#source;
    if (source === null || source instanceof Uint8Array) {
      return new NodeResponse(this.status, this.statusText, this.headers, this.url, source === null ? null : source.slice()) as unknown as Response;
    }
    // a stream: tee it (both branches are web streams from now on)
    const [mine, theirs] = this.body!.tee();
    this.#web = mine;
    const copy = new NodeResponse(this.status, this.statusText, this.headers, this.url, null);
    copy.#web = theirs;
    copy.#source = new Uint8Array(0);
    return copy as unknown as Response;
  }

  get [Symbol.toStringTag](): string {
    return 'Response';
  }
}

/** Reads a whole web stream. */
async function readWeb(stream: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    chunks.push(r.value);
    size += r.value.byteLength;
  }
  // always a copy: a clone's tee shares its chunks with the other branch (concatChunks may not copy one)
  return chunks.length === 1 ? (chunks[0]!.slice() as Uint8Array<ArrayBuffer>) : concatChunks(chunks, size);
}

/**
 * Turns a `node:http` response into a {@link NodeResponse}: no body for 204/304/HEAD, a body already
 * wholly received (up to 1 MiB) taken as it is, bodies with a length up to 1 MiB read now (unless `buffer` is false, as for `fetch`, which resolves at the
 * headers), larger or unsized ones (a snapshot, the monitor stream, a long list) left on the stream
 * for the caller to read or stream. With a `deadline`, every read of the body (now, or the caller's
 * later) fails with `deadline.stalled()` when no data comes for `deadline.ms`.
 * @internal
 */
export async function toResponse(res: IncomingMessage, method: string, url: string, deadline?: BodyGuard, buffer = true): Promise<Response> {
  linkWebPrototypes();
  const status = res.statusCode ?? 0;
  const headers = new NodeHeaders(res.headers) as unknown as Headers;
  const statusText = res.statusMessage ?? '';
  if (NULL_BODY_STATUSES.has(status) || method === 'HEAD') {
    res.resume();
    return new NodeResponse(status, statusText, headers, url, null) as unknown as Response;
  }
  // a body that has wholly arrived with the headers (most answers on a LAN, sized or chunked): take it
  // as it is, with no timer and no listeners
  if (buffer && res.complete && res.readableLength <= BUFFER_LIMIT) {
    const read = res.read() as Buffer | null;
    res.resume(); // let it end, so the connection goes back to the pool
    const bytes = read === null ? new Uint8Array(0) : new Uint8Array(read.buffer, read.byteOffset, read.byteLength);
    return new NodeResponse(status, statusText, headers, url, bytes as Uint8Array<ArrayBuffer>) as unknown as Response;
  }
  const length = Number(res.headers['content-length'] ?? NaN);
  if (buffer && length <= BUFFER_LIMIT) return new NodeResponse(status, statusText, headers, url, await readAll(res, deadline)) as unknown as Response;
  return new NodeResponse(status, statusText, headers, url, res, deadline) as unknown as Response;
}
