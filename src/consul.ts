/**
 * The `Consul` facade: every endpoint function bound to one client and nested by resource
 * (`consul.kv.get(…)`, `consul.acl.token.create(…)`, `consul.agent.service.register(…)`).
 *
 * Nothing here lists functions: each group module exports one description of how its functions
 * nest (`kvFacade`, `aclFacade`…), {@link consulFacade} names the groups, and the constructor binds
 * them all in one loop (`bindFacade` in `core/bind.ts`). The facade's type is derived from the same
 * descriptions. Adding an endpoint is one entry in its group's description.
 *
 * Descriptions are imported by name, never with `import * as`, so that bundlers can still drop the
 * groups (and functions) an application that uses the per-group subpaths does not import.
 * @module
 */
import type { BoundFacade } from './core/bind.ts';
import { bindFacade, extendDescription } from './core/bind.ts';
import type { Client, PerRequestConfig } from './core/client.ts';
import { createClient, withConfig } from './core/client.ts';
import type { ClientConfig } from './core/config.ts';
import { aclFacade } from './endpoints/acl.ts';
import { agentFacade } from './endpoints/agent.ts';
import { catalogFacade } from './endpoints/catalog.ts';
import { configFacade } from './endpoints/config.ts';
import { connectFacade } from './endpoints/connect.ts';
import { coordinateFacade } from './endpoints/coordinate.ts';
import { eventFacade } from './endpoints/event.ts';
import { healthFacade } from './endpoints/health.ts';
import { kvFacade } from './endpoints/kv.ts';
import { namespaceFacade } from './endpoints/namespace.ts';
import { operatorFacade } from './endpoints/operator.ts';
import { partitionFacade } from './endpoints/partition.ts';
import { peeringFacade } from './endpoints/peering.ts';
import { discoveryChainFacade } from './endpoints/discovery-chain.ts';
import { exportedServicesFacade } from './endpoints/exported-services.ts';
import { queryFacade } from './endpoints/query.ts';
import { sessionFacade } from './endpoints/session.ts';
import { snapshotFacade } from './endpoints/snapshot.ts';
import { statusFacade } from './endpoints/status.ts';
import { txnFacade } from './endpoints/txn.ts';
import { lockFacade } from './recipes/lock.ts';
import { renewerFacade } from './recipes/renewer.ts';
import { semaphoreFacade } from './recipes/semaphore.ts';
import { watchFacade } from './recipes/watch.ts';

/**
 * `consul.session`: the session endpoints, with the renewer recipe (`renewPeriodically`) next to them
 * (endpoint modules do not import recipes, so the two descriptions meet here).
 */
const sessionGroup: typeof sessionFacade & typeof renewerFacade = /* @__PURE__ */ extendDescription(sessionFacade, renewerFacade);

/**
 * The facade's groups: each group module's description under its property name on `Consul`.
 * (`x as typeof x` gives the declaration its type without inference, for `isolatedDeclarations`.)
 */
