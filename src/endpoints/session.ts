/**
 * Sessions: create, destroy, read, list, node, renew. What keeps a TTL session alive (Go's
 * `Session.RenewPeriodic`) is a recipe built on {@link renew}: `renewPeriodically` from
 * `consulate/renewer`, on the facade as `consul.session.renewPeriodically`.
 *
 * Consul answers bad TTLs and behaviors with a 500; they are refused here with an
 * {@link InputError} before anything is sent. A missing session is `undefined` from {@link read}
 * (Consul answers 200 `[]`) and from {@link renew} (Consul answers 404).
 * @see https://developer.hashicorp.com/consul/api-docs/session
 * @module
 */
import * as v from 'valibot';
import type { Client } from '../core/client.ts';
import { refuseCamelCase, wireDuration } from '../core/encoding.ts';
import { InputError } from '../core/errors.ts';
import { pathSegment } from '../core/path.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import { confirmMissing, MISSING } from '../core/missing.ts';
import type { Result } from '../core/request.ts';
import { check, readJson, requestJson, send } from '../core/request.ts';
import type { ServiceCheckRef, SessionEntry } from '../schemas/session.ts';
import { checkSessionId, checkSessionTtl, SessionCreated, SessionList } from '../schemas/session.ts';

export type { SessionEntry, ServiceCheckRef } from '../schemas/session.ts';

/**
 * What to create, with Consul's field names (every field is optional; Consul's defaults in
 * brackets): the sample payload of Consul's docs, or a session read back, can be passed as is.
 * Fields not listed here are sent unchanged.
 */
export interface SessionDefinition {
  /** Human-readable name. [`""`] */
  Name?: string | undefined;
  /**
   * What happens to the keys the session holds when it is invalidated: `release` the locks, or
   * `delete` the keys (ephemeral keys). [`release`]
   */
  Behavior?: 'release' | 'delete' | (string & {}) | undefined;
  /** Node to tie the session to. [the agent's node] */
  Node?: string | undefined;
  /**
   * How long a key stays un-acquirable after the session holding it is invalidated (not after an
   * explicit release): a Go duration (`"15s"`, `"0s"`), or a number as Consul reads it —
   * nanoseconds, as a read returns it (`15000000000`); Consul takes a number below 1000 as seconds. [`15s`]
   */
  LockDelay?: string | number | undefined;
  /**
   * Time to live, a Go duration: `"0s"`/`""` (none) or 10 s … 24 h. A TTL session is invalidated
   * when not renewed (Consul waits up to about twice the TTL). [none]
   */
  TTL?: string | undefined;
  /** Check ids the session depends on (legacy field; replaces the default `serfHealth`). */
  Checks?: readonly string[] | null | undefined;
  /** Node check ids the session depends on (Consul ≥ 1.7). [`["serfHealth"]`] */
  NodeChecks?: readonly string[] | null | undefined;
  /** Service checks the session depends on (Consul ≥ 1.7): `[{ ID, Namespace? }]`. */
  ServiceChecks?: readonly ServiceCheckRef[] | null | undefined;
  [field: string]: unknown;
}

/** Checks a definition before sending (Consul answers these mistakes with a 500) and returns the body to send. */
function toBody(definition: SessionDefinition): Record<string, unknown> {
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
    throw new InputError('a session definition must be an object with Consul\'s fields (Name, TTL, LockDelay, Behavior…)');
  }
  const d = definition;
  refuseCamelCase(d, 'a session definition');
  if (d.Behavior !== undefined && d.Behavior !== 'release' && d.Behavior !== 'delete') {
    throw new InputError(`Behavior must be "release" or "delete", got ${JSON.stringify(d.Behavior)}`);
  }
  if (d.TTL !== undefined && d.TTL !== '') {
    if (typeof d.TTL !== 'string') throw new InputError(`TTL must be a Go duration string such as "15s", got ${JSON.stringify(d.TTL)}`);
    checkSessionTtl(d.TTL, 'TTL');
  }
  if (d.LockDelay !== undefined) wireDuration(d.LockDelay, 'LockDelay');
  for (const field of ['Checks', 'NodeChecks'] as const) {
    const list = d[field];
    if (list != null && (!Array.isArray(list) || list.some((c) => typeof c !== 'string'))) {
      throw new InputError(`${field} must be a list of check ids, got ${JSON.stringify(list)}`);
    }
  }
  if (d.ServiceChecks != null && (!Array.isArray(d.ServiceChecks) || d.ServiceChecks.some((c) => !c || typeof c.ID !== 'string' || !c.ID))) {
    throw new InputError(`ServiceChecks must be a list of { ID, Namespace? }, got ${JSON.stringify(d.ServiceChecks)}`);
  }
  return { ...d };
}

