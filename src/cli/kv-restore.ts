/// <reference types="node" />
/**
 * `consulate kv restore`: writes backup entries through `/v1/txn` in batches of at most 64
 * operations and 512 KiB of body, each batch atomic, several batches in flight. Keys are stored
 * exactly (txn does not clean `a//b` or `.`/`..` segments). Values too large to fit a transaction
 * body on their own are written with a plain `PUT` (each atomic by itself).
 *
 * - `--no-replace` never overwrites: existing keys are listed first and skipped, and every write is
 *   a check-and-set with index 0, so a key created meanwhile fails its batch; that key is then
 *   skipped and the rest of its batch retried. The report names every skipped key.
 * - `--prune`, after all writes succeeded, deletes the keys under the prefix (folder rule, see
 *   `kv-scope.ts`) that the backup does not contain.
 * - On failure, in-flight batches finish, no new batch starts, and the report lists exactly the keys
 *   of the batches that committed. Each failed batch has a one-line reason (its first failed
 *   operation's key and Consul's explanation) and, for a rolled-back transaction, every failed
 *   operation with its key (`errors`).
 *
 * {@link removeKeys} deletes a list of keys in the same kind of batches as `--prune` (for `kv rm -r`
 * when Consul refuses a recursive delete to a token limited to part of the prefix).
 * @module
 */
import type { Client } from '../core/client.ts';
import { fromBase64, needsTxn } from '../core/encoding.ts';
import { isNetworkError, isServerError, isTimeoutError, isTransactionError } from '../core/errors.ts';
import type { WriteOptions } from '../core/query.ts';
import { send } from '../core/request.ts';
import { set } from '../endpoints/kv.ts';
import { TXN_MAX_BYTES, TXN_MAX_OPS } from '../schemas/txn.ts';
import type { Entry } from './kv-format.ts';
import type { Scope } from './kv-scope.ts';
import { listKeys } from './kv-scope.ts';
import { CliError, describeError, pool, progress } from './io.ts';

/** How batches are sent (restore, prune, remove). */
export interface BatchOptions {
  /** Batches in flight. @default 4 */
  concurrency?: number | undefined;
  /** Show a progress bar when stderr is a terminal. @default true */
  progress?: boolean | undefined;
  /** Stops starting new batches when aborted (in-flight ones finish and are reported). */
  signal?: AbortSignal | undefined;
  /** Write options (datacenter, namespace…). */
  write?: WriteOptions | undefined;
}

/** Options of {@link restore}. */
export interface RestoreOptions extends BatchOptions {
  /** Only entries the scope covers are restored; `--prune` deletes within it. */
  scope: Scope;
  /** Never overwrite existing keys. */
  noReplace?: boolean | undefined;
  /** Delete keys in the scope that the backup does not have. */
  prune?: boolean | undefined;
}

/** One operation of a rolled-back transaction batch, as Consul reported it, with its key. */
export interface FailedOp {
  /** Index of the operation in the batch as sent. */
  OpIndex: number;
  /** The operation's key. */
  key: string;
  /** Consul's explanation. */
  What: string;
}

/** A batch that failed. */
export interface FailedBatch {
  /** 1-based batch number (0: the run stopped before or between batches, e.g. interrupted). */
  batch: number;
  /** The batch's keys. */
  keys: string[];
  /** One line: the first failed operation's key and reason, or the error. */
  error: string;
  /** For a rolled-back transaction: every failed operation (Consul reports them all). */
  errors?: FailedOp[];
  /**
   * The batch failed in transit (network error, timeout) or with a 5xx: Consul may or may not have
   * applied it. Otherwise it was refused atomically (a 409 transaction error, a 4xx), or answered with
   * a 5xx that says it never reached the raft leader (`No cluster leader`, or `rpc error getting
   * client: …`, an RPC hop that could not connect to the next server, as seen while a leader dies).
   */
  uncertain: boolean;
}

/** What a run of batches did; on failure, exactly what committed. */
export interface BatchReport {
  /** Whether every batch was applied. */
  ok: boolean;
  /** Batches that failed, in batch order. */
  failed: FailedBatch[];
  /** Keys of batches never sent after a failure. */
  notAttempted: string[];
}

/** What a restore did; on failure, exactly what committed. */
export interface RestoreReport extends BatchReport {
  /** Keys written, in batch order (only batches that committed). */
  applied: string[];
  /** Keys not written because they existed (`--no-replace`). */
  skipped: string[];
  /** Keys deleted by `--prune`. */
  pruned: string[];
  /** Entries of the backup outside the prefix, not restored. */
  ignored: number;
}

/** What {@link removeKeys} did; on failure, exactly what committed. */
export interface RemoveReport extends BatchReport {
  /** Keys deleted, in batch order (only batches that committed). */
  removed: string[];
  /** How many transaction batches the keys were split into. */
  batches: number;
}

