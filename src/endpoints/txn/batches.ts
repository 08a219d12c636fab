/**
 * Lists longer than one transaction: split into batches that each fit Consul's limits (64 operations,
 * 512 KiB), and run them one after the other, with a report of what was applied.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @module
 */
import type { Client } from '../../core/client.ts';
import { stringifyJson, utf8 } from '../../core/encoding.ts';
import type { TransactionOpError } from '../../core/errors.ts';
import { InputError, isHttpError, isServerError, isTransactionError } from '../../core/errors.ts';
import type { QueryMeta } from '../../core/meta.ts';
import { emptyMeta } from '../../core/meta.ts';
import type { Result } from '../../core/request.ts';
import type { TxnOptions, TxnWireOp } from '../../schemas/txn.ts';
import { sendTxn, TXN_MAX_BYTES, TXN_MAX_OPS } from '../../schemas/txn.ts';
import type { TxnInput, TxnOperation } from './operations.ts';
import type { run } from './run.ts';
import type { TxnResults } from './wire.ts';
import { decodeResults, describe, opsOf, routed, toWire } from './wire.ts';

/** Limits for splitting operations into batches. */
export interface TxnBatchLimits {
  /** Most operations per batch (1–64). @default 64 */
  maxOps?: number | undefined;
  /** Largest request body per batch in bytes (Consul's `txn_max_req_len`). @default 524288 */
  maxBytes?: number | undefined;
}

/** Options of {@link runBatches}. */
export interface TxnBatchOptions extends TxnOptions, TxnBatchLimits {
  /** Keep sending later batches after one fails. @default false (later batches are `skipped`) */
  continueOnError?: boolean | undefined;
}

/** One batch of {@link runBatches}. */
export interface TxnBatch {
  /** Position of the batch's first operation in the whole list. */
  start: number;
  /** Position after its last operation. */
  end: number;
  /**
   * `applied`: committed. `rolled-back`: Consul refused it atomically (see `errors`). `failed`: the request
   * failed otherwise (see `error`; after a network error or timeout it may or may not have been applied).
   * `skipped`: not sent because an earlier batch did not apply.
   */
  status: 'applied' | 'rolled-back' | 'failed' | 'skipped';
  /** The batch's results, when applied. */
  results?: TxnResults | undefined;
  /** Per-operation errors when rolled back; `OpIndex` counts from the start of the whole list. */
  errors?: TransactionOpError[] | undefined;
  /** The error when the request failed. */
  error?: unknown;
}

/** What {@link runBatches} did, batch by batch. */
export interface TxnBatchReport {
  /** True when every batch was applied. */
  ok: boolean;
  /** How many operations were applied (those of the `applied` batches). */
  applied: number;
  /** Every batch, in order. */
  batches: TxnBatch[];
}

function limitsOf(limits: TxnBatchLimits): { maxOps: number; maxBytes: number } {
  const maxOps = limits.maxOps ?? TXN_MAX_OPS;
  const maxBytes = limits.maxBytes ?? TXN_MAX_BYTES;
  if (!Number.isInteger(maxOps) || maxOps < 1 || maxOps > TXN_MAX_OPS) {
    throw new InputError(`maxOps must be an integer from 1 to ${TXN_MAX_OPS}, got ${maxOps}`);
  }
  if (!Number.isInteger(maxBytes) || maxBytes < 64) throw new InputError(`maxBytes must be an integer of at least 64, got ${maxBytes}`);
  return { maxOps, maxBytes };
}

/** Plans batch boundaries over wire operations by count and by encoded body size. */
function plan(wire: readonly TxnWireOp[], maxOps: number, maxBytes: number): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  let bytes = 2; // "[" and "]"
  for (let i = 0; i < wire.length; i++) {
    const size = utf8(stringifyJson(wire[i])).byteLength;
    if (size + 2 > maxBytes) {
      throw new InputError(`operation ${i} (${describe(wire[i])}) alone encodes to ${size} bytes, above the ${maxBytes}-byte transaction limit`);
    }
    const extra = i > start ? size + 1 : size;
    if (i > start && (i - start >= maxOps || bytes + extra > maxBytes)) {
      ranges.push([start, i]);
      start = i;
      bytes = 2 + size;
    } else {
      bytes += extra;
    }
  }
  if (wire.length > start) ranges.push([start, wire.length]);
  return ranges;
}

