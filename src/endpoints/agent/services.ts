/**
 * Services registered with the local agent: list, read (blocking on a content hash), register,
 * deregister, maintenance, and their local health. Definitions are validated before sending by
 * `schemas/definitions.ts`, which the catalog shares.
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service
 * @module
 */
import type { Client } from '../../core/client.ts';
import { InputError } from '../../core/errors.ts';
import { confirmMissing, MISSING } from '../../core/missing.ts';
import { pathSegment } from '../../core/path.ts';
import type { ReadOptions, WriteOptions } from '../../core/query.ts';
import type { Result } from '../../core/request.ts';
import { check, readJson, requestJson, send, sendVoid, toError } from '../../core/request.ts';
import { refuseDatacenter } from '../../core/routing.ts';
import type { AgentServiceChecksInfo } from '../../schemas/agent.ts';
import { AgentServiceChecksInfo as AgentServiceChecksInfoSchema, AgentServiceChecksInfoList } from '../../schemas/agent.ts';
import type { AgentService } from '../../schemas/catalog.ts';
import { AgentService as AgentServiceSchema, AgentServiceMap } from '../../schemas/catalog.ts';
import type { ServiceDefinition } from '../../schemas/definitions.ts';
import { validateServiceDefinition } from '../../schemas/definitions.ts';
import { AGENT_IS_LOCAL } from './shared.ts';

/**
 * The services registered with the agent, by instance id (`filter` applies).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#list-services
 * @example const { data } = await agent.serviceList(client, { filter: 'Service == "web"' });
 */
export async function serviceList(client: Client, options: ReadOptions = {}): Promise<Result<Record<string, AgentService>>> {
  refuseDatacenter(options, 'agent.serviceList', AGENT_IS_LOCAL);
  const { data, meta } = await requestJson(client, { path: 'agent/services', options }, AgentServiceMap);
  return { data, meta };
}

/** Options of {@link serviceRead}. */
export interface AgentServiceOptions extends ReadOptions {
  /**
   * Block until the service's content hash differs from this one (`meta.contentHash` of a previous
   * read) or `wait` passes (default 5 minutes).
   */
  hash?: string | undefined;
}

/**
 * One service registered with the agent, or `undefined` when the agent has none with that id.
 * With `hash` it is a blocking read that returns once the definition changes.
 * @throws {NotFoundError} when a 404 lacks Consul's text "unknown service ID: …" (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#get-service-configuration
 * @example
 * ```ts
 * const first = await agent.serviceRead(client, 'web-1');
 * const next = await agent.serviceRead(client, 'web-1', { hash: first.meta.contentHash, wait: '30s' });
 * ```
 */
export async function serviceRead(client: Client, id: string, options: AgentServiceOptions = {}): Promise<Result<AgentService | undefined>> {
  refuseDatacenter(options, 'agent.serviceRead', AGENT_IS_LOCAL);
  const path = `agent/service/${pathSegment(id, 'id')}`;
  const { hash, ...rest } = options;
  if (hash !== undefined && (typeof hash !== 'string' || hash === '')) throw new InputError('hash must be a non-empty string');
  const readOptions: ReadOptions = hash !== undefined && rest.wait === undefined ? { ...rest, wait: '5m' } : rest;
  const { response, meta } = await send(client, { path, params: { hash }, options: readOptions, accept: [404] });
  if (response.status === 404) {
    await confirmMissing(client, response, MISSING.agentService, { path });
    return { data: undefined, meta };
  }
  const where = `GET /v1/${path}`;
  return { data: check(client, AgentServiceSchema, await readJson(response, where), where), meta };
}

/** Options of {@link serviceRegister}. */
export interface RegisterServiceOptions extends WriteOptions {
  /** Remove the service's checks that the new definition no longer has (`?replace-existing-checks`). */
  replaceExistingChecks?: boolean | undefined;
}

/**
 * Registers a service (and its checks) with the local agent, or updates it when the id exists. The
 * definition is Consul's JSON, sent as it is (the "Sample Payload" of Consul's docs goes straight in).
 * @throws {InputError} naming the field (`service.Check.Interval`), before sending, for an invalid definition (see {@link ServiceDefinition}).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#register-service
 * @example
 * ```ts
 * await agent.serviceRegister(client, {
 *   Name: 'web', ID: 'web-1', Port: 8080, Tags: ['v2'],
 *   Check: { HTTP: 'http://localhost:8080/health', Interval: '10s', DeregisterCriticalServiceAfter: '10m' },
 * });
 * ```
 */
export async function serviceRegister(client: Client, definition: ServiceDefinition, options: RegisterServiceOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.serviceRegister', AGENT_IS_LOCAL);
  validateServiceDefinition(definition, 'service', 'agent');
  return sendVoid(client, {
    method: 'PUT',
    path: 'agent/service/register',
    params: { 'replace-existing-checks': options.replaceExistingChecks ? 'true' : undefined },
    json: definition,
    options,
  });
}

