/**
 * valibot schemas for KV responses.
 * @module
 */
import * as v from 'valibot';
import { fromBase64, toBigInt } from '../core/encoding.ts';
import type { KVPair } from '../endpoints/kv.ts';

/** One KV entry as Consul sends it (Value base64, Flags uint64 as number or, above 2^53, bigint). */
export interface KVPairWire {
  Key: string;
  CreateIndex: number;
  ModifyIndex: number;
  LockIndex: number;
  Flags: number | bigint;
  Value: string | null;
  Session?: string | undefined;
  Namespace?: string | undefined;
  Partition?: string | undefined;
}

/** A non-negative integer. */
export const uint: v.GenericSchema<number> = v.pipe(v.number(), v.integer(), v.minValue(0));

/** One KV entry. */
export const KVPairWire: v.GenericSchema<unknown, KVPairWire> = v.object({
  Key: v.string(),
  CreateIndex: uint,
  ModifyIndex: uint,
  LockIndex: uint,
  Flags: v.union([uint, v.bigint()]),
  Value: v.nullable(v.string()),
  Session: v.optional(v.string()),
  Namespace: v.optional(v.string()),
  Partition: v.optional(v.string()),
});

/** A list of KV entries. */
export const KVPairList: v.GenericSchema<unknown, KVPairWire[]> = v.array(KVPairWire);

/** `?keys` answer. */
export const StringList: v.GenericSchema<unknown, string[]> = v.array(v.string());

/** A `true`/`false` write answer. */
export const BooleanResult: v.GenericSchema<unknown, boolean> = v.boolean();

/** Decodes a wire entry: Value base64 → bytes (empty for null), Flags → exact bigint. */
export function decodePair(wire: KVPairWire): KVPair {
  const pair: KVPair = {
    Key: wire.Key,
    CreateIndex: wire.CreateIndex,
    ModifyIndex: wire.ModifyIndex,
    LockIndex: wire.LockIndex,
    Flags: toBigInt(wire.Flags),
    Value: wire.Value ? fromBase64(wire.Value) : new Uint8Array(0),
  };
  if (wire.Session) pair.Session = wire.Session;
  if (wire.Namespace) pair.Namespace = wire.Namespace;
  if (wire.Partition) pair.Partition = wire.Partition;
  return pair;
}
