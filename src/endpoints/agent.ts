/**
 * The local agent: its configuration, members, metrics and logs, and the services and checks
 * registered with it — everything of consulate's `Consul.agent` (with `agent.service` and
 * `agent.check`), node-consul's `agent` and the Go client's `Agent`, as pure functions taking a
 * {@link Client} first.
 *
 * Service and check definitions are written in Consul's own JSON (`{ Name, ID, Port, Check: { TTL } }`,
 * as Consul's API docs and `consul services register` files write them) and sent as they are; fields
 * of newer Consul versions pass through. They are validated first (one validation, shared with the
 * catalog): what Consul would reject or misread — an HTTP check without an `Interval`, a bad duration,
 * two kinds of check at once, a `TTL` with an `Interval`, an unknown `Status` — throws an
 * {@link InputError} naming the field (`service.Check.Interval`) before anything is sent.
 *
 * Every function here acts on the agent you talk to: Consul ignores `?dc=` on `/v1/agent/*`, so an
 * explicit `datacenter` option is an {@link InputError} (the client's `datacenter` default does not apply).
 * @see https://developer.hashicorp.com/consul/api-docs/agent
 * @module
 */
import type { Client } from '../core/client.ts';
import { InputError, isTimeoutError, NetworkError } from '../core/errors.ts';
import type { ForbiddenError, NotFoundError, TimeoutError } from '../core/errors.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import { confirmMissing, MISSING } from '../core/missing.ts';
import type { RequestSpec, Result } from '../core/request.ts';
import { check, readJson, requestJson, requestJsonOrMissing, send, sendVoid, toError } from '../core/request.ts';
import { pathSegment } from '../core/path.ts';
import { refuseCamelCase } from '../core/encoding.ts';
import { refuseDatacenter } from '../core/routing.ts';
import type { AgentMember, AgentMetrics, AgentSelf, AgentServiceChecksInfo, AgentVersion, HostInfo } from '../schemas/agent.ts';
import {
  AgentMemberList,
  AgentMetrics as AgentMetricsSchema,
  AgentSelf as AgentSelfSchema,
  AgentServiceChecksInfo as AgentServiceChecksInfoSchema,
  AgentServiceChecksInfoList,
  AgentVersion as AgentVersionSchema,
  HostInfo as HostInfoSchema,
} from '../schemas/agent.ts';
import type { AgentService } from '../schemas/catalog.ts';
import { AgentService as AgentServiceSchema, AgentServiceMap } from '../schemas/catalog.ts';
import type { HealthCheck } from '../schemas/health.ts';
import { HealthCheckMap } from '../schemas/health.ts';
import type { CheckDefinition, CheckStatus, ServiceDefinition } from '../schemas/definitions.ts';
import { CHECK_STATUSES, isRecord, optString, validateCheckDefinition, validateServiceDefinition } from '../schemas/definitions.ts';

export type { CheckDefinition, CheckStatus, CheckTarget, GoDuration, ServiceDefinition, TaggedAddress } from '../schemas/definitions.ts';

/** Why an explicit `datacenter` option is refused on every agent endpoint (Consul 1.8.7 ignores `?dc=` there). */
const AGENT_IS_LOCAL = 'agent endpoints act on the agent you talk to; talk to an agent of that datacenter instead';

// ---------------------------------------------------------------------------------------------
// The agent itself
// ---------------------------------------------------------------------------------------------

/**
 * The agent's configuration, member record, stats and metadata.
 * @returns `/v1/agent/self` (`Config.Version`, `Config.NodeName`, `Member`…).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#read-configuration
 * @example const { data } = await agent.self(client); data.Config.Version // '1.8.7'
 */
export async function self(client: Client, options: ReadOptions = {}): Promise<Result<AgentSelf>> {
  refuseDatacenter(options, 'agent.self', AGENT_IS_LOCAL);
  return requestJson(client, { path: 'agent/self', options }, AgentSelfSchema);
}

/** Options of {@link members}. */
export interface MembersOptions extends ReadOptions {
  /** The WAN pool (servers of every datacenter) instead of the LAN pool. */
  wan?: boolean | undefined;
  /** Only this network segment (Enterprise; `_all` for every segment). */
  segment?: string | undefined;
}

