/**
 * Running a transaction: atomically, throwing on a rollback (`run`) or returning it as a value (`tryRun`).
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @module
 */
import type { Client } from '../../core/client.ts';
import type { TransactionOpError } from '../../core/errors.ts';
import { InputError, isTransactionError } from '../../core/errors.ts';
import { emptyMeta } from '../../core/meta.ts';
import type { Result } from '../../core/request.ts';
import type { TxnOptions } from '../../schemas/txn.ts';
import { sendTxn, TXN_MAX_OPS } from '../../schemas/txn.ts';
import type { TxnInput } from './operations.ts';
import type { TxnResults } from './wire.ts';
import { decodeResults, opsOf, routed, toWire } from './wire.ts';

/** What {@link tryRun} returns: the results, or the per-operation errors of a rolled-back transaction. */
export type TxnOutcome = ({ ok: true } & TxnResults) | { ok: false; errors: TransactionOpError[] };

function checkCount(count: number): void {
  if (count === 0) throw new InputError('a transaction needs at least one operation');
  if (count > TXN_MAX_OPS) {
    throw new InputError(
      `a transaction holds at most ${TXN_MAX_OPS} operations, got ${count}; use runBatches (or splitBatches) to send them in atomic batches`,
    );
  }
}

/**
 * Runs operations as one atomic transaction: all are applied, or none.
 * @param ops - the operations, or a {@link TxnBuilder}.
 * @param options - write options; `consistency` applies to read-only transactions.
 * @returns the decoded results (KV values as bytes, flags as bigint) — not 1:1 with the operations.
 * @throws {InputError} for more than 64 operations or an invalid one (verb, flags, value over 512 KiB…), or Node
 *   operations whose `Datacenter` disagrees with the `datacenter` option or with each other, before sending.
 * @throws {TransactionError} when Consul rolled the transaction back; `errors` holds `{ OpIndex, What }` per failed operation.
 * @throws {ServerError} 500 "No path to datacenter" for a datacenter Consul does not know (`datacenter` or a Node's `Datacenter`).
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @example
 * ```ts
 * const t = txn.builder().kv.cas('config/db', 'v2', pair.ModifyIndex).kv.get('config/db');
 * const { data } = await txn.run(client, t);
 * console.log(data.kv[1]?.Value);
 * ```
 */
export async function run(client: Client, ops: TxnInput, options: TxnOptions = {}): Promise<Result<TxnResults>> {
  const list = opsOf(ops);
  checkCount(list.length);
  const wire = toWire(list);
  const { data, meta } = await sendTxn(client, wire, routed(client, wire, options));
  return { data: decodeResults(client, data), meta };
}

/**
 * Like {@link run}, but a rolled-back transaction is a value, not an exception.
 * @returns `{ ok: true, results, kv, … }` or `{ ok: false, errors }` (errors with `OpIndex` and `What`).
 * @throws {InputError} for invalid operations; other HTTP and network errors still throw.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @example
 * ```ts
 * const { data } = await txn.tryRun(client, txn.builder().kv.checkNotExists('lock').kv.set('lock', 'me'));
 * if (!data.ok) console.log(data.errors[0]?.What);
 * ```
 */
export async function tryRun(client: Client, ops: TxnInput, options: TxnOptions = {}): Promise<Result<TxnOutcome>> {
  try {
    const { data, meta } = await run(client, ops, options);
    return { data: { ok: true, ...data }, meta };
  } catch (error) {
    if (isTransactionError(error)) return { data: { ok: false, errors: [...error.errors] }, meta: emptyMeta(409) };
    throw error;
  }
}