/**
 * Deregisters a service instance (and its checks) from the local agent. An unknown id is not an error.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#deregister-service
 * @example await agent.serviceDeregister(client, 'web-1');
 */
export async function serviceDeregister(client: Client, id: string, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.serviceDeregister', AGENT_IS_LOCAL);
  return sendVoid(client, { method: 'PUT', path: `agent/service/deregister/${pathSegment(id, 'id')}`, options });
}

/**
 * Puts one service instance into maintenance mode (it reports critical) or takes it out.
 * @throws {NotFoundError} when the agent has no service with that id.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#enable-maintenance-mode
 * @example await agent.serviceMaintenance(client, 'web-1', true, 'deploying');
 */
export async function serviceMaintenance(
  client: Client,
  id: string,
  enable: boolean,
  reason?: string | undefined,
  options: WriteOptions = {},
): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.serviceMaintenance', AGENT_IS_LOCAL);
  if (typeof enable !== 'boolean') throw new InputError(`enable must be a boolean, got ${JSON.stringify(enable)}`);
  return sendVoid(client, {
    method: 'PUT',
    path: `agent/service/maintenance/${pathSegment(id, 'id')}`,
    params: { enable: String(enable), reason },
    options,
  });
}

/** The local health of a service as `/v1/agent/health/service/…` reports it. */
export interface AgentServiceHealth {
  /**
   * The aggregated status of the instances' checks: `passing` (HTTP 200), `warning` (429),
   * `critical` (503, and when the agent has no such service), or `maintenance` (503).
   */
  status: 'passing' | 'warning' | 'critical' | 'maintenance';
  /** Whether the agent knows the service (Consul answers 404 otherwise). */
  found: boolean;
  /** Each matching instance with its checks (at most one for {@link serviceHealthById}). */
  services: AgentServiceChecksInfo[];
}

const STATUS_BY_CODE: Record<number, AgentServiceHealth['status']> = { 200: 'passing', 429: 'warning', 503: 'critical', 404: 'critical' };

async function agentHealth(client: Client, path: string, byId: boolean, options: ReadOptions): Promise<Result<AgentServiceHealth>> {
  const { response, meta } = await send(client, { path, options, accept: [404, 429, 503] });
  const where = `GET /v1/${path}`;
  if (response.status === 404) {
    // Consul's "no such service" carries X-Consul-Reason; anything else's 404 throws
    await confirmMissing(client, response, MISSING.agentHealth, { path });
    return { data: { status: 'critical', found: false, services: [] }, meta };
  }
  if (response.status !== 200 && !/json/i.test(response.headers.get('content-type') ?? '')) {
    // a 429/503 from a proxy or rate limiter, not the agent's answer
    throw await toError('GET', `/v1/${path}`, response);
  }
  const raw = await readJson(response, where);
  const found = response.status !== 404;
  let list: AgentServiceChecksInfo[] = [];
  if (found) list = byId ? [check(client, AgentServiceChecksInfoSchema, raw, where)] : check(client, AgentServiceChecksInfoList, raw, where);
  const reason = response.headers.get('x-consul-reason');
  const status =
    reason === 'passing' || reason === 'warning' || reason === 'critical' || reason === 'maintenance'
      ? reason
      : (STATUS_BY_CODE[response.status] ?? 'critical');
  return { data: { status, found, services: list }, meta };
}

/**
 * The local health of every instance of a service, by service name. The HTTP status is the answer
 * (200 passing, 429 warning, 503 critical), so none of these is an error or retried.
 * @throws {NotFoundError} when a 404 lacks Consul's `X-Consul-Reason` header (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#get-local-service-health
 * @example
 * ```ts
 * const { data } = await agent.serviceHealthByName(client, 'web');
 * if (data.status !== 'passing') console.log(data.services.map((s) => s.Checks));
 * ```
 */
export async function serviceHealthByName(client: Client, name: string, options: ReadOptions = {}): Promise<Result<AgentServiceHealth>> {
  refuseDatacenter(options, 'agent.serviceHealthByName', AGENT_IS_LOCAL);
  return agentHealth(client, `agent/health/service/name/${pathSegment(name, 'name')}`, false, options);
}

/**
 * The local health of one service instance, by instance id (see {@link serviceHealthByName}).
 * @throws {NotFoundError} when a 404 lacks Consul's `X-Consul-Reason` header (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#get-local-service-health-by-id
 * @example const { data } = await agent.serviceHealthById(client, 'web-1'); data.status // 'passing'
 */
export async function serviceHealthById(client: Client, id: string, options: ReadOptions = {}): Promise<Result<AgentServiceHealth>> {
  refuseDatacenter(options, 'agent.serviceHealthById', AGENT_IS_LOCAL);
  return agentHealth(client, `agent/health/service/id/${pathSegment(id, 'id')}`, true, options);
}
