/**
 * The `Consul` facade: every endpoint function bound to one client, grouped like consulate's API
 * (`consul.kv.get(…)`, `consul.agent.self()` …). Functions are imported by name so that bundlers can
 * drop what an application does not use.
 * @module
 */
import type { Bound } from './core/bind.ts';
import { bind } from './core/bind.ts';
import type { Client } from './core/client.ts';
import { createClient } from './core/client.ts';
import type { ClientConfig } from './core/config.ts';
import type { ReadOptions } from './core/query.ts';
import type { Result } from './core/request.ts';
import type { GenericSchema } from 'valibot';
import {
  acquireLock,
  deleteTree,
  entries,
  find,
  get,
  getBytes,
  getJSON,
  getRecord,
  has,
  items,
  keys,
  records,
  releaseLock,
  remove,
  set,
  setRecord,
  size,
  values,
} from './endpoints/kv.ts';
import {
  authMethodCreate,
  authMethodDelete,
  authMethodList,
  authMethodRead,
  authMethodUpdate,
  bindingRuleCreate,
  bindingRuleDelete,
  bindingRuleList,
  bindingRuleRead,
  bindingRuleUpdate,
  bootstrap as aclBootstrap,
  clone as aclClone,
  create as aclCreate,
  destroy as aclDestroy,
  info as aclInfo,
  list as aclList,
  login as aclLogin,
  logout as aclLogout,
  policyCreate,
  policyDelete,
  policyList,
  policyRead,
  policyReadByName,
  policyUpdate,
  replication as aclReplication,
  roleCreate,
  roleDelete,
  roleList,
  roleRead,
  roleReadByName,
  roleUpdate,
  rulesTranslate,
  rulesTranslateToken,
  tokenClone,
  tokenCreate,
  tokenDelete,
  tokenList,
  tokenRead,
  tokenReadSelf,
  tokenUpdate,
  update as aclUpdate,
} from './endpoints/acl.ts';
import {
  create as sessionCreate,
  destroy as sessionDestroy,
  info as sessionInfo,
  list as sessionList,
  node as sessionNode,
  renew as sessionRenew,
  renewPeriodically,
} from './endpoints/session.ts';
import type { KVPair } from './endpoints/kv.ts';
import type { HealthState } from './endpoints/health.ts';
import type { UserEvent } from './endpoints/event.ts';
import type { CatalogNode } from './schemas/catalog.ts';
import type { HealthCheck, ServiceEntry } from './schemas/health.ts';
import type { WatchIterator, WatchOptions, WatchRead } from './core/watch.ts';
import { watch } from './core/watch.ts';
import type { LockApi } from './recipes/lock.ts';
import { createLockApi } from './recipes/lock.ts';
import type { SemaphoreApi } from './recipes/semaphore.ts';
import { createSemaphoreApi } from './recipes/semaphore.ts';
import {
  checks as agentChecks,
  deregisterCheck as agentDeregisterCheck,
  deregisterService as agentDeregisterService,
  forceLeave as agentForceLeave,
  host as agentHost,
  join as agentJoin,
  maintenance as agentMaintenance,
  members as agentMembers,
  metrics as agentMetrics,
  monitor as agentMonitor,
  prometheusMetrics as agentPrometheusMetrics,
  registerCheck as agentRegisterCheck,
  registerService as agentRegisterService,
  reload as agentReload,
  self as agentSelf,
  service as agentService,
  serviceHealthById as agentServiceHealthById,
  serviceHealthByName as agentServiceHealthByName,
  serviceMaintenance as agentServiceMaintenance,
  services as agentServices,
  ttlFail as agentTtlFail,
  ttlPass as agentTtlPass,
  ttlWarn as agentTtlWarn,
  updateCheck as agentUpdateCheck,
  updateToken as agentUpdateToken,
  version as agentVersion,
} from './endpoints/agent.ts';
import {
  connect as catalogConnect,
  datacenters as catalogDatacenters,
  deregister as catalogDeregister,
  gatewayServices as catalogGatewayServices,
  node as catalogNode,
  nodeServices as catalogNodeServices,
  nodes as catalogNodes,
  register as catalogRegister,
  service as catalogService,
  services as catalogServices,
} from './endpoints/catalog.ts';
import {
  checks as healthChecks,
  connect as healthConnect,
  ingress as healthIngress,
  node as healthNode,
  service as healthService,
  state as healthState,
} from './endpoints/health.ts';
import { leader as statusLeader, peers as statusPeers } from './endpoints/status.ts';
import {
  datacenters as coordinateDatacenters,
  node as coordinateNode,
  nodes as coordinateNodes,
  rtt as coordinateRtt,
  update as coordinateUpdate,
} from './endpoints/coordinate.ts';
import { fire as eventFire, idToIndex as eventIdToIndex, list as eventList, payloadText as eventPayloadText } from './endpoints/event.ts';
import type { TxnBuilder } from './endpoints/txn.ts';
import { builder as txnBuilder, run as txnRun, runBatches as txnRunBatches, splitBatches as txnSplitBatches, tryRun as txnTryRun } from './endpoints/txn.ts';
import {
  create as queryCreate,
  execute as queryExecute,
  explain as queryExplain,
  get as queryGet,
  list as queryList,
  remove as queryRemove,
  update as queryUpdate,
} from './endpoints/query.ts';
import {
  autopilotConfiguration as operatorAutopilotConfiguration,
  autopilotHealth as operatorAutopilotHealth,
  installKey as operatorInstallKey,
  listKeyring as operatorListKeyring,
  raftConfiguration as operatorRaftConfiguration,
  removeKey as operatorRemoveKey,
  removeRaftPeer as operatorRemoveRaftPeer,
  setAutopilotConfiguration as operatorSetAutopilotConfiguration,
  updateAutopilotConfiguration as operatorUpdateAutopilotConfiguration,
  useKey as operatorUseKey,
} from './endpoints/operator.ts';
import {
  restore as snapshotRestore,
  save as snapshotSave,
  saveBytes as snapshotSaveBytes,
  verifySnapshot as snapshotVerify,
} from './endpoints/snapshot.ts';
import type { ConfigEntryKind, ConfigEntryOf } from './endpoints/config.ts';
import { get as configGet, list as configList, remove as configRemove, set as configSet } from './endpoints/config.ts';
import {
  caConfiguration as connectCaConfiguration,
  caRoots as connectCaRoots,
  checkIntention as connectCheckIntention,
  createIntention as connectCreateIntention,
  deleteIntention as connectDeleteIntention,
  getIntention as connectGetIntention,
  listIntentions as connectListIntentions,
  matchIntentions as connectMatchIntentions,
  updateIntention as connectUpdateIntention,
} from './endpoints/connect.ts';
import {
  create as namespaceCreate,
  get as namespaceGet,
  list as namespaceList,
  remove as namespaceRemove,
  update as namespaceUpdate,
} from './endpoints/namespace.ts';
import {
  create as partitionCreate,
  get as partitionGet,
  list as partitionList,
  remove as partitionRemove,
  update as partitionUpdate,
} from './endpoints/partition.ts';
import {
  establish as peeringEstablish,
  generateToken as peeringGenerateToken,
  get as peeringGet,
  list as peeringList,
  remove as peeringRemove,
} from './endpoints/peering.ts';
import type { ReadOptions as ConfigReadOptions } from './core/query.ts';
import type { Result as ConfigResult } from './core/request.ts';
// @insert-imports (add named imports above this line)

