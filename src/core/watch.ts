/**
 * `watch`: any read turned into an async iterator over blocking queries.
 *
 * ```ts
 * for await (const { data, meta } of watch(client, (c, o) => kv.get(c, 'config/db', o))) { … }
 * ```
 *
 * It follows Consul's guidance for blocking queries: after any response it blocks on an index of at
 * least 1 (an endpoint answering `X-Consul-Index: 0` must not turn the watch into a poll), the index
 * is reset to 0 only when it goes backwards (a restored or restarted cluster), an unchanged index is
 * not yielded again (nor, by default, unchanged data under a new index), wakeups are spaced by a
 * minimum interval, transient errors are retried with jittered exponential backoff and surfaced (to
 * `onError`, or thrown after `maxAttempts`), errors that a retry cannot fix (400, 401, 403, and a 404 that is not Consul's "missing") end the
 * watch unless `onError` says `'retry'`, and the request in flight is cancelled when the loop ends
 * (`break`, `return()`, `signal`).
 * @see https://developer.hashicorp.com/consul/api-docs/features/blocking
 * @module
 */
import type { Client } from './client.ts';
import type { Duration } from './encoding.ts';
import { durationMs, uint64 } from './encoding.ts';
import { InputError, isHttpError, isInputError } from './errors.ts';
import type { ReadOptions } from './query.ts';
import type { Result } from './request.ts';
import { asyncDispose, sameData, sleep } from './async.ts';
import { BACKOFF, backoff as backoffDelay } from './retry.ts';

/** A read the watch calls repeatedly with `index`, `wait` and `signal` set: `(client, options) → Result<T>`. */
export type WatchRead<T> = (client: Client, options: ReadOptions) => Promise<Result<T>>;

/**
 * What `onError` may answer: `'retry'` backs off and reads again (also after an error that is not
 * transient), `'stop'` ends the watch with the error; anything else (`undefined`) keeps the default:
 * retry a transient error, end with any other.
 */
export type WatchErrorAction = 'retry' | 'stop' | undefined;

/** What {@link WatchOptions.onError} is told besides the error and the attempt number. */
export interface WatchErrorInfo {
  /**
   * Whether the watch retries this error by default: `false` for an input error and for a 400 (bad
   * request), 401 (ACLs disabled), 403 (`Permission denied`, `ACL not found`) or 404 (not Consul's
   * "missing", which reads return as data: a wrong address or path prefix), which another attempt
   * with the same request cannot fix; `true` for anything else (network failures,
   * `TimeoutError` — a stalled read included —, 5xx, 429, …).
   */
  transient: boolean;
}

/** Options of {@link watch}: the read's own options plus the loop's. */
export interface WatchOptions extends ReadOptions {
  /**
   * Index to start from (yield only once the data changes past it). By default the first read
   * returns at once and its result is yielded.
   */
  index?: number | bigint;
  /** Longest wait of each blocking query (Consul's default: 5 min). */
  wait?: Duration;
  /** Ends the iteration cleanly (the iterator returns `done`) and cancels the request in flight. */
  signal?: AbortSignal;
  /**
   * Called with each failed read (before the watch decides what to do), the number of consecutive
   * failures and whether the error is {@link WatchErrorInfo.transient | transient}. By default a
   * transient error is retried after a backoff, and any other (400, 401, 403, 404) ends the
   * iteration with that error. Return `'retry'` to keep the watch going past such an error too (a token that
   * will be granted the right policy, say), `'stop'` to end it with this error, or throw to end it
   * with what you throw; any other return value (`undefined`, or what `console.warn` or
   * `errors.push(e)` return) keeps the default.
   * @example
   * ```ts
   * onError: (error, attempt, { transient }) => {
   *   console.warn(`watch failed (attempt ${attempt})`, error);
   *   return isForbiddenError(error) ? 'retry' : undefined; // wait for the ACL to be fixed
   * }
   * ```
   */
  onError?: ((error: unknown, attempt: number, info: WatchErrorInfo) => WatchErrorAction | unknown) | undefined;
  /**
   * Consecutive failed reads after which the iterator throws the last error (`1`: end at the first
   * failure). It applies to errors retried by `'retry'` too.
   * @default Infinity with `onError`, 5 without
   */
  maxAttempts?: number | undefined;
  /**
   * Backoff between failed reads: exponential from `min` to `max`, with jitter (half fixed, half random).
   * @default { min: 1000, max: 30000 }
   */
  backoff?: { min?: Duration | undefined; max?: Duration | undefined } | undefined;
  /**
   * Least time between the starts of two reads, so that fast-changing data cannot cause a hot loop.
   * @default 100
   */
  minInterval?: Duration | undefined;
  /**
   * Time between reads when the endpoint returns no index (it cannot block); changes are then
   * found by comparing the data.
   * @default 1000
   */
  pollInterval?: Duration | undefined;
  /**
   * Yield only when the data changed (compared structurally). Consul's index can move without this
   * data changing (a single key's index is the whole KV store's, a timeout may return a newer
   * index); set `false` to yield every new index instead.
   * @default true
   */
  distinct?: boolean | undefined;
  /**
   * The index is an opaque value, not a raft index (`/v1/event/list` returns a hash): block on it as
   * given (0 excepted: on 1, as always) and yield whenever it differs, without the goes-backwards reset.
   * @default false
   */
  opaqueIndex?: boolean | undefined;
}