/**
 * The members of the agent's gossip pool (LAN, or with `wan` the WAN pool).
 * @throws {ServerError} for `segment` on Consul OSS ("Network segments are not supported").
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#list-members
 * @example const { data } = await agent.members(client, { wan: true });
 */
export async function members(client: Client, options: MembersOptions = {}): Promise<Result<AgentMember[]>> {
  refuseDatacenter(options, 'agent.members', AGENT_IS_LOCAL);
  return requestJson(
    client,
    { path: 'agent/members', params: { wan: options.wan ? '1' : undefined, segment: options.segment }, options },
    AgentMemberList,
  );
}

/**
 * Tells the agent to join a cluster through the gossip address of one of its members
 * (`host:port` of the serf LAN port, or the WAN port with `wan`).
 * @throws {ServerError} when the join fails ("Failed to join …").
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#join-agent
 * @example await agent.join(client, '10.0.0.7:8301');
 */
export async function join(client: Client, address: string, options: WriteOptions & { wan?: boolean | undefined } = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.join', AGENT_IS_LOCAL);
  return sendVoid(client, {
    method: 'PUT',
    path: `agent/join/${pathSegment(address, 'address')}`,
    params: { wan: options.wan ? '1' : undefined },
    options,
  });
}

/**
 * Forces a failed member into the `left` state; with `prune`, removes it from the member list at once.
 * @throws {ServerError} when no member has that name.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#force-leave-and-shutdown
 * @example await agent.forceLeave(client, 'old-node', { prune: true });
 */
export async function forceLeave(client: Client, node: string, options: WriteOptions & { prune?: boolean | undefined } = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.forceLeave', AGENT_IS_LOCAL);
  return sendVoid(client, { method: 'PUT', path: `agent/force-leave/${pathSegment(node, 'node')}`, params: { prune: options.prune }, options });
}

/**
 * Puts the agent's node into maintenance mode (every service on it reports critical) or takes it out.
 * @param reason - shown as the maintenance check's notes.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#enable-maintenance-mode
 * @example await agent.maintenance(client, true, 'kernel upgrade'); // … later: maintenance(client, false)
 */
export async function maintenance(client: Client, enable: boolean, reason?: string | undefined, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.maintenance', AGENT_IS_LOCAL);
  if (typeof enable !== 'boolean') throw new InputError(`enable must be a boolean, got ${JSON.stringify(enable)}`);
  return sendVoid(client, { method: 'PUT', path: 'agent/maintenance', params: { enable: String(enable), reason }, options });
}

/**
 * The agent's in-memory metrics of the last interval (gauges, counters, samples).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#view-metrics
 * @example const { data } = await agent.metrics(client); data.Gauges.find((g) => g.Name === 'consul.runtime.alloc_bytes')
 */
export async function metrics(client: Client, options: ReadOptions = {}): Promise<Result<AgentMetrics>> {
  refuseDatacenter(options, 'agent.metrics', AGENT_IS_LOCAL);
  return requestJson(client, { path: 'agent/metrics', options }, AgentMetricsSchema);
}

/**
 * The agent's metrics in Prometheus text format (`?format=prometheus`).
 * @throws {HttpError} 415 when the agent has no `telemetry.prometheus_retention_time`.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#view-metrics
 * @example const { data: text } = await agent.prometheusMetrics(client);
 */
export async function prometheusMetrics(client: Client, options: ReadOptions = {}): Promise<Result<string>> {
  refuseDatacenter(options, 'agent.prometheusMetrics', AGENT_IS_LOCAL);
  const { response, meta } = await send(client, { path: 'agent/metrics', params: { format: 'prometheus' }, options });
  return { data: await response.text(), meta };
}

/**
 * Reloads the agent's configuration files. On a `-dev` agent this also drops services and checks
 * registered through the API.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#reload-agent
 * @example await agent.reload(client);
 */
export async function reload(client: Client, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.reload', AGENT_IS_LOCAL);
  return sendVoid(client, { method: 'PUT', path: 'agent/reload', options });
}

/**
 * Which of the agent's ACL tokens to set. Consul 1.8 knows `default`, `agent`, `agent_master`,
 * `replication` (and the legacy `acl_token`, `acl_agent_token`, `acl_agent_master_token`,
 * `acl_replication_token`); newer versions add `agent_recovery`, `config_file_service_registration`, `dns`.
 */
