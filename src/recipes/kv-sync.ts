/**
 * KV diff, sync, copy and move: make a KV tree hold exactly a desired set of entries, or copy or move a
 * tree, through check-and-set transactions so that a concurrent change makes a batch fail instead of
 * being overwritten.
 *
 * - {@link diff} reads the keys under a prefix and says what a sync would **add**, **change** and
 *   **delete**, each with the `ModifyIndex` it saw. It writes nothing.
 * - {@link sync} applies exactly such a diff through `/v1/txn`: an add is a `cas` with index 0 (fails if
 *   the key appeared meanwhile), a change a `cas` with the seen `ModifyIndex`, a delete a `delete-cas`
 *   with it (a key already gone counts as deleted). Writes come first, deletes last.
 * - {@link copy} and {@link move} copy or rename a tree; a move writes each destination key and deletes
 *   its source **in the same transaction**, after a `check-index` on the source, so a key is never in
 *   neither place and a source changed meanwhile is not lost.
 *
 * **Batches.** Consul takes at most 64 operations and 512 KiB of body per transaction, so the work is
 * split into batches: each batch is atomic, the whole is not. Batches run one after the other; the first
 * one that fails stops the run (unless `continueOnError`), and the report ({@link KVSyncReport},
 * {@link KVCopyReport}) lists exactly what was applied, every failed batch with Consul's per-operation
 * errors, and what was not attempted. A batch that failed in transit or with a 5xx is `uncertain`: Consul
 * may or may not have applied it. Re-running {@link diff}/{@link sync} (or {@link move}) after a failure
 * carries on from the state Consul holds.
 *
 * **Which keys a prefix covers (the folder rule).** `app` covers the key `app` itself and the keys under
 * `app/`, never `apple` or `app-old/x`; a prefix ending in `/` covers the keys that start with it; `""`
 * covers the whole store (for {@link diff}/{@link sync}). The `consulate kv` commands use the same rule.
 *
 * **Exact data.** Keys are used exactly as given (transactions do not clean `a//b` or `.`/`..` segments;
 * one leading `/` of a prefix is dropped, as everywhere in consulate); values are bytes, byte for byte;
 * `Flags` are uint64 (`bigint`). A value too large for a transaction body on its own (above about 384 KiB:
 * base64 grows it by a third) is written with a single check-and-set `PUT`; a move of such a value, and a
 * write of one to a key with `//` or `.`/`..` segments (only a transaction can write those), are refused
 * before anything is written. Locks (`Session`) are not copied. The trees are read into memory.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @see https://developer.hashicorp.com/consul/api-docs/kv
 * @module
 */
import type { Client } from '../core/client.ts';
import { needsTxn, normalizeKey, stringifyJson, uint64, utf8 } from '../core/encoding.ts';
import type { TransactionOpError } from '../core/errors.ts';
import { InputError, isHttpError, isServerError, isTransactionError } from '../core/errors.ts';
import type { KVScope } from '../core/kv-scope.ts';
import { kvScope } from '../core/kv-scope.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import type { KVPair } from '../endpoints/kv.ts';
import { getRecord, keys, MAX_VALUE_BYTES, records, set } from '../endpoints/kv.ts';
import type { TxnOperation } from '../endpoints/txn.ts';
import { run, TXN_MAX_BYTES, TXN_MAX_OPS } from '../endpoints/txn.ts';
import { mayHaveApplied } from '../endpoints/txn/batches.ts';

/** A desired KV entry: the key (absolute, used exactly), its value (text is stored as UTF-8) and its uint64 flags. */
export interface KVSyncEntry {
  /** The full key. */
  Key: string;
  /** The value: text (UTF-8) or bytes. */
  Value: string | Uint8Array;
  /** uint64 flags. @default 0 */
  Flags?: number | bigint | undefined;
}

/**
 * The entries a tree should hold: a list of {@link KVSyncEntry} (the last one of a key wins), or an object
 * mapping keys to values (flags 0).
 */
export type KVDesired = readonly KVSyncEntry[] | Readonly<Record<string, string | Uint8Array>>;

/** A value with its flags, as Consul holds it or as it is wanted. */
export interface KVContent {
  /** uint64 flags. */
  Flags: bigint;
  /** The value's bytes. */
  Value: Uint8Array;
}

/** A key that Consul lacks: a sync creates it (`cas` with index 0). */
export interface KVDiffAdd extends KVContent {
  /** The key. */
  Key: string;
}

/** A key whose value or flags differ: a sync writes the desired content (`cas` with `ModifyIndex`). */
export interface KVDiffChange extends KVContent {
  /** The key. */
  Key: string;
  /** The key's `ModifyIndex` when it was read: the write is refused if it changed since. */
  ModifyIndex: number;
  /** What Consul held when it was read. */
  was: KVContent;
}

