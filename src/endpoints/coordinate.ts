/**
 * Network coordinates (Vivaldi) of nodes and servers, and the round-trip time they predict —
 * the Go client's `Coordinate` and the `consul rtt` computation.
 *
 * A single-node `-dev` agent has no LAN coordinates (`nodes()` is `[]`, `node()` is `undefined`)
 * until something updates them; its server's WAN coordinate is the origin.
 * @see https://developer.hashicorp.com/consul/api-docs/coordinate
 * @module
 */
import type { Client } from '../core/client.ts';
import type { FacadeEntry } from '../core/bind.ts';
import { unbound } from '../core/bind.ts';
import { InputError } from '../core/errors.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import { MISSING } from '../core/missing.ts';
import type { Result } from '../core/request.ts';
import { requestJson, requestJsonOrMissing, send } from '../core/request.ts';
import type { Coord, CoordinateDatacenterMap, CoordinateEntry } from '../schemas/coordinate.ts';
import { CoordinateDatacenterList, CoordinateEntryList } from '../schemas/coordinate.ts';
import { pathSegment } from '../core/path.ts';

/**
 * The WAN coordinates of the servers of every datacenter.
 * @see https://developer.hashicorp.com/consul/api-docs/coordinate#read-wan-coordinates
 * @example const { data } = await coordinate.datacenters(client); data[0]?.Coordinates
 */
export async function datacenters(client: Client, options: ReadOptions = {}): Promise<Result<CoordinateDatacenterMap[]>> {
  return requestJson(client, { path: 'coordinate/datacenters', options }, CoordinateDatacenterList);
}

/**
 * The LAN coordinates of the nodes of a datacenter (`[]` until nodes have some).
 * @see https://developer.hashicorp.com/consul/api-docs/coordinate#read-lan-coordinates-for-all-nodes
 * @example const { data } = await coordinate.nodes(client);
 */
export async function nodes(client: Client, options: ReadOptions = {}): Promise<Result<CoordinateEntry[]>> {
  return requestJson(client, { path: 'coordinate/nodes', options }, CoordinateEntryList);
}

/**
 * The LAN coordinates of one node (one per network segment), or `undefined` when the node has none
 * (Consul answers 404 for an unknown node and for a node without coordinates alike).
 * Consul's "missing" 404 here has no mark (empty, no header), so a foreign empty 404 also reads as
 * missing; only an HTML page is refused.
 * @throws {NotFoundError} when the 404 is an HTML page (a proxy's, a wrong `pathPrefix`): never Consul's.
 * @see https://developer.hashicorp.com/consul/api-docs/coordinate#read-lan-coordinates-for-a-node
 * @example const { data } = await coordinate.node(client, 'web-01'); data?.[0]?.Coord
 */
export async function node(client: Client, name: string, options: ReadOptions = {}): Promise<Result<CoordinateEntry[] | undefined>> {
  const path = `coordinate/node/${pathSegment(name, 'name')}`;
  return requestJsonOrMissing(client, { path, options }, CoordinateEntryList, MISSING.coordinateNode);
}

function checkCoord(value: unknown, where: string): Coord {
  const c = value as Partial<Coord> | null;
  if (typeof c !== 'object' || c === null) throw new InputError(`${where} must be a coordinate { Vec, Error, Adjustment, Height }`);
  if (!Array.isArray(c.Vec) || !c.Vec.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new InputError(`${where}.Vec must be an array of finite numbers`);
  }
  for (const key of ['Error', 'Adjustment', 'Height'] as const) {
    if (typeof c[key] !== 'number' || !Number.isFinite(c[key])) throw new InputError(`${where}.${key} must be a finite number`);
  }
  return c as Coord;
}

/**
 * Sets a node's LAN coordinate (as agents do after pinging each other); applied in batches by the servers.
 * @throws {InputError} for a missing node or a malformed coordinate, before sending.
 * @see https://developer.hashicorp.com/consul/api-docs/coordinate#update-lan-coordinates-for-a-node
 * @example await coordinate.update(client, { Node: 'web-01', Segment: '', Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 } });
 */
export async function update(client: Client, entry: CoordinateEntry, options: WriteOptions = {}): Promise<Result<void>> {
  if (typeof entry !== 'object' || entry === null || typeof entry.Node !== 'string' || entry.Node === '') {
    throw new InputError('entry.Node must be a non-empty string');
  }
  const coord = checkCoord(entry.Coord, 'entry.Coord');
  const body = { ...entry, Segment: entry.Segment ?? '', Coord: coord };
  const { response, meta } = await send(client, { method: 'PUT', path: 'coordinate/update', json: body, options });
  await response.text();
  return { data: undefined, meta };
}

/**
 * The round-trip time two coordinates predict, in milliseconds — computed like Consul's
 * `lib.ComputeDistance` (serf's `Coordinate.DistanceTo`): the Euclidean distance of the vectors plus
 * both heights, plus both adjustments when that sum stays positive, truncated to whole nanoseconds.
 * Accepts coordinates or the entries `coordinate.node()`/`nodes()` return.
 * @returns milliseconds; `Infinity` when either coordinate is missing (as Consul does).
 * @throws {InputError} when the coordinates have different dimensions or are malformed.
 * @see https://developer.hashicorp.com/consul/docs/architecture/coordinates
 * @example
 * ```ts
 * const { data: all } = await coordinate.nodes(client);
 * const a = all.find((e) => e.Node === 'web-01'), b = all.find((e) => e.Node === 'db-01');
 * console.log(`${coordinate.rtt(a, b).toFixed(3)} ms`);
 * ```
 */
export function rtt(a: Coord | CoordinateEntry | undefined | null, b: Coord | CoordinateEntry | undefined | null): number {
  if (a == null || b == null) return Number.POSITIVE_INFINITY;
  const ca = checkCoord('Coord' in a ? a.Coord : a, 'a');
  const cb = checkCoord('Coord' in b ? b.Coord : b, 'b');
  if (ca.Vec.length !== cb.Vec.length) {
    throw new InputError(`coordinates have different dimensions (${ca.Vec.length} and ${cb.Vec.length})`);
  }
  let sum = 0;
  for (let i = 0; i < ca.Vec.length; i++) {
    const d = ca.Vec[i]! - cb.Vec[i]!;
    sum += d * d;
  }
  let seconds = Math.sqrt(sum) + ca.Height + cb.Height;
  const adjusted = seconds + ca.Adjustment + cb.Adjustment;
  if (adjusted > 0) seconds = adjusted;
  // Go converts to a time.Duration (whole nanoseconds, truncated) before reporting
  return Math.trunc(seconds * 1e9) / 1e6;
}

/**
 * How these functions nest on the `Consul` facade: `consul.coordinate.nodes()`…; `rtt` needs no client.
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const coordinateFacade = {
  datacenters: datacenters as typeof datacenters,
  nodes: nodes as typeof nodes,
  node: node as typeof node,
  update: update as typeof update,
  rtt: /* @__PURE__ */ unbound(rtt) as FacadeEntry<typeof rtt>,
};