export type AgentTokenKind =
  | 'default'
  | 'agent'
  | 'agent_master'
  | 'agent_recovery'
  | 'replication'
  | 'config_file_service_registration'
  | 'dns'
  | 'acl_token'
  | 'acl_agent_token'
  | 'acl_agent_master_token'
  | 'acl_replication_token';

/**
 * Sets one of the agent's ACL tokens at runtime (not persisted unless the agent enables token persistence).
 * @param kind - which token (see {@link AgentTokenKind}).
 * @param token - the token's secret; sent in the request body only.
 * @throws {HttpError} 401 "ACL support disabled" on an agent without ACLs; {@link NotFoundError} for a kind the agent does not know;
 *   {@link ForbiddenError} without `agent:write`.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#update-acl-tokens
 * @example await agent.tokenUpdate(client, 'default', anonymousReadToken);
 */
export async function tokenUpdate(client: Client, kind: AgentTokenKind, token: string, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.tokenUpdate', AGENT_IS_LOCAL);
  if (typeof kind !== 'string' || !/^[a-z_]+$/.test(kind)) throw new InputError(`kind must be a token kind such as "default" or "agent", got ${JSON.stringify(kind)}`);
  if (typeof token !== 'string') throw new InputError('token must be a string');
  return sendVoid(client, { method: 'PUT', path: `agent/token/${kind}`, json: { Token: token }, options });
}

/**
 * Facts about the agent's host: memory, CPUs, OS, disk (needs `operator:read`).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#read-host-information
 * @example const { data } = await agent.host(client); data.Host['hostname']
 */
export async function host(client: Client, options: ReadOptions = {}): Promise<Result<HostInfo>> {
  refuseDatacenter(options, 'agent.host', AGENT_IS_LOCAL);
  return requestJson(client, { path: 'agent/host', options }, HostInfoSchema);
}

/**
 * The agent's version from `/v1/agent/version`, which only newer Consul versions have: on an agent
 * without it (1.8.7 answers 404) `data` is `undefined` — read `self()`'s `Config.Version` there.
 * Consul 1.8.7 lacks this endpoint (its router answers an empty 404), so no mark of a genuine "missing"
 * was measured: any non-HTML 404 reads as missing.
 * @throws {NotFoundError} when the 404 is an HTML page (a proxy's, a wrong `pathPrefix`): never Consul's.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#retrieve-version-information
 * @example const { data } = await agent.version(client); data?.HumanVersion
 */
export async function version(client: Client, options: ReadOptions = {}): Promise<Result<AgentVersion | undefined>> {
  refuseDatacenter(options, 'agent.version', AGENT_IS_LOCAL);
  return requestJsonOrMissing(client, { path: 'agent/version', options }, AgentVersionSchema, MISSING.unmeasured);
}

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

/**
 * The checks registered with the agent, by check id (`filter` applies).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#list-checks
 * @example const { data } = await agent.checkList(client, { filter: 'Status != "passing"' });
 */