/** A key under the prefix that the desired entries lack: a sync deletes it (`delete-cas` with `ModifyIndex`). */
export interface KVDiffDelete {
  /** The key. */
  Key: string;
  /** The key's `ModifyIndex` when it was read: the delete is refused if it changed since. */
  ModifyIndex: number;
  /** What Consul held when it was read. */
  was: KVContent;
}

/** What a sync of a prefix would do, as read by {@link diff}; arrays in key order. */
export interface KVDiff {
  /** The prefix (one leading `/` dropped; `""`: the whole store). */
  prefix: string;
  /** Keys to create. */
  add: KVDiffAdd[];
  /** Keys to overwrite. */
  change: KVDiffChange[];
  /** Keys to delete. */
  delete: KVDiffDelete[];
  /** How many keys under the prefix already hold the desired value and flags. */
  unchanged: number;
  /** Desired keys outside the prefix: left out of the diff, listed so that nothing is dropped unsaid. */
  ignored: string[];
}

/** Options of {@link diff}: the read's options (a diff does not block). */
export type KVDiffOptions = Omit<ReadOptions, 'index' | 'wait'>;

/** Options shared by {@link sync}, {@link copy} and {@link move}. */
export interface KVBatchOptions extends Omit<WriteOptions, 'signal'> {
  /** Keep sending later batches after one fails. @default false (later batches are not attempted) */
  continueOnError?: boolean | undefined;
  /**
   * Stops the run between batches: no batch starts once it fired (the report says `aborted`). A batch in
   * flight completes — a transaction is all or nothing, and cutting it off would leave its outcome unknown.
   */
  signal?: AbortSignal | undefined;
  /** Called after each batch with the number of keys handled so far (applied or failed) and the total. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Options of {@link sync}. */
export interface KVSyncOptions extends KVBatchOptions {
  /** Allow a sync that deletes more than half of the keys under the prefix. @default false */
  force?: boolean | undefined;
}

/** Options of {@link copy} and {@link move}. */
export interface KVCopyOptions extends KVBatchOptions {
  /**
   * Overwrite destination keys that exist (checked against the `ModifyIndex` read first); without it, a
   * destination key that exists is refused before anything is written.
   * @default false
   */
  overwrite?: boolean | undefined;
  /** Consistency mode of the reads. */
  consistency?: ReadOptions['consistency'];
}

/** One failed operation of a rolled-back batch: Consul's `OpIndex` (within the batch) and `What`, with the op's key. */
export interface KVOpError extends TransactionOpError {
  /** The key of the operation that failed. */
  Key: string;
}

/** A batch that failed. */
export interface KVBatchFailure {
  /** The batch's number, from 1. */
  batch: number;
  /** The batch's keys (for a copy or move, the source keys). */
  keys: string[];
  /**
   * Consul's reasons when it refused the batch (a rolled-back transaction, or a refused check-and-set
   * `PUT`), e.g. `failed to set key "app/x", index is stale`; empty when the request failed otherwise.
   */
  errors: KVOpError[];
  /** The error thrown for the batch (a `TransactionError` for a rollback; `undefined` for a refused check-and-set `PUT`). */
  error: unknown;
  /**
   * The batch failed in transit (network error, timeout) or with a 5xx: Consul may or may not have applied
   * it. `false` when it was refused (a rollback, a 4xx) or Consul said it never reached the leader.
   */
  uncertain: boolean;
}

/** What a run of batches did. */
export interface KVBatchReport {
  /** Whether every batch was applied. */
  ok: boolean;
  /** The batches that failed, in order. */
  failed: KVBatchFailure[];
  /** Keys of the batches not sent (after a failure, or after `signal` fired). */
  notAttempted: string[];
  /** How many batches the work was split into. */
  batches: number;
  /** Whether `signal` stopped the run. */
  aborted: boolean;
}

/** What {@link sync} did: exactly the keys applied, in order. */
export interface KVSyncReport extends KVBatchReport {
  /** Keys created. */
  added: string[];
  /** Keys overwritten. */
  changed: string[];
  /** Keys deleted. */
  deleted: string[];
}

/** A key copied or moved. */
export interface KVCopyItem {
  /** The source key. */
  from: string;
  /** The destination key. */
  to: string;
}

/** One key of a {@link KVCopyPlan}. */
export interface KVCopyPlanItem extends KVCopyItem {
  /** The destination key exists (overwritten only with `overwrite`, each only if unchanged since read). */
  exists: boolean;
  /** The value's size in bytes. */
  bytes: number;
}

/** What {@link copy} or {@link move} would do, from {@link planCopy}. */
export interface KVCopyPlan {
  /** Each source key and where it would go, in key order. */
  items: KVCopyPlanItem[];
  /** Why the run would be refused before writing anything (a destination key that exists without `overwrite`, a value too large to move), if it would. */
  refusal?: string;
}

/** What {@link copy} or {@link move} did: exactly the keys applied, in order. */
export interface KVCopyReport extends KVBatchReport {
  /** The keys copied (or moved), in key order. */
  applied: KVCopyItem[];
}

// ---------------------------------------------------------------------------------------------------
// scope: which keys a prefix covers

/** The folder rule (`src/core/kv-scope.ts`): `app` covers `app` and `app/…`, `app/` what starts with it. */
function scopeOf(prefix: string): KVScope {
  if (typeof prefix !== 'string') throw new InputError(`prefix must be a string, got ${typeof prefix}`);
  return kvScope(prefix);
}

/**
 * Reads every entry a scope covers, in key order: the folder with one recursive read, and the key named
 * like the prefix only when a one-level listing shows it (a list is filtered by the token's ACL rules
 * where an exact read of a key it may not read would be a 403).
 */
async function readScope(client: Client, scope: KVScope, options: KVDiffOptions): Promise<KVPair[]> {
  const exact = scope.exact;
  const [under, own] = await Promise.all([
    records(client, scope.folder, options),
    exact === undefined
      ? undefined
      : needsTxn(exact)
        ? getRecord(client, exact, options).then((r) => r.data)
        : keys(client, exact, { ...options, separator: '/' }).then((r) =>
            r.data.includes(exact) ? getRecord(client, exact, options).then((g) => g.data) : undefined,
          ),
  ]);
  return own === undefined ? under.data : [own, ...under.data];
}

// ---------------------------------------------------------------------------------------------------
// diff

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

function contentOf(value: unknown, flags: unknown, at: string): KVContent {
  let bytes: Uint8Array;
  if (typeof value === 'string') bytes = utf8(value);
  else if (value instanceof Uint8Array) bytes = value;
  else throw new InputError(`${at}: Value must be a string or a Uint8Array`);
  if (bytes.byteLength > MAX_VALUE_BYTES) {
    throw new InputError(`${at}: value is ${bytes.byteLength} bytes; Consul's limit is ${MAX_VALUE_BYTES} bytes (512 KiB)`);
  }
  if (flags !== undefined && typeof flags !== 'number' && typeof flags !== 'bigint') throw new InputError(`${at}: Flags must be a number or bigint`);
  return { Flags: flags === undefined ? 0n : BigInt(uint64(flags, `${at}: Flags`)), Value: bytes };
}

/** The desired entries by key (the last one of a key wins), checked. */
function desiredMap(desired: KVDesired): Map<string, KVContent> {
  const wanted = new Map<string, KVContent>();
  if (Array.isArray(desired)) {
    (desired as readonly KVSyncEntry[]).forEach((entry, i) => {
      if (typeof entry !== 'object' || entry === null) throw new InputError(`desired entry ${i}: expected { Key, Value, Flags? }`);
      if (typeof entry.Key !== 'string' || entry.Key === '') throw new InputError(`desired entry ${i}: Key must be a non-empty string`);
      wanted.set(entry.Key, contentOf(entry.Value, entry.Flags, `desired entry ${i} (${JSON.stringify(entry.Key)})`));
    });
    return wanted;
  }
  if (typeof desired !== 'object' || desired === null) throw new InputError('desired must be a list of { Key, Value, Flags? } or an object mapping keys to values');
  for (const [key, value] of Object.entries(desired)) {
    if (key === '') throw new InputError('desired: a key must not be empty');
    wanted.set(key, contentOf(value, undefined, `desired key ${JSON.stringify(key)}`));
  }
  return wanted;
}

const byKey = (a: { Key: string }, b: { Key: string }): number => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0);

