/**
 * The local agent: its configuration, members, metrics and logs, and the services and checks
 * registered with it — everything of consulate's `Consul.agent` (with `agent.service` and
 * `agent.check`), node-consul's `agent` and the Go client's `Agent`, as pure functions taking a
 * {@link Client} first.
 *
 * Service and check definitions are written in camelCase and translated to Consul's JSON by
 * {@link serviceDefinitionBody} and {@link checkDefinitionBody} (the catalog uses the same
 * translation). What Consul would reject — an HTTP check without an interval, a bad duration, two
 * kinds of check at once, a TTL with an interval, an unknown status — throws an {@link InputError}
 * naming the field before anything is sent.
 *
 * Every function here acts on the agent you talk to: Consul ignores `?dc=` on `/v1/agent/*`, so an
 * explicit `dc` option is an {@link InputError} (the client's `datacenter` default does not apply).
 * @see https://developer.hashicorp.com/consul/api-docs/agent
 * @module
 */
import type { Client } from '../core/client.ts';
import type { Duration } from '../core/encoding.ts';
import { durationMs, formatDuration } from '../core/encoding.ts';
import { InputError, NetworkError } from '../core/errors.ts';
import type { ForbiddenError, NotFoundError } from '../core/errors.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import { confirmMissing, MISSING } from '../core/missing.ts';
import type { RequestSpec, Result } from '../core/request.ts';
import { check, readJson, requestJson, requestJsonOrMissing, send, sendVoid, toError } from '../core/request.ts';
import { refuseDc } from '../core/routing.ts';
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

/** Why an explicit `dc` is refused on every agent endpoint (Consul 1.8.7 ignores `?dc=` there). */
const AGENT_IS_LOCAL = 'agent endpoints act on the agent you talk to; talk to an agent of that datacenter instead';

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/**
 * Checks that a path argument is a non-empty string and escapes it as one path segment.
 * @throws {InputError} for an empty or non-string value.
 * @internal
 */
export function pathSegment(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new InputError(`${name} must be a non-empty string, got ${value === '' ? '""' : typeof value}`);
  }
  return encodeURIComponent(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optString(value: unknown, name: string, allowEmpty = false): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (!allowEmpty && value === '')) {
    throw new InputError(`${name} must be a non-empty string, got ${value === '' ? '""' : JSON.stringify(value)}`);
  }
  return value;
}

function optBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new InputError(`${name} must be a boolean, got ${JSON.stringify(value)}`);
  return value;
}

function optInt(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function optStrings(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new InputError(`${name} must be an array of strings`);
  }
  return value as string[];
}

function optStringMap(value: unknown, name: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value) || !Object.values(value).every((item) => typeof item === 'string')) {
    throw new InputError(`${name} must be an object of string values`);
  }
  return value as Record<string, string>;
}

function optObject(value: unknown, name: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw new InputError(`${name} must be an object`);
  return value;
}

/** Drops `undefined` members so the JSON body carries only what the caller set. */
function compact(body: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body;
}

// ---------------------------------------------------------------------------------------------
// Check and service definitions (shared with the catalog)
// ---------------------------------------------------------------------------------------------

/** A status a check can be set to. */
export type CheckStatus = 'passing' | 'warning' | 'critical';

const CHECK_STATUSES: readonly string[] = ['passing', 'warning', 'critical'];

/**
 * A health check, in camelCase. Exactly one kind: `args` (script; with `dockerContainerId` a Docker
 * check), `http`, `tcp`, `udp`, `grpc`, `h2ping`, `ttl` or `aliasService`/`aliasNode`. Every kind but
 * `ttl` and alias needs an `interval`. Durations are Go strings (`"10s"`) or milliseconds.
 * `udp`, `h2ping`, `tlsServerName` and `failuresBeforeWarning` need a newer Consul than 1.8.
 * @example { name: 'web alive', http: 'http://localhost:8080/health', interval: '10s', timeout: '1s' }
 * @example { ttl: '30s', notes: 'the app calls ttlPass every 10 s' }
 */
