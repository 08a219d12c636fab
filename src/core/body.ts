/**
 * The body deadline: once a response's headers have arrived, its body must keep coming — a read that
 * waits `ms` without a byte fails with a `TimeoutError` (built by the transport) and closes the body.
 * Web APIs only (fetch's bodies in browsers, Deno, Bun and Node). Internal: not a subpath export.
 * @module
 */

/** What a guarded body fails with, and when. */
export interface BodyGuard {
  /** How long one read may wait for data, in milliseconds. */
  ms: number;
  /** The error a stalled read fails with (a `TimeoutError` naming the request). */
  stalled: () => Error;
  /** The caller's signal: aborting it fails a read with its reason. */
  signal?: AbortSignal | undefined;
}

import { TimeoutError } from './errors.ts';

/** setTimeout's largest delay (a larger one fires at once). @internal */
export const MAX_DELAY = 2_147_483_647;

/** Statuses whose response has no body (a `Response` cannot be built with one). @internal */
export const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

/**
 * The error a read fails with when the body of `METHOD /v1/path` delivered nothing for `ms` after its
 * headers. @internal
 */
export function bodyStalled(method: string, path: string, status: number, ms: number): TimeoutError {
  return new TimeoutError(`${method} /v1/${path} timed out: the response body stalled (no data for ${ms} ms after the headers)`, {
    method,
    path: `/v1/${path}`,
    status,
  });
}

/**
 * A `Response` may offer to guard its own body's progress (consulate/node's responses do, without a
 * web stream): `response[BODY_DEADLINE](ms, stalled)` returns `true` when it took the deadline.
 * @internal
 */
export const BODY_DEADLINE: unique symbol = Symbol.for('consulate.bodyDeadline') as never;

/**
 * One read of `reader` under `guard`: it fails with `guard.stalled()` when no data comes for
 * `guard.ms`, or with the signal's reason when the caller aborts; either failure cancels the body.
 * A timer per read (not per body) keeps the clock running only while someone waits for data: a
 * stream's reader may pause between reads ({@link idleDeadline}); a whole-body read does not
 * ({@link guardedReadAll}).
 */
function guardedRead(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  guard: BodyGuard,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  const { signal } = guard;
  return new Promise((resolve, reject) => {
    const settle = (error?: unknown): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) {
        reject(error);
        reader.cancel(error).catch(() => {});
      }
    };
    const onAbort = (): void => settle(signal!.reason);
    const timer = setTimeout(() => settle(guard.stalled()), Math.min(guard.ms, MAX_DELAY));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    reader.read().then(
      (result) => {
        settle();
        resolve(result);
      },
      (error: unknown) => settle(signal?.aborted ? signal.reason : error),
    );
  });
}

/**
 * Puts a deadline on a body's progress: the returned stream errors with `stalled()` (and cancels
 * `source`) when a read waits `ms` milliseconds without a byte. The clock runs only while the reader
 * waits, so a slow consumer is never blamed on the server. When `signal` aborts during a read, the
 * stream errors with its reason.
 * @param source - the body to guard (it is locked from now on).
 * @param ms - how long one read may wait for data.
 * @param stalled - the error to fail with (a `TimeoutError` naming the request).
 * @param signal - the caller's signal, if any.
 * @internal
 */
export function idleDeadline(
  source: ReadableStream<Uint8Array>,
  ms: number,
  stalled: () => Error,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const guard = { ms, stalled, signal };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await guardedRead(reader, guard);
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          controller.error(error);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

/** Reads a whole body into one exactly-sized buffer, under `guard` when given ({@link guardedReadAll}). */
async function readAll(source: ReadableStream<Uint8Array>, guard?: BodyGuard): Promise<Uint8Array<ArrayBuffer>> {
  if (guard !== undefined) return guardedReadAll(source, guard);
  const reader = source.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    chunks.push(read.value);
    size += read.value.byteLength;
  }
  return concatChunks(chunks, size);
}

/**
 * Reads a whole body under `guard`: it fails with `guard.stalled()` when no data comes for `guard.ms`,
 * or with the signal's reason when the caller aborts; either failure cancels the body. Unlike
 * {@link guardedRead}, one timer and one abort listener serve the whole body (the timer re-armed on
 * each chunk): this runs for every guarded buffered body, and reads follow each other at once, so the
 * clock runs only while data is awaited here too.
 */
function guardedReadAll(source: ReadableStream<Uint8Array>, guard: BodyGuard): Promise<Uint8Array<ArrayBuffer>> {
  const { ms, signal } = guard;
  const reader = source.getReader();
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (error: unknown): void => {
      if (!finish()) return;
      reject(error);
      reader.cancel(error).catch(() => {});
    };
    const onAbort = (): void => fail(signal!.reason);
    const onStall = (): void => fail(guard.stalled());
    let timer = setTimeout(onStall, Math.min(ms, MAX_DELAY));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const onError = (error: unknown): void => fail(signal?.aborted ? signal.reason : error);
    const onRead = ({ done, value }: ReadableStreamReadResult<Uint8Array>): void => {
      if (settled) return; // failed meanwhile (the cancel ends the pending read)
      if (done) {
        finish();
        resolve(concatChunks(chunks, size));
        return;
      }
      chunks.push(value);
      size += value.byteLength;
      timer = rearm(timer, onStall, ms);
      reader.read().then(onRead, onError);
    };
    reader.read().then(onRead, onError);
  });
}