/**
 * Compares the entries a prefix should hold with what Consul holds, writing nothing: which keys a
 * {@link sync} would add, change (value or flags differ) and delete (under the prefix, absent from
 * `desired`), each change and delete with the `ModifyIndex` read, which the sync checks.
 * @param desired - the entries the prefix should hold, with absolute keys; entries outside the prefix are
 *   listed in `ignored`, not compared.
 * @param prefix - the tree to compare (the folder rule: `app` covers `app` and `app/…`, not `apple`; `""`
 *   the whole store).
 * @param options - read options (`datacenter`, `token`, `consistency`…).
 * @returns the {@link KVDiff}.
 * @throws {InputError} for an invalid entry (empty key, a value over 512 KiB, flags outside uint64), before reading.
 * @throws {ForbiddenError} when the token may not read the keys.
 * @see https://developer.hashicorp.com/consul/api-docs/kv#read-key
 * @example
 * ```ts
 * import { diff } from 'consulate/kv-sync';
 *
 * const changes = await diff(client, [{ Key: 'app/port', Value: '8080' }, { Key: 'app/tls', Value: der, Flags: 1n }], 'app');
 * for (const { Key } of changes.delete) console.log(`would delete ${Key}`);
 * ```
 */
export async function diff(client: Client, desired: KVDesired, prefix: string, options: KVDiffOptions = {}): Promise<KVDiff> {
  const scope = scopeOf(prefix);
  const wanted = desiredMap(desired);
  const ignored: string[] = [];
  for (const key of wanted.keys()) {
    if (!scope.contains(key)) {
      ignored.push(key);
      wanted.delete(key);
    }
  }
  const current = await readScope(client, scope, options);
  const result: KVDiff = { prefix: scope.prefix, add: [], change: [], delete: [], unchanged: 0, ignored };
  const seen = new Set<string>();
  for (const pair of current) {
    seen.add(pair.Key);
    const want = wanted.get(pair.Key);
    const was: KVContent = { Flags: pair.Flags, Value: pair.Value };
    if (want === undefined) result.delete.push({ Key: pair.Key, ModifyIndex: pair.ModifyIndex, was });
    else if (want.Flags === pair.Flags && sameBytes(want.Value, pair.Value)) result.unchanged++;
    else result.change.push({ Key: pair.Key, ...want, ModifyIndex: pair.ModifyIndex, was });
  }
  for (const [Key, want] of wanted) if (!seen.has(Key)) result.add.push({ Key, ...want });
  result.add.sort(byKey);
  result.change.sort(byKey);
  result.delete.sort(byKey);
  return result;
}

