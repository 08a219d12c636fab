/**
 * Live typed configuration, in process — what consul-template and envconsul do for files and
 * environment variables: watch a KV key (a JSON document) or a prefix (a tree of keys), validate it
 * with a valibot schema, and hold the last good value.
 *
 * - `format: 'json'` (the default) reads one key and parses its value as JSON (a missing key is
 *   `undefined`, which the schema may accept, e.g. with `v.optional(…, default)`);
 *   `format: 'tree'` reads every key under a prefix into nested objects: `app/db/port` → `{ db: { port: '5432' } }`
 *   (values are UTF-8 strings: convert them in the schema, e.g. `v.pipe(v.string(), v.toNumber())`).
 * - Updates come from blocking queries ({@link watch}); with `debounce`, changes that follow each other
 *   closely are applied once, when they settle.
 * - An update that fails decoding or validation is **reported, not applied**: `onInvalid` is called with
 *   a {@link ResponseValidationError} naming each issue, the health state becomes `invalid`, and `value`
 *   stays the last good one.
 * - The health state ({@link LiveConfigHealth}) is what a service can expose on its own health endpoint:
 *   `pending` (no valid value yet), `fresh`, `invalid` (Consul holds an invalid update) or `stale`.
 *
 * **What "stale" means.** The value is stale once the watch's reads have been failing for `staleAfter`
 * (10 s by default), counted from the first failure after the last read Consul answered (a failure as the
 * client reports it, after its own retries): the agent is down or unreachable, or answers errors. A read that Consul leaves unanswered counts as failing once it
 * passes its deadline (`wait` + `wait`/16 + the client's `timeout`), which is why `wait` defaults to 60 s
 * here. The state goes back to `fresh` (or `invalid`) at the first answered read. A live config that
 * ended (closed, or stopped by an error a retry cannot fix, such as a 403) is `stale` too.
 * @see https://developer.hashicorp.com/consul/api-docs/features/blocking
 * @see https://github.com/hashicorp/consul-template
 * @module
 */
