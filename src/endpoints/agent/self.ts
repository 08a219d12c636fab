/**
 * The agent itself: its configuration, gossip members, joins, leaves and force-leaves, node maintenance,
 * metrics, reload, ACL tokens, host facts and version.
 * @see https://developer.hashicorp.com/consul/api-docs/agent
 * @module
 */
import type { Client } from '../../core/client.ts';
import { InputError } from '../../core/errors.ts';
import type { ForbiddenError, NotFoundError } from '../../core/errors.ts';
import { MISSING } from '../../core/missing.ts';
import { pathSegment } from '../../core/path.ts';
import type { ReadOptions, WriteOptions } from '../../core/query.ts';
import type { Result } from '../../core/request.ts';
import { requestJson, requestJsonOrMissing, send, sendVoid } from '../../core/request.ts';
import { refuseDatacenter } from '../../core/routing.ts';
import type { AgentMember, AgentMetrics, AgentSelf, AgentVersion, HostInfo } from '../../schemas/agent.ts';
import {
  AgentMemberList,
  AgentMetrics as AgentMetricsSchema,
  AgentSelf as AgentSelfSchema,
  AgentVersion as AgentVersionSchema,
  HostInfo as HostInfoSchema,
} from '../../schemas/agent.ts';
import { AGENT_IS_LOCAL } from './shared.ts';

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

/** Options of {@link forceLeave}. */
export interface ForceLeaveOptions extends WriteOptions {
  /** Also remove the member from the member list at once (`?prune`, Consul 1.6.2+). */
  prune?: boolean | undefined;
  /**
   * Act on the WAN pool only: the node is given as `node.datacenter` (`?wan`).
   * @since Consul 1.11 (hashicorp/consul#11722); Consul 1.8.7 ignores it and acts on the LAN pool.
   */
  wan?: boolean | undefined;
}

/**
 * Forces a failed member into the `left` state; with `prune`, removes it from the member list at once;
 * with `wan` (Consul 1.11+), from the WAN pool only.
 * @param node - the member's node name (`node.dc` with `wan`).
 * @throws {ServerError} when no member has that name (Consul: 500 "agent: No node found with name '…'").
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#force-leave-and-shutdown
 * @example await agent.forceLeave(client, 'old-node', { prune: true });
 */
export async function forceLeave(client: Client, node: string, options: ForceLeaveOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.forceLeave', AGENT_IS_LOCAL);
  const { prune, wan, ...rest } = options;
  return sendVoid(client, { method: 'PUT', path: `agent/force-leave/${pathSegment(node, 'node')}`, params: { prune, wan }, options: rest });
}

/**
 * Makes the agent you talk to leave its cluster gracefully and shut down: it stops answering (the
 * HTTP server closes within a second), so call it on the agent that should go, as the last call.
 * @returns nothing (`data` is `undefined`) once the agent acknowledged the leave.
 * @throws {ForbiddenError} without `agent:write` on the agent's node.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#graceful-leave-and-shutdown
 * @example await agent.leave(clientOfRetiringAgent);
 */
export async function leave(client: Client, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.leave', AGENT_IS_LOCAL);
  return sendVoid(client, { method: 'PUT', path: 'agent/leave', options });
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