// ---------------------------------------------------------------------------------------------------
// batches

/** One key's share of a run: its operations (kept in one batch) and, for a value too big for a transaction, a single PUT. */
interface Unit<T> {
  /** What the report lists for it. */
  item: T;
  /** The key the report names (the source key for copies and moves). */
  key: string;
  ops: TxnOperation[];
  /** Encoded size of the operations, each with a separating comma. */
  bytes: number;
  /** For a unit too large for a transaction: a check-and-set PUT; resolves false when Consul refused it. */
  solo?: (() => Promise<boolean>) | undefined;
}

interface Batch<T> {
  number: number;
  units: Unit<T>[];
}

/** Base64 length of `n` bytes. */
const base64Length = (n: number): number => 4 * Math.ceil(n / 3);

/** The encoded size of one KV operation as `toWire` writes it (Verb, Key, Value, Flags, Index). */
function opBytes(op: { Verb: string; Key: string; Value?: Uint8Array; Flags?: bigint; Index?: number | bigint }): number {
  const wire: Record<string, unknown> = { Verb: op.Verb, Key: op.Key };
  if (op.Value !== undefined) wire['Value'] = '';
  if (op.Flags !== undefined) wire['Flags'] = op.Flags;
  if (op.Index !== undefined) wire['Index'] = BigInt(op.Index);
  return utf8(stringifyJson({ KV: wire })).byteLength + (op.Value === undefined ? 0 : base64Length(op.Value.byteLength));
}

/** Builds a unit from KV operations. */
function unit<T>(item: T, key: string, ops: { Verb: 'cas' | 'check-index' | 'delete' | 'delete-cas'; Key: string; Value?: Uint8Array; Flags?: bigint; Index?: number | bigint }[]): Unit<T> {
  return {
    item,
    key,
    ops: ops.map((op) => ({ KV: { ...op } })),
    bytes: ops.reduce((n, op) => n + opBytes(op) + 1, 0),
  };
}

/** Whether a unit's operations fit no transaction body on their own. */
const tooLarge = (u: Unit<unknown>): boolean => u.bytes + 2 > TXN_MAX_BYTES;

/** Packs units into batches of at most 64 operations and 512 KiB of body; a solo unit is a batch of its own. */
function pack<T>(units: readonly Unit<T>[]): Batch<T>[] {
  const batches: Batch<T>[] = [];
  let current: Unit<T>[] = [];
  let ops = 0;
  let bytes = 2; // "[" and "]"
  const flush = (): void => {
    if (current.length > 0) batches.push({ number: batches.length + 1, units: current });
    current = [];
    ops = 0;
    bytes = 2;
  };
  for (const u of units) {
    if (u.solo !== undefined) {
      flush();
      batches.push({ number: batches.length + 1, units: [u] });
      continue;
    }
    if (ops + u.ops.length > TXN_MAX_OPS || bytes + u.bytes > TXN_MAX_BYTES) flush();
    current.push(u);
    ops += u.ops.length;
    bytes += u.bytes;
  }
  flush();
  return batches;
}