/** Whether a failed read is worth retrying as it is: not an input error, nor a 400, 401, 403 or 404. */
function isTransient(error: unknown): boolean {
  if (isInputError(error)) return false;
  if (!isHttpError(error)) return true;
  // a 404 that reaches the watch is not Consul's "missing" (reads take that as data): a wrong
  // address or path prefix, or an endpoint this Consul lacks — retrying cannot fix it
  return error.status !== 400 && error.status !== 401 && error.status !== 403 && error.status !== 404;
}

/** The iterator returned by {@link watch}: `for await`-able, closable, `await using`-able. */
export interface WatchIterator<T> extends AsyncIterableIterator<Result<T>, undefined, unknown> {
  /** The next changed result; `done` once the watch was stopped. */
  next(): Promise<IteratorResult<Result<T>, undefined>>;
  /** Stops the watch: cancels the read in flight; a pending `next()` resolves `done`. */
  return(): Promise<IteratorResult<Result<T>, undefined>>;
  /** Stops the watch and rejects with `error`. */
  throw(error?: unknown): Promise<IteratorResult<Result<T>, undefined>>;
  /** Returns this iterator, so that a watch works in `for await`. */
  [Symbol.asyncIterator](): WatchIterator<T>;
  /** Same as `return()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Turns a read into an async iterator of its successive results, built on blocking queries.
 * The first result is yielded at once, then each change: by default each new index whose data differs
 * from the last yielded (`distinct`), never the same index twice.
 * @param read - any read taking `(client, options)`; wrap reads with more arguments in an arrow
 *   function that passes `options` on.
 * @param options - the read's options (datacenter, token, consistency, filter, `wait`…) and the loop's.
 * @returns a {@link WatchIterator}.
 * @throws {InputError} for bad options (at once), or a read's InputError (from `next()`).
 * @throws {ForbiddenError} from `next()` on a 403 (`Permission denied`, `ACL not found`), after
 *   `onError` saw it, unless `onError` returned `'retry'`; the same for a `BadRequestError` (400)
 *   and an `ACLDisabledError` (401, ACLs disabled).
 * @throws the last error from `next()` after `maxAttempts` consecutive failures (never, by default,
 *   with `onError`), or the error `onError` threw or answered `'stop'` to.
 * @example
 * ```ts
 * const controller = new AbortController();
 * for await (const { data } of watch(client, (c, o) => kv.get(c, 'config/flag', o), {
 *   signal: controller.signal,
 *   // transient errors are retried; a 403 still ends the loop (throws) unless this returns 'retry'
 *   onError: (error, attempt, { transient }) => console.warn(`watch failed (attempt ${attempt})`, transient ? 'retrying' : 'giving up', error),
 * })) {
 *   console.log('flag is now', data);
 * }
 * ```
 */
export function watch<T>(client: Client, read: WatchRead<T>, options: WatchOptions = {}): WatchIterator<T> {
  if (typeof read !== 'function') throw new InputError('watch needs a read function (client, options) => Promise<Result>');
  const {
    onError, maxAttempts, backoff, minInterval, pollInterval, opaqueIndex = false, distinct = true, signal, index, ...readOptions
  } = options;
  const limit = maxAttempts ?? (onError ? Number.POSITIVE_INFINITY : 5);
  if (!(limit >= 1)) throw new InputError(`maxAttempts must be at least 1, got ${String(maxAttempts)}`);
  const minGap = minInterval === undefined ? 100 : durationMs(minInterval, 'minInterval');
  const pollGap = pollInterval === undefined ? 1000 : durationMs(pollInterval, 'pollInterval');
  const backoffMin = backoff?.min === undefined ? BACKOFF.watch.initial : durationMs(backoff.min, 'backoff.min');
  const backoffMax = Math.max(backoffMin, backoff?.max === undefined ? BACKOFF.watch.max : durationMs(backoff.max, 'backoff.max'));
  const pause = { ...BACKOFF.watch, initial: backoffMin, max: backoffMax };

  const stopper = new AbortController();
  const onAbort = (): void => stopper.abort(signal?.reason);
  if (signal?.aborted) stopper.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });

  let blockIndex: bigint | undefined = index === undefined ? undefined : BigInt(uint64(index, 'index'));
  let last: { index: bigint | undefined; data: T } | undefined;
  // with a starting index, the first result counts only once the index moved past it
  const startIndex = blockIndex;
  let lastStart = Number.NEGATIVE_INFINITY;
  let lastHadIndex = true;
  let failures = 0;
  let recovering = false;
  let queue: Promise<unknown> = Promise.resolve();
  const done: IteratorResult<Result<T>, undefined> = { done: true, value: undefined };

  const finish = (): void => {
    stopper.abort();
    signal?.removeEventListener('abort', onAbort);
  };

  const step = async (): Promise<IteratorResult<Result<T>, undefined>> => {
    for (;;) {
      if (stopper.signal.aborted) return done;
      const gap = (lastHadIndex ? minGap : Math.max(minGap, pollGap)) - (Date.now() - lastStart);
      if (gap > 0) await sleep(gap, stopper.signal);
      if (stopper.signal.aborted) return done;
      lastStart = Date.now();
      let result: Result<T>;
      try {
        const readWith: ReadOptions = { ...readOptions, signal: stopper.signal };
        if (blockIndex !== undefined) readWith.index = blockIndex;
        result = await read(client, readWith);
      } catch (error) {
        if (stopper.signal.aborted) return done;
        if (isInputError(error)) throw error;
        failures++;
        const transient = isTransient(error);
        const action = onError?.(error, failures, { transient });
        if (stopper.signal.aborted) return done;
        if (action === 'stop' || (action !== 'retry' && !transient) || failures >= limit) throw error;
        // Re-read at once after recovering: the agent may have restarted with other indexes.
        blockIndex = undefined;
        recovering = true;
        await sleep(backoffDelay(failures, pause), stopper.signal);
        continue;
      }
      if (stopper.signal.aborted) return done;
      failures = 0;
      const got = result.meta.index;
      lastHadIndex = got !== undefined;
      let changed: boolean;
      if (last === undefined) changed = startIndex === undefined || got === undefined || got !== startIndex;
      else if (distinct || got === undefined) changed = !sameData(result.data, last.data);
      else changed = got !== last.index || (recovering && !sameData(result.data, last.data));
      recovering = false;
      if (got === undefined) blockIndex = undefined;
      // an index of 0 would return at once (a poll): block on at least 1; reset only when it went backwards
      else if (got < 1n) blockIndex = 1n;
      else if (!opaqueIndex && blockIndex !== undefined && got < blockIndex) blockIndex = 0n;
      else blockIndex = got;
      if (changed) {
        last = { index: got, data: result.data };
        return { done: false, value: result };
      }
    }
  };

  const iterator: WatchIterator<T> = {
    next() {
      const result = queue.then(() => step());
      queue = result.catch(() => undefined);
      // an error ends the watch
      result.catch(finish);
      return result;
    },
    async return() {
      finish();
      await queue;
      return done;
    },
    async throw(error?: unknown) {
      finish();
      await queue;
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
    async [asyncDispose]() {
      await iterator.return();
    },
  };
  return iterator;
}