/** `consul.kv`: the KV functions bound to the facade's client. */
export interface KVApi {
  get: Bound<typeof get>;
  getBytes: Bound<typeof getBytes>;
  /** {@link getJSON} bound (written out: a generic function loses its type parameter through `Bound`). */
  getJSON<T = unknown>(key: string, options?: ReadOptions & { schema?: GenericSchema<unknown, T> }): Promise<Result<T | undefined>>;
  getRecord: Bound<typeof getRecord>;
  records: Bound<typeof records>;
  list: Bound<typeof records>;
  keys: Bound<typeof keys>;
  has: Bound<typeof has>;
  size: Bound<typeof size>;
  find: Bound<typeof find>;
  values: Bound<typeof values>;
  items: Bound<typeof items>;
  entries: Bound<typeof entries>;
  set: Bound<typeof set>;
  setRecord: Bound<typeof setRecord>;
  delete: Bound<typeof remove>;
  deleteTree: Bound<typeof deleteTree>;
  acquireLock: Bound<typeof acquireLock>;
  releaseLock: Bound<typeof releaseLock>;
}

/** `consul.acl.token`: ACL tokens. */
export interface ACLTokenApi {
  create: Bound<typeof tokenCreate>;
  read: Bound<typeof tokenRead>;
  self: Bound<typeof tokenReadSelf>;
  update: Bound<typeof tokenUpdate>;
  clone: Bound<typeof tokenClone>;
  delete: Bound<typeof tokenDelete>;
  list: Bound<typeof tokenList>;
}