import * as v from 'valibot';
import type { Client } from '../core/client.ts';
import type { Duration } from '../core/encoding.ts';
import { durationMs, fromUtf8, needsTxn, normalizeKey, parseJson } from '../core/encoding.ts';
import type { ValidationIssue } from '../core/errors.ts';
import { InputError, isResponseValidationError, ResponseValidationError } from '../core/errors.ts';
import type { ReadOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { asyncDispose, sameData } from '../core/async.ts';
import type { WatchOptions } from '../core/watch.ts';
import { watch } from '../core/watch.ts';
import type { KVPair } from '../endpoints/kv.ts';
import { getRecord, records } from '../endpoints/kv.ts';

/** A valibot schema a live config validates with: sync or async (`v.pipeAsync`, `v.checkAsync`…). */
export type LiveConfigSchema = v.GenericSchema | v.GenericSchemaAsync;

/**
 * How the KV data becomes the value given to the schema: `json` parses one key's value as JSON;
 * `tree` turns every key under a prefix into nested objects of UTF-8 strings.
 */
export type LiveConfigFormat = 'json' | 'tree';

/**
 * The health of a live config:
 * - `pending`: no valid value yet (the first read has not been answered, and nothing invalid was seen);
 * - `fresh`: `value` is what Consul holds now (as of the last answered read);
 * - `invalid`: Consul holds an update that failed decoding or validation; `value` is the last good one
 *   (or `undefined`);
 * - `stale`: the reads have been failing for `staleAfter` (Consul down or unreachable), or the live config ended.
 */
export type LiveConfigState = 'pending' | 'fresh' | 'invalid' | 'stale';

/** A snapshot of a live config's health, from {@link LiveConfig.health} and `onHealthChange`. */
export interface LiveConfigHealth {
  /** The state: see {@link LiveConfigState}. */
  readonly state: LiveConfigState;
  /** When the state last changed (ms since the epoch). */
  readonly since: number;
  /** When Consul last answered a read (ms since the epoch); `undefined` before the first answer. */
  readonly lastContact: number | undefined;
  /** Since when reads have been failing (ms since the epoch); `undefined` while they succeed. */
  readonly failingSince: number | undefined;
  /** The last failed read's error while reads fail, or the error that ended the live config. */
  readonly error: unknown;
  /**
   * Why the data Consul holds was refused, while it is (also while `stale`, when the data last seen
   * was invalid); `undefined` once a valid update arrived.
   */
  readonly invalid: ResponseValidationError | undefined;
  /** Whether the live config has ended (`close()`, `signal`, or an error a retry cannot fix). */
  readonly closed: boolean;
}

/** Options of {@link liveConfig}: the schema, the format, the loop's knobs and the reads' options. */
export interface LiveConfigOptions<S extends LiveConfigSchema>
  extends Omit<ReadOptions, 'index' | 'wait' | 'signal'>,
    Pick<WatchOptions, 'backoff' | 'minInterval'> {
  /** The valibot schema of the config; its output type is the value's type. */
  schema: S;
  /**
   * `json`: `key` is one key holding a JSON document; `tree`: `key` is a prefix (a `/` is added when
   * missing, so `app` does not also read `apple`; `""` is the whole KV store) whose keys become nested
   * objects of strings.
   * @default "json"
   */
  format?: LiveConfigFormat | undefined;
  /**
   * Apply a change only once no other change has come for this long (a Go duration or milliseconds),
   * and at the latest `max` after the first change held back (`max` is 4 × `min` when a single duration
   * is given). The first value is applied at once. `0` applies every change as it comes.
   * @default 0
   */
  debounce?: Duration | { min: Duration; max?: Duration | undefined } | undefined;
  /**
   * How long the reads may fail before the state is `stale` (a Go duration or milliseconds).
   * @default "10s"
   */
  staleAfter?: Duration | undefined;
  /**
   * Longest wait of each blocking read. A hung agent is noticed when a read passes its deadline
   * (wait + wait/16 + the client's `timeout`). @default "60s"
   */
  wait?: Duration | undefined;
  /** Ends the live config (like `close()`). */
  signal?: AbortSignal | undefined;
  /**
   * Called with each new valid value (not when an update validates to an equal value), after `value`
   * changed. A callback that throws ends the live config with that error (`health.error`).
   */
  onChange?: ((value: v.InferOutput<S>, previous: v.InferOutput<S> | undefined) => void) | undefined;
  /**
   * Called with each update that failed decoding or validation (not applied: `value` stays the last good
   * one). A callback that throws ends the live config with that error.
   */
  onInvalid?: ((error: ResponseValidationError) => void) | undefined;
  /**
   * Called when the health state changes (not for the end that `close()` or `signal` cause). A callback
   * that throws ends the live config with that error.
   */
  onHealthChange?: ((health: LiveConfigHealth) => void) | undefined;
  /**
   * Called with each failed read, as {@link WatchOptions.onError} (same arguments and answers): failures
   * are retried with backoff by default, and an error that a retry cannot fix (400, 401, 403, 404) ends
   * the live config unless this returns `'retry'`.
   */
  onError?: WatchOptions['onError'];
}

/** A running live config, from {@link liveConfig}. Iterate it to get each applied value. */
export interface LiveConfig<T> extends AsyncIterable<T> {
  /** The key (`json`) or prefix (`tree`, ending in `/` unless empty) being watched. */
  readonly key: string;
  /** The last good value; `undefined` until the first valid one. */
  readonly value: T | undefined;
  /** The health now (a fresh snapshot at each access). */
  readonly health: LiveConfigHealth;
  /**
   * The first valid value: resolves at once when there is one, else when it arrives.
   * @param options - `signal` stops waiting.
   * @returns the value.
   * @throws the latest {@link ResponseValidationError} when `signal` aborts while Consul holds an invalid
   *   config (the signal's reason is its `cause`), else the signal's reason.
   * @throws the error that ended the live config (a 403, an error thrown by a callback), or an `AbortError`
   *   `DOMException` when it was closed first.
   */
  ready(options?: { signal?: AbortSignal | undefined }): Promise<T>;
  /**
   * Yields the current value (once there is one), then each new value applied. A slow consumer skips to
   * the latest. Ends when the live config is closed; throws the error that ended it. Breaking out of a
   * loop ends that iteration only.
   */
  [Symbol.asyncIterator](): AsyncIterator<T, undefined, undefined>;
  /** Stops watching (cancels the read in flight, drops a change held back by `debounce`). Idempotent. */
  close(): Promise<void>;
  /** Same as {@link LiveConfig.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_STALE_AFTER_MS = 10_000;
const DEFAULT_WAIT = '60s';

/** Sets an own property (also one named `__proto__`) without touching prototypes. */
function define(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Builds the `tree` value of the keys under `prefix`: `a/b/c` → `{ a: { b: { c: '…' } } }`. A folder key
 * (`a/b/`) makes an empty object. Keys with empty segments, a value and a folder at the same place, and
 * values that are not UTF-8 are reported as issues (dotted paths, like valibot's).
 */
function buildTree(pairs: readonly KVPair[], prefix: string, where: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const folders = new WeakSet<object>([root]);
  const issues: ValidationIssue[] = [];
  for (const pair of pairs) {
    const rest = pair.Key.slice(prefix.length);
    if (rest === '') continue; // the prefix's own folder key
    const folder = rest.endsWith('/');
    const segments = (folder ? rest.slice(0, -1) : rest).split('/');
    const path = segments.join('.');
    if (segments.some((segment) => segment === '')) {
      issues.push({ path, message: `key ${JSON.stringify(pair.Key)} has an empty segment` });
      continue;
    }
    let node = root;
    let ok = true;
    for (let i = 0; i < segments.length - 1 && ok; i++) {
      const name = segments[i]!;
      const next = Object.hasOwn(node, name) ? node[name] : undefined;
      if (next === undefined) {
        const child: Record<string, unknown> = {};
        folders.add(child);
        define(node, name, child);
        node = child;
      } else if (typeof next === 'object' && next !== null && folders.has(next)) {
        node = next as Record<string, unknown>;
      } else {
        issues.push({ path, message: `key ${JSON.stringify(pair.Key)} is below ${JSON.stringify(prefix + segments.slice(0, i + 1).join('/'))}, which has a value` });
        ok = false;
      }
    }
    if (!ok) continue;
    const name = segments[segments.length - 1]!;
    const existing = Object.hasOwn(node, name) ? node[name] : undefined;
    if (folder) {
      if (pair.Value.byteLength > 0) issues.push({ path, message: `folder key ${JSON.stringify(pair.Key)} has a value (${pair.Value.byteLength} bytes)` });
      else if (existing === undefined) {
        const child: Record<string, unknown> = {};
        folders.add(child);
        define(node, name, child);
      } else if (!(typeof existing === 'object' && existing !== null && folders.has(existing))) {
        issues.push({ path, message: `folder key ${JSON.stringify(pair.Key)} and key ${JSON.stringify(pair.Key.slice(0, -1))} are the same field` });
      }
      continue;
    }
    if (existing !== undefined) {
      issues.push({ path, message: `key ${JSON.stringify(pair.Key)} has a value and keys below it` });
      continue;
    }
    try {
      define(node, name, fromUtf8(pair.Value, `value of key ${JSON.stringify(pair.Key)}`));
    } catch {
      issues.push({ path, message: `value of key ${JSON.stringify(pair.Key)} is not UTF-8 text` });
    }
  }
  if (issues.length > 0) throw invalidConfig(where, issues);
  return root;
}

/** The error reported for data that cannot be decoded or does not match the schema. */
function invalidConfig(where: string, issues: readonly ValidationIssue[]): ResponseValidationError {
  const summary = issues.slice(0, 3).map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return new ResponseValidationError(`live config ${where} is invalid: ${summary}${more}`, issues);
}

/** Decodes one key's value as JSON: `undefined` when the key is missing. */
function decodeJson(pair: KVPair | undefined, where: string): unknown {
  if (pair === undefined) return undefined;
  let text: string;
  try {
    text = fromUtf8(pair.Value, `value of key ${JSON.stringify(pair.Key)}`);
  } catch {
    throw invalidConfig(where, [{ path: '', message: 'the value is not UTF-8 text' }]);
  }
  if (text.trim() === '') throw invalidConfig(where, [{ path: '', message: 'the value is empty, not a JSON document' }]);
  try {
    return parseJson(text);
  } catch (error) {
    throw invalidConfig(where, [{ path: '', message: `the value is not JSON: ${error instanceof Error ? error.message : String(error)}` }]);
  }
}

/** The `min`/`max` of `debounce`, in ms. */
function debounceMs(option: LiveConfigOptions<LiveConfigSchema>['debounce']): { min: number; max: number } {
  if (option === undefined) return { min: 0, max: 0 };
  if (typeof option === 'object') {
    const min = durationMs(option.min, 'debounce.min');
    const max = option.max === undefined ? 4 * min : durationMs(option.max, 'debounce.max');
    if (max < min) throw new InputError(`debounce.max (${max} ms) must not be less than debounce.min (${min} ms)`);
    return { min, max };
  }
  const min = durationMs(option, 'debounce');
  return { min, max: 4 * min };
}

/**
 * Watches a KV key (a JSON document) or prefix (a tree of keys) and keeps a typed, validated config:
 * the last good value, each change (debounced), the updates refused by the schema, and a health state a
 * service can expose. Runs on every runtime (web APIs only).
 * @param key - the key (`format: 'json'`) or prefix (`format: 'tree'`).
 * @param options - the schema (required), the format, `debounce`, `staleAfter`, callbacks, and the reads'
 *   options (datacenter, token, consistency…).
 * @returns a running {@link LiveConfig}; `await config.ready()` for the first valid value.
 * @throws {InputError} at once for an empty key with `format: 'json'`, a key with `//` or `.`/`..`
 *   segments (it cannot be watched), a missing schema, an unknown format or a bad duration.
 * @see https://developer.hashicorp.com/consul/api-docs/kv#read-key
 * @see https://developer.hashicorp.com/consul/api-docs/features/blocking
 * @example
 * ```ts
 * import * as v from 'valibot';
 * import { liveConfig } from 'consulate/live-config';
 *
 * const config = liveConfig(client, 'app/config', {
 *   schema: v.object({ port: v.number(), features: v.optional(v.array(v.string()), []) }),
 *   onInvalid: (error) => console.warn('config update refused:', error.message),
 * });
 * const { port } = await config.ready({ signal: AbortSignal.timeout(10_000) });
 * // expose config.health.state on /healthz; read config.value where needed
 * for await (const next of config) console.log('config is now', next);
 * ```
 * @example
 * ```ts
 * // a tree of keys: app/db/host, app/db/port → { db: { host, port } }
 * const db = liveConfig(client, 'app/', {
 *   format: 'tree',
 *   debounce: '500ms',
 *   schema: v.object({ db: v.object({ host: v.string(), port: v.pipe(v.string(), v.toNumber(), v.integer()) }) }),
 * });
 * ```
 */
export function liveConfig<S extends LiveConfigSchema>(client: Client, key: string, options: LiveConfigOptions<S>): LiveConfig<v.InferOutput<S>> {
  type T = v.InferOutput<S>;
  if (typeof options !== 'object' || options === null || typeof options.schema !== 'object' || options.schema === null) {
    throw new InputError('liveConfig needs options.schema (a valibot schema)');
  }
  const {
    schema, format = 'json', debounce, staleAfter, wait = DEFAULT_WAIT, signal, onChange, onInvalid, onHealthChange, onError,
    backoff, minInterval, ...readOptions
  } = options;
  if (format !== 'json' && format !== 'tree') throw new InputError(`format must be "json" or "tree", got ${JSON.stringify(format)}`);
  if (typeof key !== 'string') throw new InputError(`key must be a string, got ${typeof key}`);
  let k = normalizeKey(key);
  if (format === 'json' && k === '') throw new InputError('a live config of format "json" needs a key');
  if (format === 'tree' && k !== '' && !k.endsWith('/')) k += '/';
  if (needsTxn(k)) throw new InputError(`key ${JSON.stringify(k)} has "//" or "."/".." segments: it cannot be watched`);
  const where = format === 'json' ? `key ${JSON.stringify(k)}` : `prefix ${JSON.stringify(k)}`;
  const staleMs = staleAfter === undefined ? DEFAULT_STALE_AFTER_MS : durationMs(staleAfter, 'staleAfter');
  const pause = debounceMs(debounce);

  const stopper = new AbortController();
  const onAbort = (): void => stopper.abort(signal?.reason);

  // what the health is made of
  let value: T | undefined;
  let hasValue = false;
  let invalid: ResponseValidationError | undefined;
  let lastContact: number | undefined;
  let failingSince: number | undefined;
  let lastError: unknown;
  let ended = false;
  let fatal: { error: unknown } | undefined;
  let state: LiveConfigState = 'pending';
  let since = Date.now();
  let staleTimer: ReturnType<typeof setTimeout> | undefined;

  // wakes iterators and ready() waiters at each new value and at the end
  let version = 0;
  const waiters = new Set<() => void>();
  const notify = (): void => {
    const woken = [...waiters];
    waiters.clear();
    for (const wake of woken) wake();
  };
  /** Resolves at the next notify(), or when `cancel` is called (then it is no longer waiting). */
  const nextChange = (): { promise: Promise<void>; cancel: () => void } => {
    let wake: () => void = () => {};
    const promise = new Promise<void>((resolve) => (wake = resolve));
    waiters.add(wake);
    return {
      promise,
      cancel: () => {
        waiters.delete(wake);
        wake();
      },
    };
  };

  const computeState = (now: number): LiveConfigState => {
    if (ended || (failingSince !== undefined && now - failingSince >= staleMs)) return 'stale';
    if (invalid !== undefined) return 'invalid';
    return hasValue ? 'fresh' : 'pending';
  };
  const snapshot = (): LiveConfigHealth => {
    const now = Date.now();
    const current = computeState(now);
    return {
      state: current,
      since: current === state ? since : now,
      lastContact,
      failingSince,
      error: fatal ? fatal.error : lastError,
      invalid,
      closed: ended,
    };
  };

  /** Ends the live config (a fatal error, `close()`, `signal`). */
  let quiet = false;
  const end = (error?: { error: unknown }): void => {
    if (ended) return;
    fatal ??= error;
    ended = true;
    // the caller ended it: no health callback for that
    quiet = error === undefined;
    stopper.abort();
    signal?.removeEventListener('abort', onAbort);
    clearTimeout(staleTimer);
    clearTimeout(debounceTimer);
    notify();
    recheck();
  };
  /** Runs a user callback; one that throws ends the live config with its error. */
  const call = (fn: () => void): void => {
    try {
      fn();
    } catch (error) {
      end({ error });
    }
  };
  /** Recomputes the state and reports a change. */
  function recheck(): void {
    const now = Date.now();
    const next = computeState(now);
    if (next === state) return;
    state = next;
    since = now;
    if (onHealthChange && !quiet) {
      const health = snapshot();
      call(() => onHealthChange(health));
    }
  }

  const contact = (): void => {
    if (stopper.signal.aborted) return;
    lastContact = Date.now();
    failingSince = undefined;
    lastError = undefined;
    clearTimeout(staleTimer);
    staleTimer = undefined;
    recheck();
  };
  const failed = (error: unknown): void => {
    if (stopper.signal.aborted) return;
    lastError = error;
    if (failingSince === undefined) {
      failingSince = Date.now();
      staleTimer = setTimeout(recheck, staleMs);
    }
    recheck();
  };

  const read = async (c: Client, o: ReadOptions): Promise<Result<unknown>> => {
    try {
      const result = format === 'json' ? await getRecord(c, k, o) : await records(c, k, o);
      contact();
      return result;
    } catch (error) {
      failed(error);
      throw error;
    }
  };

  // applies decoded data, one at a time, in order
  let applying: Promise<void> = Promise.resolve();
  const apply = async (data: unknown): Promise<void> => {
    let decoded: unknown;
    let result: v.SafeParseResult<S>;
    try {
      decoded = format === 'json' ? decodeJson(data as KVPair | undefined, where) : buildTree(data as KVPair[], k, where);
      result = await v.safeParseAsync(schema, decoded);
    } catch (error) {
      if (ended) return;
      if (!isResponseValidationError(error)) return end({ error });
      invalid = error;
      call(() => onInvalid?.(error));
      return recheck();
    }
    if (ended) return;
    if (!result.success) {
      const error = invalidConfig(where, result.issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message })));
      invalid = error;
      call(() => onInvalid?.(error));
      return recheck();
    }
    invalid = undefined;
    const next = result.output as T;
    if (!hasValue || !sameData(next, value)) {
      const previous = value;
      value = next;
      hasValue = true;
      version++;
      notify();
      call(() => onChange?.(next, previous));
    }
    recheck();
  };
  const enqueue = (data: unknown): void => {
    applying = applying.then(() => apply(data));
  };

  // debounce: hold changes back until they settle (at most `max` after the first one held back)
  let debounceTimer: ReturnType<typeof setTimeout> | undefined;
  let heldSince = 0;
  let held: { data: unknown } | undefined;
  const flush = (): void => {
    debounceTimer = undefined;
    if (held === undefined || ended) return;
    const { data } = held;
    held = undefined;
    enqueue(data);
  };
  const offer = (data: unknown, first: boolean): void => {
    if (first || pause.min <= 0) return enqueue(data);
    const now = Date.now();
    if (held === undefined) heldSince = now;
    held = { data };
    clearTimeout(debounceTimer);
    debounceTimer = setTimeout(flush, Math.max(0, Math.min(pause.min, heldSince + pause.max - now)));
  };

  // created here so that bad watch options throw at once
  const updates = watch(client, read, {
    ...readOptions,
    wait,
    signal: stopper.signal,
    ...(backoff === undefined ? {} : { backoff }),
    ...(minInterval === undefined ? {} : { minInterval }),
    onError: (error, attempt, info) => onError?.(error, attempt, info),
  });
  if (signal?.aborted) stopper.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });
  if (stopper.signal.aborted) end();

  const running = (async () => {
    let first = true;
    try {
      for await (const { data } of updates) {
        offer(data, first);
        first = false;
      }
      end();
    } catch (error) {
      end({ error });
    }
  })();

  const closedError = (): unknown =>
    fatal ? fatal.error : new DOMException(`live config ${where} was closed before it had a valid value`, 'AbortError');

  const live: LiveConfig<T> = {
    key: k,
    get value() {
      return value;
    },
    get health() {
      return snapshot();
    },
    async ready(readyOptions: { signal?: AbortSignal | undefined } = {}) {
      const waitSignal = readyOptions.signal;
      for (;;) {
        if (hasValue) return value as T;
        if (ended) throw closedError();
        if (waitSignal?.aborted) {
          const reason: unknown = waitSignal.reason;
          if (invalid) throw new ResponseValidationError(invalid.message, invalid.issues, { cause: reason });
          throw reason;
        }
        const change = nextChange();
        waitSignal?.addEventListener('abort', change.cancel, { once: true });
        await change.promise;
        waitSignal?.removeEventListener('abort', change.cancel);
      }
    },
    [Symbol.asyncIterator]() {
      let seen = 0;
      let finished = false;
      let waiting: { cancel: () => void } | undefined;
      const done: IteratorResult<T, undefined> = { done: true, value: undefined };
      return {
        async next(): Promise<IteratorResult<T, undefined>> {
          for (;;) {
            if (finished) return done;
            if (hasValue && version > seen) {
              seen = version;
              return { done: false, value: value as T };
            }
            if (ended) {
              finished = true;
              if (fatal) throw fatal.error;
              return done;
            }
            const change = nextChange();
            waiting = change;
            await change.promise;
            waiting = undefined;
          }
        },
        async return(): Promise<IteratorResult<T, undefined>> {
          finished = true;
          waiting?.cancel();
          return done;
        },
      };
    },
    async close() {
      end();
      await running;
      await applying;
    },
    async [asyncDispose]() {
      await live.close();
    },
  };
  return live;
}
