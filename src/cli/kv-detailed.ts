/// <reference types="node" />
/**
 * `consulate kv get --detailed`: a key's record as `consul kv get -detailed` prints it — CreateIndex,
 * Flags, Key, LockIndex, ModifyIndex, Session (`-` for none) and Value, one "Label  value" line each.
 * The value's bytes are printed as `kv get` prints them (see `kv-display.ts`).
 * @module
 */
import { displayValue } from './kv-display.ts';
import { fields } from './tabular.ts';

/** What the block shows of a record (the SDK's decoded record and the wire record both fit). */
export interface DetailedRecord {
  Key: string;
  CreateIndex: number;
  ModifyIndex: number;
  LockIndex: number;
  Flags: number | bigint;
  Session?: string | undefined;
}

/**
 * The block of one record, ending with a newline.
 * @param terminal - stdout is a terminal: a value that is not printable text is shown as base64.
 * @returns the bytes to print and whether the value was shown as base64.
 */
export function detailedBlock(record: DetailedRecord, value: Uint8Array, terminal: boolean): { bytes: Buffer; base64: boolean } {
  const shown = displayValue(value, terminal);
  const labels = fields([
    ['CreateIndex', String(record.CreateIndex)],
    ['Flags', String(record.Flags)],
    ['Key', record.Key],
    ['LockIndex', String(record.LockIndex)],
    ['ModifyIndex', String(record.ModifyIndex)],
    ['Session', record.Session || '-'],
    ['Value', ''],
  ]);
  return { bytes: Buffer.concat([Buffer.from(labels.slice(0, -1)), shown.bytes, Buffer.from('\n')]), base64: shown.base64 };
}