/** `consul.acl.policy`: ACL policies. */
export interface ACLPolicyApi {
  create: Bound<typeof policyCreate>;
  read: Bound<typeof policyRead>;
  readByName: Bound<typeof policyReadByName>;
  update: Bound<typeof policyUpdate>;
  delete: Bound<typeof policyDelete>;
  list: Bound<typeof policyList>;
}

/** `consul.acl.role`: ACL roles. */
export interface ACLRoleApi {
  create: Bound<typeof roleCreate>;
  read: Bound<typeof roleRead>;
  readByName: Bound<typeof roleReadByName>;
  update: Bound<typeof roleUpdate>;
  delete: Bound<typeof roleDelete>;
  list: Bound<typeof roleList>;
}

/** `consul.acl.authMethod`: ACL auth methods. */
export interface ACLAuthMethodApi {
  create: Bound<typeof authMethodCreate>;
  read: Bound<typeof authMethodRead>;
  update: Bound<typeof authMethodUpdate>;
  delete: Bound<typeof authMethodDelete>;
  list: Bound<typeof authMethodList>;
}

/** `consul.acl.bindingRule`: ACL binding rules. */
export interface ACLBindingRuleApi {
  create: Bound<typeof bindingRuleCreate>;
  read: Bound<typeof bindingRuleRead>;
  update: Bound<typeof bindingRuleUpdate>;
  delete: Bound<typeof bindingRuleDelete>;
  list: Bound<typeof bindingRuleList>;
}

/**
 * `consul.acl`: the current ACL API in groups (`token`, `policy`, `role`, `authMethod`,
 * `bindingRule`), plus consulate's legacy calls (`create`, `update`, `destroy`, `info`, `clone`, `list`).
 */
export interface ACLApi {
  bootstrap: Bound<typeof aclBootstrap>;
  replication: Bound<typeof aclReplication>;
  login: Bound<typeof aclLogin>;
  logout: Bound<typeof aclLogout>;
  rulesTranslate: Bound<typeof rulesTranslate>;
  rulesTranslateToken: Bound<typeof rulesTranslateToken>;
  token: ACLTokenApi;
  policy: ACLPolicyApi;
  role: ACLRoleApi;
  authMethod: ACLAuthMethodApi;
  bindingRule: ACLBindingRuleApi;
  /** Legacy (consulate): create a token, returns its ID. */
  create: Bound<typeof aclCreate>;
  /** Legacy (consulate): update (or create) a legacy token, returns its ID. */
  update: Bound<typeof aclUpdate>;
  /** Legacy (consulate): delete a token by secret ID. */
  destroy: Bound<typeof aclDestroy>;
  /** Legacy (consulate): read a legacy token by secret ID (`undefined` when missing). */
  info: Bound<typeof aclInfo>;
  /** Legacy (consulate): clone a legacy token, returns the new ID. */
  clone: Bound<typeof aclClone>;
  /** Legacy (consulate): list tokens in the legacy shape. */
  list: Bound<typeof aclList>;
}

/** `consul.session`: the session functions bound to the facade's client. */
export interface SessionApi {
  create: Bound<typeof sessionCreate>;
  destroy: Bound<typeof sessionDestroy>;
  info: Bound<typeof sessionInfo>;
  list: Bound<typeof sessionList>;
  node: Bound<typeof sessionNode>;
  renew: Bound<typeof sessionRenew>;
  renewPeriodically: Bound<typeof renewPeriodically>;
}

/**
 * `consul.watch`: call it with any read (`consul.watch((c, o) => kv.get(c, key, o))`), or use a
 * ready-made watch. Each returns an async iterator of `{ data, meta }` built on blocking queries.
 */
export interface WatchApi {
  /** Watches any read; see {@link watch}. */
  <T>(read: WatchRead<T>, options?: WatchOptions): WatchIterator<T>;
  /** A key's UTF-8 value (`undefined` while it does not exist). */
  key(key: string, options?: WatchOptions): WatchIterator<string | undefined>;
  /** Every entry under a prefix. */
  keyPrefix(prefix: string, options?: WatchOptions): WatchIterator<KVPair[]>;
  /** The instances of a service with their checks (`/v1/health/service`); `passing`, `tag` filter them. */
  service(
    name: string,
    options?: WatchOptions & { passing?: boolean | undefined; tag?: string | readonly string[] | undefined },
  ): WatchIterator<ServiceEntry[]>;
  /** The catalog's services and their tags. */
  services(options?: WatchOptions): WatchIterator<Record<string, string[]>>;
  /** The catalog's nodes. */
  nodes(options?: WatchOptions): WatchIterator<CatalogNode[]>;
  /** The checks of every instance of a service. */
  checks(service: string, options?: WatchOptions): WatchIterator<HealthCheck[]>;
  /** The checks in a state (`any`, `passing`, `warning`, `critical`). */
  checksInState(state: HealthState, options?: WatchOptions): WatchIterator<HealthCheck[]>;
  /** User events (optionally of one name); their index is a hash, handled as opaque. */
  events(name?: string, options?: WatchOptions): WatchIterator<UserEvent[]>;
}