function keyOf(op: TxnOperation | undefined): string {
  return op !== undefined && 'KV' in op ? op.KV.Key : '';
}

/** Runs batches one after the other and fills the report; `applied` is called for every unit of an applied batch. */
async function runBatches<T>(
  client: Client,
  units: readonly Unit<T>[],
  options: KVBatchOptions,
  report: KVBatchReport,
  applied: (item: T) => void,
): Promise<void> {
  const { continueOnError, signal, onProgress } = options;
  const write = writeOf(options);
  const batches = pack(units);
  report.batches = batches.length;
  const total = units.length;
  let done = 0;
  let stop = false;
  for (const batch of batches) {
    if (!stop && signal?.aborted) {
      report.aborted = true;
      stop = true;
    }
    if (stop) {
      report.notAttempted.push(...batch.units.map((u) => u.key));
      continue;
    }
    const ops = batch.units.flatMap((u) => u.ops);
    try {
      const solo = batch.units[0]!.solo;
      if (solo !== undefined && !(await solo())) {
        const key = keyOf(ops.find((op) => 'KV' in op && op.KV.Verb === 'cas'));
        report.failed.push({
          batch: batch.number,
          keys: [batch.units[0]!.key],
          errors: [{ OpIndex: 0, Key: key, What: `failed to set key ${JSON.stringify(key)}, index is stale (check-and-set PUT)` }],
          error: undefined,
          uncertain: false,
        });
        stop = !continueOnError;
      } else {
        if (solo === undefined) await run(client, ops, write);
        for (const u of batch.units) applied(u.item);
      }
    } catch (error) {
      report.failed.push({
        batch: batch.number,
        keys: batch.units.map((u) => u.key),
        errors: isTransactionError(error) ? error.errors.map((e) => ({ OpIndex: e.OpIndex, Key: keyOf(ops[e.OpIndex]), What: e.What })) : [],
        error,
        uncertain: mayHaveApplied(error),
      });
      stop = !continueOnError;
    }
    done += batch.units.length;
    onProgress?.(done, total);
  }
  report.ok = report.failed.length === 0 && !report.aborted;
}

// ---------------------------------------------------------------------------------------------------
// sync

function isDiff(value: unknown): value is KVDiff {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const d = value as Record<string, unknown>;
  return typeof d['prefix'] === 'string' && Array.isArray(d['add']) && Array.isArray(d['change']) && Array.isArray(d['delete']);
}

/** Whether a diff deletes more than half of the keys under its prefix (what {@link sync} refuses without `force`). */
function deletesMostKeys(d: KVDiff): boolean {
  const existing = d.change.length + d.delete.length + d.unchanged;
  return d.delete.length > 0 && d.delete.length * 2 > existing;
}

/**
 * Applies a {@link diff} exactly, through check-and-set transactions in atomic batches (see the module
 * documentation): adds are `cas` with index 0, changes `cas` with the `ModifyIndex` the diff read,
 * deletes `delete-cas` with it — so a key created, changed or deleted by someone else since the diff
 * makes its batch fail (reported, not overwritten). Writes go first and deletes last, so a failed write
 * leaves every key in place. Given `desired` and a prefix instead of a diff, it reads the diff first.
 * @param source - a {@link KVDiff} from {@link diff} (applied as it is); for desired entries and a
 *   prefix see the other overload.
 * @param options - write options; `force` to delete more than half of the keys under the prefix;
 *   `continueOnError`, `signal` (stops between batches), `onProgress`.
 * @returns the {@link KVSyncReport}: `ok`, and exactly the keys added, changed and deleted; failed batches
 *   with Consul's errors; keys not attempted. Failures of batches are reported, not thrown.
 * @throws {InputError} before anything is written: for a diff that deletes more than half of the keys
 *   under the prefix without `force`, a key with `//` or `.`/`..` segments whose value is too large for a
 *   transaction body, an invalid diff or desired entry.
 * @throws {ForbiddenError} when, given desired entries, the token may not read the prefix.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @example
 * ```ts
 * import { diff, sync } from 'consulate/kv-sync';
 *
 * const plan = await diff(client, desired, 'app');
 * // … show the plan, ask …
 * const report = await sync(client, plan);
 * if (!report.ok) console.error(report.failed[0]?.errors[0]?.What); // e.g. failed to set key "app/port", index is stale
 * ```
 */
