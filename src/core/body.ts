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
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        let onAbort: (() => void) | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(stalled()), Math.min(ms, MAX_DELAY));
          if (signal !== undefined) {
            onAbort = () => reject(signal.reason);
            if (signal.aborted) onAbort();
            else signal.addEventListener('abort', onAbort, { once: true });
          }
        });
        try {
          const { done, value } = await Promise.race([reader.read(), deadline]);
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          const reason = signal?.aborted ? signal.reason : error;
          controller.error(reason);
          reader.cancel(reason).catch(() => {});
        } finally {
          clearTimeout(timer);
          if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Joins chunks into one exactly-sized buffer. */
function concat(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}

/** Reads a whole stream; a failure rejects with the stream's own error. */
async function readStream(stream: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    chunks.push(r.value);
    size += r.value.byteLength;
  }
  return concat(chunks, size);
}

/**
 * Reads a whole body under a guard, straight from its reader (no stream in between): one timer,
 * re-armed from the time of the last chunk, fails the read with `guard.stalled()` after `guard.ms`
 * without data; the caller's abort fails it with the signal's reason.
 */
async function readGuarded(source: ReadableStream<Uint8Array>, guard: BodyGuard): Promise<Uint8Array<ArrayBuffer>> {
  const { ms, signal } = guard;
  const reader = source.getReader();
  let failed = false;
  let failure: unknown;
  const fail = (error: unknown): void => {
    if (failed) return;
    failed = true;
    failure = error;
    reader.cancel(error).catch(() => {});
  };
  let last = performance.now();
  let timer: ReturnType<typeof setTimeout>;
  const check = (): void => {
    const idle = performance.now() - last;
    if (idle >= ms) fail(guard.stalled());
    else timer = setTimeout(check, Math.min(ms - idle, MAX_DELAY));
  };
  timer = setTimeout(check, Math.min(ms, MAX_DELAY));
  const onAbort = (): void => fail(signal!.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        throw signal?.aborted ? signal.reason : failed ? failure : error;
      }
      if (failed) throw failure;
      if (result.done) break;
      last = performance.now();
      chunks.push(result.value);
      size += result.value.byteLength;
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  return concat(chunks, size);
}

/**
 * A `Response` whose body is under a {@link BodyGuard}. Its readers (`text()`, `json()`,
 * `arrayBuffer()`, `bytes()`, `blob()`) read the original body directly under the guard and fail with
 * the guard's own error — browsers' readers would replace it with a bare `TypeError: Failed to fetch`
 * (Chromium, measured). Touching `body` (or `clone()`, `formData()`) switches it to a regular
 * `Response` over the guarded stream ({@link idleDeadline}), so it behaves like one in every
 * observable way (`instanceof Response`, status, headers, `url`, streaming, `bodyUsed`…).
 */
class GuardedResponse extends Response {
  #source: ReadableStream<Uint8Array>;
  #guard: BodyGuard;
  #init: ResponseInit;
  #used = false;
  #real: Response | undefined;

  constructor(response: Response, source: ReadableStream<Uint8Array>, guard: BodyGuard) {
    const init = { status: response.status, statusText: response.statusText, headers: response.headers };
    super(null, init);
    this.#source = source;
    this.#guard = guard;
    this.#init = init;
    // a constructed Response has no URL: keep the one the answer came from (error messages name it)
    if (response.url) Object.defineProperty(this, 'url', { value: response.url });
  }

  /** The regular Response this one turns into once its stream is asked for. */
  #stream(): Response {
    if (this.#real === undefined) {
      const { ms, stalled, signal } = this.#guard;
      this.#real = new Response(this.#used ? null : idleDeadline(this.#source, ms, stalled, signal), this.#init);
      if (this.#used) void this.#real.arrayBuffer(); // already read: make it report so
    }
    return this.#real;
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#real !== undefined) {
      if (this.#real.body === null || this.#real.bodyUsed) throw new TypeError('Body has already been consumed');
      return readStream(this.#real.body);
    }
    if (this.#used) throw new TypeError('Body has already been consumed');
    this.#used = true;
    return readGuarded(this.#source, this.#guard);
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  override async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
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
    // `body` and `bodyUsed` are accessors on Response.prototype; TypeScript declares them as fields
    Object.defineProperties(GuardedResponse.prototype, {
      body: {
        get(this: GuardedResponse) {
          return this.#stream().body;
        },
        configurable: true,
      },
      bodyUsed: {
        get(this: GuardedResponse) {
          return this.#real === undefined ? this.#used : this.#real.bodyUsed;
        },
        configurable: true,
      },
    });
  }
}

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
  return source === null ? response : new GuardedResponse(response, source, guard);
}