export const consulFacade = {
  /** The KV store, with consulate's dict-like names (`get`, `set`, `has`, `keys`, `delete`…); `for await (const key of consul.kv)` iterates the keys. */
  kv: kvFacade as typeof kvFacade,
  /** The ACL system: `token`, `policy`, `role`, `authMethod`, `bindingRule`, `rules`, and the `legacy` API. */
  acl: aclFacade as typeof aclFacade,
  /** Sessions: `create`, `destroy`, `read`, `list`, `node`, `renew`, and a periodic renewer. */
  session: sessionGroup as typeof sessionGroup,
  /** Watches: any read as an async iterator over blocking queries, and ready-made ones (`key`, `keyPrefix`…). */
  watch: watchFacade as typeof watchFacade,
  /** consulate's locks under `consulate/locks/` (`acquire`, usable with `await using`, and `with`), in the Python consulate's format (flags 0). */
  lock: lockFacade as typeof lockFacade,
  /** Semaphores in Go's format (interoperable with `consul lock -n N`): `acquire` and `with`. */
  semaphore: semaphoreFacade as typeof semaphoreFacade,
  /** The local agent, with its `service`, `check` and `token` resources. */
  agent: agentFacade as typeof agentFacade,
  /** The catalog. */
  catalog: catalogFacade as typeof catalogFacade,
  /** Health checks and healthy instances. */
  health: healthFacade as typeof healthFacade,
  /** Raft leader and peers. */
  status: statusFacade as typeof statusFacade,
  /** Network coordinates. */
  coordinate: coordinateFacade as typeof coordinateFacade,
  /** User events. */
  event: eventFacade as typeof eventFacade,
  /** Transactions: `builder()`, `run`, `tryRun`, `runBatches`. */
  txn: txnFacade as typeof txnFacade,
  /** Prepared queries. */
  query: queryFacade as typeof queryFacade,
  /** Raft peers, autopilot and the gossip keyring. */
  operator: operatorFacade as typeof operatorFacade,
  /** Snapshots: save, restore, verify. */
  snapshot: snapshotFacade as typeof snapshotFacade,
  /** Configuration entries, typed by kind. */
  config: configFacade as typeof configFacade,
  /** The Connect CA (`ca`) and intentions (`intention`). */
  connect: connectFacade as typeof connectFacade,
  /** Enterprise namespaces (not on Consul OSS). */
  namespace: namespaceFacade as typeof namespaceFacade,
  /** Enterprise admin partitions (not on Consul OSS). */
  partition: partitionFacade as typeof partitionFacade,
  /** Cluster peering (Consul 1.13+). */
  peering: peeringFacade as typeof peeringFacade,
  /** The compiled discovery chain of a service (`read`, with overrides). */
  discoveryChain: discoveryChainFacade as typeof discoveryChainFacade,
  /** Services shared with cluster peers and partitions: `list` (exported, Consul 1.17.3+), `importedList`. */
  exportedServices: exportedServicesFacade as typeof exportedServicesFacade,
};

/**
 * `consul.kv`: the KV functions bound to the facade's client.
 * @interface
 */
export type KVApi = BoundFacade<typeof kvFacade>;
/**
 * `consul.acl`: tokens, policies, roles, auth methods, binding rules, rules translation and the legacy API.
 * @interface
 */
export type ACLApi = BoundFacade<typeof aclFacade>;
/**
 * `consul.acl.token`: ACL tokens.
 * @interface
 */
export type ACLTokenApi = ACLApi['token'];
/**
 * `consul.acl.policy`: ACL policies.
 * @interface
 */
export type ACLPolicyApi = ACLApi['policy'];
/**
 * `consul.acl.role`: ACL roles.
 * @interface
 */
export type ACLRoleApi = ACLApi['role'];
/**
 * `consul.acl.authMethod`: ACL auth methods.
 * @interface
 */
export type ACLAuthMethodApi = ACLApi['authMethod'];
/**
 * `consul.acl.bindingRule`: ACL binding rules.
 * @interface
 */
export type ACLBindingRuleApi = ACLApi['bindingRule'];
/**
 * `consul.session`: the session functions and the renewer bound to the facade's client.
 * @interface
 */
export type SessionApi = BoundFacade<typeof sessionGroup>;
/**
 * `consul.agent`: the local agent, with `service`, `check` and `token`.
 * @interface
 */
export type AgentApi = BoundFacade<typeof agentFacade>;
/**
 * `consul.agent.service`: services registered with the local agent.
 * @interface
 */
export type AgentServiceApi = AgentApi['service'];
/**
 * `consul.agent.check`: checks registered with the local agent.
 * @interface
 */
export type AgentCheckApi = AgentApi['check'];
/**
 * `consul.catalog`: the catalog functions bound to the facade's client.
 * @interface
 */
export type CatalogApi = BoundFacade<typeof catalogFacade>;
/**
 * `consul.health`: the health functions bound to the facade's client.
 * @interface
 */
export type HealthApi = BoundFacade<typeof healthFacade>;
/**
 * `consul.status`: Raft leader and peers.
 * @interface
 */
export type StatusApi = BoundFacade<typeof statusFacade>;
/**
 * `consul.coordinate`: network coordinates, and `rtt` to compute a round trip from two of them.
 * @interface
 */
