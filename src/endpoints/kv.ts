/**
 * The KV store: every operation of consulate's dict-like `Consul.kv` and of the Go client's `KV`,
 * as pure functions taking a {@link Client} first.
 *
 * Keys are escaped exactly (`? # % + space`, unicode). A leading `/` is dropped like Consul's CLI
 * does; keys that Consul's HTTP router would clean (`a//b`, `.`/`..` segments) are read and written
 * exactly through `/v1/txn` instead of being silently moved. Values round-trip byte for byte and
 * `Flags` are uint64 (`bigint`), exact above 2^53.
 *
 * A missing key is Consul's 404 with an `X-Consul-Index` header (`undefined`, `[]`, `false`); a 404
 * without it (a proxy's page, a wrong `pathPrefix`, a CORS proxy hiding the header) throws a
 * `NotFoundError` instead of reading as "missing".
 * @see https://developer.hashicorp.com/consul/api-docs/kv
 * @module
 */
import type * as v from 'valibot';
import type { Client } from '../core/client.ts';
import type { Generic } from '../core/bind.ts';
import {
  escapeKey,
  fromUtf8,
  needsTxn,
  normalizeKey,
  parseJson,
  stringifyJson,
  toBase64,
  uint64,
  utf8,
} from '../core/encoding.ts';
import { InputError, isTransactionError, ResponseValidationError } from '../core/errors.ts';
import { emptyMeta } from '../core/meta.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import { confirmMissing, MISSING } from '../core/missing.ts';
import type { RequestSpec, Result } from '../core/request.ts';
import { check, readJson, requestJson, send } from '../core/request.ts';
import type { KVPair, KVPairWire, KVValue } from '../schemas/kv.ts';
import { BooleanResult, decodePair, encodeValue, KVPairList, kvPairProblem, StringList } from '../schemas/kv.ts';
import type { TxnWireOp } from '../schemas/txn.ts';
import { sendTxn, TXN_MAX_BYTES } from '../schemas/txn.ts';

export type { KVPair, KVValue } from '../schemas/kv.ts';
export { MAX_VALUE_BYTES } from '../schemas/kv.ts';


/** Options of {@link set}. */
export interface SetOptions extends WriteOptions {
  /** Check-and-set: write only if the key's ModifyIndex is this (0: only if the key does not exist). */
  cas?: number | bigint;
  /** uint64 flags stored with the value (a write without flags resets them to 0). @default 0 */
  flags?: number | bigint;
  /** Acquire the key's lock with this session id. */
  acquire?: string;
  /** Release the key's lock held by this session id. */
  release?: string;
}

/** Options of {@link remove} (`delete`). */
export interface DeleteOptions extends WriteOptions {
  /** Delete every key with this prefix. */
  recurse?: boolean;
  /** Delete only if the key's ModifyIndex is this. */
  cas?: number | bigint;
}

/** Options of {@link keys} and {@link find}. */
export interface KeysOptions extends ReadOptions {
  /** List only up to the first occurrence of this separator after the prefix (e.g. `/` for one level). */
  separator?: string;
}

/** Options of {@link acquireLock} and {@link releaseLock}. */
export interface LockOptions extends WriteOptions {
  /** Value to store with the lock (Consul overwrites the value on acquire/release). @default "" */
  value?: KVValue;
  /** uint64 flags to store (Consul resets them otherwise). @default 0 */
  flags?: number | bigint;
  /** Check-and-set index. */
  cas?: number | bigint;
}

function kvPath(key: string): string {
  return `kv/${escapeKey(key)}`;
}

const FAILED_CONDITION = /index is stale|lock is already held|lock isn't held|doesn't exist|does not exist/;

/**
 * Refuses a blocking query on a key that can only be read through `/v1/txn` (a transaction neither
 * blocks nor returns an index), instead of answering at once as if the data had changed.
 */
function refuseBlocking(key: string, options: ReadOptions): void {
  if (options.index !== undefined || options.wait !== undefined) {
    throw new InputError(
      `key ${JSON.stringify(key)} has "//" or "."/".." segments, so it is read through /v1/txn, which cannot block: drop index/wait`,
    );
  }
}

