/**
 * valibot schemas for session responses.
 * @module
 */
import * as v from 'valibot';
import { uint } from './kv.ts';

/** A service check a session depends on (Consul ≥ 1.7). */
export interface ServiceCheckRef {
  /** Check id. */
  ID: string;
  /** Namespace of the check (Enterprise). */
  Namespace?: string | undefined;
}

/**
 * A session as Consul returns it from `/v1/session/info|list|node|renew`. `LockDelay` is in
 * nanoseconds (Go's `time.Duration`), `TTL` a Go duration string (`"0s"` or `""` for none).
 */
export interface SessionEntry {
  /** Session id (a UUID). */
  ID: string;
  /** Human-readable name. */
  Name: string;
  /** The node the session belongs to. */
  Node: string;
  /** Lock-delay in nanoseconds. */
  LockDelay: number;
  /** `release` or `delete`: what happens to held keys when the session is invalidated. */
  Behavior: string;
  /** Time to live, a Go duration (`"15s"`), `"0s"` or `""` when none. */
  TTL: string;
  /** Legacy list of check ids (older Consul versions). */
  Checks?: string[] | null | undefined;
  /** Node check ids (Consul ≥ 1.7). */
  NodeChecks?: string[] | null | undefined;
  /** Service checks (Consul ≥ 1.7). */
  ServiceChecks?: ServiceCheckRef[] | null | undefined;
  /** Namespace (Enterprise). */
  Namespace?: string | undefined;
  CreateIndex: number;
  ModifyIndex: number;
  [key: string]: unknown;
}


/** One session. */
export const SessionEntry: v.GenericSchema<unknown, SessionEntry> = v.looseObject({
  ID: v.string(),
  Name: v.string(),
  Node: v.string(),
  LockDelay: uint,
  Behavior: v.string(),
  TTL: v.string(),
  Checks: v.optional(v.nullable(v.array(v.string()))),
  NodeChecks: v.optional(v.nullable(v.array(v.string()))),
  ServiceChecks: v.optional(v.nullable(v.array(v.looseObject({ ID: v.string(), Namespace: v.optional(v.string()) })))),
  Namespace: v.optional(v.string()),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** A list of sessions (also the shape of `info` and `renew`, which answer with a one-element list). */
export const SessionList: v.GenericSchema<unknown, SessionEntry[]> = v.array(SessionEntry);

/** `/v1/session/create`'s answer. */
export const SessionCreated: v.GenericSchema<unknown, { ID: string }> = v.looseObject({ ID: v.string() });
