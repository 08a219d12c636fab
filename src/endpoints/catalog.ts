/**
 * The catalog: the cluster-wide register of nodes, services and checks — consulate's
 * `Consul.catalog`, node-consul's `catalog` and the Go client's `Catalog`, as pure functions taking
 * a {@link Client} first.
 *
 * "Nothing" is always an empty value, never `null`: `datacenters()`/`nodes()`/`service()` give `[]`,
 * `services()` gives `{}`, and an unknown node gives `data: undefined` (Consul 1.8 answers 200 `null`).
 * Registrations are Consul's own JSON (`{ Node, Address, Service: { Service, Port }, Check }`), sent as
 * they are after the same validation the agent's definitions get.
 * @see https://developer.hashicorp.com/consul/api-docs/catalog
 * @module
 */
import type { Client } from '../core/client.ts';
import { InputError } from '../core/errors.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { requestJson } from '../core/request.ts';
import { bodyDatacenter } from '../core/routing.ts';
import { refuseCamelCase } from '../core/encoding.ts';
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
import type { CheckDefinition, CheckStatus, ServiceDefinition } from '../schemas/definitions.ts';
import { CHECK_STATUSES, isRecord, optString, validateCheckDefinition, validateServiceDefinition } from '../schemas/definitions.ts';
import { pathSegment } from '../core/path.ts';

/**
 * A check in a catalog registration, in Consul's JSON: data only (nothing runs it), its kind and
 * timing, if any, in `Definition`. Fields of newer Consul versions pass through.
 * @example { CheckID: 'pg', Name: 'pg alive', Status: 'passing', ServiceID: 'postgres', Definition: { TCP: '10.1.2.3:5432', Interval: '10s' } }
 */
export interface CatalogCheckDefinition {
  /** The node the check belongs to. @default the registration's `Node` (Consul fills it) */
  Node?: string | undefined;
  CheckID?: string | undefined;
  Name?: string | undefined;
  Notes?: string | undefined;
  /** @default "critical" */
  Status?: CheckStatus | undefined;
  /** The service of the node the check belongs to; a node check when left out. */
  ServiceID?: string | undefined;
  /** How the check would run (`HTTP`, `TCP`, `Interval`, `Timeout`…): a {@link CheckDefinition} whose kind and interval are optional. */
  Definition?: CheckDefinition | undefined;
  /** Fields of newer Consul versions, passed through as given. */
  [field: string]: unknown;
}

/**
 * A service in a catalog registration, in Consul's JSON: `Service` holds the name (as in the
 * catalog's answers); its checks go in the registration's `Check`/`Checks`.
 * @example { Service: 'postgres', ID: 'postgres-1', Port: 5432, Tags: ['primary'] }
 */
export interface CatalogServiceDefinition extends Omit<ServiceDefinition, 'Name' | 'Check' | 'Checks'> {
  /** Service name. */
  Service: string;
}

/**
 * A catalog registration, in Consul's JSON (the body of `/v1/catalog/register`, sent as it is): a
 * node, optionally one of its services and checks. Fields of newer Consul versions pass through.
 * @example { Node: 'db-ext', Address: '10.1.2.3', Service: { Service: 'postgres', Port: 5432 } }
 */
export interface CatalogRegistration {
  /** Node name. */
  Node: string;
  /** Node address. */
  Address: string;
  /** Node id (a UUID). */
  ID?: string | undefined;
  /**
   * Datacenter to register in (Consul routes this endpoint by it, not by `?dc=`). Filled from the
   * `datacenter` option, else the client's `datacenter`; the agent's when all are left out.
   */
  Datacenter?: string | undefined;
  /** Node addresses by name (`lan`, `wan`…). */
  TaggedAddresses?: Record<string, string> | undefined;
  /** Node metadata. */
  NodeMeta?: Record<string, string> | undefined;
  /** A service of the node (its checks go in `Check`/`Checks`). */
  Service?: CatalogServiceDefinition | undefined;
  /** A check of the node or, with `ServiceID`, of its service. */
  Check?: CatalogCheckDefinition | undefined;
  /** Several checks. */
  Checks?: CatalogCheckDefinition[] | undefined;
  /** Leave the node's own fields (address, tagged addresses, meta) as they are. */
  SkipNodeUpdate?: boolean | undefined;
  /** Fields of newer Consul versions, passed through as given. */
  [field: string]: unknown;
}

/** Fields of a check's kind and timing, which a catalog check keeps in `Definition`. */
const DEFINITION_FIELDS = ['Args', 'ScriptArgs', 'DockerContainerID', 'HTTP', 'TCP', 'UDP', 'GRPC', 'H2PING', 'TTL', 'Interval', 'Timeout', 'AliasService', 'AliasNode'];