/** Runs a single-op KV transaction; a failed condition (stale cas, held lock, missing key) gives `undefined`. */
async function kvTxn(client: Client, op: Record<string, unknown>, options: WriteOptions): Promise<Result<KVPairWire[] | undefined>> {
  try {
    const { data, meta } = await sendTxn(client, [{ KV: op } as TxnWireOp], options);
    return { data: data.flatMap((r) => (r.KV ? [r.KV] : [])), meta };
  } catch (error) {
    if (isTransactionError(error) && error.errors.every((e) => FAILED_CONDITION.test(e.What))) {
      return { data: undefined, meta: emptyMeta(409) };
    }
    throw error;
  }
}

/**
 * Reads one key's raw bytes (`?raw`), or `undefined` when it does not exist.
 * @throws {NotFoundError} when a 404 lacks Consul's `X-Consul-Index` header (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @example const { data } = await kv.getBytes(client, 'certs/ca.der');
 */
export async function getBytes(client: Client, key: string, options: ReadOptions = {}): Promise<Result<Uint8Array | undefined>> {
  const k = normalizeKey(key);
  if (needsTxn(k)) {
    const { data, meta } = await getRecord(client, k, options);
    return { data: data?.Value, meta };
  }
  const { response, meta } = await send(client, { path: kvPath(k), params: { raw: true }, options, accept: [404] });
  if (response.status === 404) {
    await confirmMissing(client, response, MISSING.kv, { path: kvPath(k) });
    return { data: undefined, meta };
  }
  return { data: new Uint8Array(await response.arrayBuffer()), meta };
}

/**
 * Reads one key's value as UTF-8 text, or `undefined` when the key does not exist.
 * @throws {ResponseValidationError} when the value is not valid UTF-8 (use {@link getBytes}).
 * @throws {NotFoundError} when a 404 lacks Consul's `X-Consul-Index` header (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @example
 * ```ts
 * const { data, meta } = await kv.get(client, 'config/db/url');
 * ```
 */
export async function get(client: Client, key: string, options: ReadOptions = {}): Promise<Result<string | undefined>> {
  const { data, meta } = await getBytes(client, key, options);
  return { data: data === undefined ? undefined : fromUtf8(data, `value of key ${JSON.stringify(key)}`), meta };
}

/**
 * Reads one key's value as JSON, optionally checked with a valibot schema; `undefined` when missing.
 * @throws {ResponseValidationError} when the value is not JSON or does not match the schema.
 * @throws {NotFoundError} when a 404 lacks Consul's `X-Consul-Index` header (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @example
 * ```ts
 * const { data } = await kv.getJSON(client, 'app/config', { schema: v.object({ port: v.number() }) });
 * ```
 */
export async function getJSON<T = unknown>(
  client: Client,
  key: string,
  options: ReadOptions & { schema?: v.GenericSchema<unknown, T> } = {},
): Promise<Result<T | undefined>> {
  const { data, meta } = await get(client, key, options);
  if (data === undefined) return { data: undefined, meta };
  let value: unknown;
  try {
    value = parseJson(data);
  } catch (error) {
    throw new ResponseValidationError(`value of key ${JSON.stringify(key)} is not JSON`, [{ path: '', message: String(error) }]);
  }
  return { data: options.schema ? check({ ...client, config: { ...client.config, validateResponses: true } }, options.schema, value, `key ${key}`) : (value as T), meta };
}

/**
 * Reads one key's full record (value bytes, uint64 flags, indexes, session), or `undefined`.
 * @throws {NotFoundError} when a 404 lacks Consul's `X-Consul-Index` header (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @example const { data: pair } = await kv.getRecord(client, 'locks/job');
 */
export async function getRecord(client: Client, key: string, options: ReadOptions = {}): Promise<Result<KVPair | undefined>> {
  const k = normalizeKey(key);
  if (needsTxn(k)) {
    refuseBlocking(k, options);
    const { data, meta } = await kvTxn(client, { Verb: 'get', Key: k }, options);
    const wire = data?.[0];
    return { data: wire ? decodePair(wire) : undefined, meta };
  }
  const { data, meta } = await readList(client, { path: kvPath(k), options, accept: [404] });
  return { data: data[0] ? decodePair(data[0]) : undefined, meta };
}