export async function sync(client: Client, source: KVDiff, options?: KVSyncOptions): Promise<KVSyncReport>;
/**
 * Reads the {@link diff} between `desired` and the keys under `prefix`, then applies it (see the other overload).
 * @param source - the entries the prefix should hold (absolute keys).
 * @param prefix - the tree to sync (the folder rule; `""` the whole store).
 * @param options - as for a diff.
 * @returns the {@link KVSyncReport}.
 * @throws {InputError} as for a diff, before anything is written.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @example
 * ```ts
 * const report = await sync(client, { 'app/port': '8080', 'app/name': 'web' }, 'app');
 * ```
 */
export async function sync(client: Client, source: KVDesired, prefix: string, options?: KVSyncOptions): Promise<KVSyncReport>;
export async function sync(
  client: Client,
  source: KVDiff | KVDesired,
  prefixOrOptions?: string | KVSyncOptions,
  maybeOptions?: KVSyncOptions,
): Promise<KVSyncReport> {
  let plan: KVDiff;
  let options: KVSyncOptions;
  if (typeof prefixOrOptions === 'string') {
    options = maybeOptions ?? {};
    const { force: _force, continueOnError: _c, signal, onProgress: _p, ...read } = options;
    plan = await diff(client, source as KVDesired, prefixOrOptions, { ...read, ...(signal ? { signal } : {}) });
  } else {
    if (!isDiff(source)) throw new InputError('sync takes a diff (from diff()), or the desired entries and a prefix');
    plan = source;
    options = prefixOrOptions ?? {};
  }
  if (deletesMostKeys(plan) && !options.force) {
    const existing = plan.change.length + plan.delete.length + plan.unchanged;
    const where = plan.prefix === '' ? 'in the whole store' : `under ${JSON.stringify(plan.prefix)}`;
    throw new InputError(
      `this sync would delete ${plan.delete.length} of the ${existing} keys ${where} (more than half); nothing was written: pass \`force: true\` if this is intended`,
    );
  }
  const write = writeOf(options);
  type Item = { kind: 'added' | 'changed' | 'deleted'; key: string };
  const units: Unit<Item>[] = [];
  const writeUnit = (kind: 'added' | 'changed', e: KVDiffAdd, index: number | bigint): Unit<Item> => {
    if (typeof e.Key !== 'string' || e.Key === '') throw new InputError('every diff entry needs a non-empty Key');
    const content = contentOf(e.Value, e.Flags, `${kind === 'added' ? 'add' : 'change'} ${JSON.stringify(e.Key)}`);
    const u = unit<Item>({ kind, key: e.Key }, e.Key, [{ Verb: 'cas', Key: e.Key, Value: content.Value, Flags: content.Flags, Index: index }]);
    if (tooLarge(u)) u.solo = soloWrite(client, e.Key, content, index, write);
    return u;
  };
  for (const e of plan.add) units.push(writeUnit('added', e, 0));
  for (const e of plan.change) units.push(writeUnit('changed', e, indexOf(e.ModifyIndex, e.Key)));
  for (const e of plan.delete) {
    units.push(unit<Item>({ kind: 'deleted', key: e.Key }, e.Key, [{ Verb: 'delete-cas', Key: e.Key, Index: indexOf(e.ModifyIndex, e.Key) }]));
  }
  const report: KVSyncReport = { ok: true, added: [], changed: [], deleted: [], failed: [], notAttempted: [], batches: 0, aborted: false };
  await runBatches(client, units, options, report, (item) => report[item.kind].push(item.key));
  return report;
}

function indexOf(value: unknown, key: string): number | bigint {
  if (typeof key !== 'string' || key === '') throw new InputError('every diff entry needs a non-empty Key');
  if (typeof value !== 'number' && typeof value !== 'bigint') throw new InputError(`${JSON.stringify(key)}: ModifyIndex must be a number or bigint`);
  uint64(value, `${JSON.stringify(key)}: ModifyIndex`);
  return value;
}

/** The options a batch's requests are sent with (no signal: a batch in flight completes). */
function writeOf(options: KVSyncOptions & KVCopyOptions): WriteOptions {
  const { continueOnError: _c, signal: _s, onProgress: _p, force: _f, overwrite: _o, consistency: _k, ...write } = options;
  return write;
}

/** A check-and-set PUT for a value too large for a transaction body; a key only a transaction can write is refused. */
function soloWrite(client: Client, key: string, content: KVContent, index: number | bigint, write: WriteOptions): () => Promise<boolean> {
  if (needsTxn(key)) {
    throw new InputError(
      `key ${JSON.stringify(key)} can only be written in a transaction (it has "//" or "."/".." segments) but its value of ${content.Value.byteLength} bytes is too large for one transaction body (512 KiB, base64)`,
    );
  }
  return async () => (await set(client, key, content.Value, { ...write, flags: content.Flags, cas: index })).data;
}

