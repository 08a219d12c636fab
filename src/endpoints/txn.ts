/**
 * Transactions (`/v1/txn`): a typed builder for KV, node, service and check operations, running them
 * atomically, a non-throwing variant, and a batch runner for lists longer than Consul's 64-operation limit.
 *
 * Keys are passed to Consul **exactly** — no leading-slash stripping, no escaping, no path cleaning —
 * so a transaction is how keys such as `a//b` or `./..` are stored as written. KV values are text
 * (UTF-8) or bytes (base64 on the wire); `Flags` are uint64 (`bigint` for values above 2^53).
 *
 * Results are **not** 1:1 with operations: deletes give no result, `get-tree` gives one per key.
 *
 * The parts live in one file each: `txn/operations.ts` (the operation types), `txn/builder.ts`,
 * `txn/wire.ts` (checks, encoding, routing, decoding), `txn/run.ts` (`run`, `tryRun`) and
 * `txn/batches.ts` (`splitBatches`, `runBatches`); this module re-exports them and describes how they
 * nest on the facade.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @module
 */
import type { FacadeEntry } from '../core/bind.ts';
import { unbound } from '../core/bind.ts';
import { builder } from './txn/builder.ts';
import { run, tryRun } from './txn/run.ts';
import { runBatches, splitBatches } from './txn/batches.ts';

export type { TxnCheckResult, TxnNodeResult, TxnOptions, TxnServiceResult } from '../schemas/txn.ts';
export { TXN_MAX_BYTES, TXN_MAX_OPS } from '../schemas/txn.ts';
export type {
  TxnCatalogVerb,
  TxnCheck,
  TxnInput,
  TxnKVOp,
  TxnKVVerb,
  TxnNode,
  TxnOperation,
  TxnService,
  TxnValue,
} from './txn/operations.ts';
export type {
  TxnBuilder,
  TxnCheckBuilder,
  TxnKVBuilder,
  TxnKVOpOptions,
  TxnNodeBuilder,
  TxnServiceBuilder,
  TxnServiceRef,
} from './txn/builder.ts';
export type { TxnResultItem, TxnResults } from './txn/wire.ts';
export type { TxnOutcome } from './txn/run.ts';
export type { TxnBatch, TxnBatchLimits, TxnBatchOptions, TxnBatchReport } from './txn/batches.ts';

export { builder, run, runBatches, splitBatches, tryRun };

/**
 * How these functions nest on the `Consul` facade: `consul.txn.run(consul.txn.builder().kv.set(…))`…;
 * `builder` and `splitBatches` need no client.
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const txnFacade = {
  builder: /* @__PURE__ */ unbound(builder) as FacadeEntry<typeof builder>,
  run: run as typeof run,
  tryRun: tryRun as typeof tryRun,
  runBatches: runBatches as typeof runBatches,
  splitBatches: /* @__PURE__ */ unbound(splitBatches) as FacadeEntry<typeof splitBatches>,
};