async function readList(client: Client, spec: RequestSpec): Promise<Result<KVPairWire[]>> {
  const { response, meta } = await send(client, { ...spec, accept: [404] });
  if (response.status === 404) {
    await confirmMissing(client, response, MISSING.kv, spec);
    return { data: [], meta };
  }
  const where = `GET /v1/${spec.path}`;
  return { data: checkPairList(client, await readJson(response, where), where), meta };
}

/**
 * `check(client, KVPairList, …)` at a fraction of its cost for the long lists `records` reads
 * (valibot took ~94 ms for 100,000 entries, as much as the JSON parse): a plain loop over the fields
 * `decodePair` relies on. A list it does not certainly accept goes through valibot, whose verdict and
 * message stand, so what passes and what fails is exactly `KVPairList`'s.
 */
function checkPairList(client: Client, value: unknown, where: string): KVPairWire[] {
  if (client.config.validateResponses && Array.isArray(value) && value.every((item) => kvPairProblem(item) === undefined)) return value as KVPairWire[];
  return check(client, KVPairList, value, where);
}

async function treeViaTxn(client: Client, prefix: string, options: ReadOptions): Promise<Result<KVPairWire[]>> {
  refuseBlocking(prefix, options);
  const { data, meta } = await kvTxn(client, { Verb: 'get-tree', Key: prefix }, options);
  return { data: data ?? [], meta };
}

/**
 * Reads every entry whose key starts with `prefix` (all keys for `""`), sorted by key; `[]` when none.
 * `list` is an alias.
 * @throws {NotFoundError} when a 404 lacks Consul's `X-Consul-Index` header (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @example const { data: pairs } = await kv.records(client, 'config/');
 */
export async function records(client: Client, prefix = '', options: ReadOptions = {}): Promise<Result<KVPair[]>> {
  const p = normalizeKey(prefix);
  const { data, meta } = needsTxn(p)
    ? await treeViaTxn(client, p, options)
    : await readList(client, { path: kvPath(p), params: { recurse: true }, options, accept: [404] });
  return { data: data.map(decodePair), meta };
}

export { records as list };

/**
 * Lists the keys under a prefix; with `separator`, only up to the next separator (one "folder" level).
 * @throws {NotFoundError} when a 404 lacks Consul's `X-Consul-Index` header (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @example const { data } = await kv.keys(client, 'services/', { separator: '/' });
 */
export async function keys(client: Client, prefix = '', options: KeysOptions = {}): Promise<Result<string[]>> {
  const p = normalizeKey(prefix);
  if (needsTxn(p)) {
    const { data, meta } = await treeViaTxn(client, p, options);
    const sep = options.separator;
    const out = data.map(({ Key }) => {
      const at = sep ? Key.indexOf(sep, p.length) : -1;
      return at === -1 ? Key : Key.slice(0, at + sep!.length);
    });
    return { data: [...new Set(out)], meta };
  }
  const { response, meta } = await send(client, {
    path: kvPath(p),
    params: { keys: true, separator: options.separator },
    options,
    accept: [404],
  });
  if (response.status === 404) {
    await confirmMissing(client, response, MISSING.kv, { path: kvPath(p) });
    return { data: [], meta };
  }
  const where = `GET /v1/${kvPath(p)}?keys`;
  return { data: check(client, StringList, await readJson(response, where), where), meta };
}

/**
 * True when the key exists.
 * @throws {NotFoundError} when a 404 lacks Consul's `X-Consul-Index` header (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 */
export async function has(client: Client, key: string, options: ReadOptions = {}): Promise<Result<boolean>> {
  const { data, meta } = await getRecord(client, key, options);
  return { data: data !== undefined, meta };
}

/**
 * How many keys there are under a prefix (all keys for `""`), like consulate's `len(consul.kv)`.
 * @throws {NotFoundError} when a 404 lacks Consul's `X-Consul-Index` header (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 */
export async function size(client: Client, prefix = '', options: ReadOptions = {}): Promise<Result<number>> {
  const { data, meta } = await keys(client, prefix, options);
  return { data: data.length, meta };
}

/**
 * consulate's `find`: the keys under a prefix mapped to their UTF-8 values. With `separator`, only
 * the keys that do not go deeper than the next separator.
 * @throws {NotFoundError} when a 404 lacks Consul's `X-Consul-Index` header (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @example const { data } = await kv.find(client, 'config/', { separator: '/' }); // { 'config/a': '1', … }
 */