export async function checkList(client: Client, options: ReadOptions = {}): Promise<Result<Record<string, HealthCheck>>> {
  refuseDatacenter(options, 'agent.checkList', AGENT_IS_LOCAL);
  return requestJson(client, { path: 'agent/checks', options }, HealthCheckMap);
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

/** Options of {@link monitor}. */
export interface MonitorOptions extends WriteOptions {
  /** Lowest level streamed. @default "info" */
  loglevel?: 'trace' | 'debug' | 'info' | 'warn' | 'err' | 'error' | undefined;
  /** Lines as JSON objects (`{"@level":…,"@message":…}`) instead of text (Consul ≥ 1.7). */
  logjson?: boolean | undefined;
  /**
   * Milliseconds the stream may go without a byte — before the first line too — before it fails with
   * a {@link TimeoutError}: a way to notice a dead agent or path behind a quiet log. Off by default,
   * because a quiet agent sends nothing for as long as nothing is logged at `loglevel`.
   * @default false
   */
  idleTimeout?: number | false | undefined;
}

/**
 * Streams the agent's log lines as they are written, until the caller's `signal` aborts (the
 * iterator then ends without an error) or the loop is left. The client's `timeout` does not apply:
 * Consul sends nothing, not even headers, until the first line at the requested level; set
 * `idleTimeout` to bound the silence instead.
 *
 * The request asks for `Accept-Encoding: identity` because Consul 1.8 labels the stream
 * `Content-Encoding: gzip` while sending it uncompressed. Browsers do not let a page set that
 * header, so there the stream may fail to decode on such agents.
 * @throws {BadRequestError} for an unknown `loglevel`; {@link NetworkError} when the stream breaks;
 *   {@link TimeoutError} when `idleTimeout` ms pass without a byte.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#stream-logs
 * @example
 * ```ts
 * const controller = new AbortController();
 * for await (const line of agent.monitor(client, { loglevel: 'debug', signal: controller.signal })) {
 *   console.log(line);
 *   if (line.includes('Synced service')) controller.abort();
 * }
 * ```
 */
export async function* monitor(client: Client, options: MonitorOptions = {}): AsyncGenerator<string, void, undefined> {
  refuseDatacenter(options, 'agent.monitor', AGENT_IS_LOCAL);
  const { loglevel, logjson, idleTimeout = false, ...rest } = options;
  if (idleTimeout !== false && !(Number.isFinite(idleTimeout) && idleTimeout > 0)) {
    throw new InputError(`idleTimeout must be a positive number of milliseconds or false, got ${String(idleTimeout)}`);
  }
  const signal = rest.signal;
  // the headers and every later byte get idleTimeout (the body deadline is the client's timeout)
  const untimed: Client = { config: { ...client.config, timeout: idleTimeout }, transport: client.transport };
  let response: Response;
  try {
    ({ response } = await send(untimed, {
      path: 'agent/monitor',
      params: { loglevel, logjson },
      options: rest,
      idempotent: false,
      // Consul 1.8 labels this stream gzip but sends it uncompressed; ask for no compression at all
      headers: { 'Accept-Encoding': 'identity' },
    }));
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted) return;
        if (isTimeoutError(error)) throw error;
        throw new NetworkError(`GET /v1/agent/monitor: the log stream broke: ${error instanceof Error ? error.message : String(error)}`, {
          method: 'GET',
          path: '/v1/agent/monitor',
          cause: error,
        });
      }
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        yield line.endsWith('\r') ? line.slice(0, -1) : line;
        if (signal?.aborted) return;
      }
    }
    buffer += decoder.decode();
    if (buffer !== '') yield buffer;
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// agent.service
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// agent.check
// ---------------------------------------------------------------------------------------------

/**
 * Registers a check with the local agent (a node check, or a service's with `ServiceID`). The
 * definition is Consul's JSON, sent as it is; a left-out `Name` becomes the `ID`.
 * @throws {InputError} naming the field (`check.Interval`), before sending: no kind or two kinds, an interval check
 *   without `Interval`, `TTL` with `Interval`, a bad duration, a `Status` other than passing/warning/critical.
 * @throws {ServerError} for a script/Docker check on an agent without `enable_script_checks`, or an unknown `ServiceID`.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#register-check
 * @example await agent.checkRegister(client, { ID: 'mem', Name: 'Memory', TTL: '30s' });
 */
export async function checkRegister(client: Client, definition: CheckDefinition, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.checkRegister', AGENT_IS_LOCAL);
  validateCheckDefinition(definition, 'check', 'agent');
  let body = definition;
  if (body.Name === undefined) {
    if (body.ID === undefined) throw new InputError('check.Name (or check.ID) is required');
    body = { ...body, Name: body.ID };
  }
  return sendVoid(client, { method: 'PUT', path: 'agent/check/register', json: body, options });
}

/**
 * Deregisters a check from the local agent. An unknown id is not an error.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#deregister-check
 * @example await agent.checkDeregister(client, 'mem');
 */
export async function checkDeregister(client: Client, id: string, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.checkDeregister', AGENT_IS_LOCAL);
  return sendVoid(client, { method: 'PUT', path: `agent/check/deregister/${pathSegment(id, 'id')}`, options });
}

function ttlUpdate(client: Client, verb: 'pass' | 'warn' | 'fail', id: string, note: string | undefined, options: WriteOptions): Promise<Result<void>> {
  if (note !== undefined && typeof note !== 'string') throw new InputError('note must be a string');
  return sendVoid(client, { method: 'PUT', path: `agent/check/${verb}/${pathSegment(id, 'id')}`, params: { note }, options });
}

