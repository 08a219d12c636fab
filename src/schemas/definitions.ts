/**
 * Service and check definitions, shared by the agent's and the catalog's registrations: their input
 * types, in Consul's own JSON field names (`Name`, `ID`, `Check: { TTL }`…, exactly as Consul's API
 * docs and `consul services register` files write them), and {@link validateCheckDefinition} and
 * {@link validateServiceDefinition}, which check a definition before it is sent as it is (one
 * validation, so the agent and the catalog agree). What Consul would reject or silently misread — an
 * HTTP check without an `Interval`, a bad duration, two kinds of check at once, a `TTL` with an
 * `Interval`, an unknown `Status` — throws an {@link InputError} naming the field (`check.Interval`)
 * before anything is sent. Fields this module does not know (newer Consul versions') pass through.
 * Internal: not a subpath export (`consulate/agent` and `consulate/catalog` re-export the types).
 * @module
 */
import { durationMs, refuseCamelCase } from '../core/encoding.ts';
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

// ---------------------------------------------------------------------------------------------
// Check and service definitions (shared with the catalog)
// ---------------------------------------------------------------------------------------------

/** A status a check can be set to. */
export type CheckStatus = 'passing' | 'warning' | 'critical';

/** The statuses a check can be set to, for checking input. @internal */
export const CHECK_STATUSES: readonly string[] = ['passing', 'warning', 'critical'];

/** A Go duration string, as Consul's JSON writes durations: `"10s"`, `"1m30s"`, `"90m"`. */
export type GoDuration = string;

/** A Go duration string, validated; numbers are refused (Consul would read them as nanoseconds). */
function optDuration(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InputError(`${name} must be a Go duration string such as "10s" or "1m30s", got ${JSON.stringify(value)}`);
  durationMs(value, name);
  return value;
}

/**
 * A health check in Consul's JSON (`/v1/agent/check/register`, a service's `Check`/`Checks`).
 * Exactly one kind: `Args` (script; with `DockerContainerID` a Docker check), `HTTP`, `TCP`, `UDP`,
 * `GRPC`, `H2PING`, `TTL` or `AliasService`/`AliasNode`. Every kind but `TTL` and alias needs an
 * `Interval`. Durations are Go strings (`"10s"`). `UDP`, `H2PING`, `TLSServerName` and
 * `FailuresBeforeWarning` need a newer Consul than 1.8. Other fields (newer Consul's) pass through.
 * @example { Name: 'web alive', HTTP: 'http://localhost:8080/health', Interval: '10s', Timeout: '1s' }
 * @example { TTL: '30s', Notes: 'the app calls ttlPass every 10 s' }
 */
export interface CheckDefinition {
  /** Check id on `/v1/agent/check/register`; defaults to the name. */
  ID?: string | undefined;
  /** Check id in a service's `Check`/`Checks`; Consul derives one when left out. */
  CheckID?: string | undefined;
  /** Check name; Consul derives one for service checks. */
  Name?: string | undefined;
  /** Free text for humans. */
  Notes?: string | undefined;
  /** Initial status. @default "critical" */
  Status?: CheckStatus | undefined;
  /** The service the check belongs to (agent check registration only; a service's checks get it implicitly). */
  ServiceID?: string | undefined;
  /** Script check: the command and its arguments (Consul needs `enable_script_checks`). */
  Args?: string[] | undefined;
  /** Script check: Consul's other spelling of `Args`. */
  ScriptArgs?: string[] | undefined;
  /** Docker check: run `Args` inside this container. */
  DockerContainerID?: string | undefined;
  /** Docker check: the shell to run `Args` with. */
  Shell?: string | undefined;
  /** HTTP check: the URL to request (2xx passing, 429 warning, else critical). */
  HTTP?: string | undefined;
  /** HTTP check: the method. @default "GET" */
  Method?: string | undefined;
  /** HTTP check: request headers, each name to its values (`{ "Content-Type": ["application/json"] }`). */
  Header?: Record<string, string[]> | undefined;
  /** HTTP check: request body. */
  Body?: string | undefined;
  /** HTTP/gRPC check: do not verify the certificate. */
  TLSSkipVerify?: boolean | undefined;
  /** HTTP/gRPC check: TLS server name (Consul ≥ 1.11). */
  TLSServerName?: string | undefined;
  /** TCP check: `host:port` to connect to. */
  TCP?: string | undefined;
  /** UDP check: `host:port` (Consul ≥ 1.14). */
  UDP?: string | undefined;
  /** gRPC check: `host:port[/service]` of a gRPC health endpoint. */
  GRPC?: string | undefined;
  /** gRPC check: use TLS. */
  GRPCUseTLS?: boolean | undefined;
  /** H2 ping check: `host:port` (Consul ≥ 1.10). */
  H2PING?: string | undefined;
  /** H2 ping check: use TLS (Consul ≥ 1.10). */
  H2PingUseTLS?: boolean | undefined;
  /** Alias check: mirror the health of this service… */
  AliasService?: string | undefined;
  /** …on this node (the local node by default), or the node's health alone. */
  AliasNode?: string | undefined;
  /** TTL check: the check turns critical unless updated within this time. */
  TTL?: GoDuration | undefined;
  /** How often to run the check (every kind but `TTL` and alias). */
  Interval?: GoDuration | undefined;
  /** Per-run timeout. */
  Timeout?: GoDuration | undefined;
  /** Deregister the check's service after it has been critical this long. */
  DeregisterCriticalServiceAfter?: GoDuration | undefined;
  /** Consecutive successes before the check turns passing. */
  SuccessBeforePassing?: number | undefined;
  /** Consecutive failures before the check turns critical. */
  FailuresBeforeCritical?: number | undefined;
  /** Consecutive failures before the check turns warning (Consul ≥ 1.11). */
  FailuresBeforeWarning?: number | undefined;
  /** Largest output kept, in bytes. */
  OutputMaxSize?: number | undefined;
  /** Fields of newer Consul versions, passed through as given. */
  [field: string]: unknown;
}