/**
 * Splits operations into batches that each fit one transaction (≤ 64 operations and ≤ 512 KiB encoded).
 * Each batch is atomic on its own; the list as a whole is not.
 * @returns the batches, in order.
 * @throws {InputError} for an invalid operation or one that alone exceeds `maxBytes`.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @example const batches = txn.splitBatches(ops); // TxnOperation[][]
 */
export function splitBatches(ops: TxnInput, limits: TxnBatchLimits = {}): TxnOperation[][] {
  const list = opsOf(ops);
  const { maxOps, maxBytes } = limitsOf(limits);
  return plan(toWire(list), maxOps, maxBytes).map(([start, end]) => list.slice(start, end));
}

/**
 * Runs a list of any length as consecutive transactions of at most 64 operations (and 512 KiB) each —
 * e.g. for a restore. Every batch is atomic; the whole list is not. All operations are validated
 * before the first batch is sent. Stops at the first batch that does not apply unless `continueOnError`.
 * @returns a report saying exactly which operations were applied (`batches[i].start…end`, `status`);
 *   `meta` is the last sent batch's.
 * @throws {InputError} for an invalid operation, or Node operations whose `Datacenter` disagrees with the `datacenter`
 *   option or with each other (nothing is sent); failures of batches are reported, not thrown. A Node
 *   operation's `Datacenter` routes every batch, as in {@link run}.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @example
 * ```ts
 * const { data } = await txn.runBatches(client, entries.map(([Key, Value]) => ({ KV: { Verb: 'set', Key, Value } })));
 * if (!data.ok) console.error(`applied ${data.applied} of ${entries.length}`);
 * ```
 */
export async function runBatches(client: Client, ops: TxnInput, options: TxnBatchOptions = {}): Promise<Result<TxnBatchReport>> {
  const list = opsOf(ops);
  const { maxOps, maxBytes, continueOnError, ...txnOptions } = options;
  const limits = limitsOf({ maxOps, maxBytes });
  const wire = toWire(list);
  const route = routed(client, wire, txnOptions);
  const report: TxnBatchReport = { ok: true, applied: 0, batches: [] };
  let meta: QueryMeta = emptyMeta(0);
  let stop = false;
  for (const [start, end] of plan(wire, limits.maxOps, limits.maxBytes)) {
    if (stop) {
      report.batches.push({ start, end, status: 'skipped' });
      continue;
    }
    try {
      const result = await sendTxn(client, wire.slice(start, end), route);
      meta = result.meta;
      report.batches.push({ start, end, status: 'applied', results: decodeResults(client, result.data) });
      report.applied += end - start;
    } catch (error) {
      report.ok = false;
      stop = !continueOnError;
      if (isTransactionError(error)) {
        meta = emptyMeta(409);
        const errors = error.errors.map((e) => ({ OpIndex: e.OpIndex + start, What: e.What }));
        report.batches.push({ start, end, status: 'rolled-back', errors });
      } else {
        report.batches.push({ start, end, status: 'failed', error });
      }
    }
  }
  return { data: report, meta };
}

/**
 * 5xx answers in which Consul says the write never reached the raft leader, so nothing was applied:
 * there was no leader, or an RPC hop could not connect to the next server (`rpc error getting client` is
 * the innermost error: that call was never made; Consul does not retry a write after a call that was
 * made, so no earlier attempt applied it either).
 */
const NEVER_SENT = /No cluster leader|rpc error getting client/;

/**
 * Whether a failed `/v1/txn` batch may have been applied (internal: shared by the CLI's restore and the
 * kv-sync recipe): not after Consul refused it (a 409 with op errors, any 4xx) or a 5xx matching
 * {@link NEVER_SENT}; yes after any other 5xx, a network failure, a timeout or an unknown error.
 */
export function mayHaveApplied(error: unknown): boolean {
  if (isTransactionError(error)) return false;
  if (isServerError(error)) return !NEVER_SENT.test(error.message);
  if (isHttpError(error)) return false;
  return true;
}