interface Batch {
  /** 1-based, in order. */
  number: number;
  entries: Entry[];
  /** The operations' JSON, one per entry. */
  ops: string[];
  /** Written with a plain PUT (value too large for a transaction body). */
  solo: boolean;
  verb: 'set' | 'cas' | 'delete';
}

/** One operation's JSON text (built directly: values are checked base64, flags exact). */
function op(entry: Entry, verb: Batch['verb']): string {
  const key = JSON.stringify(entry.key);
  if (verb === 'delete') return `{"KV":{"Verb":"delete","Key":${key}}}`;
  const index = verb === 'cas' ? ',"Index":0' : '';
  return `{"KV":{"Verb":"${verb}","Key":${key},"Value":"${entry.value}","Flags":${entry.flags}${index}}}`;
}

/** Packs entries into batches of ≤64 ops and ≤512 KiB of body; entries too big alone become solo PUTs. */
function pack(entries: readonly Entry[], verb: Batch['verb'], first: number): Batch[] {
  const batches: Batch[] = [];
  let current: Entry[] = [];
  let ops: string[] = [];
  let bytes = 2; // "[" and "]"
  const flush = (): void => {
    if (current.length > 0) batches.push({ number: first + batches.length, entries: current, ops, solo: false, verb });
    current = [];
    ops = [];
    bytes = 2;
  };
  for (const entry of entries) {
    const text = op(entry, verb);
    const size = Buffer.byteLength(text) + 1; // and a comma
    if (size + 2 > TXN_MAX_BYTES) {
      if (needsTxn(entry.key)) {
        throw new CliError(
          `key ${JSON.stringify(entry.key)} can only be written in a transaction (it has "//" or "."/".." segments) but its value is too large for one transaction body (512 KiB)`,
        );
      }
      flush();
      batches.push({ number: first + batches.length, entries: [entry], ops: [], solo: true, verb });
      continue;
    }
    if (current.length === TXN_MAX_OPS || bytes + size > TXN_MAX_BYTES) flush();
    current.push(entry);
    ops.push(text);
    bytes += size;
  }
  flush();
  return batches;
}

const STALE = /index is stale|already exists/;

/**
 * Sends one batch; returns the keys applied and (for cas) the keys found to exist. `sent` holds the
 * keys of the last transaction sent, in op order (what a failure's `OpIndex` refers to).
 */
async function sendBatch(client: Client, batch: Batch, options: WriteOptions, sent: { keys: string[] }): Promise<{ applied: string[]; skipped: string[] }> {
  if (batch.solo) {
    const entry = batch.entries[0]!;
    const { data } = await set(client, entry.key, fromBase64(entry.value), {
      ...options,
      flags: entry.flags,
      ...(batch.verb === 'cas' ? { cas: 0 } : {}),
    });
    if (data) return { applied: [entry.key], skipped: [] };
    if (batch.verb === 'cas') return { applied: [], skipped: [entry.key] };
    throw new CliError(`Consul refused to write key ${JSON.stringify(entry.key)}`);
  }
  let pending = batch.entries;
  let ops = batch.ops;
  const skipped: string[] = [];
  for (;;) {
    if (pending.length === 0) return { applied: [], skipped };
    sent.keys = pending.map((e) => e.key);
    try {
      const { response } = await send(client, {
        method: 'PUT',
        path: 'txn',
        body: `[${ops.join(',')}]`,
        headers: { 'Content-Type': 'application/json' },
        options,
      });
      await response.arrayBuffer();
      return { applied: pending.map((e) => e.key), skipped };
    } catch (error) {
      // --no-replace: a key created since the listing fails the whole batch; skip it and retry the rest
      if (batch.verb !== 'cas' || !isTransactionError(error) || !error.errors.every((e) => STALE.test(e.What))) throw error;
      const stale = new Set(error.errors.map((e) => e.OpIndex));
      skipped.push(...pending.filter((_, i) => stale.has(i)).map((e) => e.key));
      pending = pending.filter((_, i) => !stale.has(i));
      ops = ops.filter((_, i) => !stale.has(i));
    }
  }
}

/**
 * 5xx answers in which Consul says the write never reached the raft leader, so nothing was applied:
 * there was no leader, or an RPC hop could not connect to the next server (`rpc error getting
 * client` is the innermost error: that call was never made; Consul does not retry a write after a
 * call that was made, so no earlier attempt applied it either).
 */
const NEVER_SENT = /No cluster leader|rpc error getting client/;

/** Whether a failed batch may have been applied: failed in transit, or a 5xx other than {@link NEVER_SENT}. */
function uncertainOutcome(error: unknown): boolean {
  if (isServerError(error)) return !NEVER_SENT.test(error.message);
  return isNetworkError(error) || isTimeoutError(error);
}