export interface CheckDefinition {
  /** Check id (`ID`; `CheckID` in a service's check); defaults to the name. */
  id?: string | undefined;
  /** Check name; Consul derives one for service checks. */
  name?: string | undefined;
  /** Free text for humans. */
  notes?: string | undefined;
  /** Initial status. @default "critical" */
  status?: CheckStatus | undefined;
  /** The service the check belongs to (agent check registration only; a service's checks get it implicitly). */
  serviceId?: string | undefined;
  /** Script check: the command and its arguments (Consul needs `enable_script_checks`). */
  args?: string[] | undefined;
  /** Docker check: run `args` inside this container. */
  dockerContainerId?: string | undefined;
  /** Docker check: the shell to run `args` with. */
  shell?: string | undefined;
  /** HTTP check: the URL to request (2xx passing, 429 warning, else critical). */
  http?: string | undefined;
  /** HTTP check: the method. @default "GET" */
  method?: string | undefined;
  /** HTTP check: request headers (a value or several per name). */
  header?: Record<string, string | string[]> | undefined;
  /** HTTP check: request body. */
  body?: string | undefined;
  /** HTTP/gRPC check: do not verify the certificate. */
  tlsSkipVerify?: boolean | undefined;
  /** HTTP/gRPC check: TLS server name (Consul ≥ 1.11). */
  tlsServerName?: string | undefined;
  /** TCP check: `host:port` to connect to. */
  tcp?: string | undefined;
  /** UDP check: `host:port` (Consul ≥ 1.14). */
  udp?: string | undefined;
  /** gRPC check: `host:port[/service]` of a gRPC health endpoint. */
  grpc?: string | undefined;
  /** gRPC check: use TLS. */
  grpcUseTls?: boolean | undefined;
  /** H2 ping check: `host:port` (Consul ≥ 1.10). */
  h2ping?: string | undefined;
  /** H2 ping check: use TLS (Consul ≥ 1.10). */
  h2pingUseTls?: boolean | undefined;
  /** Alias check: mirror the health of this service… */
  aliasService?: string | undefined;
  /** …on this node (the local node by default), or the node's health alone. */
  aliasNode?: string | undefined;
  /** TTL check: the check turns critical unless updated within this time. */
  ttl?: Duration | undefined;
  /** How often to run the check (every kind but `ttl` and alias). */
  interval?: Duration | undefined;
  /** Per-run timeout. */
  timeout?: Duration | undefined;
  /** Deregister the check's service after it has been critical this long. */
  deregisterCriticalServiceAfter?: Duration | undefined;
  /** Consecutive successes before the check turns passing. */
  successBeforePassing?: number | undefined;
  /** Consecutive failures before the check turns critical. */
  failuresBeforeCritical?: number | undefined;
  /** Consecutive failures before the check turns warning (Consul ≥ 1.11). */
  failuresBeforeWarning?: number | undefined;
  /** Largest output kept, in bytes. */
  outputMaxSize?: number | undefined;
}

/** Where a check definition is going: the agent's check endpoint, a service's checks, or the catalog. */
export type CheckTarget = 'agent' | 'service' | 'catalog';

const INTERVAL_KINDS = new Set(['script', 'docker', 'http', 'tcp', 'udp', 'grpc', 'h2ping']);

/**
 * Validates a {@link CheckDefinition} and translates it to Consul's JSON: flat for the agent
 * (`ID`…) and for a service's checks (`CheckID`…), `{ CheckID, Name, …, Definition: {…} }` for the
 * catalog. One function for all three, so they agree.
 * @param where - the field's name in error messages (e.g. `check`, `checks[1]`).
 * @param target - `agent` and `service` require exactly one kind and an interval where Consul
 *   needs one; `catalog` entries are data only, so there a kind and interval are optional.
 * @returns the JSON body (or body part).
 * @throws {InputError} naming the field, for anything Consul would reject (or silently misread).
 * @example checkDefinitionBody({ http: 'http://x/health', interval: '10s' }, 'check', 'agent')
 */
