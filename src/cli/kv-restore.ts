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
 *   `kv-scope.ts`) that the backup does not contain. They are listed before anything is written
 *   ({@link planRestore}), so a key created by someone else during the restore is never pruned, and a
 *   prune that would delete more than half of the keys under the prefix is refused before any write
 *   unless forced (an empty or wrong file, or the wrong prefix, would otherwise empty the tree).
 * - Consulate triples hold keys relative to the prefix (the original consulate's semantics): they are
 *   placed under it with `prefixedKey`; the other formats hold absolute keys, filtered by the prefix.
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
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import { send } from '../core/request.ts';
import { set } from '../endpoints/kv.ts';
import { TXN_MAX_BYTES, TXN_MAX_OPS } from '../schemas/txn.ts';
import { mayHaveApplied } from '../endpoints/txn/batches.ts';
import type { Entry, InputFormat, ParsedFormat } from './kv-format.ts';
import { BackupReader, isTriples, readBackup } from './kv-format.ts';
import type { Scope } from './kv-scope.ts';
import { listKeys, prefixedKey } from './kv-scope.ts';
import type { Input, Progress } from './io.ts';
import { CliError, describeError, pool, progress, usage } from './io.ts';
import { KeyLog } from './key-log.ts';

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

/** Options of {@link planRestore} and {@link restore}. */
export interface PlanOptions {
  /** `--prune` deletes within the scope; entries with absolute keys outside it are ignored. */
  scope: Scope;
  /**
   * What the input holds (see {@link BackupReader}). Consulate triples hold keys relative to the
   * scope's prefix and are placed under it; the other formats hold absolute keys, and entries outside
   * the scope are ignored.
   */
  format: InputFormat;
  /** Never overwrite existing keys. */
  noReplace?: boolean | undefined;
  /** Delete keys in the scope that the backup does not have. */
  prune?: boolean | undefined;
  /** Read options for the listing. */
  read?: ReadOptions | undefined;
}

/**
 * What a restore will do, decided before anything is written by a first pass over the input that
 * keeps only key names (for `--prune` and `--dry-run`).
 */
export interface RestorePlan {
  /** Keys to write, in backup order (a key given twice once, where it first appears), absolute. */
  write: string[];
  /** Keys not to write because they exist (`--no-replace`). */
  skipped: string[];
  /** Keys under the prefix that the backup lacks, to delete after the writes (`--prune`). */
  prune: string[];
  /** How many keys exist under the prefix (listed for `--no-replace` and `--prune`; otherwise 0). */
  existing: number;
  /** Entries of the backup outside the prefix, not restored. */
  ignored: number;
  /** Whether the writes are check-and-set with index 0 (`--no-replace`). */
  noReplace: boolean;
  /** The prefix (`""`: the whole store). */
  prefix: string;
  /** The format read (the encoding of triples decided: the second pass reads them without holding any back). */
  format: ParsedFormat;
  /** The keys that exist under the prefix (`--no-replace`), to skip. */
  present: ReadonlySet<string> | undefined;
}

/** Options of {@link restore}. */
export interface RestoreOptions extends BatchOptions, PlanOptions {
  /** Allow a prune that deletes more than half of the keys under the prefix. */
  force?: boolean | undefined;
  /** The plan made by {@link planRestore} over the same input (needed for `prune`). */
  plan?: RestorePlan | undefined;
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
  /** Keys written, in batch order (only batches that committed; kept in bounded memory, see {@link KeyLog}). */
  applied: KeyLog;
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

/** A transaction batch (or one plain PUT). @internal */
export interface Batch {
  /** 1-based, in order. */
  number: number;
  /** The keys of the batch's operations, in order. */
  keys: string[];
  /** The transaction's body, UTF-8 (empty for a solo batch). */
  body: Uint8Array<ArrayBuffer>;
  /** Where each operation ends in `body` (operations are separated by one comma). */
  ends: number[];
  /** The entry of a batch written with a plain PUT (value too large for a transaction body). */
  solo: Entry | undefined;
  verb: 'set' | 'cas' | 'delete';
}

/** One operation's JSON text (built directly: values are checked base64, flags exact). @internal */
export function op(entry: Entry, verb: Batch['verb']): string {
  const key = JSON.stringify(entry.key);
  if (verb === 'delete') return `{"KV":{"Verb":"delete","Key":${key}}}`;
  const index = verb === 'cas' ? ',"Index":0' : '';
  return `{"KV":{"Verb":"${verb}","Key":${key},"Value":"${entry.value}","Flags":${entry.flags}${index}}}`;
}

/** The constant parts of {@link op}, as bytes (the same text). */
const OP_BYTES = {
  set: Buffer.from('{"KV":{"Verb":"set","Key":'),
  cas: Buffer.from('{"KV":{"Verb":"cas","Key":'),
  delete: Buffer.from('{"KV":{"Verb":"delete","Key":'),
  value: Buffer.from(',"Value":"'),
  flags: Buffer.from('","Flags":'),
  casEnd: Buffer.from(',"Index":0}}'),
  end: Buffer.from('}}'),
} as const;

/** The text of small flags (most backups hold 0), made once. */
const SMALL_FLAGS = Array.from({ length: 64 }, (_, i) => String(i));

const NO_BODY = new Uint8Array(0);
const NO_ENDS: number[] = [];

/**
 * A transaction body written as UTF-8 bytes as the operations are added. A batch waiting or in flight
 * holds these bytes (outside V8's heap) and its keys, not its entries' values, operation strings or a
 * joined copy of them: what young-generation collections copied at each pass, and what a long
 * restore's peak memory grew with (bench/restore.mjs). The size rule is the one the batches always
 * had: the body plus one byte stays within {@link TXN_MAX_BYTES}.
 * @internal
 */
export class TxnBody {
  private bytes: Buffer;
  /** Bytes written, the opening `[` included. */
  private used = 1;
  readonly keys: string[] = [];
  readonly ends: number[] = [];

  constructor(capacity: number = 16 * 1024) {
    this.bytes = Buffer.allocUnsafe(capacity);
    this.bytes[0] = 0x5b; // [
  }

  get count(): number {
    return this.keys.length;
  }

  /**
   * Appends an entry's operation ({@link op}'s text, written in parts: the value, most of it, is never
   * copied into a string); false (nothing appended) when the body would exceed the limit.
   */
  add(entry: Entry, verb: Batch['verb']): boolean {
    if (this.count === TXN_MAX_OPS) return false;
    const key = JSON.stringify(entry.key);
    const deleting = verb === 'delete';
    const value = deleting ? '' : entry.value;
    const flags = deleting ? '' : entry.flags < 64n ? SMALL_FLAGS[Number(entry.flags)]! : String(entry.flags);
    const end = verb === 'cas' ? OP_BYTES.casEnd : OP_BYTES.end;
    const fixed = OP_BYTES[verb].length + end.length + (deleting ? 0 : OP_BYTES.value.length + OP_BYTES.flags.length);
    // bytes ≥ UTF-16 units: an operation this long cannot fit
    if (fixed + key.length + value.length + flags.length + 3 > TXN_MAX_BYTES) return false;
    const start = this.count === 0 ? this.used : this.used + 1; // after a comma
    this.reserve(start + fixed + key.length * 3 + value.length + flags.length + 1); // UTF-8: ≤ 3 bytes per UTF-16 unit; the rest is ASCII
    let at = this.put(OP_BYTES[verb], start);
    at += this.bytes.write(key, at);
    if (!deleting) {
      at = this.put(OP_BYTES.value, at);
      at += this.bytes.write(value, at, 'latin1'); // checked base64
      at = this.put(OP_BYTES.flags, at);
      at += this.bytes.write(flags, at, 'latin1');
    }
    at = this.put(end, at);
    if (at + 2 > TXN_MAX_BYTES) return false; // with "]", plus the byte the limit always kept
    this.append(entry.key, start, at);
    return true;
  }

  private put(bytes: Uint8Array, at: number): number {
    this.bytes.set(bytes, at);
    return at + bytes.length;
  }

  /** Appends operation `i` of another batch's body, as bytes. */
  copy(from: Batch, i: number): void {
    const begin = i === 0 ? 1 : from.ends[i - 1]! + 1;
    const start = this.count === 0 ? this.used : this.used + 1;
    const end = start + from.ends[i]! - begin;
    this.reserve(end + 1);
    this.bytes.set(from.body.subarray(begin, from.ends[i]), start);
    this.append(from.keys[i]!, start, end);
  }

  private reserve(size: number): void {
    if (size <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(size, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.used);
    this.bytes = grown;
  }

  private append(key: string, start: number, end: number): void {
    if (this.count > 0) this.bytes[this.used] = 0x2c; // ,
    this.used = end;
    this.keys.push(key);
    this.ends.push(end);
  }

  /** The batch of the operations added (at least one), its body closed. */
  finish(number: number, verb: Batch['verb']): Batch {
    this.bytes[this.used] = 0x5d; // ]
    const body = new Uint8Array(this.bytes.buffer as ArrayBuffer, this.bytes.byteOffset, this.used + 1);
    return { number, keys: this.keys, body, ends: this.ends, solo: undefined, verb };
  }
}

/** A batch of one entry written with a plain PUT. */
function soloBatch(number: number, entry: Entry, verb: Batch['verb']): Batch {
  return { number, keys: [entry.key], body: NO_BODY, ends: NO_ENDS, solo: entry, verb };
}

/** The refusal of an entry that neither a transaction nor a plain PUT can write. */
function txnOnlyTooLarge(key: string): CliError {
  return new CliError(
    `key ${JSON.stringify(key)} can only be written in a transaction (it has "//" or "."/".." segments) but its value is too large for one transaction body (512 KiB)`,
  );
}

/** Packs entries into batches of ≤64 ops and ≤512 KiB of body; entries too big alone become solo PUTs. */
function pack(entries: readonly Entry[], verb: Batch['verb'], first: number): Batch[] {
  const batches: Batch[] = [];
  let body = new TxnBody();
  const flush = (): void => {
    if (body.count > 0) batches.push(body.finish(first + batches.length, verb));
    body = new TxnBody();
  };
  for (const entry of entries) {
    if (body.add(entry, verb)) continue;
    flush();
    if (body.add(entry, verb)) continue;
    // too large for a transaction body on its own
    if (needsTxn(entry.key)) throw txnOnlyTooLarge(entry.key);
    batches.push(soloBatch(first + batches.length, entry, verb));
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
  const entry = batch.solo;
  if (entry) {
    const { data } = await set(client, entry.key, fromBase64(entry.value), {
      ...options,
      flags: entry.flags,
      ...(batch.verb === 'cas' ? { cas: 0 } : {}),
    });
    if (data) return { applied: [entry.key], skipped: [] };
    if (batch.verb === 'cas') return { applied: [], skipped: [entry.key] };
    throw new CliError(`Consul refused to write key ${JSON.stringify(entry.key)}`);
  }
  let pending = batch;
  const skipped: string[] = [];
  for (;;) {
    sent.keys = pending.keys;
    try {
      const { response } = await send(client, {
        method: 'PUT',
        path: 'txn',
        body: pending.body,
        headers: { 'Content-Type': 'application/json' },
        options,
      });
      await response.arrayBuffer();
      return { applied: pending.keys, skipped };
    } catch (error) {
      // --no-replace: a key created since the listing fails the whole batch; skip it and retry the rest
      if (batch.verb !== 'cas' || !isTransactionError(error) || !error.errors.every((e) => STALE.test(e.What))) throw error;
      const stale = new Set(error.errors.map((e) => e.OpIndex));
      const rest = new TxnBody(pending.body.length);
      pending.keys.forEach((key, i) => {
        if (stale.has(i)) skipped.push(key);
        else rest.copy(pending, i);
      });
      if (rest.count === 0) return { applied: [], skipped };
      pending = rest.finish(batch.number, batch.verb);
    }
  }
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
  const bar = progress(label, { enabled: options.progress ?? true });
  bar.start(batches.reduce((n, b) => n + b.keys.length, 0));
  const started = new Set<number>();
  try {
    await pool(batches, options.concurrency ?? 4, async (batch) => {
      if (options.signal?.aborted) throw new CliError('interrupted');
      started.add(batch.number);
      const sent = { keys: batch.keys };
      try {
        const result = await sendBatch(client, batch, options.write ?? {}, sent);
        done.set(batch.number, result.applied);
        report.skipped?.push(...result.skipped);
      } catch (error) {
        report.failed.push({
          batch: batch.number,
          keys: batch.keys,
          ...failureOf(error, sent.keys),
          // a 5xx may come after raft committed the batch (leadership lost, timeouts): not known either way
          uncertain: mayHaveApplied(error),
        });
        throw error;
      } finally {
        bar.increment(batch.keys.length);
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
    else if (!started.has(batch.number)) report.notAttempted.push(...batch.keys);
  }
  report.failed.sort((a, b) => a.batch - b.batch);
  if (report.failed.length > 0) report.ok = false;
}

/** Where an entry's key lands: relative keys under the prefix; absolute ones only within the scope (`undefined`: ignored). */
function placer(scope: Scope, format: ParsedFormat): (key: string) => string | undefined {
  if (isTriples(format)) {
    return (key) => {
      if (key === '' && scope.prefix === '') {
        throw new CliError(
          'a [key, flags, value] entry has the key "": consulate writes it for the prefix itself in a backup of a prefix, so give the prefix to restore under (consulate kv restore PREFIX …)',
        );
      }
      return prefixedKey(scope, key);
    };
  }
  return (key) => (scope.contains(key) ? key : undefined);
}

/** Refuses, while reading, an entry that no write can hold (too large for a transaction body, and a key only a transaction can write). */
function checkWritable(entry: Entry): void {
  if (entry.value.length + entry.key.length * 6 + 100 <= TXN_MAX_BYTES) return; // fits for sure
  if (Buffer.byteLength(op(entry, 'cas')) + 3 > TXN_MAX_BYTES && needsTxn(entry.key)) throw txnOnlyTooLarge(entry.key);
}

/**
 * Decides what a restore does, writing nothing: reads the whole input once, keeping only the key
 * names (every entry is checked, so bad input is refused before anything is written), and lists the
 * keys under the prefix when `--no-replace` or `--prune` needs them. Memory grows with the key names,
 * not the values. For `--prune` and `--dry-run`; a plain restore streams without it.
 * @throws {@link CliError} for invalid input, a relative key `""` without a prefix, or an entry that
 *   cannot be written; a usage error (exit 2) for triples whose encoding cannot be told.
 */
export async function planRestore(client: Client, input: Input, options: PlanOptions): Promise<RestorePlan> {
  const { scope } = options;
  const reader = new BackupReader(options.format);
  const backupKeys = new Set<string>(); // in backup order, each once
  let ignored = 0;
  let place: ((key: string) => string | undefined) | undefined;
  for await (const entries of readBackup(input.read(), reader)) {
    place ??= placer(scope, reader.format!);
    for (const entry of entries) {
      const key = place(entry.key);
      if (key === undefined) {
        ignored++;
        continue;
      }
      checkWritable({ ...entry, key });
      backupKeys.add(key);
    }
  }
  const plan: RestorePlan = {
    write: [...backupKeys],
    skipped: [],
    prune: [],
    existing: 0,
    ignored,
    noReplace: options.noReplace === true,
    prefix: scope.prefix,
    format: reader.format!,
    present: undefined,
  };
  if (options.noReplace || options.prune) {
    const existing = await listKeys(client, scope, options.read);
    plan.existing = existing.length;
    if (options.noReplace) {
      const present = new Set(existing);
      plan.present = present;
      plan.skipped = plan.write.filter((key) => present.has(key));
      plan.write = plan.write.filter((key) => !present.has(key));
    }
    if (options.prune) plan.prune = existing.filter((key) => !backupKeys.has(key));
  }
  return plan;
}

/** Whether a plan's prune deletes more than half of the keys that exist under the prefix. */
export function pruneIsLarge(plan: RestorePlan): boolean {
  return plan.prune.length > 0 && plan.prune.length * 2 > plan.existing;
}

/** What a large prune would do, in one line ("--prune would delete 9 of the 10 keys under "app" (more than half)"). */
export function largePruneMessage(plan: RestorePlan): string {
  const where = plan.prefix === '' ? 'in the whole store' : `under ${JSON.stringify(plan.prefix)}`;
  return `--prune would delete ${plan.prune.length} of the ${plan.existing} keys ${where} (more than half)`;
}

/**
 * Sends batches as entries arrive: packs them (≤64 ops, ≤512 KiB of body; a value too large for a
 * transaction alone becomes a plain PUT), keeps up to `concurrency` batches in flight, and logs the
 * keys of committed batches in batch order. After a failure (or abort) no new batch starts: the keys
 * of batches not sent are `notAttempted`.
 */
class BatchStream {
  private body = new TxnBody();
  private readonly ready: Batch[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Keys of the batches in flight, with how many of them have each (a key given again waits for them). */
  private readonly flying = new Map<string, number>();
  /** Results of finished batches not logged yet (`null`: failed), by batch number. */
  private readonly finished = new Map<number, string[] | null>();
  private nextNumber = 1;
  private nextToLog = 1;
  /** Whether a batch failed or the run was interrupted. */
  stopped = false;
  /** Whether a batch was sent. */
  started = false;

  /** How many batches were made. */
  get count(): number {
    return this.nextNumber - 1;
  }

  constructor(
    private readonly client: Client,
    private readonly verb: 'set' | 'cas',
    private readonly options: BatchOptions,
    private readonly report: RestoreReport,
    private readonly bar: Progress,
  ) {}

  /** Adds an entry; returns whether a batch is ready to send ({@link BatchStream.send}). */
  add(entry: Entry): boolean {
    if (!this.body.add(entry, this.verb)) {
      this.flush();
      if (!this.body.add(entry, this.verb)) {
        // too large for a transaction body on its own: a plain PUT
        checkWritable(entry);
        this.ready.push(soloBatch(this.nextNumber++, entry, this.verb));
        return true;
      }
    }
    return this.ready.length > 0;
  }

  private flush(): void {
    if (this.body.count === 0) return;
    this.ready.push(this.body.finish(this.nextNumber++, this.verb));
    this.body = new TxnBody();
  }

  /** Sends the ready batches, waiting for a free slot (and for the batches a key given again is in). */
  async send(): Promise<void> {
    const concurrency = this.options.concurrency ?? 4;
    while (this.ready.length > 0) {
      if (this.options.signal?.aborted && !this.stopped) {
        this.stopped = true;
        this.report.failed.push({ batch: 0, keys: [], error: 'interrupted', uncertain: false });
      }
      if (this.stopped) {
        for (const batch of this.ready.splice(0)) this.report.notAttempted.push(...batch.keys);
        return;
      }
      const batch = this.ready[0]!;
      while (this.inFlight.size >= concurrency || (this.inFlight.size > 0 && batch.keys.some((key) => this.flying.has(key)))) {
        await Promise.race(this.inFlight);
        if (this.stopped) break;
      }
      if (this.stopped) continue;
      this.ready.shift();
      this.start(batch);
    }
  }

  private start(batch: Batch): void {
    this.started = true;
    for (const key of batch.keys) this.flying.set(key, (this.flying.get(key) ?? 0) + 1);
    const sent = { keys: batch.keys };
    const promise = sendBatch(this.client, batch, this.options.write ?? {}, sent).then(
      (result) => {
        this.finished.set(batch.number, result.applied);
        this.report.skipped.push(...result.skipped);
      },
      (error: unknown) => {
        this.finished.set(batch.number, null);
        this.report.failed.push({ batch: batch.number, keys: batch.keys, ...failureOf(error, sent.keys), uncertain: mayHaveApplied(error) });
        this.stopped = true;
      },
    ).finally(() => {
      for (const key of batch.keys) {
        const n = this.flying.get(key)!;
        if (n === 1) this.flying.delete(key);
        else this.flying.set(key, n - 1);
      }
      this.inFlight.delete(promise);
      this.bar.increment(batch.keys.length);
      this.log();
    });
    this.inFlight.add(promise);
  }

  /** Logs the applied keys of finished batches in batch order. */
  private log(): void {
    for (;;) {
      const keys = this.finished.get(this.nextToLog);
      if (keys === undefined) return;
      this.finished.delete(this.nextToLog++);
      if (keys !== null) this.report.applied.add(keys);
    }
  }

  /** Marks the run stopped (an input error): no batch starts any more. */
  stop(): void {
    this.stopped = true;
  }

  /** Sends the last batch and waits for every batch in flight. */
  async finish(): Promise<void> {
    this.flush();
    await this.send();
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
    if (this.body.count > 0) this.report.notAttempted.push(...this.body.keys); // (flush() left none)
  }

  /** Counts keys read after a failure as not attempted, after those already batched (input order). */
  notAttempted(key: string): void {
    for (const batch of this.ready.splice(0)) this.report.notAttempted.push(...batch.keys);
    if (this.body.count > 0) {
      this.report.notAttempted.push(...this.body.keys);
      this.body = new TxnBody();
    }
    this.report.notAttempted.push(key);
  }
}

/**
 * Restores a backup as it is read (see the module documentation for the guarantees): batches are
 * sent while the input is still being read, with `concurrency` in flight, so memory does not grow with
 * the backup; then, when every write succeeded, the prune (`options.plan`, needed for `prune`).
 *
 * Entries are checked as they are read, a piece (≤ 512 KiB of the input) at a time: an invalid entry
 * or JSON found after batches were sent stops the restore like a failed batch (the batches in flight
 * finish, nothing after it is written, the report lists what was applied); one found before any batch
 * was sent is thrown, with nothing written. With a plan, the whole input was checked before.
 * A key given twice is written twice, in backup order, so the last one wins (a batch with a key that
 * is still in flight waits for it); with `--no-replace` the first one wins.
 * @returns the report; `ok` is false when a batch failed (the report then lists exactly what committed).
 * @throws a usage error (exit 2), before any write, for a prune of more than half of the keys under
 *   the prefix without `force`, or triples whose encoding cannot be told; a {@link CliError} for
 *   input found invalid before anything was sent.
 */
export async function restore(client: Client, input: Input, options: RestoreOptions): Promise<RestoreReport> {
  const { plan, scope } = options;
  if (options.prune && plan === undefined) throw new Error('restore: prune needs the plan (planRestore)');
  if (plan && pruneIsLarge(plan) && !options.force) {
    throw usage(`${largePruneMessage(plan)}; nothing was written: check the file and the prefix (--dry-run lists the keys), and add --force if this is intended`);
  }
  const noReplace = options.noReplace === true;
  const present = plan ? plan.present : noReplace ? new Set(await listKeys(client, scope, options.read)) : undefined;
  const report: RestoreReport = { ok: true, applied: new KeyLog(), skipped: plan ? [...plan.skipped] : [], pruned: [], ignored: 0, failed: [], notAttempted: [] };
  const reader = new BackupReader(plan?.format ?? options.format);
  const bar = progress('restore', { enabled: options.progress ?? true });
  bar.start(plan ? plan.write.length : 0);
  const batches = new BatchStream(client, noReplace ? 'cas' : 'set', options, report, bar);
  let place: ((key: string) => string | undefined) | undefined;
  let read = 0;
  try {
    for await (const entries of readBackup(input.read(), reader)) {
      place ??= placer(scope, reader.format!);
      if (!plan) bar.setTotal((read += entries.length));
      for (const entry of entries) {
        const key = place(entry.key);
        if (key === undefined) {
          report.ignored++;
          continue;
        }
        if (present?.has(key)) {
          if (!plan) report.skipped.push(key);
          continue;
        }
        if (batches.stopped) {
          batches.notAttempted(key);
          continue;
        }
        if (batches.add(key === entry.key ? entry : { ...entry, key })) await batches.send();
      }
    }
  } catch (error) {
    if (!batches.started) {
      bar.stop();
      throw error; // nothing was written
    }
    const listing = batches.stopped; // a batch had failed: the rest was read only to list its keys
    batches.stop();
    const what = listing ? 'could not read the rest of the input to list the keys not attempted: ' : '';
    report.failed.push({ batch: 0, keys: [], error: oneLine(`${what}${describeError(error)}`), uncertain: false });
  }
  await batches.finish();
  bar.stop();
  report.failed.sort((a, b) => a.batch - b.batch);
  if (report.failed.length > 0) report.ok = false;
  if (!report.ok || plan === undefined || plan.prune.length === 0) return report;
  const extra = plan.prune.map((key): Entry => ({ key, flags: 0n, value: '' }));
  await runBatches(client, pack(extra, 'delete', batches.count + 1), options, report, report.pruned, 'prune');
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