function createWatchApi(client: Client): WatchApi {
  const api = <T>(read: WatchRead<T>, options?: WatchOptions): WatchIterator<T> => watch(client, read, options);
  return Object.assign(api, {
    key: (key: string, options?: WatchOptions) => watch(client, (c, o) => get(c, key, o), options),
    keyPrefix: (prefix: string, options?: WatchOptions) => watch(client, (c, o) => records(c, prefix, o), options),
    service: (
      name: string,
      options: WatchOptions & { passing?: boolean | undefined; tag?: string | readonly string[] | undefined } = {},
    ) => {
      const { passing, tag, ...rest } = options;
      return watch(client, (c, o) => healthService(c, name, { ...o, passing, tag }), rest);
    },
    services: (options?: WatchOptions) => watch(client, catalogServices, options),
    nodes: (options?: WatchOptions) => watch(client, catalogNodes, options),
    checks: (service: string, options?: WatchOptions) => watch(client, (c, o) => healthChecks(c, service, o), options),
    checksInState: (state: HealthState, options?: WatchOptions) => watch(client, (c, o) => healthState(c, state, o), options),
    events: (name?: string, options?: WatchOptions) =>
      watch(client, (c, o) => eventList(c, name === undefined ? o : { ...o, name }), { ...options, opaqueIndex: true }),
  });
}

/** `consul.agent.service`: services registered with the local agent. */
export interface AgentServiceApi {
  /** One service by instance id (`undefined` when unknown); blocks with `hash`. */
  get: Bound<typeof agentService>;
  /** All services by instance id. */
  list: Bound<typeof agentServices>;
  register: Bound<typeof agentRegisterService>;
  deregister: Bound<typeof agentDeregisterService>;
  maintenance: Bound<typeof agentServiceMaintenance>;
  /** Local health by service name (status as data: 200/429/503). */
  healthByName: Bound<typeof agentServiceHealthByName>;
  /** Local health by instance id. */
  healthById: Bound<typeof agentServiceHealthById>;
}

/** `consul.agent.check`: checks registered with the local agent. */
export interface AgentCheckApi {
  /** All checks by id. */
  list: Bound<typeof agentChecks>;
  register: Bound<typeof agentRegisterCheck>;
  deregister: Bound<typeof agentDeregisterCheck>;
  ttlPass: Bound<typeof agentTtlPass>;
  ttlWarn: Bound<typeof agentTtlWarn>;
  ttlFail: Bound<typeof agentTtlFail>;
  /** Sets a TTL check's status and output. */
  update: Bound<typeof agentUpdateCheck>;
}

/** `consul.agent`: the local agent, with `service` and `check` groups. */
export interface AgentApi {
  self: Bound<typeof agentSelf>;
  members: Bound<typeof agentMembers>;
  join: Bound<typeof agentJoin>;
  forceLeave: Bound<typeof agentForceLeave>;
  /** Node maintenance mode. */
  maintenance: Bound<typeof agentMaintenance>;
  metrics: Bound<typeof agentMetrics>;
  prometheusMetrics: Bound<typeof agentPrometheusMetrics>;
  reload: Bound<typeof agentReload>;
  updateToken: Bound<typeof agentUpdateToken>;
  host: Bound<typeof agentHost>;
  version: Bound<typeof agentVersion>;
  services: Bound<typeof agentServices>;
  checks: Bound<typeof agentChecks>;
  serviceHealthByName: Bound<typeof agentServiceHealthByName>;
  serviceHealthById: Bound<typeof agentServiceHealthById>;
  monitor: Bound<typeof agentMonitor>;
  service: AgentServiceApi;
  check: AgentCheckApi;
}

/** `consul.catalog`: the catalog functions bound to the facade's client. */
export interface CatalogApi {
  register: Bound<typeof catalogRegister>;
  deregister: Bound<typeof catalogDeregister>;
  datacenters: Bound<typeof catalogDatacenters>;
  nodes: Bound<typeof catalogNodes>;
  node: Bound<typeof catalogNode>;
  nodeServices: Bound<typeof catalogNodeServices>;
  services: Bound<typeof catalogServices>;
  service: Bound<typeof catalogService>;
  connect: Bound<typeof catalogConnect>;
  gatewayServices: Bound<typeof catalogGatewayServices>;
}

