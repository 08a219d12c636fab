/**
 * Which keys a CLI prefix covers, and reading many records in bounded memory.
 *
 * **The prefix rule** is `src/core/kv-scope.ts`'s, shared with the `consulate/kv-sync` recipe: `app`
 * covers the key `app` itself and every key under `app/`, but not `apple` or `app-old/x`; `app/` covers
 * the keys that start with it; the empty prefix covers the whole store. backup, restore (and its
 * `--prune`), `ls`, `get -r` and `rm -r` all follow it.
 * @module
 */
import type { Client } from '../core/client.ts';
import { escapeKey, needsTxn, parseJson } from '../core/encoding.ts';
import { isTransactionError, ResponseValidationError } from '../core/errors.ts';
import type { KVScope } from '../core/kv-scope.ts';
import { kvScope } from '../core/kv-scope.ts';
import { confirmMissing, MISSING as MISSING_MARK } from '../core/missing.ts';
import type { ReadOptions } from '../core/query.ts';
import { send } from '../core/request.ts';
import type { KeysOptions } from '../endpoints/kv.ts';
import { has, keys } from '../endpoints/kv.ts';
import { TXN_MAX_OPS } from '../schemas/txn.ts';
import type { KVPairWire } from '../schemas/kv.ts';
import { kvPairProblem } from '../schemas/kv.ts';
import { ByteWriter, CliError } from './io.ts';
import { JsonArrayReader, JsonArrayError } from './json-array.ts';

/** The set of keys a prefix argument covers. */
export type Scope = KVScope;

/** Builds the {@link Scope} of a prefix argument (see the module documentation for the rule). */
export function scopeOf(prefix: string | undefined): Scope {
  return kvScope(prefix ?? '');
}

/**
 * The key a consulate-format backup of `scope` writes for `key` (the original consulate writes keys
 * relative to the prefix): `app/x/y` → `x/y`, the key named like the prefix (`app`) → `""`, and the
 * folder key `app/` → `"/"` (the original cannot tell it from `app`: it writes `""` for both). The
 * whole store (no prefix) keeps absolute keys.
 * @throws {@link CliError} for a key `app//` (relative name `"/"`, taken by the folder key): only the
 *   export format can hold it.
 */
export function relativeKey(scope: Scope, key: string): string {
  if (scope.prefix === '') return key;
  const folder = scope.folder;
  if (key === folder.slice(0, -1)) return '';
  if (key === folder) return '/';
  const relative = key.slice(folder.length);
  if (relative === '/') {
    throw new CliError(`key ${JSON.stringify(key)} has no name relative to ${JSON.stringify(scope.prefix)} in the consulate format ("/" means the folder key); back it up with --format export`);
  }
  return relative;
}

/**
 * Where a consulate-format entry lands when restored under `scope` (the original consulate prepends
 * the prefix): `x/y` → `app/x/y`, `""` → `app`, `"/"` → the folder key `app/` (the inverse of
 * {@link relativeKey}). Without a prefix the key is used as it is.
 */
export function prefixedKey(scope: Scope, relative: string): string {
  if (scope.prefix === '') return relative;
  if (relative === '') return scope.folder.slice(0, -1);
  if (relative === '/') return scope.folder;
  return `${scope.folder}${relative}`;
}

/**
 * Lists the keys a scope covers, in Consul's (byte) order. Holds only the key names in memory.
 *
 * Only list calls are made (`?keys` under the folder, and `?keys&separator=/` on the prefix to see
 * whether the key named like the folder exists), never an exact `GET`: Consul filters lists by the
 * token's ACL rules instead of refusing them, so a token limited to `key_prefix "app/x/"` lists what
 * it may read under `app` (as `consul kv export app` does), where an exact read of `app` is a 403.
 * (A prefix with `//` or `.`/`..` segments is checked with a transaction `get`, which Consul filters
 * the same way.) With `separator`, the keys under the folder are listed only up to the separator
 * after the folder (`kv ls --separator /`: one level, sub-folders as `app/sub/`).
 */
export async function listKeys(client: Client, scope: Scope, options: KeysOptions = {}): Promise<string[]> {
  const exact = scope.exact;
  const [under, exists] = await Promise.all([
    keys(client, scope.folder, options),
    exact === undefined
      ? false
      : needsTxn(exact)
        ? has(client, exact, options).then((r) => r.data)
        : keys(client, exact, { ...options, separator: '/' }).then((r) => r.data.includes(exact)),
  ]);
  return exists ? [exact!, ...under.data] : under.data;
}

