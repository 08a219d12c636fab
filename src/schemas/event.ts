/**
 * valibot schemas for user events.
 * @module
 */
import * as v from 'valibot';

/** A user event as Consul sends it (`Payload` base64 or null). */
export interface UserEventWire {
  ID: string;
  Name: string;
  Payload: string | null;
  NodeFilter: string;
  ServiceFilter: string;
  TagFilter: string;
  Version: number;
  /** Lamport time of the event in the gossip pool (0 in the answer to `fire`). */
  LTime: number;
  [key: string]: unknown;
}

/** One user event. */
export const UserEventWire: v.GenericSchema<unknown, UserEventWire> = v.looseObject({
  ID: v.string(),
  Name: v.string(),
  Payload: v.nullable(v.string()),
  NodeFilter: v.string(),
  ServiceFilter: v.string(),
  TagFilter: v.string(),
  Version: v.number(),
  LTime: v.number(),
});

/** `/v1/event/list` (null becomes `[]`). */
export const UserEventWireList: v.GenericSchema<unknown, UserEventWire[]> = v.pipe(
  v.nullable(v.array(UserEventWire)),
  v.transform((list) => list ?? []),
);