/** Where a check definition is going: the agent's check endpoint, a service's checks, or a catalog check's `Definition`. */
export type CheckTarget = 'agent' | 'service' | 'catalog';

const INTERVAL_KINDS = new Set(['script', 'docker', 'http', 'tcp', 'udp', 'grpc', 'h2ping']);

/**
 * Validates a {@link CheckDefinition} in Consul's JSON, which is then sent as it is: for the agent
 * (`ID`…), for a service's checks (`CheckID`…) and for a catalog check's `Definition`. One function
 * for all three, so they agree.
 * @param where - the field's name in error messages (e.g. `check`, `Checks[1]`).
 * @param target - `agent` and `service` require exactly one kind and an `Interval` where Consul
 *   needs one; a catalog check's `Definition` is data only, so there a kind and interval are optional.
 * @throws {InputError} naming the field (`check.Interval`), for anything Consul would reject (or silently misread).
 * @example validateCheckDefinition({ HTTP: 'http://x/health', Interval: '10s' }, 'check', 'agent')
 * @internal
 */
export function validateCheckDefinition(check: CheckDefinition, where: string, target: CheckTarget): void {
  if (!isRecord(check as unknown)) throw new InputError(`${where} must be an object`);
  refuseCamelCase(check, where);
  const c = check;
  const field = (name: string): string => `${where}.${name}`;
  const kinds: string[] = [];
  if (c.Args !== undefined && c.ScriptArgs !== undefined) throw new InputError(`${where} has both Args and ScriptArgs; give one (they are the same field)`);
  const argsName = c.Args !== undefined ? 'Args' : 'ScriptArgs';
  const args = optStrings(c.Args ?? c.ScriptArgs, field(argsName));
  if (args !== undefined && args.length === 0) throw new InputError(`${field(argsName)} must not be empty`);
  const docker = optString(c.DockerContainerID, field('DockerContainerID'));
  if (docker !== undefined && args === undefined) {
    throw new InputError(`${field('DockerContainerID')} needs ${field('Args')}: the command to run in the container`);
  }
  const shell = optString(c.Shell, field('Shell'));
  if (shell !== undefined && docker === undefined) throw new InputError(`${field('Shell')} is only for Docker checks (DockerContainerID)`);
  if (args !== undefined) kinds.push(docker === undefined ? 'script' : 'docker');
  const http = optString(c.HTTP, field('HTTP'));
  const tcp = optString(c.TCP, field('TCP'));
  const udp = optString(c.UDP, field('UDP'));
  const grpc = optString(c.GRPC, field('GRPC'));
  const h2ping = optString(c.H2PING, field('H2PING'));
  const aliasService = optString(c.AliasService, field('AliasService'));
  const aliasNode = optString(c.AliasNode, field('AliasNode'));
  if (http !== undefined) kinds.push('http');
  if (tcp !== undefined) kinds.push('tcp');
  if (udp !== undefined) kinds.push('udp');
  if (grpc !== undefined) kinds.push('grpc');
  if (h2ping !== undefined) kinds.push('h2ping');
  if (c.TTL !== undefined) kinds.push('ttl');
  if (aliasService !== undefined || aliasNode !== undefined) kinds.push('alias');
  if (kinds.length > 1) {
    throw new InputError(
      `${where} has ${kinds.length} kinds at once (${kinds.join(', ')}); a check is exactly one of Args, HTTP, TCP, UDP, GRPC, H2PING, TTL or AliasService/AliasNode (Consul would run only one of them)`,
    );
  }
  const kind = kinds[0];
  if (kind === undefined && target !== 'catalog') {
    throw new InputError(`${where} needs a kind: one of TTL, HTTP, TCP, UDP, GRPC, H2PING, Args (script/Docker) or AliasService/AliasNode`);
  }
  const ttl = optDuration(c.TTL, field('TTL'));
  if (ttl !== undefined && durationMs(ttl, field('TTL')) <= 0) throw new InputError(`${field('TTL')} must be greater than 0`);
  const interval = optDuration(c.Interval, field('Interval'));
  if (ttl !== undefined && interval !== undefined) {
    throw new InputError(`${where} has both TTL and Interval; a TTL check is updated by the application, not run on an interval`);
  }
  if (kind !== undefined && INTERVAL_KINDS.has(kind) && target !== 'catalog') {
    if (interval === undefined) throw new InputError(`${field('Interval')} is required for a ${kind} check (e.g. "10s")`);
    if (durationMs(interval, field('Interval')) <= 0) throw new InputError(`${field('Interval')} must be greater than 0`);
  }
  optDuration(c.Timeout, field('Timeout'));
  optDuration(c.DeregisterCriticalServiceAfter, field('DeregisterCriticalServiceAfter'));
  const status = c.Status;
  if (status !== undefined && !CHECK_STATUSES.includes(status)) {
    throw new InputError(`${field('Status')} must be "passing", "warning" or "critical", got ${JSON.stringify(status)}`);
  }
  if (c.Header !== undefined) {
    if (!isRecord(c.Header as unknown)) throw new InputError(`${field('Header')} must be an object of header names to arrays of values`);
    for (const [name, values] of Object.entries(c.Header)) {
      if (!Array.isArray(values) || !values.every((item) => typeof item === 'string')) {
        throw new InputError(`${field(`Header.${name}`)} must be an array of strings (Consul's JSON: { "${name}": ["value"] })`);
      }
    }
  }
  const serviceId = optString(c.ServiceID, field('ServiceID'));
  if (serviceId !== undefined && target === 'service') {
    throw new InputError(`${field('ServiceID')} cannot be set on a service's own check (it belongs to that service)`);
  }
  optString(c.Method, field('Method'));
  optString(c.Body, field('Body'), true);
  optBoolean(c.TLSSkipVerify, field('TLSSkipVerify'));
  optString(c.TLSServerName, field('TLSServerName'));
  optBoolean(c.GRPCUseTLS, field('GRPCUseTLS'));
  optBoolean(c.H2PingUseTLS, field('H2PingUseTLS'));
  optInt(c.OutputMaxSize, field('OutputMaxSize'), 1);
  optInt(c.SuccessBeforePassing, field('SuccessBeforePassing'), 0);
  optInt(c.FailuresBeforeCritical, field('FailuresBeforeCritical'), 0);
  optInt(c.FailuresBeforeWarning, field('FailuresBeforeWarning'), 0);
  optString(c.ID, field('ID'));
  optString(c.CheckID, field('CheckID'));
  optString(c.Name, field('Name'));
  optString(c.Notes, field('Notes'), true);
}

