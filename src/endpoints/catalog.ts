/**
 * The catalog: the cluster-wide register of nodes, services and checks — consulate's
 * `Consul.catalog`, node-consul's `catalog` and the Go client's `Catalog`, as pure functions taking
 * a {@link Client} first.
 *
 * "Nothing" is always an empty value, never `null`: `datacenters()`/`nodes()`/`service()` give `[]`,
 * `services()` gives `{}`, and an unknown node gives `data: undefined` (Consul 1.8 answers 200 `null`).
 * Service and check definitions are camelCase and translated by the same functions the agent uses.
 * @see https://developer.hashicorp.com/consul/api-docs/catalog
 * @module
 */
import type { Client } from '../core/client.ts';
import { InputError } from '../core/errors.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { requestJson } from '../core/request.ts';
import { bodyDatacenter } from '../core/routing.ts';
import type { CatalogNode, CatalogNodeServiceList, CatalogNodeServices, CatalogService, GatewayService } from '../schemas/catalog.ts';
import {
  BooleanResult,
  CatalogNodeList,
  CatalogNodeServiceListWire,
  CatalogNodeServicesOrNull,
  CatalogServiceList,
  CatalogServiceMap,
  GatewayServiceList,
  StringList,
} from '../schemas/catalog.ts';
import { tagList } from '../schemas/common.ts';
import type { CheckDefinition, ServiceDefinition } from '../schemas/definitions.ts';
import { checkDefinitionBody, serviceDefinitionBody } from '../schemas/definitions.ts';
import { pathSegment } from '../core/path.ts';

/** A check in a catalog registration: a {@link CheckDefinition} (kind and interval optional) on a node. */
export interface CatalogCheckDefinition extends CheckDefinition {
  /** The node the check belongs to. @default the registration's node */
  node?: string | undefined;
}

/** A catalog registration: a node, optionally one of its services and checks. */
export interface CatalogRegistration {
  /** Node name. */
  node: string;
  /** Node address. */
  address: string;
  /** Node id (a UUID). */
  id?: string | undefined;
  /**
   * Datacenter to register in (Consul routes this endpoint by it, not by `?dc=`). Filled from the
   * `datacenter` option, else the client's `datacenter`; the agent's when all are left out.
   */
  datacenter?: string | undefined;
  /** Node addresses by name (`lan`, `wan`…). */
  taggedAddresses?: Record<string, string> | undefined;
  /** Node metadata. */
  nodeMeta?: Record<string, string> | undefined;
  /** A service of the node (its checks go in `check`/`checks`). */
  service?: Omit<ServiceDefinition, 'check' | 'checks'> | undefined;
  /** A check of the node or, with `serviceId`, of its service. */
  check?: CatalogCheckDefinition | undefined;
  /** Several checks. */
  checks?: CatalogCheckDefinition[] | undefined;
  /** Leave the node's own fields (address, tagged addresses, meta) as they are. */
  skipNodeUpdate?: boolean | undefined;
}

function catalogCheck(check: CatalogCheckDefinition, where: string, node: string): Record<string, unknown> {
  const { node: checkNode, ...definition } = check;
  if (checkNode !== undefined && (typeof checkNode !== 'string' || checkNode === '')) throw new InputError(`${where}.node must be a non-empty string`);
  return { Node: checkNode ?? node, ...checkDefinitionBody(definition, where, 'catalog') };
}

function optStringRecord(value: unknown, name: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new InputError(`${name} must be an object of string values`);
  }
  return value as Record<string, string>;
}

/**
 * Registers (or updates) a node, a service and checks directly in the catalog — for external
 * services no agent runs on. Catalog checks are data: nothing runs them.
 * Consul routes this endpoint by the body's `Datacenter`, not by `?dc=`: the `datacenter` option (else the
 * client's `datacenter`) is written into the body, so the registration goes where it was told.
 * @returns `true` when Consul applied the registration.
 * @throws {InputError} naming the field, before sending (missing node/address, invalid service or
 *   check, a body `datacenter` that disagrees with the `datacenter` option).
 * @throws {ServerError} 500 "No path to datacenter" for a datacenter Consul does not know.
 * @see https://developer.hashicorp.com/consul/api-docs/catalog#register-entity
 * @example
 * ```ts
 * await catalog.register(client, {
 *   node: 'db-ext', address: '10.1.2.3',
 *   service: { name: 'postgres', port: 5432 },
 *   check: { name: 'pg alive', status: 'passing', serviceId: 'postgres' },
 * });
 * ```
 */