/**
 * The keys a scope covers, in Consul's order like {@link listKeys}, handed back in groups as the
 * answer arrives, without holding the whole list: the `?keys` answer (tens of MB for a million keys)
 * is read from the connection as the caller asks for more, and parsed a piece at a time. For a
 * backup, whose memory must not grow with the store. (A prefix only a transaction can list is listed
 * at once, as {@link listKeys} does.)
 */
export async function* streamKeys(client: Client, scope: Scope, options: ReadOptions = {}): AsyncGenerator<string[], void, undefined> {
  const exact = scope.exact;
  const folder = scope.folder.startsWith('/') ? scope.folder.slice(1) : scope.folder;
  if (needsTxn(folder) || (exact !== undefined && needsTxn(exact))) {
    yield await listKeys(client, scope, options);
    return;
  }
  // the key named like the folder first: it sorts before every key under the folder
  if (exact !== undefined && (await keys(client, exact, { ...options, separator: '/' })).data.includes(exact)) yield [exact];
  const path = `kv/${escapeKey(folder)}`;
  const { response } = await send(client, { path, params: { keys: true }, options, accept: [404] });
  if (response.status === 404) {
    await confirmMissing(client, response, MISSING_MARK.kv, { path });
    return;
  }
  const where = `GET /v1/${path}?keys`;
  const body = response.body;
  if (body === null) return;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const array = new JsonArrayReader();
  const check = client.config.validateResponses;
  const wrong = (message: string): ResponseValidationError =>
    new ResponseValidationError(`${where}: unexpected response shape: ${message}`, [{ path: '', message }], { status: response.status });
  const parse = (piece: Uint8Array | undefined): string[] | undefined => {
    let group;
    try {
      group = piece === undefined ? array.end() : array.push(decoder.decode(piece, { stream: true }));
    } catch (error) {
      throw error instanceof JsonArrayError ? wrong(error.message) : error;
    }
    if (group === undefined) return undefined;
    const list = group.values as string[];
    if (check) {
      for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'string') throw wrong(`${group.first + i}: expected a string`);
    }
    return list;
  };
  let done = false;
  try {
    for (;;) {
      const read = await reader.read();
      if (read.done) {
        const last = parse(undefined);
        if (last) yield last;
        done = true;
        return;
      }
      // a few KiB at a time: the keys listed but not read yet are held as bytes, not as strings
      const chunk = read.value;
      for (let at = 0; at < chunk.length; at += KEYS_PIECE_BYTES) {
        const list = parse(chunk.subarray(at, at + KEYS_PIECE_BYTES));
        if (list) yield list;
      }
    }
  } finally {
    // the caller stopped early (an error, a closed pipe): let the connection go
    if (!done) await reader.cancel().catch(() => {});
  }
}

/** Bytes of a `?keys` answer parsed at a time ({@link streamKeys}): ~100 keys. */
const KEYS_PIECE_BYTES = 4 * 1024;

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const MISSING = /doesn't exist|does not exist/;

/**
 * Reads up to 64 records in one read-only transaction; keys deleted since they were listed are left
 * out. Resolves with the answer's parser: the answer is held as bytes until its turn comes.
 */
async function readBatch(client: Client, batch: readonly string[], options: ReadOptions): Promise<() => KVPairWire[]> {
  let pending = batch;
  for (;;) {
    if (pending.length === 0) return () => [];
    try {
      return await readTxn(client, pending, options);
    } catch (error) {
      if (!isTransactionError(error) || !error.errors.every((e) => MISSING.test(e.What))) throw error;
      const gone = new Set(error.errors.map((e) => e.OpIndex));
      pending = pending.filter((_, i) => !gone.has(i));
    }
  }
}

/** Request bodies of {@link readTxn}, reused (one per transaction in flight). */
const bodies: ByteWriter[] = [];

/**
 * One read-only transaction of `get`s (at most {@link TXN_MAX_OPS}); resolves with the parser of its
 * answer (the records, in key order), which is kept as bytes until then: batches read ahead are then
 * held outside V8's heap, not as strings and objects that its young-generation collections copy.
 * Sent and checked here rather than through `sendTxn`, whose generic schemas (every result kind,
 * every field copied into new objects) made most of what a backup allocated per record: each record
 * is checked for the fields the CLI uses (those of `KVPairWire`: uint64 flags, base64-or-null value,
 * indexes), and kept as parsed (exact: numbers beyond 2^53 as `bigint`).
 */
