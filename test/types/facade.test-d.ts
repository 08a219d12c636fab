// Pins the shape of the generated facade: every group's paths, the flat function each path binds
// (`Bound<typeof fn>`: the same signature without the client), the helpers kept unbound, and the
// generic functions, whose type parameters must survive binding.
import { describe, expectTypeOf, it } from 'vitest';
import * as v from 'valibot';
import * as acl from '../../src/endpoints/acl.ts';
import * as agent from '../../src/endpoints/agent.ts';
import * as catalog from '../../src/endpoints/catalog.ts';
import * as config from '../../src/endpoints/config.ts';
import * as connect from '../../src/endpoints/connect.ts';
import * as coordinate from '../../src/endpoints/coordinate.ts';
import * as event from '../../src/endpoints/event.ts';
import * as health from '../../src/endpoints/health.ts';
import * as kv from '../../src/endpoints/kv.ts';
import * as namespace from '../../src/endpoints/namespace.ts';
import * as operator from '../../src/endpoints/operator.ts';
import * as partition from '../../src/endpoints/partition.ts';
import * as peering from '../../src/endpoints/peering.ts';
import * as discoveryChain from '../../src/endpoints/discovery-chain.ts';
import * as exportedServices from '../../src/endpoints/exported-services.ts';
import * as query from '../../src/endpoints/query.ts';
import * as session from '../../src/endpoints/session.ts';
import * as renewer from '../../src/recipes/renewer.ts';
import * as snapshot from '../../src/endpoints/snapshot.ts';
import * as status from '../../src/endpoints/status.ts';
import * as txn from '../../src/endpoints/txn.ts';
import type {
  ACLToken,
  ACLTokenInput,
  Bound,
  ConfigEntryBase,
  HeldLock,
  HeldSemaphore,
  IngressGatewayEntry,
  KVPair,
  LockApi,
  Result,
  SemaphoreApi,
  ServiceDefaultsEntry,
  ServiceDefinition,
  RegisterServiceOptions,
  RenewPeriodicallyOptions,
  SessionRenewer,
  WatchApi,
  WatchIterator,
  WriteOptions,
  ReadOptions,
} from '../../src/index.ts';
import { Consul } from '../../src/index.ts';

const consul = new Consul();