export async function register(client: Client, registration: CatalogRegistration, options: WriteOptions = {}): Promise<Result<boolean>> {
  const r = registration;
  if (typeof r !== 'object' || r === null) throw new InputError('registration must be an object');
  if (typeof r.node !== 'string' || r.node === '') throw new InputError('registration.node must be a non-empty string');
  if (typeof r.address !== 'string' || r.address === '') throw new InputError('registration.address must be a non-empty string');
  if (r.checks !== undefined && !Array.isArray(r.checks)) throw new InputError('registration.checks must be an array');
  const body: Record<string, unknown> = { Node: r.node, Address: r.address };
  const dc = bodyDatacenter(client, options, r.datacenter, 'catalog.register');
  if (r.id !== undefined) body['ID'] = r.id;
  if (dc !== undefined) body['Datacenter'] = dc;
  const tagged = optStringRecord(r.taggedAddresses, 'registration.taggedAddresses');
  if (tagged) body['TaggedAddresses'] = tagged;
  const meta = optStringRecord(r.nodeMeta, 'registration.nodeMeta');
  if (meta) body['NodeMeta'] = meta;
  if (r.service !== undefined) body['Service'] = serviceDefinitionBody(r.service, 'registration.service', 'catalog');
  if (r.check !== undefined) body['Check'] = catalogCheck(r.check, 'registration.check', r.node);
  if (r.checks !== undefined) body['Checks'] = r.checks.map((c, i) => catalogCheck(c, `registration.checks[${i}]`, r.node));
  if (r.skipNodeUpdate) body['SkipNodeUpdate'] = true;
  return requestJson(client, { method: 'PUT', path: 'catalog/register', json: body, options: dc === undefined ? options : { ...options, datacenter: dc } }, BooleanResult);
}

/** What to remove from the catalog: a whole node, or one of its services or checks. */
export interface CatalogDeregistration {
  node: string;
  /** Remove only this service instance (and its checks). */
  serviceId?: string | undefined;
  /** Remove only this check. */
  checkId?: string | undefined;
  /** Datacenter to remove it from (routes the request, like {@link CatalogRegistration.datacenter}). */
  datacenter?: string | undefined;
}

/**
 * Removes a node (with everything on it), or one service or check of it, from the catalog.
 * Removing something that is not there is not an error.
 * Routed like {@link register}: the `datacenter` option (else the client's `datacenter`) goes into the body.
 * @returns `true` when Consul applied it.
 * @throws {InputError} for both `serviceId` and `checkId` at once, or a body `datacenter` that disagrees
 *   with the `datacenter` option, before sending.
 * @throws {ServerError} 500 "No path to datacenter" for a datacenter Consul does not know.
 * @see https://developer.hashicorp.com/consul/api-docs/catalog#deregister-entity
 * @example await catalog.deregister(client, { node: 'db-ext', serviceId: 'postgres' });
 */
export async function deregister(client: Client, deregistration: CatalogDeregistration, options: WriteOptions = {}): Promise<Result<boolean>> {
  const d = deregistration;
  if (typeof d !== 'object' || d === null) throw new InputError('deregistration must be an object');
  if (typeof d.node !== 'string' || d.node === '') throw new InputError('deregistration.node must be a non-empty string');
  if (d.serviceId !== undefined && d.checkId !== undefined) {
    throw new InputError('deregistration: give serviceId or checkId, not both (a service is removed with its checks)');
  }
  const body: Record<string, unknown> = { Node: d.node };
  if (d.serviceId !== undefined) body['ServiceID'] = d.serviceId;
  if (d.checkId !== undefined) body['CheckID'] = d.checkId;
  const dc = bodyDatacenter(client, options, d.datacenter, 'catalog.deregister');
  if (dc !== undefined) body['Datacenter'] = dc;
  return requestJson(client, { method: 'PUT', path: 'catalog/deregister', json: body, options: dc === undefined ? options : { ...options, datacenter: dc } }, BooleanResult);
}

/**
 * The datacenters known to the cluster, nearest first (always an array).
 * @see https://developer.hashicorp.com/consul/api-docs/catalog#list-datacenters
 * @example const { data } = await catalog.datacenters(client); // ['dc1']
 */
export async function datacenters(client: Client, options: ReadOptions = {}): Promise<Result<string[]>> {
  return requestJson(client, { path: 'catalog/datacenters', options }, StringList);
}

/**
 * The nodes of a datacenter (`near`, `nodeMeta` and `filter` apply).
 * @see https://developer.hashicorp.com/consul/api-docs/catalog#list-nodes
 * @example const { data } = await catalog.nodes(client, { near: '_agent' });
 */
export async function nodes(client: Client, options: ReadOptions = {}): Promise<Result<CatalogNode[]>> {
  return requestJson(client, { path: 'catalog/nodes', options }, CatalogNodeList);
}

