/**
 * The wire side of `/v1/txn`, shared by the KV functions (for keys the HTTP router would clean) and the
 * transaction builder: Consul's limits, the raw call ({@link sendTxn}) and the valibot schemas of its
 * results (KV results use the KV schemas). Internal: not a subpath export (`consulate/txn` re-exports
 * the limits and types).
 * @module
 */
import * as v from 'valibot';
import type { Client } from '../core/client.ts';
import { InputError } from '../core/errors.ts';
import type { WriteOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { requestJson } from '../core/request.ts';
import { shape, uint } from './common.ts';
import type { KVPairWire } from './kv.ts';
import { KVPairWire as KVPairSchema } from './kv.ts';


/** A node as a transaction returns it. */
export interface TxnNodeResult {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string> | null;
  Meta: Record<string, string> | null;
  CreateIndex: number;
  ModifyIndex: number;
  [field: string]: unknown;
}

/** A node result. */
export const TxnNodeResult: v.GenericSchema<unknown, TxnNodeResult> = shape({
  ID: v.string(),
  Node: v.string(),
  Address: v.string(),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** A service instance as a transaction returns it (Consul's catalog `NodeService`). */
export interface TxnServiceResult {
  ID: string;
  Service: string;
  Tags: string[] | null;
  Address: string;
  Meta: Record<string, string> | null;
  Port: number;
  CreateIndex: number;
  ModifyIndex: number;
  [field: string]: unknown;
}

/** A service result. */
export const TxnServiceResult: v.GenericSchema<unknown, TxnServiceResult> = shape({
  ID: v.string(),
  Service: v.string(),
  Port: v.number(),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** A health check as a transaction returns it. */
export interface TxnCheckResult {
  Node: string;
  CheckID: string;
  Name: string;
  Status: string;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[] | null;
  Definition: Record<string, unknown> | null;
  CreateIndex: number;
  ModifyIndex: number;
  [field: string]: unknown;
}

/** A check result. */
export const TxnCheckResult: v.GenericSchema<unknown, TxnCheckResult> = shape({
  Node: v.string(),
  CheckID: v.string(),
  Status: v.string(),
  ServiceID: v.string(),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** Most operations Consul 1.8.7 accepts in one transaction (65 → 413). */
export const TXN_MAX_OPS = 64;

/** Largest request body Consul accepts on `/v1/txn` by default (`txn_max_req_len`, 512 KiB; 1 byte more → 413). */
export const TXN_MAX_BYTES = 524_288;

/** Options of a transaction: a write's options, plus the consistency mode that read-only transactions honour. */
export interface TxnOptions extends WriteOptions {
  /** Consistency mode for read-only transactions (ignored by Consul when any operation writes). */
  consistency?: 'default' | 'consistent' | 'stale';
}

/** One operation as Consul's `/v1/txn` takes it (wire form). @internal */
export type TxnWireOp = Record<string, Record<string, unknown>>;

/** One result of a successful transaction (wire form, KV values base64). @internal */
export interface TxnWireResult {
  KV?: KVPairWire | undefined;
  Node?: Record<string, unknown> | undefined;
  Service?: Record<string, unknown> | undefined;
  Check?: Record<string, unknown> | undefined;
}

/** The answer of `/v1/txn`. */
const TxnResponse: v.GenericSchema<unknown, { Results: TxnWireResult[] | null; Errors: unknown }> = shape({
  // Node, Service and Check results are checked where they are decoded (endpoints/txn), against the schemas above
  Results: v.nullable(v.array(v.looseObject({ KV: v.optional(KVPairSchema) }))),
});

/**
 * Sends operations to `/v1/txn` as one atomic transaction (the raw call under KV writes of keys the HTTP
 * router would clean, and under the transaction builder). @internal
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
