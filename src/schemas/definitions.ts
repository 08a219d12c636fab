/**
 * Service and check definitions, shared by the agent's and the catalog's registrations: their input
 * types, and {@link checkDefinitionBody} and {@link serviceDefinitionBody}, which check a definition
 * and translate it to Consul's JSON (one translation, so the agent and the catalog agree). What Consul
 * would reject — an HTTP check without an interval, a bad duration, two kinds of check at once, a TTL
 * with an interval, an unknown status — throws an {@link InputError} naming the field before anything
 * is sent. Internal: not a subpath export (`consulate/agent` and `consulate/catalog` re-export the types).
 * @module
 */
import type { Duration } from '../core/encoding.ts';
import { durationMs, formatDuration } from '../core/encoding.ts';
import { InputError } from '../core/errors.ts';

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/** Whether `value` is a plain object (not null, not an array). @internal */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An optional string argument: undefined, or a (non-empty unless `allowEmpty`) string. @internal */
export function optString(value: unknown, name: string, allowEmpty = false): string | undefined {
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

/** Drops `undefined` members so the JSON body carries only what the caller set. @internal */
export function compact(body: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body;
}

// ---------------------------------------------------------------------------------------------
// Check and service definitions (shared with the catalog)
// ---------------------------------------------------------------------------------------------

/** A status a check can be set to. */
export type CheckStatus = 'passing' | 'warning' | 'critical';

/** The statuses a check can be set to, for checking input. @internal */
export const CHECK_STATUSES: readonly string[] = ['passing', 'warning', 'critical'];

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
 * @internal
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
 * @internal
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
