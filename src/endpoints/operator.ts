/**
 * The operator API: the raft peer set (and leadership transfer), autopilot (configuration, health, state), the gossip encryption keyring, and service usage.
 * Most calls need an `operator:read` or `operator:write` token.
 * @see https://developer.hashicorp.com/consul/api-docs/operator
 * @module
 */
import type { Client } from '../core/client.ts';
import type { Duration } from '../core/encoding.ts';
import { formatDuration, fromBase64, uint64 } from '../core/encoding.ts';
import { InputError } from '../core/errors.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import type { RequestSpec, Result } from '../core/request.ts';
import { requestJson, send, sendVoid } from '../core/request.ts';
import { refuseDatacenter } from '../core/routing.ts';
import type { AutopilotConfiguration, AutopilotHealth, AutopilotState, KeyringResponse, RaftConfiguration, TransferLeaderResponse, Usage } from '../schemas/operator.ts';
import {
  AutopilotConfiguration as AutopilotConfigurationSchema,
  AutopilotHealth as AutopilotHealthSchema,
  AutopilotState as AutopilotStateSchema,
  BooleanResult,
  KeyringList,
  RaftConfiguration as RaftConfigurationSchema,
  TransferLeaderResponse as TransferLeaderResponseSchema,
  Usage as UsageSchema,
} from '../schemas/operator.ts';

/** Why an explicit `datacenter` option is refused on keyring calls (Consul 1.8.7 ignores `?dc=` there). */
const EVERY_DC = 'keyring operations act on the WAN pool and the LAN pool of every datacenter';

export type {
  AutopilotConfiguration,
  AutopilotHealth,
  AutopilotServerHealth,
  AutopilotState,
  AutopilotStateServer,
  KeyringResponse,
  RaftConfiguration,
  RaftServer,
  ServiceUsage,
  TransferLeaderResponse,
  Usage,
} from '../schemas/operator.ts';

/**
 * Reads the raft configuration: the servers, their addresses and which one leads.
 * @param options - `consistency: 'stale'` reads from any server (e.g. when there is no leader).
 * @returns the servers and the raft index of the configuration.
 * @see https://developer.hashicorp.com/consul/api-docs/operator/raft#read-configuration
 * @example
 * ```ts
 * const { data } = await operator.raftConfiguration(client);
 * const leader = data.Servers.find((s) => s.Leader);
 * ```
 */
export async function raftConfiguration(client: Client, options: ReadOptions = {}): Promise<Result<RaftConfiguration>> {
  return requestJson(client, { path: 'operator/raft/configuration', options }, RaftConfigurationSchema);
}

/** Which raft peer to remove: by server id (raft protocol 3) or by `ip:port` address. */
export type RaftPeer = { id: string; address?: undefined } | { address: string; id?: undefined };

/**
 * Removes a server from the raft peer set (for a failed server that cannot leave by itself).
 * @param peer - `{ id }` or `{ address: 'ip:port' }`.
 * @returns nothing (`data` is `undefined`).
 * @throws {InputError} unless exactly one of `id` and `address` is given, before sending.
 * @throws {ServerError} when no such peer is in the configuration (Consul answers 500).
 * @see https://developer.hashicorp.com/consul/api-docs/operator/raft#delete-raft-peer
 * @example await operator.raftRemovePeer(client, { address: '10.0.0.7:8300' });
 */
export async function raftRemovePeer(client: Client, peer: RaftPeer, options: WriteOptions = {}): Promise<Result<void>> {
  const id = peer?.id;
  const address = peer?.address;
  if ((id === undefined) === (address === undefined) || (id ?? address) === '') {
    throw new InputError('give the raft peer to remove as { id } or { address: "ip:port" } (exactly one, non-empty)');
  }
  return sendVoid(client, { method: 'DELETE', path: 'operator/raft/peer', params: { id, address }, options });
}

/**
 * Options of {@link raftTransferLeader}.
 * @since Consul 1.15
 */
export interface RaftTransferLeaderOptions extends WriteOptions {
  /** Raft ID of the server to hand leadership to (`?id=`); left out, Consul picks one. */
  id?: string | undefined;
}

/**
 * Moves raft leadership away from the current leader, to the server `id` or to one Consul picks
 * (`POST /v1/operator/raft/transfer-leader`, the API of `consul operator raft transfer-leader`).
 * @since Consul 1.15
 * @param options - `id` of the new leader; `datacenter`, `token`, `signal`.
 * @returns `{ Success }`: whether leadership moved.
 * @throws {InputError} for an empty `id`, before sending.
 * @throws {ServerError} when the transfer fails (e.g. an unknown id or a single-server cluster; Consul answers 500).
 * @throws {ForbiddenError} without `operator:write`.
 * @throws {NotFoundError} on Consul before 1.15 (no such endpoint).
 * @see https://developer.hashicorp.com/consul/commands/operator/raft#transfer-leader
 * @example
 * ```ts
 * const { data } = await operator.raftTransferLeader(client, { id: 'e4a8a4f8-…' });
 * if (!data.Success) console.warn('leadership did not move');
 * ```
 */
