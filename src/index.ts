/**
 * consulate: an isomorphic client for HashiCorp Consul.
 *
 * - `createClient(config)` gives the immutable client every endpoint function takes first;
 *   the functions live in per-group modules (`consulate/kv`, …).
 * - `new Consul(config)` binds them all (`consul.kv.get(key)`).
 * @example
 * ```ts
 * import { Consul } from 'consulate';
 * const consul = new Consul();
 * await consul.kv.set('greeting', 'hello');
 * ```
 * @module
 */
export type { Client, PerRequestConfig } from './core/client.ts';
export { createClient, withConfig } from './core/client.ts';
export type { Outgoing, Transport } from './core/http.ts';
export type { ClientConfig, FetchLike, ResolvedConfig, RetryOptions } from './core/config.ts';
export type { QueryMeta } from './core/meta.ts';
export type { ReadOptions, WriteOptions } from './core/query.ts';
export type { Result } from './core/request.ts';
export type { Duration } from './core/encoding.ts';
export type { Bound, BoundFacade, ClientFunction, Description, FacadeEntry, Generic } from './core/bind.ts';
// every error class, its guard and its types (core/errors.ts exports nothing else)
export * from './core/errors.ts';
export type { KVApi } from './consul.ts';
export { Consul } from './consul.ts';
export type { KVPair, KVValue, SetOptions, DeleteOptions, KeysOptions, LockOptions } from './endpoints/kv.ts';
export type { ACLApi, ACLAuthMethodApi, ACLBindingRuleApi, ACLPolicyApi, ACLRoleApi, ACLTokenApi } from './consul.ts';
export type {
  ACLAuthMethod,
  ACLAuthMethodInput,
  ACLAuthMethodListEntry,
  ACLBindingRule,
  ACLBindingRuleInput,
  ACLBindingRuleListOptions,
  ACLIDResult,
  ACLLink,
  ACLLinkInput,
  ACLLoginInput,
  ACLNodeIdentity,
  ACLNodeIdentityInput,
  ACLPolicy,
  ACLPolicyInput,
  ACLPolicyListEntry,
  ACLReplicationStatus,
  ACLRole,
  ACLRoleInput,
  ACLRoleListOptions,
  ACLServiceIdentity,
  ACLServiceIdentityInput,
  ACLToken,
  ACLTokenCloneInput,
  ACLTokenInput,
  ACLTokenListEntry,
  ACLTokenListOptions,
  ACLTokenReadOptions,
  ACLTokenExpanded,
  ACLBootstrapOptions,
  ACLTemplatedPolicy,
  ACLTemplatedPolicyVariables,
  LegacyACL,
  LegacyACLInput,
} from './endpoints/acl.ts';
export type { SessionApi } from './consul.ts';
export type { WatchApi } from './recipes/watch.ts';
export type { SessionDefinition, SessionEntry, ServiceCheckRef } from './endpoints/session.ts';
export type { RenewPeriodicallyOptions, SessionRenewer } from './recipes/renewer.ts';
export { renewPeriodically } from './recipes/renewer.ts';
export type { WatchErrorAction, WatchErrorInfo, WatchIterator, WatchOptions, WatchRead } from './core/watch.ts';
export { watch } from './core/watch.ts';
export type { HeldLock, LockAcquireOptions, LockApi, LockApiOptions } from './recipes/lock.ts';
export { CONSULATE_LOCK_FLAGS, DEFAULT_LOCK_SESSION_NAME, DEFAULT_LOCK_SESSION_TTL, LOCK_FLAG_VALUE, lock, withLock } from './recipes/lock.ts';
export type { HeldSemaphore, SemaphoreApi, SemaphoreOptions } from './recipes/semaphore.ts';
export {
  DEFAULT_SEMAPHORE_SESSION_NAME,
  SEMAPHORE_FLAG_VALUE,
  SEMAPHORE_LOCK_KEY,
  semaphore,
  withSemaphore,
} from './recipes/semaphore.ts';
export type {
  AgentApi,
  AgentCheckApi,
  AgentServiceApi,
  CatalogApi,
  CoordinateApi,
  EventApi,
  HealthApi,
  StatusApi,
} from './consul.ts';
export type {
  AgentServiceHealth,
  AgentServiceOptions,
  AgentTokenKind,
  CheckDefinition,
  CheckStatus,
  CheckTarget,
  CheckUpdate,
  GoDuration,
  MembersOptions,
  MonitorOptions,
  MetricsStreamOptions,
  RegisterServiceOptions,
  ServiceDefinition,
  TaggedAddress,
} from './endpoints/agent.ts';
export type {
  AgentMember,
  AgentMetrics,
  AgentSelf,
  AgentServiceChecksInfo,
  AgentVersion,
  HostInfo,
  MetricValue,
} from './schemas/agent.ts';
export type {
  CatalogCheckDefinition,
  CatalogDeregistration,
  CatalogRegistration,
  CatalogServiceDefinition,
  CatalogServiceOptions,
} from './endpoints/catalog.ts';
export type {
  AgentService,
  CatalogNode,
  CatalogNodeServiceList,
  CatalogNodeServices,
  CatalogService,
  GatewayService,
  ServiceAddress,
  ServiceWeights,
} from './schemas/catalog.ts';
export type { HealthServiceOptions, HealthState } from './endpoints/health.ts';
export type { HealthCheck, HealthStatus, ServiceEntry } from './schemas/health.ts';
export type { Coord, CoordinateDatacenterMap, CoordinateEntry } from './schemas/coordinate.ts';
export type { FireOptions, ListEventsOptions, UserEvent } from './endpoints/event.ts';
export type {
  ConfigApi,
  ConnectApi,
  DiscoveryChainApi,
  ExportedServicesApi,
  IntentionApi,
  NamespaceApi,
  OperatorApi,
  PartitionApi,
  PeeringApi,
  QueryApi,
  SnapshotApi,
  TxnApi,
} from './consul.ts';
export type {
  TxnBatch,
  TxnBatchLimits,
  TxnBatchOptions,
  TxnBatchReport,
  TxnBuilder,
  TxnCatalogVerb,
  TxnCheck,
  TxnCheckBuilder,
  TxnCheckResult,
  TxnInput,
  TxnKVBuilder,
  TxnKVOp,
  TxnKVOpOptions,
  TxnKVVerb,
  TxnNode,
  TxnNodeBuilder,
  TxnNodeResult,
  TxnOperation,
  TxnOptions,
  TxnOutcome,
  TxnResultItem,
  TxnResults,
  TxnService,
  TxnServiceBuilder,
  TxnServiceRef,
  TxnServiceResult,
  TxnValue,
} from './endpoints/txn.ts';
export type {
  ExecuteOptions as PreparedQueryExecuteOptions,
  PreparedQuery,
  PreparedQueryDefinition,
  PreparedQueryExecuteResult,
  PreparedQueryExplain,
  PreparedQueryNode,
  PreparedQueryServiceSpec,
} from './endpoints/query.ts';
export type {
  AutopilotConfiguration,
  AutopilotHealth,
  AutopilotServerHealth,
  AutopilotSetOptions,
  AutopilotSettings,
  AutopilotState,
  AutopilotStateServer,
  KeyringOptions,
  KeyringResponse,
  RaftConfiguration,
  RaftPeer,
  RaftServer,
  RaftTransferLeaderOptions,
  ServiceUsage,
  TransferLeaderResponse,
  Usage,
  UsageOptions,
} from './endpoints/operator.ts';
export type { SaveBytesOptions, SnapshotData, SnapshotFile, SnapshotInfo, SnapshotMeta } from './endpoints/snapshot.ts';
export { verify as verifySnapshot } from './endpoints/snapshot.ts';
export type {
  ConfigEntry,
  ConfigEntryBase,
  ConfigEntryKind,
  ConfigEntryKinds,
  ConfigEntryOf,
  ExposeConfig,
  IngressGatewayEntry,
  MeshGatewayConfig,
  ProxyDefaultsEntry,
  ServiceDefaultsEntry,
  ServiceResolverEntry,
  ServiceRoute,
  ServiceRouterEntry,
  ServiceSplitterEntry,
  SetConfigOptions,
  TerminatingGatewayEntry,
} from './endpoints/config.ts';
export type { CAConfiguration, CAConfigurationInput, CARoot, CARoots, Intention, IntentionInput, IntentionUpsertInput } from './endpoints/connect.ts';
export type { ConnectAuthorization, ConnectAuthorizeRequest, ForceLeaveOptions, LeafCert } from './endpoints/agent.ts';
export type { ExportedServiceConsumers, ImportedService, ResolvedExportedService } from './endpoints/exported-services.ts';
export type { CompiledDiscoveryChain, DiscoveryChainOptions, DiscoveryChainOverrides, DiscoveryChainResponse, DiscoveryGraphNode } from './endpoints/discovery-chain.ts';
export type { Namespace, NamespaceACLLink, NamespaceInput } from './endpoints/namespace.ts';
export type { Partition, PartitionInput } from './endpoints/partition.ts';
export type { Peering, PeeringEstablishRequest, PeeringState, PeeringTokenRequest } from './endpoints/peering.ts';