/** `consul.health`: the health functions bound to the facade's client. */
export interface HealthApi {
  node: Bound<typeof healthNode>;
  checks: Bound<typeof healthChecks>;
  service: Bound<typeof healthService>;
  connect: Bound<typeof healthConnect>;
  ingress: Bound<typeof healthIngress>;
  state: Bound<typeof healthState>;
}

/** `consul.status`: Raft leader and peers. */
export interface StatusApi {
  leader: Bound<typeof statusLeader>;
  peers: Bound<typeof statusPeers>;
}

/** `consul.coordinate`: network coordinates, and `rtt` to compute a round trip from two of them. */
export interface CoordinateApi {
  datacenters: Bound<typeof coordinateDatacenters>;
  nodes: Bound<typeof coordinateNodes>;
  node: Bound<typeof coordinateNode>;
  update: Bound<typeof coordinateUpdate>;
  /** Pure computation, no request. */
  rtt: typeof coordinateRtt;
}

/** `consul.event`: user events. */
export interface EventApi {
  fire: Bound<typeof eventFire>;
  list: Bound<typeof eventList>;
  /** Pure helper: an event's payload as UTF-8 text. */
  payloadText: typeof eventPayloadText;
  /** Pure helper: the index an event id maps to. */
  idToIndex: typeof eventIdToIndex;
}

/** `consul.txn`: transactions — a builder, atomic runs and batches. */
export interface TxnApi {
  /** A new operation builder (no client needed): `consul.txn.run(consul.txn.builder().kv.set(…))`. */
  builder: () => TxnBuilder;
  run: Bound<typeof txnRun>;
  tryRun: Bound<typeof txnTryRun>;
  runBatches: Bound<typeof txnRunBatches>;
  /** Pure helper: splits operations into ≤ 64-operation, ≤ 512 KiB batches. */
  splitBatches: typeof txnSplitBatches;
}

/** `consul.query`: prepared queries. */
export interface QueryApi {
  create: Bound<typeof queryCreate>;
  list: Bound<typeof queryList>;
  get: Bound<typeof queryGet>;
  update: Bound<typeof queryUpdate>;
  delete: Bound<typeof queryRemove>;
  execute: Bound<typeof queryExecute>;
  explain: Bound<typeof queryExplain>;
}

/** `consul.operator`: raft peers, autopilot and the gossip keyring. */
export interface OperatorApi {
  raft: {
    configuration: Bound<typeof operatorRaftConfiguration>;
    removePeer: Bound<typeof operatorRemoveRaftPeer>;
  };
  autopilot: {
    configuration: Bound<typeof operatorAutopilotConfiguration>;
    /** Replaces the whole configuration (optionally with `cas`). */
    set: Bound<typeof operatorSetAutopilotConfiguration>;
    /** Merges some settings with check-and-set. */
    update: Bound<typeof operatorUpdateAutopilotConfiguration>;
    health: Bound<typeof operatorAutopilotHealth>;
  };
  keyring: {
    list: Bound<typeof operatorListKeyring>;
    install: Bound<typeof operatorInstallKey>;
    use: Bound<typeof operatorUseKey>;
    remove: Bound<typeof operatorRemoveKey>;
  };
}

/** `consul.snapshot`: save, restore and verify snapshots. */
export interface SnapshotApi {
  save: Bound<typeof snapshotSave>;
  saveBytes: Bound<typeof snapshotSaveBytes>;
  restore: Bound<typeof snapshotRestore>;
  /** Pure helper: checks an archive's SHA-256 sums like `consul snapshot save`. */
  verify: typeof snapshotVerify;
}

/** `consul.config`: configuration entries, typed by kind. */
export interface ConfigApi {
  /** Reads an entry, typed by `kind`; `undefined` when missing. */
  get<K extends ConfigEntryKind | (string & {})>(
    kind: K,
    name: string,
    options?: ConfigReadOptions,
  ): Promise<ConfigResult<ConfigEntryOf<K> | undefined>>;
  /** Lists the entries of a kind. */
  list<K extends ConfigEntryKind | (string & {})>(kind: K, options?: ConfigReadOptions): Promise<ConfigResult<ConfigEntryOf<K>[]>>;
  set: Bound<typeof configSet>;
  delete: Bound<typeof configRemove>;
}