describe('facade groups', () => {
  it('kv: consulate dict-like names', () => {
    expectTypeOf(consul.kv).toEqualTypeOf<{
      readonly [Symbol.asyncIterator]: () => AsyncGenerator<string, void, undefined>;
      readonly get: Bound<typeof kv.get>;
      readonly getBytes: Bound<typeof kv.getBytes>;
      readonly getJSON: <T = unknown>(key: string, options?: ReadOptions & { schema?: v.GenericSchema<unknown, T> }) => Promise<Result<T | undefined>>;
      readonly getRecord: Bound<typeof kv.getRecord>;
      readonly records: Bound<typeof kv.records>;
      readonly keys: Bound<typeof kv.keys>;
      readonly has: Bound<typeof kv.has>;
      readonly size: Bound<typeof kv.size>;
      readonly find: Bound<typeof kv.find>;
      readonly values: Bound<typeof kv.values>;
      readonly items: Bound<typeof kv.items>;
      readonly entries: Bound<typeof kv.entries>;
      readonly set: Bound<typeof kv.set>;
      readonly setRecord: Bound<typeof kv.setRecord>;
      readonly delete: Bound<typeof kv.remove>;
      readonly deleteTree: Bound<typeof kv.deleteTree>;
      readonly acquireLock: Bound<typeof kv.acquireLock>;
      readonly releaseLock: Bound<typeof kv.releaseLock>;
    }>();
  });

  it('acl: tokens, policies, roles, auth methods, binding rules, rules, legacy', () => {
    expectTypeOf(consul.acl.token).toEqualTypeOf<{
      readonly create: Bound<typeof acl.tokenCreate>;
      readonly read: Bound<typeof acl.tokenRead>;
      readonly readSelf: Bound<typeof acl.tokenReadSelf>;
      readonly update: Bound<typeof acl.tokenUpdate>;
      readonly clone: Bound<typeof acl.tokenClone>;
      readonly delete: Bound<typeof acl.tokenDelete>;
      readonly list: Bound<typeof acl.tokenList>;
    }>();
    expectTypeOf(consul.acl.token.create).toEqualTypeOf<(input?: ACLTokenInput, options?: WriteOptions) => Promise<Result<ACLToken>>>();
    expectTypeOf(consul.acl.policy).toEqualTypeOf<{
      readonly create: Bound<typeof acl.policyCreate>;
      readonly read: Bound<typeof acl.policyRead>;
      readonly readByName: Bound<typeof acl.policyReadByName>;
      readonly update: Bound<typeof acl.policyUpdate>;
      readonly delete: Bound<typeof acl.policyDelete>;
      readonly list: Bound<typeof acl.policyList>;
    }>();
    expectTypeOf(consul.acl.templatedPolicy).toEqualTypeOf<{
      readonly list: Bound<typeof acl.templatedPolicyList>;
      readonly readByName: Bound<typeof acl.templatedPolicyReadByName>;
      readonly preview: Bound<typeof acl.templatedPolicyPreview>;
    }>();
    expectTypeOf(consul.acl.role).toEqualTypeOf<{
      readonly create: Bound<typeof acl.roleCreate>;
      readonly read: Bound<typeof acl.roleRead>;
      readonly readByName: Bound<typeof acl.roleReadByName>;
      readonly update: Bound<typeof acl.roleUpdate>;
      readonly delete: Bound<typeof acl.roleDelete>;
      readonly list: Bound<typeof acl.roleList>;
    }>();
    expectTypeOf(consul.acl.authMethod).toEqualTypeOf<{
      readonly create: Bound<typeof acl.authMethodCreate>;
      readonly read: Bound<typeof acl.authMethodRead>;
      readonly update: Bound<typeof acl.authMethodUpdate>;
      readonly delete: Bound<typeof acl.authMethodDelete>;
      readonly list: Bound<typeof acl.authMethodList>;
    }>();
    expectTypeOf(consul.acl.bindingRule).toEqualTypeOf<{
      readonly create: Bound<typeof acl.bindingRuleCreate>;
      readonly read: Bound<typeof acl.bindingRuleRead>;
      readonly update: Bound<typeof acl.bindingRuleUpdate>;
      readonly delete: Bound<typeof acl.bindingRuleDelete>;
      readonly list: Bound<typeof acl.bindingRuleList>;
    }>();
    expectTypeOf(consul.acl.rules).toEqualTypeOf<{
      readonly translate: Bound<typeof acl.rulesTranslate>;
      readonly translateToken: Bound<typeof acl.rulesTranslateToken>;
    }>();
    expectTypeOf(consul.acl.legacy).toEqualTypeOf<{
      readonly create: Bound<typeof acl.legacyCreate>;
      readonly update: Bound<typeof acl.legacyUpdate>;
      readonly delete: Bound<typeof acl.legacyDelete>;
      readonly read: Bound<typeof acl.legacyRead>;
      readonly clone: Bound<typeof acl.legacyClone>;
      readonly list: Bound<typeof acl.legacyList>;
    }>();
    expectTypeOf(consul.acl.bootstrap).toEqualTypeOf<Bound<typeof acl.bootstrap>>();
    expectTypeOf(consul.acl.replication).toEqualTypeOf<Bound<typeof acl.replication>>();
    expectTypeOf(consul.acl.login).toEqualTypeOf<Bound<typeof acl.login>>();
    expectTypeOf(consul.acl.logout).toEqualTypeOf<Bound<typeof acl.logout>>();
  });

  it('session: the endpoints, and the renewer recipe next to them', () => {
    expectTypeOf(consul.session).toEqualTypeOf<{
      readonly create: Bound<typeof session.create>;
      readonly destroy: Bound<typeof session.destroy>;
      readonly read: Bound<typeof session.read>;
      readonly list: Bound<typeof session.list>;
      readonly node: Bound<typeof session.node>;
      readonly renew: Bound<typeof session.renew>;
      readonly renewPeriodically: Bound<typeof renewer.renewPeriodically>;
    }>();
    expectTypeOf(consul.session.renewPeriodically).toEqualTypeOf<(id: string, options: RenewPeriodicallyOptions) => SessionRenewer>();
  });

  it('agent: the agent, its services, checks and tokens', () => {
    expectTypeOf(consul.agent.service).toEqualTypeOf<{
      readonly list: Bound<typeof agent.serviceList>;
      readonly read: Bound<typeof agent.serviceRead>;
      readonly register: Bound<typeof agent.serviceRegister>;
      readonly deregister: Bound<typeof agent.serviceDeregister>;
      readonly maintenance: Bound<typeof agent.serviceMaintenance>;
      readonly healthByName: Bound<typeof agent.serviceHealthByName>;
      readonly healthById: Bound<typeof agent.serviceHealthById>;
    }>();
    expectTypeOf(consul.agent.service.register).toEqualTypeOf<
      (definition: ServiceDefinition, options?: RegisterServiceOptions) => Promise<Result<void>>
    >();
    expectTypeOf(consul.agent.check).toEqualTypeOf<{
      readonly list: Bound<typeof agent.checkList>;
      readonly register: Bound<typeof agent.checkRegister>;
      readonly deregister: Bound<typeof agent.checkDeregister>;
      readonly ttlPass: Bound<typeof agent.checkTtlPass>;
      readonly ttlWarn: Bound<typeof agent.checkTtlWarn>;
      readonly ttlFail: Bound<typeof agent.checkTtlFail>;
      readonly update: Bound<typeof agent.checkUpdate>;
    }>();
    expectTypeOf(consul.agent.token).toEqualTypeOf<{ readonly update: Bound<typeof agent.tokenUpdate> }>();
    expectTypeOf(consul.agent.connect).toEqualTypeOf<{
      readonly authorize: Bound<typeof agent.connectAuthorize>;
      readonly caRoots: Bound<typeof agent.connectCaRoots>;
      readonly caLeaf: Bound<typeof agent.connectCaLeaf>;
    }>();
    expectTypeOf(consul.agent.leave).toEqualTypeOf<Bound<typeof agent.leave>>();
    expectTypeOf(consul.agent.self).toEqualTypeOf<Bound<typeof agent.self>>();
    expectTypeOf(consul.agent.members).toEqualTypeOf<Bound<typeof agent.members>>();
    expectTypeOf(consul.agent.join).toEqualTypeOf<Bound<typeof agent.join>>();
    expectTypeOf(consul.agent.forceLeave).toEqualTypeOf<Bound<typeof agent.forceLeave>>();
    expectTypeOf(consul.agent.maintenance).toEqualTypeOf<Bound<typeof agent.maintenance>>();
    expectTypeOf(consul.agent.metrics).toEqualTypeOf<Bound<typeof agent.metrics>>();
    expectTypeOf(consul.agent.prometheusMetrics).toEqualTypeOf<Bound<typeof agent.prometheusMetrics>>();
    expectTypeOf(consul.agent.reload).toEqualTypeOf<Bound<typeof agent.reload>>();
    expectTypeOf(consul.agent.host).toEqualTypeOf<Bound<typeof agent.host>>();
    expectTypeOf(consul.agent.version).toEqualTypeOf<Bound<typeof agent.version>>();
    expectTypeOf(consul.agent.monitor).toEqualTypeOf<Bound<typeof agent.monitor>>();
    expectTypeOf(consul.agent.metricsStream).toEqualTypeOf<Bound<typeof agent.metricsStream>>();
  });

  it('catalog, health, status, coordinate, event', () => {
    expectTypeOf(consul.catalog).toEqualTypeOf<{
      readonly register: Bound<typeof catalog.register>;
      readonly deregister: Bound<typeof catalog.deregister>;
      readonly datacenters: Bound<typeof catalog.datacenters>;
      readonly nodes: Bound<typeof catalog.nodes>;
      readonly node: Bound<typeof catalog.node>;
      readonly nodeServices: Bound<typeof catalog.nodeServices>;
      readonly services: Bound<typeof catalog.services>;
      readonly service: Bound<typeof catalog.service>;
      readonly connect: Bound<typeof catalog.connect>;
      readonly gatewayServices: Bound<typeof catalog.gatewayServices>;
    }>();
    expectTypeOf(consul.health).toEqualTypeOf<{
      readonly node: Bound<typeof health.node>;
      readonly checks: Bound<typeof health.checks>;
      readonly service: Bound<typeof health.service>;
      readonly connect: Bound<typeof health.connect>;
      readonly ingress: Bound<typeof health.ingress>;
      readonly state: Bound<typeof health.state>;
    }>();
    expectTypeOf(consul.status).toEqualTypeOf<{ readonly leader: Bound<typeof status.leader>; readonly peers: Bound<typeof status.peers> }>();
    expectTypeOf(consul.coordinate).toEqualTypeOf<{
      readonly datacenters: Bound<typeof coordinate.datacenters>;
      readonly nodes: Bound<typeof coordinate.nodes>;
      readonly node: Bound<typeof coordinate.node>;
      readonly update: Bound<typeof coordinate.update>;
      readonly rtt: typeof coordinate.rtt;
    }>();
    expectTypeOf(consul.event).toEqualTypeOf<{
      readonly fire: Bound<typeof event.fire>;
      readonly list: Bound<typeof event.list>;
      readonly payloadText: typeof event.payloadText;
      readonly idToIndex: typeof event.idToIndex;
    }>();
  });

  it('txn, query, operator, snapshot', () => {
    expectTypeOf(consul.txn).toEqualTypeOf<{
      readonly builder: typeof txn.builder;
      readonly run: Bound<typeof txn.run>;
      readonly tryRun: Bound<typeof txn.tryRun>;
      readonly runBatches: Bound<typeof txn.runBatches>;
      readonly splitBatches: typeof txn.splitBatches;
    }>();
    expectTypeOf(consul.query).toEqualTypeOf<{
      readonly create: Bound<typeof query.create>;
      readonly list: Bound<typeof query.list>;
      readonly read: Bound<typeof query.read>;
      readonly update: Bound<typeof query.update>;
      readonly delete: Bound<typeof query.remove>;
      readonly execute: Bound<typeof query.execute>;
      readonly explain: Bound<typeof query.explain>;
    }>();
    expectTypeOf(consul.operator).toEqualTypeOf<{
      readonly usage: Bound<typeof operator.usage>;
      readonly raft: {
        readonly configuration: Bound<typeof operator.raftConfiguration>;
        readonly removePeer: Bound<typeof operator.raftRemovePeer>;
        readonly transferLeader: Bound<typeof operator.raftTransferLeader>;
      };
      readonly autopilot: {
        readonly configuration: Bound<typeof operator.autopilotConfiguration>;
        readonly set: Bound<typeof operator.autopilotSet>;
        readonly update: Bound<typeof operator.autopilotUpdate>;
        readonly health: Bound<typeof operator.autopilotHealth>;
        readonly state: Bound<typeof operator.autopilotState>;
      };
      readonly keyring: {
        readonly list: Bound<typeof operator.keyringList>;
        readonly install: Bound<typeof operator.keyringInstall>;
        readonly use: Bound<typeof operator.keyringUse>;
        readonly delete: Bound<typeof operator.keyringDelete>;
      };
    }>();
    expectTypeOf(consul.snapshot).toEqualTypeOf<{
      readonly save: Bound<typeof snapshot.save>;
      readonly saveBytes: Bound<typeof snapshot.saveBytes>;
      readonly restore: Bound<typeof snapshot.restore>;
      readonly verify: typeof snapshot.verify;
    }>();
  });

  it('config, connect, namespace, partition, peering', () => {
    expectTypeOf(consul.config.set).toEqualTypeOf<Bound<typeof config.set>>();
    expectTypeOf(consul.config.delete).toEqualTypeOf<Bound<typeof config.remove>>();
    expectTypeOf(consul.config.deleteCas).toEqualTypeOf<Bound<typeof config.deleteCas>>();
    expectTypeOf(consul.connect).toEqualTypeOf<{
      readonly ca: {
        readonly roots: Bound<typeof connect.caRoots>;
        readonly configuration: Bound<typeof connect.caConfiguration>;
        readonly set: Bound<typeof connect.caSet>;
      };
      readonly intention: {
        readonly create: Bound<typeof connect.intentionCreate>;
        readonly list: Bound<typeof connect.intentionList>;
        readonly read: Bound<typeof connect.intentionRead>;
        readonly update: Bound<typeof connect.intentionUpdate>;
        readonly delete: Bound<typeof connect.intentionDelete>;
        readonly match: Bound<typeof connect.intentionMatch>;
        readonly check: Bound<typeof connect.intentionCheck>;
        readonly readExact: Bound<typeof connect.intentionReadExact>;
        readonly upsert: Bound<typeof connect.intentionUpsert>;
        readonly deleteExact: Bound<typeof connect.intentionDeleteExact>;
      };
    }>();
    expectTypeOf(consul.namespace).toEqualTypeOf<{
      readonly create: Bound<typeof namespace.create>;
      readonly read: Bound<typeof namespace.read>;
      readonly update: Bound<typeof namespace.update>;
      readonly delete: Bound<typeof namespace.remove>;
      readonly list: Bound<typeof namespace.list>;
    }>();
    expectTypeOf(consul.partition).toEqualTypeOf<{
      readonly create: Bound<typeof partition.create>;
      readonly read: Bound<typeof partition.read>;
      readonly update: Bound<typeof partition.update>;
      readonly delete: Bound<typeof partition.remove>;
      readonly list: Bound<typeof partition.list>;
    }>();
    expectTypeOf(consul.peering).toEqualTypeOf<{
      readonly generateToken: Bound<typeof peering.generateToken>;
      readonly establish: Bound<typeof peering.establish>;
      readonly read: Bound<typeof peering.read>;
      readonly delete: Bound<typeof peering.remove>;
      readonly list: Bound<typeof peering.list>;
    }>();
    expectTypeOf(consul.discoveryChain).toEqualTypeOf<{ readonly read: Bound<typeof discoveryChain.read> }>();
    expectTypeOf(consul.exportedServices).toEqualTypeOf<{
      readonly list: Bound<typeof exportedServices.list>;
      readonly importedList: Bound<typeof exportedServices.importedList>;
    }>();
  });

  it('watch, lock, semaphore: the recipes’ own API objects', () => {
    expectTypeOf(consul.watch).toEqualTypeOf<WatchApi>();
    expectTypeOf(consul.lock).toEqualTypeOf<LockApi>();
    expectTypeOf(consul.semaphore).toEqualTypeOf<SemaphoreApi>();
    expectTypeOf(consul.withConfig({ token: 't' })).toEqualTypeOf<Consul>();
    expectTypeOf(consul.client.config.datacenter).toEqualTypeOf<string | undefined>();
  });
});

