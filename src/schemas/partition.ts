/**
 * valibot schemas for Enterprise admin partitions (`/v1/partition`, Consul Enterprise 1.11+).
 * @module
 */
import * as v from 'valibot';
import { uint } from './common.ts';

/** An admin partition. */
export interface Partition {
  Name: string;
  Description?: string | undefined;
  /** Set once the partition is marked for deletion (RFC 3339). */
  DeletedAt?: string | undefined;
  CreateIndex: number;
  ModifyIndex: number;
  [field: string]: unknown;
}

/** An admin partition. */
export const Partition: v.GenericSchema<unknown, Partition> = v.looseObject({
  Name: v.string(),
  Description: v.optional(v.string()),
  DeletedAt: v.optional(v.string()),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** A list of admin partitions. */
export const PartitionList: v.GenericSchema<unknown, Partition[]> = v.array(Partition);