// ---------------------------------------------------------------------------------------------------
// copy and move

/** Where a tree goes: `src` → `dst`, `src/x` → `dst/x`; with a trailing `/`, what starts with `src/` goes under `dst/`. */
function treeMapping(src: string, dst: string): { from: KVScope; to: KVScope; rename(key: string): string } {
  const from = scopeOf(src);
  if (from.prefix === '') throw new InputError('the source must name a tree: copying or moving the whole store is not supported');
  let target = normalizeKey(typeof dst === 'string' ? dst : '');
  if (typeof dst !== 'string' || target === '') throw new InputError('the destination must be a non-empty key prefix');
  if (from.exact === undefined && !target.endsWith('/')) target = `${target}/`;
  else if (from.exact !== undefined && target.endsWith('/')) {
    throw new InputError(
      `the destination ${JSON.stringify(dst)} ends in "/" but the source ${JSON.stringify(src)} does not: name the new tree (e.g. ${JSON.stringify(`${target}${from.prefix.split('/').pop()}`)}), or end both in "/"`,
    );
  }
  const to = scopeOf(target);
  if (from.contains(to.prefix) || to.contains(from.prefix) || from.contains(to.folder) || to.contains(from.folder)) {
    throw new InputError(`the source ${JSON.stringify(from.prefix)} and the destination ${JSON.stringify(to.prefix)} overlap`);
  }
  const base = from.prefix;
  return { from, to, rename: (key) => `${to.prefix}${key.slice(base.length)}` };
}

/** A copy or move read and planned: its items, the batches' units, and why the run would be refused (nothing written), if it would. */
interface PreparedCopy {
  items: KVCopyPlanItem[];
  units: Unit<KVCopyItem>[];
  refusal: string | undefined;
}