export function checkDefinitionBody(check: CheckDefinition, where: string, target: CheckTarget): Record<string, unknown> {
  if (!isRecord(check as unknown)) throw new InputError(`${where} must be an object`);
  const c = check;
  const field = (name: string): string => `${where}.${name}`;
  const kinds: string[] = [];
  const args = optStrings(c.args, field('args'));
  if (args !== undefined && args.length === 0) throw new InputError(`${field('args')} must not be empty`);
  const docker = optString(c.dockerContainerId, field('dockerContainerId'));
  if (docker !== undefined && args === undefined) {
    throw new InputError(`${field('dockerContainerId')} needs ${field('args')}: the command to run in the container`);
  }
  const shell = optString(c.shell, field('shell'));
  if (shell !== undefined && docker === undefined) throw new InputError(`${field('shell')} is only for Docker checks (dockerContainerId)`);
  if (args !== undefined) kinds.push(docker === undefined ? 'script' : 'docker');
  const http = optString(c.http, field('http'));
  const tcp = optString(c.tcp, field('tcp'));
  const udp = optString(c.udp, field('udp'));
  const grpc = optString(c.grpc, field('grpc'));
  const h2ping = optString(c.h2ping, field('h2ping'));
  const aliasService = optString(c.aliasService, field('aliasService'));
  const aliasNode = optString(c.aliasNode, field('aliasNode'));
  if (http !== undefined) kinds.push('http');
  if (tcp !== undefined) kinds.push('tcp');
  if (udp !== undefined) kinds.push('udp');
  if (grpc !== undefined) kinds.push('grpc');
  if (h2ping !== undefined) kinds.push('h2ping');
  if (c.ttl !== undefined) kinds.push('ttl');
  if (aliasService !== undefined || aliasNode !== undefined) kinds.push('alias');
  if (kinds.length > 1) {
    throw new InputError(`${where} has ${kinds.length} kinds at once (${kinds.join(', ')}); a check is exactly one of args, http, tcp, udp, grpc, h2ping, ttl or alias`);
  }
  const kind = kinds[0];
  if (kind === undefined && target !== 'catalog') {
    throw new InputError(`${where} needs a kind: one of ttl, http, tcp, udp, grpc, h2ping, args (script/Docker) or aliasService/aliasNode`);
  }
  const ttl = c.ttl === undefined ? undefined : formatDuration(c.ttl, field('ttl'));
  if (ttl !== undefined && durationMs(ttl, field('ttl')) <= 0) throw new InputError(`${field('ttl')} must be greater than 0`);
  const interval = c.interval === undefined ? undefined : formatDuration(c.interval, field('interval'));
  if (ttl !== undefined && interval !== undefined) {
    throw new InputError(`${where} has both ttl and interval; a TTL check is updated by the application, not run on an interval`);
  }
  if (kind !== undefined && INTERVAL_KINDS.has(kind) && target !== 'catalog') {
    if (interval === undefined) throw new InputError(`${field('interval')} is required for a ${kind} check (e.g. "10s")`);
    if (durationMs(interval, field('interval')) <= 0) throw new InputError(`${field('interval')} must be greater than 0`);
  }
  const status = c.status;
  if (status !== undefined && !CHECK_STATUSES.includes(status)) {
    throw new InputError(`${field('status')} must be "passing", "warning" or "critical", got ${JSON.stringify(status)}`);
  }
  let header: Record<string, string[]> | undefined;
  if (c.header !== undefined) {
    if (!isRecord(c.header as unknown)) throw new InputError(`${field('header')} must be an object of header names to a value or values`);
    header = {};
    for (const [name, value] of Object.entries(c.header)) {
      const values = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(values) || !values.every((item) => typeof item === 'string')) {
        throw new InputError(`${field(`header.${name}`)} must be a string or an array of strings`);
      }
      header[name] = values;
    }
  }
  const serviceId = optString(c.serviceId, field('serviceId'));
  if (serviceId !== undefined && target === 'service') {
    throw new InputError(`${field('serviceId')} cannot be set on a service's own check (it belongs to that service)`);
  }
  const definition = compact({
    ScriptArgs: args,
    DockerContainerID: docker,
    Shell: shell,
    HTTP: http,
    Method: optString(c.method, field('method')),
    Header: header,
    Body: optString(c.body, field('body'), true),
    TLSSkipVerify: optBoolean(c.tlsSkipVerify, field('tlsSkipVerify')),
    TLSServerName: optString(c.tlsServerName, field('tlsServerName')),
    TCP: tcp,
    UDP: udp,
    GRPC: grpc,
    GRPCUseTLS: optBoolean(c.grpcUseTls, field('grpcUseTls')),
    H2PING: h2ping,
    H2PingUseTLS: optBoolean(c.h2pingUseTls, field('h2pingUseTls')),
    AliasNode: aliasNode,
    AliasService: aliasService,
    TTL: ttl,
    Interval: interval,
    Timeout: c.timeout === undefined ? undefined : formatDuration(c.timeout, field('timeout')),
    DeregisterCriticalServiceAfter:
      c.deregisterCriticalServiceAfter === undefined
        ? undefined
        : formatDuration(c.deregisterCriticalServiceAfter, field('deregisterCriticalServiceAfter')),
    OutputMaxSize: optInt(c.outputMaxSize, field('outputMaxSize'), 1),
  });
  const thresholds = compact({
    SuccessBeforePassing: optInt(c.successBeforePassing, field('successBeforePassing'), 0),
    FailuresBeforeCritical: optInt(c.failuresBeforeCritical, field('failuresBeforeCritical'), 0),
    FailuresBeforeWarning: optInt(c.failuresBeforeWarning, field('failuresBeforeWarning'), 0),
  });
  const identity = compact({
    [target === 'agent' ? 'ID' : 'CheckID']: optString(c.id, field('id')),
    Name: optString(c.name, field('name')),
    Notes: optString(c.notes, field('notes'), true),
    Status: status,
    ServiceID: serviceId,
  });
  if (target === 'catalog') {
    const extra = Object.keys(thresholds).map((key) => field(key[0]!.toLowerCase() + key.slice(1)));
    if (extra.length) throw new InputError(`${extra.join(', ')}: only for checks an agent runs, not for catalog entries`);
    return { ...identity, ...(Object.keys(definition).length ? { Definition: definition } : {}) };
  }
  return { ...identity, ...definition, ...thresholds };
}