export async function find(client: Client, prefix: string, options: KeysOptions = {}): Promise<Result<Record<string, string>>> {
  const p = normalizeKey(prefix);
  const { data, meta } = await records(client, p, options);
  const out: Record<string, string> = {};
  for (const pair of data) {
    const sep = options.separator;
    if (sep) {
      const at = pair.Key.indexOf(sep, p.length);
      if (at !== -1 && at + sep.length < pair.Key.length) continue;
    }
    out[pair.Key] = fromUtf8(pair.Value, `value of key ${JSON.stringify(pair.Key)}`);
  }
  return { data: out, meta };
}

/** All UTF-8 values under a prefix, in key order. */
export async function values(client: Client, prefix = '', options: ReadOptions = {}): Promise<Result<string[]>> {
  const { data, meta } = await items(client, prefix, options);
  return { data: data.map(([, value]) => value), meta };
}

/** All `[key, UTF-8 value]` pairs under a prefix, in key order. */
export async function items(client: Client, prefix = '', options: ReadOptions = {}): Promise<Result<[string, string][]>> {
  const { data, meta } = await records(client, prefix, options);
  return { data: data.map((pair) => [pair.Key, fromUtf8(pair.Value, `value of key ${JSON.stringify(pair.Key)}`)]), meta };
}

/**
 * Iterates `[key, UTF-8 value]` pairs under a prefix.
 * @example for await (const [key, value] of kv.entries(client, 'config/')) console.log(key, value);
 */
export async function* entries(client: Client, prefix = '', options: ReadOptions = {}): AsyncGenerator<[string, string], void, undefined> {
  const { data } = await items(client, prefix, options);
  yield* data;
}

/**
 * Writes a key. Strings are stored as UTF-8, `Uint8Array`/`ArrayBuffer` as is, anything else as JSON.
 * Returns whether Consul applied the write (`false` for a failed `cas`/`acquire`).
 * @throws {InputError} for a value over 512 KiB, or bad `flags`/`cas` — before anything is sent.
 * @example
 * ```ts
 * await kv.set(client, 'config/port', '8080');
 * const { data: won } = await kv.set(client, 'config/port', '8081', { cas: pair.ModifyIndex });
 * ```
 */
export async function set(client: Client, key: string, value: KVValue, options: SetOptions = {}): Promise<Result<boolean>> {
  const k = normalizeKey(key);
  const body = encodeValue(value, k);
  const flags = options.flags === undefined ? undefined : uint64(options.flags, 'flags');
  const cas = options.cas === undefined ? undefined : uint64(options.cas, 'cas');
  if (options.acquire !== undefined && options.release !== undefined) throw new InputError('give acquire or release, not both');
  if (options.acquire === '' || options.release === '') throw new InputError('acquire/release need a session id');
  if (k === '' ) throw new InputError('key must not be empty');
  if (needsTxn(k)) {
    const session = options.acquire ?? options.release;
    const verb = options.acquire ? 'lock' : options.release ? 'unlock' : cas !== undefined ? 'cas' : 'set';
    if (session && cas !== undefined) throw new InputError(`cas with acquire/release is not possible for key ${JSON.stringify(k)} (it needs a transaction)`);
    const op: Record<string, unknown> = { Verb: verb, Key: k, Value: toBase64(body), Flags: BigInt(flags ?? 0) };
    // base64 grows the value by a third: the transaction body has its own 512 KiB limit
    const size = (op['Value'] as string).length + utf8(k).byteLength + 200;
    if (size > TXN_MAX_BYTES) {
      throw new InputError(
        `value for key ${JSON.stringify(k)} is ${body.byteLength} bytes; keys with "//" or "."/".." segments are written through /v1/txn, whose 512 KiB body limit (base64) allows about ${Math.floor((TXN_MAX_BYTES - 200) * 0.75) - utf8(k).byteLength} bytes`,
      );
    }
    if (cas !== undefined) op['Index'] = BigInt(cas);
    if (session) op['Session'] = session;
    const { data, meta } = await kvTxn(client, op, options);
    return { data: data !== undefined, meta };
  }
  return requestJson(
    client,
    {
      method: 'PUT',
      path: kvPath(k),
      params: { flags, cas, acquire: options.acquire, release: options.release },
      body: body as Uint8Array<ArrayBuffer>,
      options,
    },
    BooleanResult,
  );
}