describe('generics survive binding', () => {
  it('kv.getJSON infers from a schema, or takes T', () => {
    const schema = v.object({ port: v.number() });
    expectTypeOf(consul.kv.getJSON('k', { schema })).resolves.toEqualTypeOf<Result<{ port: number } | undefined>>();
    expectTypeOf(consul.kv.getJSON<{ a: 1 }>('k')).resolves.toEqualTypeOf<Result<{ a: 1 } | undefined>>();
    expectTypeOf(consul.kv.getJSON('k')).resolves.toEqualTypeOf<Result<unknown>>();
  });

  it('config.read and config.list are typed by kind', () => {
    expectTypeOf(consul.config.read('service-defaults', 'web')).resolves.toEqualTypeOf<Result<ServiceDefaultsEntry | undefined>>();
    expectTypeOf(consul.config.list('ingress-gateway')).resolves.toEqualTypeOf<Result<IngressGatewayEntry[]>>();
    expectTypeOf(consul.config.read('some-future-kind', 'x')).resolves.toEqualTypeOf<Result<ConfigEntryBase | undefined>>();
  });

  it('watch keeps the read’s data type; lock.with and semaphore.with return what fn returns', () => {
    expectTypeOf(consul.watch((c, o) => kv.getRecord(c, 'k', o))).toEqualTypeOf<WatchIterator<KVPair | undefined>>();
    expectTypeOf(consul.watch.key('k')).toEqualTypeOf<WatchIterator<string | undefined>>();
    expectTypeOf(consul.lock.with('job', (held: HeldLock) => held.key.length)).resolves.toEqualTypeOf<number>();
    expectTypeOf(consul.semaphore.with('jobs', 2, (slot: HeldSemaphore) => slot.signal)).resolves.toEqualTypeOf<AbortSignal>();
  });
});

describe('options use the client config’s words', () => {
  it('accepts datacenter/namespace and no second spelling', () => {
    void consul.kv.get('k', { datacenter: 'dc2', namespace: 'team', partition: 'p', token: 't' });
    // @ts-expect-error `dc` is spelled `datacenter`, as in the client config
    void consul.kv.get('k', { dc: 'dc2' });
    // @ts-expect-error `ns` is spelled `namespace`, as in the client config
    void consul.kv.set('k', 'v', { ns: 'team' });
  });
});