/** An address of a service under a name such as `lan`, `wan`, `lan_ipv4`. */
export interface TaggedAddress {
  address: string;
  port?: number | undefined;
}

/**
 * A service instance, in camelCase. `proxy` and `connect` are passed through as given, in Consul's
 * own spelling (`{ DestinationServiceName: 'web', LocalServicePort: 8080 }`).
 * @example { name: 'web', id: 'web-1', port: 8080, tags: ['v1'], check: { http: 'http://localhost:8080/health', interval: '10s' } }
 */
export interface ServiceDefinition {
  /** Service name. */
  name: string;
  /** Instance id, unique on the node. @default the name */
  id?: string | undefined;
  /** The instance's address; the node's address when left out. */
  address?: string | undefined;
  /** Port, 0–65535. */
  port?: number | undefined;
  tags?: string[] | undefined;
  meta?: Record<string, string> | undefined;
  /** Let anti-entropy keep tags changed in the catalog. */
  enableTagOverride?: boolean | undefined;
  /** Addresses by name (`lan`, `wan`, …). */
  taggedAddresses?: Record<string, TaggedAddress> | undefined;
  /** DNS SRV weights; `warning` defaults to 1. */
  weights?: { passing: number; warning?: number | undefined } | undefined;
  /** `connect-proxy`, `mesh-gateway`, `terminating-gateway`, `ingress-gateway` (typical when left out). */
  kind?: string | undefined;
  /** Connect proxy configuration, passed through in Consul's spelling. */
  proxy?: Record<string, unknown> | undefined;
  /** Connect configuration (`{ Native: true }`, `{ SidecarService: {} }`), passed through in Consul's spelling. */
  connect?: Record<string, unknown> | undefined;
  /** One check of the service (agent registration only). */
  check?: CheckDefinition | undefined;
  /** Several checks of the service (agent registration only). */
  checks?: CheckDefinition[] | undefined;
}

/**
 * Validates a {@link ServiceDefinition} and translates it to Consul's JSON: the agent's
 * registration body (`Name`, `Check`, `Checks`…) or the catalog's `Service` object (`Service` holds
 * the name; checks go in the registration instead).
 * @returns the JSON body (or body part).
 * @throws {InputError} naming the field, for anything Consul would reject.
 * @example serviceDefinitionBody({ name: 'web', port: 80 }, 'service', 'agent') // { Name: 'web', Port: 80 }
 */