export async function raftTransferLeader(client: Client, options: RaftTransferLeaderOptions = {}): Promise<Result<TransferLeaderResponse>> {
  const { id, ...rest } = options;
  if (id !== undefined && (typeof id !== 'string' || id === '')) throw new InputError('id (the Raft ID of the new leader) must be a non-empty string');
  return requestJson(client, { method: 'POST', path: 'operator/raft/transfer-leader', params: { id }, options: rest, idempotent: false }, TransferLeaderResponseSchema);
}

/**
 * Reads autopilot's configuration.
 * @returns the configuration, with its `ModifyIndex` for check-and-set.
 * @see https://developer.hashicorp.com/consul/api-docs/operator/autopilot#read-configuration
 * @example const { data } = await operator.autopilotConfiguration(client); // data.CleanupDeadServers
 */
export async function autopilotConfiguration(client: Client, options: ReadOptions = {}): Promise<Result<AutopilotConfiguration>> {
  return requestJson(client, { path: 'operator/autopilot/configuration', options }, AutopilotConfigurationSchema);
}

/**
 * Autopilot settings to write (Consul's field names). Consul replaces the whole configuration, so
 * {@link autopilotSet} takes every field; {@link autopilotUpdate} merges.
 */
export interface AutopilotSettings {
  /** Remove dead servers when a new one joins. */
  CleanupDeadServers: boolean;
  /** Longest time a server may go without contact from the leader before it is unhealthy. */
  LastContactThreshold: Duration;
  /** Most log entries a server may trail the leader by before it is unhealthy. */
  MaxTrailingLogs: number;
  /** Fewest servers before autopilot stops pruning dead servers (Consul 1.6+). */
  MinQuorum: number;
  /** How long a new server must be healthy before it is promoted to voter. */
  ServerStabilizationTime: Duration;
  /** Enterprise: node-meta key for redundancy zones. */
  RedundancyZoneTag: string;
  /** Enterprise: disable upgrade migrations. */
  DisableUpgradeMigration: boolean;
  /** Enterprise: node-meta key holding the version for upgrade migrations. */
  UpgradeVersionTag: string;
}

/** Options of {@link autopilotSet}. */
export interface AutopilotSetOptions extends WriteOptions {
  /** Check-and-set: write only if the configuration's ModifyIndex is still this. */
  cas?: number | bigint | undefined;
}

function autopilotBody(settings: AutopilotSettings): Record<string, unknown> {
  if (typeof settings !== 'object' || settings === null) throw new InputError('autopilot settings must be an object');
  const body: Record<string, unknown> = {};
  const fields: (keyof AutopilotSettings)[] = [
    'CleanupDeadServers', 'LastContactThreshold', 'MaxTrailingLogs', 'MinQuorum', 'ServerStabilizationTime',
    'RedundancyZoneTag', 'DisableUpgradeMigration', 'UpgradeVersionTag',
  ];
  for (const field of fields) {
    const value = settings[field];
    if (value === undefined) {
      throw new InputError(`autopilot settings need ${field} (Consul replaces the whole configuration; use autopilotUpdate to change some fields)`);
    }
    body[field] = field === 'LastContactThreshold' || field === 'ServerStabilizationTime' ? formatDuration(value as Duration, field) : value;
  }
  return body;
}

/**
 * Replaces autopilot's configuration (every field is needed: Consul zeroes fields left out).
 * @param settings - the whole configuration; a value read with {@link autopilotConfiguration} can be passed back.
 * @param options - `cas` for check-and-set.
 * @returns whether Consul applied it (`false` when `cas` did not match).
 * @throws {InputError} for a missing field or a bad duration, before sending.
 * @see https://developer.hashicorp.com/consul/api-docs/operator/autopilot#update-configuration
 * @example
 * ```ts
 * const { data: cfg } = await operator.autopilotConfiguration(client);
 * await operator.autopilotSet(client, { ...cfg, MaxTrailingLogs: 500 }, { cas: cfg.ModifyIndex });
 * ```
 */
export async function autopilotSet(
  client: Client,
  settings: AutopilotSettings,
  options: AutopilotSetOptions = {},
): Promise<Result<boolean>> {
  const { cas, ...rest } = options;
  const json = autopilotBody(settings);
  return requestJson(
    client,
    {
      method: 'PUT',
      path: 'operator/autopilot/configuration',
      params: { cas: cas === undefined ? undefined : uint64(cas, 'cas') },
      json,
      options: rest,
    },
    BooleanResult,
  );
}