/** An address of a service under a name such as `lan`, `wan`, `lan_ipv4`. */
export interface TaggedAddress {
  /** The address (Consul also reads `address`, as its catalog docs write it). */
  Address: string;
  Port?: number | undefined;
  [field: string]: unknown;
}

/**
 * A service instance in Consul's JSON (`/v1/agent/service/register`; the same shape as the
 * `Service` of a `consul services register` file). `Proxy` and `Connect` are passed through as given.
 * Other fields (newer Consul's: `Namespace`, `Partition`, `Locality`…) pass through.
 * @example { Name: 'web', ID: 'web-1', Port: 8080, Tags: ['v1'], Check: { HTTP: 'http://localhost:8080/health', Interval: '10s' } }
 */
export interface ServiceDefinition {
  /** Service name. */
  Name: string;
  /** Instance id, unique on the node. @default the name */
  ID?: string | undefined;
  /** The instance's address; the node's address when left out. */
  Address?: string | undefined;
  /** Port, 0–65535. */
  Port?: number | undefined;
  Tags?: string[] | undefined;
  Meta?: Record<string, string> | undefined;
  /** Let anti-entropy keep tags changed in the catalog. */
  EnableTagOverride?: boolean | undefined;
  /** Addresses by name (`lan`, `wan`, …). */
  TaggedAddresses?: Record<string, TaggedAddress> | undefined;
  /** DNS SRV weights (`{ Passing: 10, Warning: 1 }`); when given, a left-out `Warning` is 0. */
  Weights?: { Passing: number; Warning?: number | undefined } | undefined;
  /** `connect-proxy`, `mesh-gateway`, `terminating-gateway`, `ingress-gateway` (typical when left out). */
  Kind?: string | undefined;
  /** Connect proxy configuration. */
  Proxy?: Record<string, unknown> | undefined;
  /** Connect configuration (`{ Native: true }`, `{ SidecarService: {} }`). */
  Connect?: Record<string, unknown> | undefined;
  /** One check of the service (agent registration only). */
  Check?: CheckDefinition | undefined;
  /** Several checks of the service (agent registration only). */
  Checks?: CheckDefinition[] | undefined;
  /** Fields of newer Consul versions, passed through as given. */
  [field: string]: unknown;
}

