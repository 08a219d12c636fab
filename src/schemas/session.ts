/**
 * Sessions: the input rules shared by the session endpoints and the lock recipes (a session id is a
 * UUID; a TTL is 0 or 10 s … 86400 s), and the valibot schemas of session responses. Internal: not a
 * subpath export.
 * @module
 */
import * as v from 'valibot';
import type { Duration } from '../core/encoding.ts';
import { durationMs, formatDuration } from '../core/encoding.ts';
import { InputError } from '../core/errors.ts';
import { uint } from './common.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Consul's limits on a session TTL (milliseconds). */
const MIN_TTL = 10_000;
const MAX_TTL = 86_400_000;

/** Refuses anything that is not a session id (Consul answers a malformed id with a 500). @internal */
export function checkSessionId(id: string): string {
  if (typeof id !== 'string' || !UUID.test(id)) {
    throw new InputError(`session id must be a UUID like "adf4238a-882b-9ddc-4a9d-5b6758e4159e", got ${JSON.stringify(id)}`);
  }
  return id;
}

/**
 * Checks a session TTL (0, or 10 s … 86400 s) and returns it as a Go duration string; `name` is
 * the field named in the error (`TTL` for a request body, `ttl` for a recipe option).
 * @throws {InputError} when out of range or not a duration.
 * @internal
 */
export function checkSessionTtl(ttl: Duration, name = 'ttl'): string {
  const text = formatDuration(ttl, name);
  const ms = durationMs(text, name);
  if (ms !== 0 && (ms < MIN_TTL || ms > MAX_TTL)) {
    throw new InputError(`session ${name} must be 0 (none) or between 10s and 86400s, got ${JSON.stringify(ttl)}`);
  }
  return text;
}


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

/** A list of sessions (also the shape of `read` and `renew`, which answer with a one-element list). */
export const SessionList: v.GenericSchema<unknown, SessionEntry[]> = v.array(SessionEntry);

/** `/v1/session/create`'s answer. */
export const SessionCreated: v.GenericSchema<unknown, { ID: string }> = v.looseObject({ ID: v.string() });
