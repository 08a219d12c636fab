/**
 * User events: fire a named event (with an optional payload) through the gossip pool and list the
 * recent ones the agent saw — consulate's `Consul.event`, node-consul's `event` and the Go client's
 * `Event`. Payloads come back as bytes (`payloadText` decodes UTF-8).
 *
 * Delivery is asynchronous: an event shows up in `list()` a moment after `fire()`, and only on
 * agents its node/service/tag filters match. Serf limits an event (name, payload and filters,
 * encoded) to 512 bytes; Consul answers 500 above that. The `X-Consul-Index` of `list()` is a
 * uint64 hash of the newest event's id ({@link idToIndex}), not a Raft index: block on it as it comes.
 * @see https://developer.hashicorp.com/consul/api-docs/event
 * @module
 */
import type { Client } from '../core/client.ts';
import type { FacadeEntry } from '../core/bind.ts';
import { unbound } from '../core/bind.ts';
import { fromBase64, fromUtf8, utf8 } from '../core/encoding.ts';
import { InputError } from '../core/errors.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { requestJson } from '../core/request.ts';
import type { UserEventWire } from '../schemas/event.ts';
import { UserEventWire as UserEventWireSchema, UserEventWireList } from '../schemas/event.ts';
import { pathSegment } from '../core/path.ts';

/** A user event with its payload decoded to bytes. */
export interface UserEvent {
  /** Event id (a UUID). */
  ID: string;
  Name: string;
  /** The payload's bytes (empty when the event had none). */
  Payload: Uint8Array;
  /** Regular expression of node names the event is for (`""`: all). */
  NodeFilter: string;
  /** Regular expression of service names the event is for (`""`: all). */
  ServiceFilter: string;
  /** Regular expression of tags the event is for (with `ServiceFilter`). */
  TagFilter: string;
  Version: number;
  /** Lamport time of the event in the gossip pool (0 in the answer to `fire`). */
  LTime: number;
}

function decodeEvent(wire: UserEventWire): UserEvent {
  return {
    ID: wire.ID,
    Name: wire.Name,
    Payload: wire.Payload ? fromBase64(wire.Payload) : new Uint8Array(0),
    NodeFilter: wire.NodeFilter,
    ServiceFilter: wire.ServiceFilter,
    TagFilter: wire.TagFilter,
    Version: wire.Version,
    LTime: wire.LTime,
  };
}

/** Options of {@link fire}. */
export interface FireOptions extends WriteOptions {
  /** Only nodes whose name matches this regular expression (Go syntax) act on the event. */
  node?: string | undefined;
  /** Only nodes with a service whose name matches this regular expression. */
  service?: string | undefined;
  /** With `service`: only nodes where that service has a tag matching this regular expression. */
  tag?: string | undefined;
}

/**
 * Fires a user event. The payload is sent as is (a string as UTF-8).
 * @returns the event as Consul accepted it (its `ID`, filters and payload).
 * @throws {InputError} for an empty name or a `tag` without `service`, before sending.
 * @throws {ServerError} when the encoded event is larger than 512 bytes.
 * @see https://developer.hashicorp.com/consul/api-docs/event#fire-event
 * @example await event.fire(client, 'deploy', JSON.stringify({ version: '1.4.2' }), { service: 'web' });
 */
export async function fire(
  client: Client,
  name: string,
  payload?: string | Uint8Array | undefined,
  options: FireOptions = {},
): Promise<Result<UserEvent>> {
  const path = `event/fire/${pathSegment(name, 'name')}`;
  if (options.tag !== undefined && options.service === undefined) {
    throw new InputError('tag filters need a service filter: give service as well (Consul rejects a tag filter alone)');
  }
  let body: Uint8Array | undefined;
  if (typeof payload === 'string') body = utf8(payload);
  else if (payload instanceof Uint8Array) body = payload;
  else if (payload !== undefined) throw new InputError('payload must be a string or a Uint8Array');
  const { node, service, tag, ...rest } = options;
  const { data, meta } = await requestJson(
    client,
    {
      method: 'PUT',
      path,
      params: { node, service, tag },
      body: body as Uint8Array<ArrayBuffer> | undefined,
      options: rest,
    },
    UserEventWireSchema,
  );
  return { data: decodeEvent(data), meta };
}

/** Options of {@link list}. */
export interface ListEventsOptions extends ReadOptions {
  /** Only events with this name. */
  name?: string | undefined;
}

/**
 * The most recent user events this agent received (up to 256), oldest first. Blocking reads work
 * with `index: meta.index` (a hash, a bigint).
 * @see https://developer.hashicorp.com/consul/api-docs/event#list-events
 * @example
 * ```ts
 * const { data, meta } = await event.list(client, { name: 'deploy' });
 * const next = await event.list(client, { name: 'deploy', index: meta.index, wait: '1m' });
 * ```
 */
export async function list(client: Client, options: ListEventsOptions = {}): Promise<Result<UserEvent[]>> {
  const { name, ...rest } = options;
  if (name !== undefined && (typeof name !== 'string' || name === '')) throw new InputError('name must be a non-empty string');
  const { data, meta } = await requestJson(client, { path: 'event/list', params: { name }, options: rest }, UserEventWireList);
  return { data: data.map(decodeEvent), meta };
}

/**
 * An event's payload as UTF-8 text.
 * @throws {ResponseValidationError} when the payload is not valid UTF-8.
 * @example event.payloadText(data[0]) // '{"version":"1.4.2"}'
 */
export function payloadText(event: Pick<UserEvent, 'Payload'>): string {
  return fromUtf8(event.Payload, 'event payload');
}

/**
 * The uint64 an event id maps to — the `X-Consul-Index` that `list()` returns when this is the
 * newest event (the Go client's `Event.IDToIndex`: the two halves of the UUID XORed).
 * @throws {InputError} when `id` is not a UUID.
 * @example event.idToIndex(data.at(-1)!.ID) === meta.index
 */
export function idToIndex(id: string): bigint {
  if (typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new InputError(`id must be a UUID, got ${JSON.stringify(id)}`);
  }
  const lower = BigInt(`0x${id.slice(0, 8)}${id.slice(9, 13)}${id.slice(14, 18)}`);
  const upper = BigInt(`0x${id.slice(19, 23)}${id.slice(24, 36)}`);
  return lower ^ upper;
}

/**
 * How these functions nest on the `Consul` facade: `consul.event.fire(name)`, `consul.event.list()`; the
 * pure helpers `payloadText` and `idToIndex` need no client.
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const eventFacade = {
  fire: fire as typeof fire,
  list: list as typeof list,
  payloadText: /* @__PURE__ */ unbound(payloadText) as FacadeEntry<typeof payloadText>,
  idToIndex: /* @__PURE__ */ unbound(idToIndex) as FacadeEntry<typeof idToIndex>,
};