export type CoordinateApi = BoundFacade<typeof coordinateFacade>;
/**
 * `consul.event`: user events.
 * @interface
 */
export type EventApi = BoundFacade<typeof eventFacade>;
/**
 * `consul.txn`: transactions — a builder, atomic runs and batches.
 * @interface
 */
export type TxnApi = BoundFacade<typeof txnFacade>;
/**
 * `consul.query`: prepared queries.
 * @interface
 */
export type QueryApi = BoundFacade<typeof queryFacade>;
/**
 * `consul.operator`: raft peers, autopilot and the gossip keyring.
 * @interface
 */
export type OperatorApi = BoundFacade<typeof operatorFacade>;
/**
 * `consul.snapshot`: save, restore and verify snapshots.
 * @interface
 */
export type SnapshotApi = BoundFacade<typeof snapshotFacade>;
/**
 * `consul.config`: configuration entries, typed by kind.
 * @interface
 */
export type ConfigApi = BoundFacade<typeof configFacade>;
/**
 * `consul.connect`: the Connect CA and intentions.
 * @interface
 */
export type ConnectApi = BoundFacade<typeof connectFacade>;
/**
 * `consul.connect.intention`: intentions (Consul 1.8's id-based API).
 * @interface
 */
export type IntentionApi = ConnectApi['intention'];
/**
 * `consul.namespace`: Enterprise namespaces (Consul Enterprise 1.7+).
 * @interface
 */
export type NamespaceApi = BoundFacade<typeof namespaceFacade>;
/**
 * `consul.partition`: Enterprise admin partitions (Consul Enterprise 1.11+).
 * @interface
 */
export type PartitionApi = BoundFacade<typeof partitionFacade>;
/**
 * `consul.peering`: cluster peering (Consul 1.13+).
 * @interface
 */
export type PeeringApi = BoundFacade<typeof peeringFacade>;
/**
 * `consul.discoveryChain`: the compiled discovery chain of a service.
 * @interface
 */
export type DiscoveryChainApi = BoundFacade<typeof discoveryChainFacade>;
/**
 * `consul.exportedServices`: the services shared with cluster peers and partitions (Consul 1.17.3+).
 * @interface
 */
export type ExportedServicesApi = BoundFacade<typeof exportedServicesFacade>;

function isClient(value: unknown): value is Client {
  return typeof value === 'object' && value !== null && 'transport' in value && 'config' in value;
}

/** Every group of {@link consulFacade}, bound: the properties of a {@link Consul}. */
export interface Consul extends BoundFacade<typeof consulFacade> {}

/**
 * A Consul client with every API group bound, like consulate's `consulate.Consul`. Each group's
 * members are documented under its type: {@link KVApi}, {@link ACLApi}, {@link AgentApi}, {@link SessionApi}…
 * @example
 * ```ts
 * import { Consul } from 'consulate';
 * const consul = new Consul({ address: '127.0.0.1:8500' });
 * await consul.kv.set('app/port', '8080');
 * const { data } = await consul.kv.get('app/port'); // '8080'
 * await consul.acl.token.create({ Description: 'ci' });
 * ```
 */
// one name, two declarations: the interface above carries the bound groups' types, the class their values
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Consul {
  /** The underlying immutable client, for use with the pure endpoint functions. */
  readonly client: Client;

  /**
   * @param config - a {@link ClientConfig} or an existing {@link Client}.
   * @throws {ConfigError} for invalid configuration.
   */
  constructor(config: ClientConfig | Client = {}) {
    const client = isClient(config) ? config : createClient(config);
    this.client = client;
    Object.assign(this, bindFacade(consulFacade, client));
  }

  /**
   * A facade over a client with per-request settings changed (another token, datacenter…), sharing
   * this one's transport; see `withConfig`.
   * @param changes - the settings to change.
   * @returns a new `Consul`.
   * @example const admin = consul.withConfig({ token: adminToken });
   */
  withConfig(changes: Partial<PerRequestConfig>): Consul {
    return new Consul(withConfig(this.client, changes));
  }
}