/** `consul.connect.intentions`: intentions (Consul 1.8's id-based API). */
export interface IntentionsApi {
  create: Bound<typeof connectCreateIntention>;
  list: Bound<typeof connectListIntentions>;
  get: Bound<typeof connectGetIntention>;
  update: Bound<typeof connectUpdateIntention>;
  delete: Bound<typeof connectDeleteIntention>;
  match: Bound<typeof connectMatchIntentions>;
  check: Bound<typeof connectCheckIntention>;
}

/** `consul.connect`: the Connect CA and intentions. */
export interface ConnectApi {
  caRoots: Bound<typeof connectCaRoots>;
  caConfiguration: Bound<typeof connectCaConfiguration>;
  intentions: IntentionsApi;
}

/** `consul.namespace`: Enterprise namespaces (Consul Enterprise 1.7+). */
export interface NamespaceApi {
  create: Bound<typeof namespaceCreate>;
  get: Bound<typeof namespaceGet>;
  update: Bound<typeof namespaceUpdate>;
  delete: Bound<typeof namespaceRemove>;
  list: Bound<typeof namespaceList>;
}

/** `consul.partition`: Enterprise admin partitions (Consul Enterprise 1.11+). */
export interface PartitionApi {
  create: Bound<typeof partitionCreate>;
  get: Bound<typeof partitionGet>;
  update: Bound<typeof partitionUpdate>;
  delete: Bound<typeof partitionRemove>;
  list: Bound<typeof partitionList>;
}

/** `consul.peering`: cluster peering (Consul 1.13+). */
export interface PeeringApi {
  generateToken: Bound<typeof peeringGenerateToken>;
  establish: Bound<typeof peeringEstablish>;
  get: Bound<typeof peeringGet>;
  delete: Bound<typeof peeringRemove>;
  list: Bound<typeof peeringList>;
}

// @insert-interfaces (helpers: add `export interface XApi {…}` blocks above this line)

function isClient(value: unknown): value is Client {
  return typeof value === 'object' && value !== null && 'transport' in value && 'config' in value;
}

/**
 * A Consul client with every API group bound, like consulate's `consulate.Consul`.
 * @example
 * ```ts
 * import { Consul } from 'consulate';
 * const consul = new Consul({ address: '127.0.0.1:8500' });
 * await consul.kv.set('app/port', '8080');
 * const { data } = await consul.kv.get('app/port'); // '8080'
 * ```
 */
export class Consul {
  /** The underlying immutable client, for use with the pure endpoint functions. */
  readonly client: Client;
  /** The KV store. */
  readonly kv: KVApi;
  /** The ACL system: tokens, policies, roles, auth methods, binding rules, and consulate's legacy calls. */
  readonly acl: ACLApi;
  /** Sessions (create, destroy, info, list, node, renew) and a periodic renewer. */
  readonly session: SessionApi;
  /** Watches: any read as an async iterator over blocking queries, and ready-made ones (`key`, `keyPrefix`…). */
  readonly watch: WatchApi;
  /** consulate's locks under `consulate/locks/` (`acquire`, usable with `await using`, and `with`), in Go's format. */
  readonly lock: LockApi;
  /** Semaphores in Go's format (interoperable with `consul lock -n N`): `acquire` and `with`. */
  readonly semaphore: SemaphoreApi;
  /** The local agent (`agent.service`, `agent.check`). */
  readonly agent: AgentApi;
  /** The catalog. */
  readonly catalog: CatalogApi;
  /** Health checks and healthy instances. */
  readonly health: HealthApi;
  /** Raft leader and peers. */
  readonly status: StatusApi;
  /** Network coordinates. */
  readonly coordinate: CoordinateApi;
  /** User events. */
  readonly event: EventApi;
  /** Transactions: `builder()`, `run`, `tryRun`, `runBatches`. */
  readonly txn: TxnApi;
  /** Prepared queries. */
  readonly query: QueryApi;
  /** Raft peers, autopilot and the gossip keyring. */
  readonly operator: OperatorApi;
  /** Snapshots: save, restore, verify. */
  readonly snapshot: SnapshotApi;
  /** Configuration entries. */
  readonly config: ConfigApi;
  /** The Connect CA and intentions. */
  readonly connect: ConnectApi;
  /** Enterprise namespaces (not on Consul OSS). */
  readonly namespace: NamespaceApi;
  /** Enterprise admin partitions (not on Consul OSS). */
  readonly partition: PartitionApi;
  /** Cluster peering (Consul 1.13+). */
  readonly peering: PeeringApi;
  // @insert-properties (add `/** … */ readonly x: XApi;` above this line)