/**
 * Sets a TTL check to passing (and resets its TTL).
 * @param note - becomes the check's output.
 * @throws {ServerError} when the check does not exist or is not a TTL check.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-pass
 * @example await agent.checkTtlPass(client, 'service:web-1', 'all good');
 */
export async function checkTtlPass(client: Client, id: string, note?: string | undefined, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.checkTtlPass', AGENT_IS_LOCAL);
  return ttlUpdate(client, 'pass', id, note, options);
}

/**
 * Sets a TTL check to warning (and resets its TTL).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-warn
 * @example await agent.checkTtlWarn(client, 'service:web-1', 'queue is long');
 */
export async function checkTtlWarn(client: Client, id: string, note?: string | undefined, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.checkTtlWarn', AGENT_IS_LOCAL);
  return ttlUpdate(client, 'warn', id, note, options);
}

/**
 * Sets a TTL check to critical (and resets its TTL).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-fail
 * @example await agent.checkTtlFail(client, 'service:web-1', 'database unreachable');
 */
export async function checkTtlFail(client: Client, id: string, note?: string | undefined, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.checkTtlFail', AGENT_IS_LOCAL);
  return ttlUpdate(client, 'fail', id, note, options);
}

/** The body of {@link checkUpdate}, in Consul's JSON. */
export interface CheckUpdate {
  Status: CheckStatus;
  /** Becomes the check's output. */
  Output?: string | undefined;
  /** Fields of newer Consul versions, passed through as given. */
  [field: string]: unknown;
}

/**
 * Sets a TTL check's status and output in one call; the update is Consul's JSON (`{ Status, Output }`), sent as it is.
 * @throws {InputError} for a `Status` other than passing/warning/critical, before sending.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-update
 * @example await agent.checkUpdate(client, 'service:web-1', { Status: 'warning', Output: 'degraded' });
 */
export async function checkUpdate(
  client: Client,
  id: string,
  update: CheckUpdate,
  options: WriteOptions = {},
): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.checkUpdate', AGENT_IS_LOCAL);
  const path = `agent/check/update/${pathSegment(id, 'id')}`;
  if (isRecord(update)) refuseCamelCase(update, 'update');
  if (!isRecord(update) || !CHECK_STATUSES.includes(update.Status as string)) {
    throw new InputError(`update.Status must be "passing", "warning" or "critical", got ${JSON.stringify(isRecord(update) ? update.Status : update)}`);
  }
  optString(update.Output, 'update.Output', true);
  return sendVoid(client, { method: 'PUT', path, json: update, options });
}

/**
 * How these functions nest on the `Consul` facade: `consul.agent.self()`, `consul.agent.service.register(…)`,
 * `consul.agent.check.ttlPass(id)`…
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const agentFacade = {
  self: self as typeof self,
  members: members as typeof members,
  join: join as typeof join,
  forceLeave: forceLeave as typeof forceLeave,
  maintenance: maintenance as typeof maintenance,
  metrics: metrics as typeof metrics,
  prometheusMetrics: prometheusMetrics as typeof prometheusMetrics,
  reload: reload as typeof reload,
  host: host as typeof host,
  version: version as typeof version,
  monitor: monitor as typeof monitor,
  token: {
    update: tokenUpdate as typeof tokenUpdate,
  },
  service: {
    list: serviceList as typeof serviceList,
    read: serviceRead as typeof serviceRead,
    register: serviceRegister as typeof serviceRegister,
    deregister: serviceDeregister as typeof serviceDeregister,
    maintenance: serviceMaintenance as typeof serviceMaintenance,
    healthByName: serviceHealthByName as typeof serviceHealthByName,
    healthById: serviceHealthById as typeof serviceHealthById,
  },
  check: {
    list: checkList as typeof checkList,
    register: checkRegister as typeof checkRegister,
    deregister: checkDeregister as typeof checkDeregister,
    ttlPass: checkTtlPass as typeof checkTtlPass,
    ttlWarn: checkTtlWarn as typeof checkTtlWarn,
    ttlFail: checkTtlFail as typeof checkTtlFail,
    update: checkUpdate as typeof checkUpdate,
  },
};
