/**
 * Health: checks and healthy instances from the catalog's point of view — consulate's
 * `Consul.health`, node-consul's `health` and the Go client's `Health`, as pure functions taking a
 * {@link Client} first. Every list is an array, `[]` when empty.
 * @see https://developer.hashicorp.com/consul/api-docs/health
 * @module
 */
import type { Client } from '../core/client.ts';
import { InputError } from '../core/errors.ts';
import type { ReadOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { requestJson } from '../core/request.ts';
import type { HealthCheck, ServiceEntry } from '../schemas/health.ts';
import { HealthCheckList, ServiceEntryList } from '../schemas/health.ts';
import { pathSegment } from '../core/path.ts';
import { tagList } from '../schemas/common.ts';

/**
 * The checks of a node (node checks and those of its services).
 * @see https://developer.hashicorp.com/consul/api-docs/health#list-checks-for-node
 * @example const { data } = await health.node(client, 'web-01');
 */
export async function node(client: Client, name: string, options: ReadOptions = {}): Promise<Result<HealthCheck[]>> {
  return requestJson(client, { path: `health/node/${pathSegment(name, 'name')}`, options }, HealthCheckList);
}

/**
 * The checks of every instance of a service (`near`, `nodeMeta`, `filter` apply).
 * @see https://developer.hashicorp.com/consul/api-docs/health#list-checks-for-service
 * @example const { data } = await health.checks(client, 'web', { filter: 'Status != "passing"' });
 */
export async function checks(client: Client, service: string, options: ReadOptions = {}): Promise<Result<HealthCheck[]>> {
  return requestJson(client, { path: `health/checks/${pathSegment(service, 'service')}`, options }, HealthCheckList);
}

/** Options of {@link service}, {@link connect} and {@link ingress}. */
export interface HealthServiceOptions extends ReadOptions {
  /** Only instances with this tag, or with all of these tags. */
  tag?: string | readonly string[] | undefined;
  /** Only instances whose checks (node checks included) all pass. */
  passing?: boolean | undefined;
}

async function entries(client: Client, kind: 'service' | 'connect' | 'ingress', name: string, options: HealthServiceOptions): Promise<Result<ServiceEntry[]>> {
  const { tag, passing, ...rest } = options;
  return requestJson(
    client,
    { path: `health/${kind}/${pathSegment(name, 'name')}`, params: { passing, tag: tagList(tag) }, options: rest },
    ServiceEntryList,
  );
}

/**
 * The instances of a service, each with its node and all its checks — with `passing`, the healthy
 * ones only (`tag`, `near`, `nodeMeta`, `filter`, blocking and `cached` apply).
 * @see https://developer.hashicorp.com/consul/api-docs/health#list-nodes-for-service
 * @example
 * ```ts
 * const { data } = await health.service(client, 'web', { passing: true, tag: 'v2' });
 * const urls = data.map((e) => `http://${e.Service.Address || e.Node.Address}:${e.Service.Port}`);
 * ```
 */
export async function service(client: Client, name: string, options: HealthServiceOptions = {}): Promise<Result<ServiceEntry[]>> {
  return entries(client, 'service', name, options);
}

/**
 * The Connect-capable instances of a service (proxies and native instances) with their checks.
 * @see https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-connect-enabled-service
 * @example const { data } = await health.connect(client, 'web', { passing: true });
 */
export async function connect(client: Client, name: string, options: HealthServiceOptions = {}): Promise<Result<ServiceEntry[]>> {
  return entries(client, 'connect', name, options);
}

/**
 * The ingress gateways that expose a service, with their checks (Consul ≥ 1.8).
 * @see https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-ingress-gateways-associated-with-a-service
 * @example const { data } = await health.ingress(client, 'web', { passing: true });
 */
export async function ingress(client: Client, name: string, options: HealthServiceOptions = {}): Promise<Result<ServiceEntry[]>> {
  return entries(client, 'ingress', name, options);
}

/** A state to list checks in: a status, or `any`. */
export type HealthState = 'any' | 'passing' | 'warning' | 'critical';

const STATES: readonly string[] = ['any', 'passing', 'warning', 'critical'];

/**
 * The checks in a state across the datacenter (`any` for all). Consul 1.8 answers `[]` for an
 * unknown state; this throws instead.
 * @throws {InputError} for a state other than any/passing/warning/critical, before sending.
 * @see https://developer.hashicorp.com/consul/api-docs/health#list-checks-in-state
 * @example const { data: failing } = await health.state(client, 'critical');
 */
export async function state(client: Client, state: HealthState, options: ReadOptions = {}): Promise<Result<HealthCheck[]>> {
  if (!STATES.includes(state)) throw new InputError(`state must be "any", "passing", "warning" or "critical", got ${JSON.stringify(state)}`);
  return requestJson(client, { path: `health/state/${state}`, options }, HealthCheckList);
}

/**
 * How these functions nest on the `Consul` facade: `consul.health.service(name, { passing: true })`…
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const healthFacade = {
  node: node as typeof node,
  checks: checks as typeof checks,
  service: service as typeof service,
  connect: connect as typeof connect,
  ingress: ingress as typeof ingress,
  state: state as typeof state,
};