  /**
   * @param config - a {@link ClientConfig} or an existing {@link Client}.
   * @throws {ConfigError} for invalid configuration.
   */
  constructor(config: ClientConfig | Client = {}) {
    const c = isClient(config) ? config : createClient(config);
    this.client = c;
    this.kv = {
      get: bind(get, c),
      getBytes: bind(getBytes, c),
      getJSON: (key, options) => getJSON(c, key, options),
      getRecord: bind(getRecord, c),
      records: bind(records, c),
      list: bind(records, c),
      keys: bind(keys, c),
      has: bind(has, c),
      size: bind(size, c),
      find: bind(find, c),
      values: bind(values, c),
      items: bind(items, c),
      entries: bind(entries, c),
      set: bind(set, c),
      setRecord: bind(setRecord, c),
      delete: bind(remove, c),
      deleteTree: bind(deleteTree, c),
      acquireLock: bind(acquireLock, c),
      releaseLock: bind(releaseLock, c),
    };
    this.acl = {
      bootstrap: bind(aclBootstrap, c),
      replication: bind(aclReplication, c),
      login: bind(aclLogin, c),
      logout: bind(aclLogout, c),
      rulesTranslate: bind(rulesTranslate, c),
      rulesTranslateToken: bind(rulesTranslateToken, c),
      token: {
        create: bind(tokenCreate, c),
        read: bind(tokenRead, c),
        self: bind(tokenReadSelf, c),
        update: bind(tokenUpdate, c),
        clone: bind(tokenClone, c),
        delete: bind(tokenDelete, c),
        list: bind(tokenList, c),
      },
      policy: {
        create: bind(policyCreate, c),
        read: bind(policyRead, c),
        readByName: bind(policyReadByName, c),
        update: bind(policyUpdate, c),
        delete: bind(policyDelete, c),
        list: bind(policyList, c),
      },
      role: {
        create: bind(roleCreate, c),
        read: bind(roleRead, c),
        readByName: bind(roleReadByName, c),
        update: bind(roleUpdate, c),
        delete: bind(roleDelete, c),
        list: bind(roleList, c),
      },
      authMethod: {
        create: bind(authMethodCreate, c),
        read: bind(authMethodRead, c),
        update: bind(authMethodUpdate, c),
        delete: bind(authMethodDelete, c),
        list: bind(authMethodList, c),
      },
      bindingRule: {
        create: bind(bindingRuleCreate, c),
        read: bind(bindingRuleRead, c),
        update: bind(bindingRuleUpdate, c),
        delete: bind(bindingRuleDelete, c),
        list: bind(bindingRuleList, c),
      },
      create: bind(aclCreate, c),
      update: bind(aclUpdate, c),
      destroy: bind(aclDestroy, c),
      info: bind(aclInfo, c),
      clone: bind(aclClone, c),
      list: bind(aclList, c),
    };
    this.session = {
      create: bind(sessionCreate, c),
      destroy: bind(sessionDestroy, c),
      info: bind(sessionInfo, c),
      list: bind(sessionList, c),
      node: bind(sessionNode, c),
      renew: bind(sessionRenew, c),
      renewPeriodically: bind(renewPeriodically, c),
    };
    this.watch = createWatchApi(c);
    this.lock = createLockApi(c);
    this.semaphore = createSemaphoreApi(c);
    this.agent = {
      self: bind(agentSelf, c),
      members: bind(agentMembers, c),
      join: bind(agentJoin, c),
      forceLeave: bind(agentForceLeave, c),
      maintenance: bind(agentMaintenance, c),
      metrics: bind(agentMetrics, c),
      prometheusMetrics: bind(agentPrometheusMetrics, c),
      reload: bind(agentReload, c),
      updateToken: bind(agentUpdateToken, c),
      host: bind(agentHost, c),
      version: bind(agentVersion, c),
      services: bind(agentServices, c),
      checks: bind(agentChecks, c),
      serviceHealthByName: bind(agentServiceHealthByName, c),
      serviceHealthById: bind(agentServiceHealthById, c),
      monitor: bind(agentMonitor, c),
      service: {
        get: bind(agentService, c),
        list: bind(agentServices, c),
        register: bind(agentRegisterService, c),
        deregister: bind(agentDeregisterService, c),
        maintenance: bind(agentServiceMaintenance, c),
        healthByName: bind(agentServiceHealthByName, c),
        healthById: bind(agentServiceHealthById, c),
      },
      check: {
        list: bind(agentChecks, c),
        register: bind(agentRegisterCheck, c),
        deregister: bind(agentDeregisterCheck, c),
        ttlPass: bind(agentTtlPass, c),
        ttlWarn: bind(agentTtlWarn, c),
        ttlFail: bind(agentTtlFail, c),
        update: bind(agentUpdateCheck, c),
      },
    };
    this.catalog = {
      register: bind(catalogRegister, c),
      deregister: bind(catalogDeregister, c),
      datacenters: bind(catalogDatacenters, c),
      nodes: bind(catalogNodes, c),
      node: bind(catalogNode, c),
      nodeServices: bind(catalogNodeServices, c),
      services: bind(catalogServices, c),
      service: bind(catalogService, c),
      connect: bind(catalogConnect, c),
      gatewayServices: bind(catalogGatewayServices, c),
    };
    this.health = {
      node: bind(healthNode, c),
      checks: bind(healthChecks, c),
      service: bind(healthService, c),
      connect: bind(healthConnect, c),
      ingress: bind(healthIngress, c),
      state: bind(healthState, c),
    };
    this.status = { leader: bind(statusLeader, c), peers: bind(statusPeers, c) };
    this.coordinate = {
      datacenters: bind(coordinateDatacenters, c),
      nodes: bind(coordinateNodes, c),
      node: bind(coordinateNode, c),
      update: bind(coordinateUpdate, c),
      rtt: coordinateRtt,
    };
    this.event = {
      fire: bind(eventFire, c),
      list: bind(eventList, c),
      payloadText: eventPayloadText,
      idToIndex: eventIdToIndex,
    };
    this.txn = {
      builder: txnBuilder,
      run: bind(txnRun, c),
      tryRun: bind(txnTryRun, c),
      runBatches: bind(txnRunBatches, c),
      splitBatches: txnSplitBatches,
    };
    this.query = {
      create: bind(queryCreate, c),
      list: bind(queryList, c),
      get: bind(queryGet, c),
      update: bind(queryUpdate, c),
      delete: bind(queryRemove, c),
      execute: bind(queryExecute, c),
      explain: bind(queryExplain, c),
    };
    this.operator = {
      raft: { configuration: bind(operatorRaftConfiguration, c), removePeer: bind(operatorRemoveRaftPeer, c) },
      autopilot: {
        configuration: bind(operatorAutopilotConfiguration, c),
        set: bind(operatorSetAutopilotConfiguration, c),
        update: bind(operatorUpdateAutopilotConfiguration, c),
        health: bind(operatorAutopilotHealth, c),
      },
      keyring: {
        list: bind(operatorListKeyring, c),
        install: bind(operatorInstallKey, c),
        use: bind(operatorUseKey, c),
        remove: bind(operatorRemoveKey, c),
      },
    };
    this.snapshot = {
      save: bind(snapshotSave, c),
      saveBytes: bind(snapshotSaveBytes, c),
      restore: bind(snapshotRestore, c),
      verify: snapshotVerify,
    };
    this.config = {
      get: (kind, name, options) => configGet(c, kind, name, options),
      list: (kind, options) => configList(c, kind, options),
      set: bind(configSet, c),
      delete: bind(configRemove, c),
    };
    this.connect = {
      caRoots: bind(connectCaRoots, c),
      caConfiguration: bind(connectCaConfiguration, c),
      intentions: {
        create: bind(connectCreateIntention, c),
        list: bind(connectListIntentions, c),
        get: bind(connectGetIntention, c),
        update: bind(connectUpdateIntention, c),
        delete: bind(connectDeleteIntention, c),
        match: bind(connectMatchIntentions, c),
        check: bind(connectCheckIntention, c),
      },
    };
    this.namespace = {
      create: bind(namespaceCreate, c),
      get: bind(namespaceGet, c),
      update: bind(namespaceUpdate, c),
      delete: bind(namespaceRemove, c),
      list: bind(namespaceList, c),
    };
    this.partition = {
      create: bind(partitionCreate, c),
      get: bind(partitionGet, c),
      update: bind(partitionUpdate, c),
      delete: bind(partitionRemove, c),
      list: bind(partitionList, c),
    };
    this.peering = {
      generateToken: bind(peeringGenerateToken, c),
      establish: bind(peeringEstablish, c),
      get: bind(peeringGet, c),
      delete: bind(peeringRemove, c),
      list: bind(peeringList, c),
    };
    // @insert-bindings (add `this.x = { … };` above this line)
  }
}