/** Collapses an error's text to one line of bounded length. */
function oneLine(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** The one-line reason of a batch failure and, for a rolled-back transaction, every failed op with its key. */
function failureOf(error: unknown, keys: readonly string[]): Pick<FailedBatch, 'error' | 'errors'> {
  if (isTransactionError(error) && error.errors.length > 0) {
    const errors = error.errors.map((e): FailedOp => ({ OpIndex: e.OpIndex, key: keys[e.OpIndex] ?? '', What: e.What }));
    const first = errors[0]!;
    return { error: oneLine(`${JSON.stringify(first.key)}: ${first.What}`), errors };
  }
  return { error: oneLine(describeError(error)) };
}

/**
 * Runs batches with `concurrency` in flight; after a failure (or abort) starts no new one. The keys of
 * the batches that committed are appended to `target` in batch order.
 */
async function runBatches(
  client: Client,
  batches: Batch[],
  options: BatchOptions,
  report: BatchReport & { skipped?: string[] },
  target: string[],
  label: string,
): Promise<void> {
  const done = new Map<number, string[]>();
  const bar = progress(label, options.progress ?? true);
  bar.start(batches.reduce((n, b) => n + b.entries.length, 0));
  const started = new Set<number>();
  try {
    await pool(batches, options.concurrency ?? 4, async (batch) => {
      if (options.signal?.aborted) throw new CliError('interrupted');
      started.add(batch.number);
      const sent = { keys: batch.entries.map((e) => e.key) };
      try {
        const result = await sendBatch(client, batch, options.write ?? {}, sent);
        done.set(batch.number, result.applied);
        report.skipped?.push(...result.skipped);
      } catch (error) {
        report.failed.push({
          batch: batch.number,
          keys: batch.entries.map((e) => e.key),
          ...failureOf(error, sent.keys),
          // a 5xx may come after raft committed the batch (leadership lost, timeouts): not known either way
          uncertain: uncertainOutcome(error),
        });
        throw error;
      } finally {
        bar.increment(batch.entries.length);
      }
    });
  } catch (error) {
    if (report.failed.length === 0) report.failed.push({ batch: 0, keys: [], error: oneLine(describeError(error)), uncertain: false });
  } finally {
    bar.stop();
  }
  for (const batch of batches) {
    const keys = done.get(batch.number);
    if (keys) target.push(...keys);
    else if (!started.has(batch.number)) report.notAttempted.push(...batch.entries.map((e) => e.key));
  }
  report.failed.sort((a, b) => a.batch - b.batch);
  if (report.failed.length > 0) report.ok = false;
}

/**
 * Restores entries (see the module documentation for the guarantees).
 * @returns the report; `ok` is false when a batch failed (the report then lists exactly what committed).
 */
export async function restore(client: Client, entries: readonly Entry[], options: RestoreOptions): Promise<RestoreReport> {
  const report: RestoreReport = { ok: true, applied: [], skipped: [], pruned: [], ignored: 0, failed: [], notAttempted: [] };
  // the last occurrence of a key wins; keep the backup's order
  const byKey = new Map<string, Entry>();
  for (const entry of entries) {
    if (options.scope.contains(entry.key)) byKey.set(entry.key, entry);
    else report.ignored++;
  }
  let todo = [...byKey.values()];
  if (options.noReplace) {
    const existing = new Set(await listKeys(client, options.scope, options.write));
    report.skipped.push(...todo.filter((e) => existing.has(e.key)).map((e) => e.key));
    todo = todo.filter((e) => !existing.has(e.key));
  }
  const batches = pack(todo, options.noReplace ? 'cas' : 'set', 1);
  await runBatches(client, batches, options, report, report.applied, 'restore');
  if (!report.ok || !options.prune) return report;
  const current = await listKeys(client, options.scope, options.write);
  const extra = current.filter((key) => !byKey.has(key)).map((key): Entry => ({ key, flags: 0n, value: '' }));
  await runBatches(client, pack(extra, 'delete', batches.length + 1), options, report, report.pruned, 'prune');
  return report;
}

/**
 * Deletes the listed keys in transaction batches (at most 64 operations and 512 KiB of body each,
 * each batch atomic, several in flight; after a failure no new batch starts).
 * @returns the report; `ok` is false when a batch failed (it then lists exactly the keys removed).
 */
export async function removeKeys(client: Client, keyList: readonly string[], options: BatchOptions = {}): Promise<RemoveReport> {
  const batches = pack(keyList.map((key): Entry => ({ key, flags: 0n, value: '' })), 'delete', 1);
  const report: RemoveReport = { ok: true, removed: [], batches: batches.length, failed: [], notAttempted: [] };
  await runBatches(client, batches, options, report, report.removed, 'remove');
  return report;
}