/**
 * Changes some autopilot settings: reads the configuration, merges `changes` and writes it back with
 * check-and-set, so a concurrent change is never overwritten.
 * @returns whether the write applied (`false` when the configuration changed in between; read and try again).
 * @throws {InputError} for a bad duration, before writing.
 * @see https://developer.hashicorp.com/consul/api-docs/operator/autopilot#update-configuration
 * @example await operator.autopilotUpdate(client, { CleanupDeadServers: false });
 */
export async function autopilotUpdate(
  client: Client,
  changes: Partial<AutopilotSettings>,
  options: WriteOptions = {},
): Promise<Result<boolean>> {
  const { data: current } = await autopilotConfiguration(client, options);
  const defined = Object.fromEntries(Object.entries(changes ?? {}).filter(([, value]) => value !== undefined));
  return autopilotSet(client, { ...current, ...defined } as AutopilotSettings, { ...options, cas: current.ModifyIndex });
}

/**
 * Reads autopilot's health report of the servers. An unhealthy cluster is data, not an error
 * (Consul answers 429 with the same body).
 * @returns `Healthy`, `FailureTolerance` and each server's health.
 * @see https://developer.hashicorp.com/consul/api-docs/operator/autopilot#read-health
 * @example
 * ```ts
 * const { data } = await operator.autopilotHealth(client);
 * if (!data.Healthy) alert(`failure tolerance ${data.FailureTolerance}`);
 * ```
 */
export async function autopilotHealth(client: Client, options: ReadOptions = {}): Promise<Result<AutopilotHealth>> {
  return requestJson(client, { path: 'operator/autopilot/health', options, accept: [429] }, AutopilotHealthSchema);
}

/**
 * Reads autopilot's state: every server by Raft ID with its raft status, health and the type
 * autopilot wants it to have, the leader, the voters and the failure tolerance. A fuller view than
 * {@link autopilotHealth}, from Consul 1.9's autopilot.
 * @since Consul 1.9
 * @returns the state (`Servers` keyed by Raft ID; `Leader` and `Voters` index into it).
 * @throws {ForbiddenError} without `operator:read`.
 * @throws {NotFoundError} on Consul before 1.9 (no such endpoint).
 * @see https://developer.hashicorp.com/consul/api-docs/operator/autopilot#read-the-autopilot-state
 * @example
 * ```ts
 * const { data } = await operator.autopilotState(client);
 * const leader = data.Servers[data.Leader]; // leader.Name, leader.Version
 * ```
 */
export async function autopilotState(client: Client, options: ReadOptions = {}): Promise<Result<AutopilotState>> {
  return requestJson(client, { path: 'operator/autopilot/state', options }, AutopilotStateSchema);
}

/**
 * Options of {@link usage}.
 * @since Consul 1.15
 */
export interface UsageOptions extends ReadOptions {
  /** Every known datacenter's counts (`?global`), not only the local one. */
  global?: boolean | undefined;
}

/**
 * Reads service usage by datacenter: unique services, instances, Connect instances by kind (the API of
 * `consul operator usage instances`). A blocking query: pass `index` and `wait`.
 * @since Consul 1.15
 * @param options - `global` for every datacenter; the read options (`consistency: 'stale'`, `index`, `wait`…).
 * @returns `{ Usage: { [datacenter]: { Services, ServiceInstances, ConnectServiceInstances, BillableServiceInstances } } }`, counts as plain numbers.
 * @throws {ForbiddenError} without `operator:read`.
 * @throws {NotFoundError} on Consul versions without the endpoint.
 * @see https://developer.hashicorp.com/consul/api-docs/operator/usage
 * @example
 * ```ts
 * const { data } = await operator.usage(client, { global: true });
 * for (const [dc, u] of Object.entries(data.Usage)) console.log(dc, u.ServiceInstances);
 * ```
 */
export async function usage(client: Client, options: UsageOptions = {}): Promise<Result<Usage>> {
  const { global, ...rest } = options;
  return requestJson(client, { path: 'operator/usage', params: { global }, options: rest }, UsageSchema);
}

/** Options of the keyring calls. */
export interface KeyringOptions extends WriteOptions {
  /** Ask this many extra nodes to relay each answer (0–5), for lossy networks. */
  relayFactor?: number | undefined;
  /** Only the local datacenter's LAN pool, from the servers' view (listing only; Consul 1.7+). */
  localOnly?: boolean | undefined;
}

function keyringParams(options: KeyringOptions): Record<string, number | string | undefined> {
  const { relayFactor, localOnly } = options;
  if (relayFactor !== undefined && (!Number.isInteger(relayFactor) || relayFactor < 0 || relayFactor > 5)) {
    throw new InputError(`relayFactor must be an integer from 0 to 5, got ${relayFactor}`);
  }
  // a bare `?local-only` is ignored by Consul: it needs `local-only=true`
  return { 'relay-factor': relayFactor, 'local-only': localOnly ? 'true' : undefined };
}

