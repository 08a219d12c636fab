/**
 * The raw `/v1/txn` call shared by the KV functions (for keys the HTTP router would clean) and the
 * transaction builder.
 * @module
 */
import * as v from 'valibot';
import type { Client } from '../core/client.ts';
import { InputError } from '../core/errors.ts';
import type { Result } from '../core/request.ts';
import { requestJson } from '../core/request.ts';
import type { WriteOptions } from '../core/query.ts';
import type { KVPairWire } from '../schemas/kv.ts';
import { KVPairWire as KVPairSchema } from '../schemas/kv.ts';

/** Most operations Consul 1.8.7 accepts in one transaction (65 → 413). */
export const TXN_MAX_OPS = 64;

/** Largest request body Consul accepts on `/v1/txn` by default (`txn_max_req_len`, 512 KiB; 1 byte more → 413). */
export const TXN_MAX_BYTES = 524_288;

/** Options of a transaction: a write's options, plus the consistency mode that read-only transactions honour. */
export interface TxnOptions extends WriteOptions {
  /** Consistency mode for read-only transactions (ignored by Consul when any operation writes). */
  consistency?: 'default' | 'consistent' | 'stale';
}

/** One operation as Consul's `/v1/txn` takes it (wire form). */
export type TxnWireOp = Record<string, Record<string, unknown>>;

/** One result of a successful transaction (wire form, KV values base64). */
export interface TxnWireResult {
  KV?: KVPairWire | undefined;
  Node?: Record<string, unknown> | undefined;
  Service?: Record<string, unknown> | undefined;
  Check?: Record<string, unknown> | undefined;
}

const TxnResponse: v.GenericSchema<unknown, { Results: TxnWireResult[] | null; Errors: unknown }> = v.object({
  Results: v.nullable(
    v.array(
      v.object({
        KV: v.optional(KVPairSchema),
        Node: v.optional(v.record(v.string(), v.unknown())),
        Service: v.optional(v.record(v.string(), v.unknown())),
        Check: v.optional(v.record(v.string(), v.unknown())),
      }),
    ),
  ),
  Errors: v.unknown(),
});

/**
 * Sends operations to `/v1/txn` as one atomic transaction.
 * @throws {InputError} for more than {@link TXN_MAX_OPS} operations (nothing is sent).
 * @throws {TransactionError} when Consul rolled the transaction back (409), with per-operation errors.
 */
export async function sendTxn(
  client: Client,
  ops: readonly TxnWireOp[],
  options: TxnOptions = {},
): Promise<Result<TxnWireResult[]>> {
  if (ops.length === 0) throw new InputError('a transaction needs at least one operation');
  if (ops.length > TXN_MAX_OPS) {
    throw new InputError(`a transaction holds at most ${TXN_MAX_OPS} operations, got ${ops.length}; split it into batches`);
  }
  const { data, meta } = await requestJson(client, { method: 'PUT', path: 'txn', json: ops, options }, TxnResponse);
  return { data: data.Results ?? [], meta };
}
