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
import { needsTxn } from '../core/encoding.ts';
import { isTransactionError } from '../core/errors.ts';
import type { KVScope } from '../core/kv-scope.ts';
import { kvScope } from '../core/kv-scope.ts';
import type { ReadOptions } from '../core/query.ts';
import type { KeysOptions } from '../endpoints/kv.ts';
import { has, keys } from '../endpoints/kv.ts';
import type { TxnWireOp } from '../schemas/txn.ts';
import { sendTxn, TXN_MAX_OPS } from '../schemas/txn.ts';
import type { KVPairWire } from '../schemas/kv.ts';
import { CliError } from './io.ts';

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

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const MISSING = /doesn't exist|does not exist/;

/** Reads up to 64 records in one read-only transaction; keys deleted since they were listed are left out. */
async function readBatch(client: Client, batch: readonly string[], options: ReadOptions): Promise<KVPairWire[]> {
  let pending = batch;
  for (;;) {
    if (pending.length === 0) return [];
    try {
      const ops: TxnWireOp[] = pending.map((Key) => ({ KV: { Verb: 'get', Key } }));
      const { data } = await sendTxn(client, ops, options);
      return data.flatMap((r) => (r.KV ? [r.KV] : []));
    } catch (error) {
      if (!isTransactionError(error) || !error.errors.every((e) => MISSING.test(e.What))) throw error;
      const gone = new Set(error.errors.map((e) => e.OpIndex));
      pending = pending.filter((_, i) => !gone.has(i));
    }
  }
}

/**
 * Reads the records of `keyList` in batches of 64 (read-only transactions, exact for every key),
 * with up to `concurrency` batches in flight, yielding each batch in key order. Memory stays bounded
 * by the batches in flight, whatever the number of keys.
 */
export async function* readRecords(
  client: Client,
  keyList: readonly string[],
  { concurrency = 4, ...options }: ReadOptions & { concurrency?: number } = {},
): AsyncGenerator<KVPairWire[], void, undefined> {
  const batches = chunks(keyList, TXN_MAX_OPS);
  const inFlight: Promise<KVPairWire[]>[] = [];
  let next = 0;
  const launch = (): void => {
    while (inFlight.length < concurrency && next < batches.length) {
      const promise = readBatch(client, batches[next++]!, options);
      promise.catch(() => {}); // handled when awaited in order
      inFlight.push(promise);
    }
  };
  launch();
  while (inFlight.length > 0) {
    const batch = await inFlight.shift()!;
    launch();
    yield batch;
  }
}