export function serviceDefinitionBody(
  service: ServiceDefinition,
  where: string,
  target: 'agent' | 'catalog',
): Record<string, unknown> {
  if (!isRecord(service as unknown)) throw new InputError(`${where} must be an object`);
  const s = service;
  const field = (name: string): string => `${where}.${name}`;
  const name = optString(s.name, field('name'));
  if (name === undefined) throw new InputError(`${field('name')} is required`);
  let taggedAddresses: Record<string, { Address: string; Port?: number }> | undefined;
  if (s.taggedAddresses !== undefined) {
    if (!isRecord(s.taggedAddresses as unknown)) throw new InputError(`${field('taggedAddresses')} must be an object`);
    taggedAddresses = {};
    for (const [tag, value] of Object.entries(s.taggedAddresses)) {
      if (!isRecord(value as unknown)) throw new InputError(`${field(`taggedAddresses.${tag}`)} must be { address, port? }`);
      const address = optString(value.address, field(`taggedAddresses.${tag}.address`));
      if (address === undefined) throw new InputError(`${field(`taggedAddresses.${tag}.address`)} is required`);
      taggedAddresses[tag] = compact({ Address: address, Port: optInt(value.port, field(`taggedAddresses.${tag}.port`), 0, 65535) }) as {
        Address: string;
        Port?: number;
      };
    }
  }
  let weights: { Passing: number; Warning: number } | undefined;
  if (s.weights !== undefined) {
    if (!isRecord(s.weights as unknown)) throw new InputError(`${field('weights')} must be { passing, warning? }`);
    const passing = optInt(s.weights.passing, field('weights.passing'), 1);
    if (passing === undefined) throw new InputError(`${field('weights.passing')} is required`);
    weights = { Passing: passing, Warning: optInt(s.weights.warning, field('weights.warning'), 0) ?? 1 };
  }
  if (target === 'catalog' && (s.check !== undefined || s.checks !== undefined)) {
    throw new InputError(`${field('check')}/${field('checks')}: in a catalog registration, checks go in the registration's check/checks`);
  }
  let checks: Record<string, unknown>[] | undefined;
  if (s.checks !== undefined) {
    if (!Array.isArray(s.checks)) throw new InputError(`${field('checks')} must be an array`);
    checks = s.checks.map((item, i) => checkDefinitionBody(item, field(`checks[${i}]`), 'service'));
  }
  return compact({
    [target === 'agent' ? 'Name' : 'Service']: name,
    ID: optString(s.id, field('id')),
    Kind: optString(s.kind, field('kind')),
    Address: optString(s.address, field('address'), true),
    Port: optInt(s.port, field('port'), 0, 65535),
    Tags: optStrings(s.tags, field('tags')),
    Meta: optStringMap(s.meta, field('meta')),
    EnableTagOverride: optBoolean(s.enableTagOverride, field('enableTagOverride')),
    TaggedAddresses: taggedAddresses,
    Weights: weights,
    Proxy: optObject(s.proxy, field('proxy')),
    Connect: optObject(s.connect, field('connect')),
    Check: s.check === undefined ? undefined : checkDefinitionBody(s.check, field('check'), 'service'),
    Checks: checks,
  });
}

// ---------------------------------------------------------------------------------------------
// The agent itself
// ---------------------------------------------------------------------------------------------

/**
 * The agent's configuration, member record, stats and metadata.
 * @returns `/v1/agent/self` (`Config.Version`, `Config.NodeName`, `Member`…).
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#read-configuration
 * @example const { data } = await agent.self(client); data.Config.Version // '1.8.7'
 */