/**
 * Validates a service in Consul's JSON, which is then sent as it is: the agent's registration body
 * ({@link ServiceDefinition}: `Name`, `Check`, `Checks`…) or the catalog's `Service` object (where
 * `Service` holds the name and checks go in the registration instead).
 * @throws {InputError} naming the field (`service.Port`), for anything Consul would reject.
 * @example validateServiceDefinition({ Name: 'web', Port: 80 }, 'service', 'agent')
 * @internal
 */
export function validateServiceDefinition(service: Record<string, unknown>, where: string, target: 'agent' | 'catalog'): void {
  if (!isRecord(service)) throw new InputError(`${where} must be an object`);
  refuseCamelCase(service, where);
  const s = service;
  const field = (name: string): string => `${where}.${name}`;
  const nameField = target === 'agent' ? 'Name' : 'Service';
  const name = optString(s[nameField], field(nameField));
  if (name === undefined) throw new InputError(`${field(nameField)} is required`);
  if (s['TaggedAddresses'] !== undefined) {
    const tagged = s['TaggedAddresses'];
    if (!isRecord(tagged)) throw new InputError(`${field('TaggedAddresses')} must be an object`);
    for (const [tag, value] of Object.entries(tagged)) {
      if (!isRecord(value)) throw new InputError(`${field(`TaggedAddresses.${tag}`)} must be { Address, Port? }`);
      // Consul reads these two case-insensitively, and its docs write them both ways ({ address, port } in the catalog's sample)
      const addressKey = 'Address' in value ? 'Address' : 'address';
      const portKey = 'Port' in value ? 'Port' : 'port';
      const address = optString(value[addressKey], field(`TaggedAddresses.${tag}.${addressKey}`));
      if (address === undefined) throw new InputError(`${field(`TaggedAddresses.${tag}.Address`)} is required`);
      optInt(value[portKey], field(`TaggedAddresses.${tag}.${portKey}`), 0, 65535);
    }
  }
  if (s['Weights'] !== undefined) {
    const weights = s['Weights'];
    if (!isRecord(weights)) throw new InputError(`${field('Weights')} must be { Passing, Warning? }`);
    if (optInt(weights['Passing'], field('Weights.Passing'), 1) === undefined) throw new InputError(`${field('Weights.Passing')} is required`);
    optInt(weights['Warning'], field('Weights.Warning'), 0);
  }
  if (target === 'catalog' && (s['Check'] !== undefined || s['Checks'] !== undefined)) {
    throw new InputError(`${field('Check')}/${field('Checks')}: in a catalog registration, checks go in the registration's Check/Checks`);
  }
  if (s['Checks'] !== undefined) {
    if (!Array.isArray(s['Checks'])) throw new InputError(`${field('Checks')} must be an array`);
    s['Checks'].forEach((item: CheckDefinition, i: number) => validateCheckDefinition(item, field(`Checks[${i}]`), 'service'));
  }
  if (s['Check'] !== undefined) validateCheckDefinition(s['Check'] as CheckDefinition, field('Check'), 'service');
  optString(s['ID'], field('ID'));
  optString(s['Kind'], field('Kind'));
  optString(s['Address'], field('Address'), true);
  optInt(s['Port'], field('Port'), 0, 65535);
  optStrings(s['Tags'], field('Tags'));
  optStringMap(s['Meta'], field('Meta'));
  optBoolean(s['EnableTagOverride'], field('EnableTagOverride'));
  optObject(s['Proxy'], field('Proxy'));
  optObject(s['Connect'], field('Connect'));
}
