/**
 * valibot schema for a snapshot archive's `meta.json`.
 * @module
 */
import * as v from 'valibot';
import { uint } from './common.ts';

/** The raft metadata stored in a snapshot archive (`meta.json`). */
export interface SnapshotMeta {
  /** Snapshot format version. */
  Version: number;
  /** Raft snapshot id, `<term>-<index>-<ms timestamp>`. */
  ID: string;
  /** Raft index the snapshot was taken at (uint64). */
  Index: number | bigint;
  /** Raft term it was taken in. */
  Term: number | bigint;
  /** Size of `state.bin` in bytes. */
  Size?: number | undefined;
  [field: string]: unknown;
}

const uint64Value = v.union([uint, v.bigint()]);

/** `meta.json` of a snapshot. */
export const SnapshotMeta: v.GenericSchema<unknown, SnapshotMeta> = v.looseObject({
  Version: v.number(),
  ID: v.string(),
  Index: uint64Value,
  Term: uint64Value,
  Size: v.optional(uint),
});