export async function self(client: Client, options: ReadOptions = {}): Promise<Result<AgentSelf>> {
  refuseDc(options, 'agent.self', AGENT_IS_LOCAL);
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
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#list-members
 * @example const { data } = await agent.members(client, { wan: true });
 */
export async function members(client: Client, options: MembersOptions = {}): Promise<Result<AgentMember[]>> {
  refuseDc(options, 'agent.members', AGENT_IS_LOCAL);
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
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#join-agent
 * @example await agent.join(client, '10.0.0.7:8301');
 */
export async function join(client: Client, address: string, options: WriteOptions & { wan?: boolean | undefined } = {}): Promise<Result<void>> {
  refuseDc(options, 'agent.join', AGENT_IS_LOCAL);
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
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#force-leave-and-shutdown
 * @example await agent.forceLeave(client, 'old-node', { prune: true });
 */
export async function forceLeave(client: Client, node: string, options: WriteOptions & { prune?: boolean | undefined } = {}): Promise<Result<void>> {
  refuseDc(options, 'agent.forceLeave', AGENT_IS_LOCAL);
  return sendVoid(client, { method: 'PUT', path: `agent/force-leave/${pathSegment(node, 'node')}`, params: { prune: options.prune }, options });
}

/**
 * Puts the agent's node into maintenance mode (every service on it reports critical) or takes it out.
 * @param reason - shown as the maintenance check's notes.
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#enable-maintenance-mode
 * @example await agent.maintenance(client, true, 'kernel upgrade'); // … later: maintenance(client, false)
 */
export async function maintenance(client: Client, enable: boolean, reason?: string | undefined, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDc(options, 'agent.maintenance', AGENT_IS_LOCAL);
  if (typeof enable !== 'boolean') throw new InputError(`enable must be a boolean, got ${JSON.stringify(enable)}`);
  return sendVoid(client, { method: 'PUT', path: 'agent/maintenance', params: { enable: String(enable), reason }, options });
}

/**
 * The agent's in-memory metrics of the last interval (gauges, counters, samples).
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#view-metrics
 * @example const { data } = await agent.metrics(client); data.Gauges.find((g) => g.Name === 'consul.runtime.alloc_bytes')
 */
export async function metrics(client: Client, options: ReadOptions = {}): Promise<Result<AgentMetrics>> {
  refuseDc(options, 'agent.metrics', AGENT_IS_LOCAL);
  return requestJson(client, { path: 'agent/metrics', options }, AgentMetricsSchema);
}

/**
 * The agent's metrics in Prometheus text format (`?format=prometheus`).
 * @throws {HttpError} 415 when the agent has no `telemetry.prometheus_retention_time`.
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#view-metrics
 * @example const { data: text } = await agent.prometheusMetrics(client);
 */
export async function prometheusMetrics(client: Client, options: ReadOptions = {}): Promise<Result<string>> {
  refuseDc(options, 'agent.prometheusMetrics', AGENT_IS_LOCAL);
  const { response, meta } = await send(client, { path: 'agent/metrics', params: { format: 'prometheus' }, options });
  return { data: await response.text(), meta };
}

/**
 * Reloads the agent's configuration files. On a `-dev` agent this also drops services and checks
 * registered through the API.
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#reload-agent
 * @example await agent.reload(client);
 */
export async function reload(client: Client, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDc(options, 'agent.reload', AGENT_IS_LOCAL);
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
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#update-acl-tokens
 * @example await agent.updateToken(client, 'default', anonymousReadToken);
 */
export async function updateToken(client: Client, kind: AgentTokenKind, token: string, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDc(options, 'agent.updateToken', AGENT_IS_LOCAL);
  if (typeof kind !== 'string' || !/^[a-z_]+$/.test(kind)) throw new InputError(`kind must be a token kind such as "default" or "agent", got ${JSON.stringify(kind)}`);
  if (typeof token !== 'string') throw new InputError('token must be a string');
  return sendVoid(client, { method: 'PUT', path: `agent/token/${kind}`, json: { Token: token }, options });
}

/**
 * Facts about the agent's host: memory, CPUs, OS, disk (needs `operator:read`).
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#read-host-information
 * @example const { data } = await agent.host(client); data.Host['hostname']
 */
export async function host(client: Client, options: ReadOptions = {}): Promise<Result<HostInfo>> {
  refuseDc(options, 'agent.host', AGENT_IS_LOCAL);
  return requestJson(client, { path: 'agent/host', options }, HostInfoSchema);
}

/**
 * The agent's version from `/v1/agent/version`, which only newer Consul versions have: on an agent
 * without it (1.8.7 answers 404) `data` is `undefined` — read `self()`'s `Config.Version` there.
 * Consul 1.8.7 lacks this endpoint (its router answers an empty 404), so no mark of a genuine "missing"
 * was measured: any non-HTML 404 reads as missing.
 * @throws {NotFoundError} when the 404 is an HTML page (a proxy's, a wrong `pathPrefix`): never Consul's.
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#retrieve-version-information
 * @example const { data } = await agent.version(client); data?.HumanVersion
 */
export async function version(client: Client, options: ReadOptions = {}): Promise<Result<AgentVersion | undefined>> {
  refuseDc(options, 'agent.version', AGENT_IS_LOCAL);
  return requestJsonOrMissing(client, { path: 'agent/version', options }, AgentVersionSchema, MISSING.unmeasured);
}

/**
 * The services registered with the agent, by instance id (`filter` applies).
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#list-services
 * @example const { data } = await agent.services(client, { filter: 'Service == "web"' });
 */
export async function services(client: Client, options: ReadOptions = {}): Promise<Result<Record<string, AgentService>>> {
  refuseDc(options, 'agent.services', AGENT_IS_LOCAL);
  const { data, meta } = await requestJson(client, { path: 'agent/services', options }, AgentServiceMap);
  return { data, meta };
}

/** Options of {@link service}. */
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
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#get-service-configuration
 * @example
 * ```ts
 * const first = await agent.service(client, 'web-1');
 * const next = await agent.service(client, 'web-1', { hash: first.meta.contentHash, wait: '30s' });
 * ```
 */
export async function service(client: Client, id: string, options: AgentServiceOptions = {}): Promise<Result<AgentService | undefined>> {
  refuseDc(options, 'agent.service', AGENT_IS_LOCAL);
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
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#list-checks
 * @example const { data } = await agent.checks(client, { filter: 'Status != "passing"' });
 */
export async function checks(client: Client, options: ReadOptions = {}): Promise<Result<Record<string, HealthCheck>>> {
  refuseDc(options, 'agent.checks', AGENT_IS_LOCAL);
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
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#get-local-service-health
 * @example
 * ```ts
 * const { data } = await agent.serviceHealthByName(client, 'web');
 * if (data.status !== 'passing') console.log(data.services.map((s) => s.Checks));
 * ```
 */
export async function serviceHealthByName(client: Client, name: string, options: ReadOptions = {}): Promise<Result<AgentServiceHealth>> {
  refuseDc(options, 'agent.serviceHealthByName', AGENT_IS_LOCAL);
  return agentHealth(client, `agent/health/service/name/${pathSegment(name, 'name')}`, false, options);
}

/**
 * The local health of one service instance, by instance id (see {@link serviceHealthByName}).
 * @throws {NotFoundError} when a 404 lacks Consul's `X-Consul-Reason` header (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#get-local-service-health-by-id
 * @example const { data } = await agent.serviceHealthById(client, 'web-1'); data.status // 'passing'
 */
export async function serviceHealthById(client: Client, id: string, options: ReadOptions = {}): Promise<Result<AgentServiceHealth>> {
  refuseDc(options, 'agent.serviceHealthById', AGENT_IS_LOCAL);
  return agentHealth(client, `agent/health/service/id/${pathSegment(id, 'id')}`, true, options);
}

/** Options of {@link monitor}. */
export interface MonitorOptions extends WriteOptions {
  /** Lowest level streamed. @default "info" */
  loglevel?: 'trace' | 'debug' | 'info' | 'warn' | 'err' | 'error' | undefined;
  /** Lines as JSON objects (`{"@level":…,"@message":…}`) instead of text (Consul ≥ 1.7). */
  logjson?: boolean | undefined;
}

/**
 * Streams the agent's log lines as they are written, until the caller's `signal` aborts (the
 * iterator then ends without an error) or the loop is left. No timeout applies: Consul sends
 * nothing, not even headers, until the first line at the requested level.
 *
 * The request asks for `Accept-Encoding: identity` because Consul 1.8 labels the stream
 * `Content-Encoding: gzip` while sending it uncompressed. Browsers do not let a page set that
 * header, so there the stream may fail to decode on such agents.
 * @throws {BadRequestError} for an unknown `loglevel`; {@link NetworkError} when the stream breaks.
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
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
  refuseDc(options, 'agent.monitor', AGENT_IS_LOCAL);
  const { loglevel, logjson, ...rest } = options;
  const signal = rest.signal;
  const untimed: Client = { config: { ...client.config, timeout: false }, transport: client.transport };
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

/** Options of {@link registerService}. */
export interface RegisterServiceOptions extends WriteOptions {
  /** Remove the service's checks that the new definition no longer has (`?replace-existing-checks`). */
  replaceExistingChecks?: boolean | undefined;
}

/**
 * Registers a service (and its checks) with the local agent, or updates it when the id exists.
 * @throws {InputError} naming the field, before sending, for an invalid definition (see {@link serviceDefinitionBody}).
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#register-service
 * @example
 * ```ts
 * await agent.registerService(client, {
 *   name: 'web', id: 'web-1', port: 8080, tags: ['v2'],
 *   check: { http: 'http://localhost:8080/health', interval: '10s', deregisterCriticalServiceAfter: '10m' },
 * });
 * ```
 */
export async function registerService(client: Client, definition: ServiceDefinition, options: RegisterServiceOptions = {}): Promise<Result<void>> {
  refuseDc(options, 'agent.registerService', AGENT_IS_LOCAL);
  const body = serviceDefinitionBody(definition, 'service', 'agent');
  return sendVoid(client, {
    method: 'PUT',
    path: 'agent/service/register',
    params: { 'replace-existing-checks': options.replaceExistingChecks ? 'true' : undefined },
    json: body,
    options,
  });
}

/**
 * Deregisters a service instance (and its checks) from the local agent. An unknown id is not an error.
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#deregister-service
 * @example await agent.deregisterService(client, 'web-1');
 */
export async function deregisterService(client: Client, id: string, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDc(options, 'agent.deregisterService', AGENT_IS_LOCAL);
  return sendVoid(client, { method: 'PUT', path: `agent/service/deregister/${pathSegment(id, 'id')}`, options });
}

/**
 * Puts one service instance into maintenance mode (it reports critical) or takes it out.
 * @throws {NotFoundError} when the agent has no service with that id.
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
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
  refuseDc(options, 'agent.serviceMaintenance', AGENT_IS_LOCAL);
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
 * Registers a check with the local agent (a node check, or a service's with `serviceId`).
 * @throws {InputError} naming the field, before sending: no kind or two kinds, an interval check
 *   without `interval`, `ttl` with `interval`, a bad duration, a status other than passing/warning/critical.
 * @throws {ServerError} for a script/Docker check on an agent without `enable_script_checks`, or an unknown `serviceId`.
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#register-check
 * @example await agent.registerCheck(client, { id: 'mem', name: 'Memory', ttl: '30s' });
 */
export async function registerCheck(client: Client, definition: CheckDefinition, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDc(options, 'agent.registerCheck', AGENT_IS_LOCAL);
  const body = checkDefinitionBody(definition, 'check', 'agent');
  if (body['Name'] === undefined) {
    if (body['ID'] === undefined) throw new InputError('check.name (or check.id) is required');
    body['Name'] = body['ID'];
  }
  return sendVoid(client, { method: 'PUT', path: 'agent/check/register', json: body, options });
}

/**
 * Deregisters a check from the local agent. An unknown id is not an error.
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#deregister-check
 * @example await agent.deregisterCheck(client, 'mem');
 */
export async function deregisterCheck(client: Client, id: string, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDc(options, 'agent.deregisterCheck', AGENT_IS_LOCAL);
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
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-pass
 * @example await agent.ttlPass(client, 'service:web-1', 'all good');
 */
export async function ttlPass(client: Client, id: string, note?: string | undefined, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDc(options, 'agent.ttlPass', AGENT_IS_LOCAL);
  return ttlUpdate(client, 'pass', id, note, options);
}

/**
 * Sets a TTL check to warning (and resets its TTL).
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-warn
 * @example await agent.ttlWarn(client, 'service:web-1', 'queue is long');
 */
export async function ttlWarn(client: Client, id: string, note?: string | undefined, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDc(options, 'agent.ttlWarn', AGENT_IS_LOCAL);
  return ttlUpdate(client, 'warn', id, note, options);
}

/**
 * Sets a TTL check to critical (and resets its TTL).
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-fail
 * @example await agent.ttlFail(client, 'service:web-1', 'database unreachable');
 */
export async function ttlFail(client: Client, id: string, note?: string | undefined, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDc(options, 'agent.ttlFail', AGENT_IS_LOCAL);
  return ttlUpdate(client, 'fail', id, note, options);
}

/**
 * Sets a TTL check's status and output in one call.
 * @throws {InputError} for a status other than passing/warning/critical, before sending.
 * @throws {InputError} for an explicit `dc` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-update
 * @example await agent.updateCheck(client, 'service:web-1', { status: 'warning', output: 'degraded' });
 */
export async function updateCheck(
  client: Client,
  id: string,
  update: { status: CheckStatus; output?: string | undefined },
  options: WriteOptions = {},
): Promise<Result<void>> {
  refuseDc(options, 'agent.updateCheck', AGENT_IS_LOCAL);
  const path = `agent/check/update/${pathSegment(id, 'id')}`;
  if (!isRecord(update) || !CHECK_STATUSES.includes(update.status as string)) {
    throw new InputError(`status must be "passing", "warning" or "critical", got ${JSON.stringify(isRecord(update) ? update.status : update)}`);
  }
  const output = optString(update.output, 'output', true);
  return sendVoid(client, { method: 'PUT', path, json: compact({ Status: update.status, Output: output }), options });
}