/**
 * Creates a session and returns its id.
 * @param definition - Consul's fields: `Name`, `Behavior`, `Node`, `LockDelay`, `TTL` and the checks it
 *   depends on (`Checks`, `NodeChecks`, `ServiceChecks`); other fields are sent unchanged.
 * @returns the new session's id.
 * @throws {InputError} for a `TTL` outside 0 / 10 s … 86400 s, an unknown `Behavior` or a bad `LockDelay` — before sending.
 * @throws {ServerError} when Consul refuses it (unknown node or check: Consul answers 500).
 * @see https://developer.hashicorp.com/consul/api-docs/session#create-session
 * @example
 * ```ts
 * const { data: id } = await session.create(client, { Name: 'leader', TTL: '15s', LockDelay: '0s' });
 * ```
 */
export async function create(client: Client, definition: SessionDefinition = {}, options: WriteOptions = {}): Promise<Result<string>> {
  const body = toBody(definition);
  const { data, meta } = await requestJson(client, { method: 'PUT', path: 'session/create', json: body, options }, SessionCreated);
  return { data: data.ID, meta };
}

/**
 * Destroys (invalidates) a session: its locks are released or its keys deleted, per its behavior;
 * lock-delay starts for the keys it held. Destroying an unknown session succeeds.
 * @returns `true` (Consul's answer).
 * @throws {InputError} when `id` is not a UUID.
 * @see https://developer.hashicorp.com/consul/api-docs/session#delete-session
 * @example await session.destroy(client, id);
 */
export async function destroy(client: Client, id: string, options: WriteOptions = {}): Promise<Result<boolean>> {
  checkSessionId(id);
  return requestJson(client, { method: 'PUT', path: `session/destroy/${encodeURIComponent(id)}`, options }, v.boolean());
}

/**
 * Reads one session, or `undefined` when it does not exist (Consul answers 200 `[]`).
 * @throws {InputError} when `id` is not a UUID.
 * @see https://developer.hashicorp.com/consul/api-docs/session#read-session
 * @example const { data } = await session.read(client, id); // data?.TTL === '15s'
 */
export async function read(client: Client, id: string, options: ReadOptions = {}): Promise<Result<SessionEntry | undefined>> {
  checkSessionId(id);
  const { data, meta } = await requestJson(client, { path: `session/info/${encodeURIComponent(id)}`, options }, v.nullable(SessionList));
  return { data: data?.[0], meta };
}

/**
 * Lists every session in the datacenter (`[]` when none).
 * @see https://developer.hashicorp.com/consul/api-docs/session#list-sessions
 * @example const { data: sessions } = await session.list(client, { filter: 'Name == "leader"' });
 */
export async function list(client: Client, options: ReadOptions = {}): Promise<Result<SessionEntry[]>> {
  const { data, meta } = await requestJson(client, { path: 'session/list', options }, v.nullable(SessionList));
  return { data: data ?? [], meta };
}

/**
 * Lists the sessions of one node (`[]` for an unknown node).
 * @see https://developer.hashicorp.com/consul/api-docs/session#list-sessions-for-node
 * @example const { data } = await session.node(client, 'web-1');
 */
export async function node(client: Client, nodeName: string, options: ReadOptions = {}): Promise<Result<SessionEntry[]>> {
  const { data, meta } = await requestJson(
    client,
    { path: `session/node/${pathSegment(nodeName, 'node name')}`, options },
    v.nullable(SessionList),
  );
  return { data: data ?? [], meta };
}

/**
 * Renews a TTL session. Consul may answer with a longer TTL than the one created (read `data.TTL`).
 * @returns the renewed session, or `undefined` when the session no longer exists (Consul answers
 *   404 with its text "Session id '…' not found": it expired or was destroyed; `meta.status` is 404).
 *   Consul's own 404 does not throw `NotFoundError`; anybody else's does.
 * @throws {InputError} when `id` is not a UUID.
 * @throws {NotFoundError} when a 404 lacks Consul's text "Session id '…' not found" (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @see https://developer.hashicorp.com/consul/api-docs/session#renew-session
 * @example
 * ```ts
 * const { data } = await session.renew(client, id);
 * if (!data) console.log('session expired');
 * ```
 */
export async function renew(client: Client, id: string, options: WriteOptions = {}): Promise<Result<SessionEntry | undefined>> {
  checkSessionId(id);
  const path = `session/renew/${encodeURIComponent(id)}`;
  const { response, meta } = await send(client, { method: 'PUT', path, options, accept: [404] });
  if (response.status === 404) {
    await confirmMissing(client, response, MISSING.sessionRenew, { method: 'PUT', path });
    return { data: undefined, meta };
  }
  const where = `PUT /v1/${path}`;
  const entries = check(client, v.nullable(SessionList), await readJson(response, where), where);
  return { data: entries?.[0], meta };
}

/**
 * How these functions nest on the `Consul` facade: `consul.session.create(…)`, `consul.session.read(id)`…
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const sessionFacade = {
  create: create as typeof create,
  destroy: destroy as typeof destroy,
  read: read as typeof read,
  list: list as typeof list,
  node: node as typeof node,
  renew: renew as typeof renew,
};