/**
 * Restarts `timer` for `ms`: in place where timers can be refreshed (Node, Bun, Deno's Node-compatible
 * timers), else by clearing it and setting a new one (browsers' timers are plain numbers).
 */
function rearm(timer: ReturnType<typeof setTimeout>, fire: () => void, ms: number): ReturnType<typeof setTimeout> {
  const refreshable = timer as unknown as { refresh?: () => unknown };
  if (typeof refreshable.refresh === 'function') {
    refreshable.refresh();
    return timer;
  }
  clearTimeout(timer);
  return setTimeout(fire, Math.min(ms, MAX_DELAY));
}

/**
 * `chunks` (`size` bytes in all, in order) as one buffer: the only chunk itself when it spans its
 * whole `ArrayBuffer` (no copy), else a new buffer they are copied into. Callers pass chunks no one
 * else holds.
 * @internal
 */
export function concatChunks(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const only = chunks.length === 1 ? chunks[0]! : undefined;
  if (only !== undefined && only.byteLength === only.buffer.byteLength) return only as Uint8Array<ArrayBuffer>;
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}

const decoder = /* @__PURE__ */ new TextDecoder();

/**
 * A `Response` whose body is under a {@link BodyGuard}. Its readers (`text()`, `json()`,
 * `arrayBuffer()`, `bytes()`, `blob()`) read the original body directly under the guard and fail with
 * the guard's own error — browsers' readers would replace it with a bare `TypeError: Failed to fetch`
 * (Chromium, measured). Touching `body` (or `clone()`, `formData()`) switches it to a regular
 * `Response` over the guarded stream ({@link idleDeadline}), so it behaves like one in every
 * observable way (`instanceof Response`, status, headers, `url`, streaming, `bodyUsed`…). Headers,
 * URL, `type` and `redirected` are the original response's own (not copied: that cost more than the rest).
 * Built on first use, not at import: in Node, touching `Response` loads its fetch implementation.
 */
function guardedResponse() {
  return class GuardedResponse extends Response {
    #response: Response;
    #source: ReadableStream<Uint8Array>;
    #guard: BodyGuard;
    #used = false;
    #real: Response | undefined;

    constructor(response: Response, source: ReadableStream<Uint8Array>, guard: BodyGuard) {
      super(null, { status: response.status, statusText: response.statusText });
      this.#response = response;
      this.#source = source;
      this.#guard = guard;
    }

    /** The regular Response this one turns into once its stream is asked for. */
    #stream(): Response {
      if (this.#real === undefined) {
        const { ms, stalled, signal } = this.#guard;
        const { status, statusText, headers } = this.#response;
        this.#real = new Response(this.#used ? null : idleDeadline(this.#source, ms, stalled, signal), { status, statusText, headers });
        if (this.#used) void this.#real.arrayBuffer(); // already read: make it report so
      }
      return this.#real;
    }

    override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
      const real = this.#real;
      if (real === undefined ? this.#used : real.body === null || real.bodyUsed) throw new TypeError('Body has already been consumed');
      if (real !== undefined) return readAll(real.body!);
      this.#used = true;
      return readAll(this.#source, this.#guard);
    }

    override async arrayBuffer(): Promise<ArrayBuffer> {
      return (await this.bytes()).buffer;
    }

    override async text(): Promise<string> {
      return decoder.decode(await this.bytes());
    }

    override async json(): Promise<unknown> {
      return JSON.parse(await this.text()) as unknown;
    }

    override async blob(): Promise<Blob> {
      return new Blob([await this.bytes()], { type: this.headers.get('content-type') ?? '' });
    }

    override async formData(): Promise<FormData> {
      return this.#stream().formData();
    }

    override clone(): Response {
      if (this.#used && this.#real === undefined) throw new TypeError('Response.clone: Body has already been consumed.');
      return this.#stream().clone();
    }

    static {
      // accessors on Response.prototype, which TypeScript declares as fields
      const get = (read: (self: InstanceType<ReturnType<typeof guardedResponse>>) => unknown): PropertyDescriptor => ({
        get(this: InstanceType<ReturnType<typeof guardedResponse>>) {
          return read(this);
        },
        configurable: true,
      });
      Object.defineProperties(GuardedResponse.prototype, {
        body: get((self) => self.#stream().body),
        bodyUsed: get((self) => (self.#real === undefined ? self.#used : self.#real.bodyUsed)),
        headers: get((self) => self.#response.headers),
        url: get((self) => self.#response.url),
        type: get((self) => self.#response.type),
        redirected: get((self) => self.#response.redirected),
      });
    }
  }
}

let GuardedResponseClass: ReturnType<typeof guardedResponse> | undefined;

/**
 * The response with its body under `guard`: the response itself when it guards its own body
 * ({@link BODY_DEADLINE}), else a {@link GuardedResponse} with the same status, status text, headers
 * and URL; a response without a body as it is. The caller keeps opaque redirects as they are.
 * @internal
 */
export function guardBody(response: Response, guard: BodyGuard): Response {
  // asked first: touching `body` would make consulate/node's responses build a web stream
  const native = (response as unknown as Record<symbol, unknown>)[BODY_DEADLINE];
  if (typeof native === 'function' && native.call(response, guard.ms, guard.stalled) === true) return response;
  const source = response.body;
  return source === null ? response : new (GuardedResponseClass ??= guardedResponse())(response, source, guard);
}