/**
 * consulate's `set_record`: writes value and flags; with `replace: false` it never overwrites an
 * existing key (check-and-set with index 0).
 * @returns whether the write happened.
 */
export async function setRecord(
  client: Client,
  key: string,
  record: { value?: KVValue; flags?: number | bigint; replace?: boolean },
  options: WriteOptions = {},
): Promise<Result<boolean>> {
  return set(client, key, record.value ?? '', {
    ...options,
    ...(record.flags === undefined ? {} : { flags: record.flags }),
    ...(record.replace === false ? { cas: 0 } : {}),
  });
}

/**
 * Deletes a key (or, with `recurse`, every key under a prefix). `delete` is the exported name.
 * @returns whether Consul applied it (`false` for a failed `cas`).
 * @example await kv.delete(client, 'config/old');
 */
export async function remove(client: Client, key: string, options: DeleteOptions = {}): Promise<Result<boolean>> {
  const k = normalizeKey(key);
  const cas = options.cas === undefined ? undefined : uint64(options.cas, 'cas');
  if (options.recurse && cas !== undefined) throw new InputError('cas cannot be combined with recurse');
  if (needsTxn(k)) {
    const verb = options.recurse ? 'delete-tree' : cas !== undefined ? 'delete-cas' : 'delete';
    const op: Record<string, unknown> = { Verb: verb, Key: k };
    if (cas !== undefined) op['Index'] = BigInt(cas);
    const { data, meta } = await kvTxn(client, op, options);
    return { data: data !== undefined, meta };
  }
  return requestJson(
    client,
    { method: 'DELETE', path: kvPath(k), params: { recurse: options.recurse, cas }, options },
    BooleanResult,
  );
}

export { remove as delete };

/** Deletes every key under a prefix (`""` deletes the whole store). */
export function deleteTree(client: Client, prefix: string, options: WriteOptions = {}): Promise<Result<boolean>> {
  return remove(client, prefix, { ...options, recurse: true });
}

/**
 * Acquires the lock on a key for a session (`?acquire=`), storing `value`.
 * @returns whether the lock was acquired.
 */
export function acquireLock(client: Client, key: string, session: string, options: LockOptions = {}): Promise<Result<boolean>> {
  const { value, ...rest } = options;
  return set(client, key, value ?? '', { ...rest, acquire: session });
}

/**
 * Releases a session's lock on a key (`?release=`), storing `value`.
 * @returns whether the lock was released.
 */
export function releaseLock(client: Client, key: string, session: string, options: LockOptions = {}): Promise<Result<boolean>> {
  const { value, ...rest } = options;
  return set(client, key, value ?? '', { ...rest, release: session });
}

/**
 * Every key of the store, in key order: what `for await (const key of consul.kv)` iterates, like the
 * Python consulate's `for key in consul.kv`. One `?keys` read of the whole store (as the caller's token
 * may list it), then yielded one by one; `keys(client, prefix)` lists a part.
 */
async function* iterateKeys(client: Client): AsyncGenerator<string, void, undefined> {
  const { data } = await keys(client);
  yield* data;
}

/**
 * How these functions nest on the `Consul` facade: `consul.kv.get(key)`, `consul.kv.delete(key)`…
 * (consulate's dict-like names).
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const kvFacade = {
  /** `for await (const key of consul.kv)`: every key, in order (the Python consulate's `__iter__`). */
  [Symbol.asyncIterator]: iterateKeys as typeof iterateKeys,
  get: get as typeof get,
  getBytes: getBytes as typeof getBytes,
  getJSON: getJSON as Generic<
    typeof getJSON,
    <T = unknown>(key: string, options?: ReadOptions & { schema?: v.GenericSchema<unknown, T> }) => Promise<Result<T | undefined>>
  >,
  getRecord: getRecord as typeof getRecord,
  records: records as typeof records,
  keys: keys as typeof keys,
  has: has as typeof has,
  size: size as typeof size,
  find: find as typeof find,
  values: values as typeof values,
  items: items as typeof items,
  entries: entries as typeof entries,
  set: set as typeof set,
  setRecord: setRecord as typeof setRecord,
  delete: remove as typeof remove,
  deleteTree: deleteTree as typeof deleteTree,
  acquireLock: acquireLock as typeof acquireLock,
  releaseLock: releaseLock as typeof releaseLock,
};