async function readTxn(client: Client, keyList: readonly string[], options: ReadOptions): Promise<() => KVPairWire[]> {
  const out = bodies.pop() ?? new ByteWriter(TXN_MAX_OPS * 96);
  out.reset();
  for (let i = 0; i < keyList.length; i++) {
    out.ascii(i === 0 ? '[{"KV":{"Verb":"get","Key":' : ',{"KV":{"Verb":"get","Key":');
    out.text(JSON.stringify(keyList[i]));
    out.ascii('}}');
  }
  out.ascii(']');
  let response: Response;
  try {
    ({ response } = await send(client, { method: 'PUT', path: 'txn', body: out.finish(), headers: { 'Content-Type': 'application/json' }, options }));
  } finally {
    bodies.push(out); // sent (or failed): the body's buffer is free again
  }
  // bytes(): the transport's own buffer (arrayBuffer() may copy it); Node 20's web Response lacks it
  const bytes = typeof response.bytes === 'function' ? await response.bytes() : new Uint8Array(await response.arrayBuffer());
  return () => txnRecords(client, bytes, response.status);
}

const utf8 = new TextDecoder();

/** The records of a read-only transaction's answer (see {@link readTxn}). */
function txnRecords(client: Client, bytes: Uint8Array, status: number): KVPairWire[] {
  const where = 'PUT /v1/txn';
  const text = utf8.decode(bytes);
  let answer: unknown;
  try {
    answer = text === '' ? undefined : parseJson(text);
  } catch (error) {
    // as readJson says it
    const snippet = text.slice(0, 120).replace(/\s+/g, ' ');
    throw new ResponseValidationError(`${where}: response is not JSON: ${snippet}`, [{ path: '', message: String(error) }], { status });
  }
  const check = client.config.validateResponses;
  const wrong = (path: string, message: string): ResponseValidationError =>
    new ResponseValidationError(`${where}: unexpected response shape: ${path}: ${message}`, [{ path, message }], { status });
  if (answer === null || typeof answer !== 'object') throw wrong('(root)', 'expected an object');
  const results = (answer as { Results?: unknown }).Results;
  if (results === null || results === undefined) return [];
  if (!Array.isArray(results)) throw wrong('Results', 'expected an array');
  const records: KVPairWire[] = [];
  for (let i = 0; i < results.length; i++) {
    const kv = (results[i] as { KV?: unknown } | null)?.KV;
    if (kv === null || kv === undefined) continue;
    if (check) {
      const problem = kvPairProblem(kv);
      if (problem !== undefined) throw wrong(`Results.${i}.KV${problem[0] ? `.${problem[0]}` : ''}`, problem[1]);
    }
    records.push(kv as KVPairWire);
  }
  return records;
}

/** Regroups lists of keys into batches of `size`, as they come. */
async function* batchesOf(groups: AsyncIterable<readonly string[]>, size: number): AsyncGenerator<string[], void, undefined> {
  let batch: string[] = [];
  for await (const group of groups) {
    for (const key of group) {
      batch.push(key);
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Reads the records of `keyList` (a list, or groups of keys as they are listed: {@link streamKeys})
 * in batches of 64 (read-only transactions, exact for every key), with up to `concurrency` batches in
 * flight, yielding each batch in key order. Memory stays bounded by the batches in flight, whatever
 * the number of keys.
 */
export async function* readRecords(
  client: Client,
  keyList: readonly string[] | AsyncIterable<readonly string[]>,
  { concurrency = 4, ...options }: ReadOptions & { concurrency?: number } = {},
): AsyncGenerator<KVPairWire[], void, undefined> {
  const batches: Iterator<readonly string[]> | AsyncIterator<readonly string[]> = Array.isArray(keyList)
    ? chunks(keyList as readonly string[], TXN_MAX_OPS)[Symbol.iterator]()
    : batchesOf(keyList as AsyncIterable<readonly string[]>, TXN_MAX_OPS)[Symbol.asyncIterator]();
  const inFlight: Promise<() => KVPairWire[]>[] = [];
  let listed = false;
  const launch = async (): Promise<void> => {
    while (inFlight.length < concurrency && !listed) {
      const next = await batches.next();
      if (next.done) {
        listed = true;
        return;
      }
      const promise = readBatch(client, next.value, options);
      promise.catch(() => {}); // handled when awaited in order
      inFlight.push(promise);
    }
  };
  try {
    await launch();
    while (inFlight.length > 0) {
      const parse = await inFlight.shift()!;
      await launch();
      yield parse();
    }
  } finally {
    if (!listed) await batches.return?.();
  }
}