function validateCatalogCheck(check: CatalogCheckDefinition, where: string): void {
  if (!isRecord(check as unknown)) throw new InputError(`${where} must be an object`);
  refuseCamelCase(check, where);
  optString(check.Node, `${where}.Node`);
  optString(check.CheckID, `${where}.CheckID`);
  optString(check.Name, `${where}.Name`);
  optString(check.ServiceID, `${where}.ServiceID`);
  optString(check.Notes, `${where}.Notes`, true);
  if (check.Status !== undefined && !CHECK_STATUSES.includes(check.Status)) {
    throw new InputError(`${where}.Status must be "passing", "warning" or "critical", got ${JSON.stringify(check.Status)}`);
  }
  const misplaced = DEFINITION_FIELDS.filter((name) => check[name] !== undefined);
  if (misplaced.length) {
    throw new InputError(`${misplaced.map((name) => `${where}.${name}`).join(', ')}: a catalog check keeps these in ${where}.Definition (Consul would drop them here)`);
  }
  const thresholds = ['SuccessBeforePassing', 'FailuresBeforeCritical', 'FailuresBeforeWarning'].filter((name) => check[name] !== undefined || (isRecord(check.Definition) && check.Definition[name] !== undefined));
  if (thresholds.length) throw new InputError(`${thresholds.map((name) => `${where}.${name}`).join(', ')}: only for checks an agent runs, not for catalog entries`);
  if (check.Definition !== undefined) validateCheckDefinition(check.Definition, `${where}.Definition`, 'catalog');
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
 * services no agent runs on. Catalog checks are data: nothing runs them. The registration is
 * Consul's JSON, sent as it is (the sample payload of Consul's docs goes straight in).
 * Consul routes this endpoint by the body's `Datacenter`, not by `?dc=`: the `datacenter` option (else the
 * client's `datacenter`) is written into the body, so the registration goes where it was told.
 * @returns `true` when Consul applied the registration.
 * @throws {InputError} naming the field (`registration.Service.Port`), before sending (missing `Node`/`Address`, invalid service or
 *   check, a body `Datacenter` that disagrees with the `datacenter` option).
 * @throws {ServerError} 500 "No path to datacenter" for a datacenter Consul does not know.
 * @see https://developer.hashicorp.com/consul/api-docs/catalog#register-entity
 * @example
 * ```ts
 * await catalog.register(client, {
 *   Node: 'db-ext', Address: '10.1.2.3',
 *   Service: { Service: 'postgres', Port: 5432 },
 *   Check: { Name: 'pg alive', Status: 'passing', ServiceID: 'postgres' },
 * });
 * ```
 */
export async function register(client: Client, registration: CatalogRegistration, options: WriteOptions = {}): Promise<Result<boolean>> {
  const r = registration;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new InputError('registration must be an object');
  refuseCamelCase(r, 'registration');
  if (typeof r.Node !== 'string' || r.Node === '') throw new InputError('registration.Node must be a non-empty string');
  if (typeof r.Address !== 'string' || r.Address === '') throw new InputError('registration.Address must be a non-empty string');
  if (r.Checks !== undefined && !Array.isArray(r.Checks)) throw new InputError('registration.Checks must be an array');
  optString(r.ID, 'registration.ID');
  optStringRecord(r.TaggedAddresses, 'registration.TaggedAddresses');
  optStringRecord(r.NodeMeta, 'registration.NodeMeta');
  if (r.SkipNodeUpdate !== undefined && typeof r.SkipNodeUpdate !== 'boolean') throw new InputError('registration.SkipNodeUpdate must be a boolean');
  if (r.Service !== undefined) validateServiceDefinition(r.Service, 'registration.Service', 'catalog');
  if (r.Check !== undefined) validateCatalogCheck(r.Check, 'registration.Check');
  r.Checks?.forEach((c, i) => validateCatalogCheck(c, `registration.Checks[${i}]`));
  const dc = bodyDatacenter(client, options, r.Datacenter, 'catalog.register');
  const body = dc === undefined || r.Datacenter === dc ? r : { ...r, Datacenter: dc };
  return requestJson(client, { method: 'PUT', path: 'catalog/register', json: body, options: dc === undefined ? options : { ...options, datacenter: dc } }, BooleanResult);
}

/** What to remove from the catalog, in Consul's JSON: a whole node, or one of its services or checks. */
export interface CatalogDeregistration {
  Node: string;
  /** Remove only this service instance (and its checks). */
  ServiceID?: string | undefined;
  /** Remove only this check. */
  CheckID?: string | undefined;
  /** Datacenter to remove it from (routes the request, like {@link CatalogRegistration.Datacenter}). */
  Datacenter?: string | undefined;
  /** Fields of newer Consul versions, passed through as given. */
  [field: string]: unknown;
}

/**
 * Removes a node (with everything on it), or one service or check of it, from the catalog.
 * Removing something that is not there is not an error. The deregistration is Consul's JSON, sent as it is.
 * Routed like {@link register}: the `datacenter` option (else the client's `datacenter`) goes into the body.
 * @returns `true` when Consul applied it.
 * @throws {InputError} for both `ServiceID` and `CheckID` at once, or a body `Datacenter` that disagrees
 *   with the `datacenter` option, before sending.
 * @throws {ServerError} 500 "No path to datacenter" for a datacenter Consul does not know.
 * @see https://developer.hashicorp.com/consul/api-docs/catalog#deregister-entity
 * @example await catalog.deregister(client, { Node: 'db-ext', ServiceID: 'postgres' });
 */
export async function deregister(client: Client, deregistration: CatalogDeregistration, options: WriteOptions = {}): Promise<Result<boolean>> {
  const d = deregistration;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) throw new InputError('deregistration must be an object');
  refuseCamelCase(d, 'deregistration');
  if (typeof d.Node !== 'string' || d.Node === '') throw new InputError('deregistration.Node must be a non-empty string');
  optString(d.ServiceID, 'deregistration.ServiceID');
  optString(d.CheckID, 'deregistration.CheckID');
  if (d.ServiceID !== undefined && d.CheckID !== undefined) {
    throw new InputError('deregistration: give ServiceID or CheckID, not both (a service is removed with its checks)');
  }
  const dc = bodyDatacenter(client, options, d.Datacenter, 'catalog.deregister');
  const body = dc === undefined || d.Datacenter === dc ? d : { ...d, Datacenter: dc };
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