/**
 * One node and its services by instance id, or `undefined` when the catalog has no such node.
 * @see https://developer.hashicorp.com/consul/api-docs/catalog#retrieve-map-of-services-for-a-node
 * @example const { data } = await catalog.node(client, 'web-01'); Object.keys(data?.Services ?? {})
 */
export async function node(client: Client, name: string, options: ReadOptions = {}): Promise<Result<CatalogNodeServices | undefined>> {
  const { data, meta } = await requestJson(client, { path: `catalog/node/${pathSegment(name, 'name')}`, options }, CatalogNodeServicesOrNull);
  return { data: data ?? undefined, meta };
}

/**
 * One node and its services as a list (`/v1/catalog/node-services`, Consul ≥ 1.7), or `undefined`
 * when the catalog has no such node.
 * @see https://developer.hashicorp.com/consul/api-docs/catalog#list-services-for-node
 * @example const { data } = await catalog.nodeServices(client, 'web-01'); data?.Services.map((s) => s.Service)
 */
export async function nodeServices(client: Client, name: string, options: ReadOptions = {}): Promise<Result<CatalogNodeServiceList | undefined>> {
  const { data, meta } = await requestJson(
    client,
    { path: `catalog/node-services/${pathSegment(name, 'name')}`, options },
    CatalogNodeServiceListWire,
  );
  if (data.Node === null) return { data: undefined, meta };
  return { data: { ...data, Node: data.Node, Services: data.Services ?? [] }, meta };
}

/**
 * The services of a datacenter mapped to their tags (always an object; `{}` when there are none).
 * @see https://developer.hashicorp.com/consul/api-docs/catalog#list-services
 * @example const { data } = await catalog.services(client); // { consul: [], web: ['v1', 'v2'] }
 */
export async function services(client: Client, options: ReadOptions = {}): Promise<Result<Record<string, string[]>>> {
  return requestJson(client, { path: 'catalog/services', options }, CatalogServiceMap);
}

/** Options of {@link service} and {@link connect}. */
export interface CatalogServiceOptions extends ReadOptions {
  /** Only instances with this tag, or with all of these tags. */
  tag?: string | readonly string[] | undefined;
}

async function serviceList(client: Client, kind: 'service' | 'connect', name: string, options: CatalogServiceOptions): Promise<Result<CatalogService[]>> {
  const { tag, ...rest } = options;
  const tags = tagList(tag);
  return requestJson(
    client,
    { path: `catalog/${kind}/${pathSegment(name, 'name')}`, params: { tag: tags }, options: rest },
    CatalogServiceList,
  );
}

/**
 * The instances of a service, each with its node (`tag`, `near`, `nodeMeta`, `filter` apply).
 * @see https://developer.hashicorp.com/consul/api-docs/catalog#list-nodes-for-service
 * @example const { data } = await catalog.service(client, 'web', { tag: ['v2', 'primary'], near: '_agent' });
 */
export async function service(client: Client, name: string, options: CatalogServiceOptions = {}): Promise<Result<CatalogService[]>> {
  return serviceList(client, 'service', name, options);
}

/**
 * The Connect-capable instances of a service (its proxies and native instances).
 * @see https://developer.hashicorp.com/consul/api-docs/catalog#list-nodes-for-connect-capable-service
 * @example const { data } = await catalog.connect(client, 'web');
 */
export async function connect(client: Client, name: string, options: CatalogServiceOptions = {}): Promise<Result<CatalogService[]>> {
  return serviceList(client, 'connect', name, options);
}

/**
 * The services a terminating or ingress gateway represents (`[]` for an unknown gateway).
 * @see https://developer.hashicorp.com/consul/api-docs/catalog#list-services-for-gateway
 * @example const { data } = await catalog.gatewayServices(client, 'ingress');
 */
export async function gatewayServices(client: Client, gateway: string, options: ReadOptions = {}): Promise<Result<GatewayService[]>> {
  return requestJson(client, { path: `catalog/gateway-services/${pathSegment(gateway, 'gateway')}`, options }, GatewayServiceList);
}


/**
 * How these functions nest on the `Consul` facade: `consul.catalog.register(…)`, `consul.catalog.nodes()`…
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const catalogFacade = {
  register: register as typeof register,
  deregister: deregister as typeof deregister,
  datacenters: datacenters as typeof datacenters,
  nodes: nodes as typeof nodes,
  node: node as typeof node,
  nodeServices: nodeServices as typeof nodeServices,
  services: services as typeof services,
  service: service as typeof service,
  connect: connect as typeof connect,
  gatewayServices: gatewayServices as typeof gatewayServices,
};