async function prepareCopy(client: Client, src: string, dst: string, options: KVCopyOptions, moving: boolean): Promise<PreparedCopy> {
  const mapping = treeMapping(src, dst);
  const read: KVDiffOptions = {
    ...writeOf(options),
    ...(options.consistency === undefined ? {} : { consistency: options.consistency }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const [sources, targets] = await Promise.all([readScope(client, mapping.from, read), readScope(client, mapping.to, read)]);
  const existing = new Map(targets.map((pair) => [pair.Key, pair.ModifyIndex]));
  const items = sources.map((pair): KVCopyPlanItem => {
    const to = mapping.rename(pair.Key);
    return { from: pair.Key, to, exists: existing.has(to), bytes: pair.Value.byteLength };
  });
  const clashes = items.filter((item) => item.exists).map((item) => item.to);
  if (clashes.length > 0 && !options.overwrite) {
    const shown = clashes.slice(0, 5).map((key) => JSON.stringify(key)).join(', ');
    const refusal = `${clashes.length} destination ${clashes.length === 1 ? 'key exists' : 'keys exist'} (${shown}${clashes.length > 5 ? ', …' : ''}); nothing was written: pass \`overwrite: true\` to replace them`;
    return { items, units: [], refusal };
  }
  const write = writeOf(options);
  try {
    const units = sources.map((pair): Unit<KVCopyItem> => {
      const to = mapping.rename(pair.Key);
      const index = existing.get(to) ?? 0;
      const cas = { Verb: 'cas' as const, Key: to, Value: pair.Value, Flags: pair.Flags, Index: index };
      const u = moving
        ? unit({ from: pair.Key, to }, pair.Key, [
            { Verb: 'check-index', Key: pair.Key, Index: pair.ModifyIndex },
            cas,
            { Verb: 'delete', Key: pair.Key },
          ])
        : unit({ from: pair.Key, to }, pair.Key, [cas]);
      if (tooLarge(u)) {
        if (moving) {
          throw new InputError(
            `key ${JSON.stringify(pair.Key)} holds ${pair.Value.byteLength} bytes, too many to move atomically in one transaction body (512 KiB, base64); nothing was written: copy the tree, then delete the source`,
          );
        }
        u.solo = soloWrite(client, to, pair, index, write);
      }
      return u;
    });
    return { items, units, refusal: undefined };
  } catch (error) {
    if (error instanceof InputError) return { items, units: [], refusal: error.message };
    throw error;
  }
}

async function copyOrMove(client: Client, src: string, dst: string, options: KVCopyOptions, moving: boolean): Promise<KVCopyReport> {
  const { units, refusal } = await prepareCopy(client, src, dst, options, moving);
  if (refusal !== undefined) throw new InputError(refusal);
  const report: KVCopyReport = { ok: true, applied: [], failed: [], notAttempted: [], batches: 0, aborted: false };
  await runBatches(client, units, options, report, (item) => report.applied.push(item));
  return report;
}

/**
 * What {@link copy} (or, with `move: true`, {@link move}) would do, read but not written: each source key and
 * where it would go, and why the run would be refused, if it would. A dry run: nothing is written.
 * @param src - the tree (not `""`).
 * @param dst - its new name (ends in `/` only when `src` does; must not overlap `src`).
 * @param options - as for {@link copy}, plus `move` to plan a move (whose refusals differ: a value too large
 *   for one transaction body).
 * @returns the {@link KVCopyPlan}.
 * @throws {InputError} for an empty source or overlapping trees (before reading).
 * @see https://developer.hashicorp.com/consul/api-docs/kv
 * @example
 * ```ts
 * import { planCopy } from 'consulate/kv-sync';
 *
 * const plan = await planCopy(client, 'app/v1', 'app/v2', { move: true });
 * for (const item of plan.items) console.log(item.from, '→', item.to, item.exists ? '(exists)' : '');
 * if (plan.refusal) console.error(plan.refusal);
 * ```
 */
export async function planCopy(client: Client, src: string, dst: string, options: KVCopyOptions & { move?: boolean | undefined } = {}): Promise<KVCopyPlan> {
  const { move: moving, ...rest } = options;
  const { items, refusal } = await prepareCopy(client, src, dst, rest, moving === true);
  return refusal === undefined ? { items } : { items, refusal };
}

/**
 * Copies the tree `src` to `dst`: every key `src` covers (the folder rule: `app` covers `app` and `app/…`,
 * not `apple`) is written under `dst` with the same value bytes and flags (`app/x` → `dst/x`, `app` → `dst`;
 * a source ending in `/` copies what starts with it under `dst/`). Batches of up to 64 keys are atomic;
 * the copy is of the tree as read (the sources are not checked again). Destination keys that exist are
 * refused before anything is written, unless `overwrite` (then each is overwritten only if unchanged since
 * the read); other keys under `dst` are left alone.
 * @param src - the tree to copy (not `""`).
 * @param dst - its new name (ends in `/` only when `src` does; must not overlap `src`).
 * @param options - write options (also used for the reads), `overwrite`, `consistency` (of the reads),
 *   `continueOnError`, `signal` (stops between batches), `onProgress`.
 * @returns the {@link KVCopyReport}: exactly the keys copied, failed batches, keys not attempted (an empty
 *   tree copies nothing and is `ok`).
 * @throws {InputError} before anything is written: an empty source, overlapping trees, a destination key that
 *   exists without `overwrite`, a key with `//` or `.`/`..` segments too large for a transaction body.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @example
 * ```ts
 * import { copy } from 'consulate/kv-sync';
 *
 * const report = await copy(client, 'config/prod', 'config/staging', { overwrite: true });
 * console.log(`${report.applied.length} keys copied`);
 * ```
 */
export function copy(client: Client, src: string, dst: string, options: KVCopyOptions = {}): Promise<KVCopyReport> {
  return copyOrMove(client, src, dst, options, false);
}

/**
 * Moves (renames) the tree `src` to `dst`, like {@link copy}, but each key is moved by one transaction that
 * checks the source's `ModifyIndex` (`check-index`), writes the destination (`cas`) and deletes the source:
 * a key is always in one place, and a source changed or deleted since the read fails its batch (reported;
 * nothing of that batch is written or deleted). Up to 21 keys move per atomic batch; across batches the
 * move is not atomic: after a failed batch, the keys of the batches applied are at `dst`, the others still
 * at `src`, and moving again moves the rest.
 * @param src - the tree to move (not `""`).
 * @param dst - its new name (ends in `/` only when `src` does; must not overlap `src`).
 * @param options - as for {@link copy}.
 * @returns the {@link KVCopyReport}: exactly the keys moved, failed batches, keys not attempted.
 * @throws {InputError} before anything is written: as for {@link copy}, and for a value too large to move in
 *   one transaction body (copy, then delete, instead).
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @example
 * ```ts
 * import { move } from 'consulate/kv-sync';
 *
 * const report = await move(client, 'app/v1', 'app/v2');
 * if (!report.ok) console.error(`${report.notAttempted.length} keys still under app/v1`);
 * ```
 */
export function move(client: Client, src: string, dst: string, options: KVCopyOptions = {}): Promise<KVCopyReport> {
  return copyOrMove(client, src, dst, options, true);
}
