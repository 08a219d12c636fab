/**
 * valibot schemas for the catalog results of `/v1/txn` (node, service and check operations).
 * KV results use the KV schemas.
 * @module
 */
import * as v from 'valibot';
import { uint } from './kv.ts';

const stringMap = v.record(v.string(), v.string());

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
export const TxnNodeResult: v.GenericSchema<unknown, TxnNodeResult> = v.looseObject({
  ID: v.string(),
  Node: v.string(),
  Address: v.string(),
  Datacenter: v.string(),
  TaggedAddresses: v.nullable(stringMap),
  Meta: v.nullable(stringMap),
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
export const TxnServiceResult: v.GenericSchema<unknown, TxnServiceResult> = v.looseObject({
  ID: v.string(),
  Service: v.string(),
  Tags: v.nullable(v.array(v.string())),
  Address: v.string(),
  Meta: v.nullable(stringMap),
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
export const TxnCheckResult: v.GenericSchema<unknown, TxnCheckResult> = v.looseObject({
  Node: v.string(),
  CheckID: v.string(),
  Name: v.string(),
  Status: v.string(),
  Notes: v.string(),
  Output: v.string(),
  ServiceID: v.string(),
  ServiceName: v.string(),
  ServiceTags: v.nullable(v.array(v.string())),
  Definition: v.nullable(v.record(v.string(), v.unknown())),
  CreateIndex: uint,
  ModifyIndex: uint,
});