function checkKey(key: string): string {
  let size = -1;
  try {
    size = typeof key === 'string' ? fromBase64(key).length : -1;
  } catch {
    // not base64
  }
  if (![16, 24, 32].includes(size)) {
    throw new InputError('a gossip encryption key is 16, 24 or 32 bytes in standard base64 (see `consul keygen`)');
  }
  return key;
}

function keyringWrite(method: 'POST' | 'PUT' | 'DELETE', client: Client, key: string, options: KeyringOptions): Promise<Result<void>> {
  const { relayFactor, localOnly: _localOnly, ...rest } = options;
  return sendVoid(client, {
    method,
    path: 'operator/keyring',
    params: keyringParams({ relayFactor }),
    json: { Key: checkKey(key) },
    options: rest,
  });
}

/**
 * Lists the gossip encryption keys installed in every pool (WAN and each LAN).
 * @returns one entry per pool, with each key's node count and the primary key(s).
 * @throws {ServerError} when gossip encryption is not enabled on the agent.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (keyring operations act on every datacenter).
 * @see https://developer.hashicorp.com/consul/api-docs/operator/keyring#list-gossip-encryption-keys
 * @example
 * ```ts
 * const { data } = await operator.keyringList(client);
 * const lan = data.find((pool) => !pool.WAN);
 * ```
 */
export async function keyringList(client: Client, options: KeyringOptions = {}): Promise<Result<KeyringResponse[]>> {
  refuseDatacenter(options, 'operator.keyringList', EVERY_DC);
  const { relayFactor, localOnly, ...rest } = options;
  return requestJson(client, { path: 'operator/keyring', params: keyringParams({ relayFactor, localOnly }), options: rest }, KeyringList);
}

/**
 * Installs a new gossip encryption key on every member (it is not used for encryption until {@link keyringUse}).
 * @param key - base64 of 16, 24 or 32 random bytes (`consul keygen`).
 * @returns nothing (`data` is `undefined`).
 * @throws {InputError} for a key that is not 16/24/32 bytes of base64, before sending.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (keyring operations act on every datacenter).
 * @see https://developer.hashicorp.com/consul/api-docs/operator/keyring#add-new-gossip-encryption-key
 * @example await operator.keyringInstall(client, newKey);
 */
export async function keyringInstall(client: Client, key: string, options: KeyringOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'operator.keyringInstall', EVERY_DC);
  return keyringWrite('POST', client, key, options);
}

/**
 * Makes an installed key the primary key used to encrypt gossip.
 * @returns nothing (`data` is `undefined`).
 * @throws {InputError} for a malformed key, before sending.
 * @throws {ServerError} when the key is not installed.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (keyring operations act on every datacenter).
 * @see https://developer.hashicorp.com/consul/api-docs/operator/keyring#change-primary-gossip-encryption-key
 * @example await operator.keyringUse(client, newKey);
 */
export async function keyringUse(client: Client, key: string, options: KeyringOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'operator.keyringUse', EVERY_DC);
  return keyringWrite('PUT', client, key, options);
}

/**
 * Removes a gossip encryption key from every member.
 * @returns nothing (`data` is `undefined`).
 * @throws {InputError} for a malformed key, before sending.
 * @throws {ServerError} when it is the primary key (Consul refuses: "Removing the primary key is not allowed").
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (keyring operations act on every datacenter).
 * @see https://developer.hashicorp.com/consul/api-docs/operator/keyring#delete-gossip-encryption-key
 * @example await operator.keyringDelete(client, oldKey);
 */
export async function keyringDelete(client: Client, key: string, options: KeyringOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'operator.keyringDelete', EVERY_DC);
  return keyringWrite('DELETE', client, key, options);
}

/**
 * How these functions nest on the `Consul` facade: `consul.operator.raft.removePeer(…)`,
 * `consul.operator.autopilot.health()`, `consul.operator.keyring.install(key)`…
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const operatorFacade = {
  usage: usage as typeof usage,
  raft: {
    configuration: raftConfiguration as typeof raftConfiguration,
    removePeer: raftRemovePeer as typeof raftRemovePeer,
    transferLeader: raftTransferLeader as typeof raftTransferLeader,
  },
  autopilot: {
    configuration: autopilotConfiguration as typeof autopilotConfiguration,
    set: autopilotSet as typeof autopilotSet,
    update: autopilotUpdate as typeof autopilotUpdate,
    health: autopilotHealth as typeof autopilotHealth,
    state: autopilotState as typeof autopilotState,
  },
  keyring: {
    list: keyringList as typeof keyringList,
    install: keyringInstall as typeof keyringInstall,
    use: keyringUse as typeof keyringUse,
    delete: keyringDelete as typeof keyringDelete,
  },
};
