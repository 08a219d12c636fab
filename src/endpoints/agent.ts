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
 *
 * The functions live in one file per sub-area, like the facade's nesting: `agent/self.ts` (the agent
 * itself), `agent/monitor.ts` (the log stream), `agent/metrics-stream.ts` (the metrics stream), `agent/connect.ts` (Connect authorize, CA roots, leaf certificates), `agent/services.ts` and `agent/checks.ts`; the
 * definition validation they share with the catalog is `schemas/definitions.ts`. This module
 * re-exports them and describes how they nest on the facade.
 * @see https://developer.hashicorp.com/consul/api-docs/agent
 * @module
 */
import type { Client } from '../core/client.ts';
import type { InputError } from '../core/errors.ts';
import { self, members, join, leave, forceLeave, maintenance, metrics, prometheusMetrics, reload, tokenUpdate, host, version } from './agent/self.ts';
import { monitor } from './agent/monitor.ts';
import { metricsStream } from './agent/metrics-stream.ts';
import { connectAuthorize, connectCaRoots, connectCaLeaf } from './agent/connect.ts';
import { serviceList, serviceRead, serviceRegister, serviceDeregister, serviceMaintenance, serviceHealthByName, serviceHealthById } from './agent/services.ts';
import { checkList, checkRegister, checkDeregister, checkTtlPass, checkTtlWarn, checkTtlFail, checkUpdate } from './agent/checks.ts';

export type { CheckDefinition, CheckStatus, CheckTarget, GoDuration, ServiceDefinition, TaggedAddress } from '../schemas/definitions.ts';
export type { AgentTokenKind, ForceLeaveOptions, MembersOptions } from './agent/self.ts';
export type { ConnectAuthorizeRequest } from './agent/connect.ts';
export type { CARoots, ConnectAuthorization, LeafCert } from '../schemas/connect.ts';
export type { MonitorOptions } from './agent/monitor.ts';
export type { MetricsStreamOptions } from './agent/metrics-stream.ts';
export type { AgentServiceHealth, AgentServiceOptions, RegisterServiceOptions } from './agent/services.ts';
export type { CheckUpdate } from './agent/checks.ts';

export {
  self,
  members,
  join,
  leave,
  forceLeave,
  maintenance,
  metrics,
  prometheusMetrics,
  reload,
  tokenUpdate,
  host,
  version,
  monitor,
  metricsStream,
  connectAuthorize,
  connectCaRoots,
  connectCaLeaf,
  serviceList,
  serviceRead,
  serviceRegister,
  serviceDeregister,
  serviceMaintenance,
  serviceHealthByName,
  serviceHealthById,
  checkList,
  checkRegister,
  checkDeregister,
  checkTtlPass,
  checkTtlWarn,
  checkTtlFail,
  checkUpdate,
};

/**
 * How these functions nest on the `Consul` facade: `consul.agent.self()`, `consul.agent.service.register(…)`,
 * `consul.agent.check.ttlPass(id)`, `consul.agent.connect.caLeaf(service)`…
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const agentFacade = {
  self: self as typeof self,
  members: members as typeof members,
  join: join as typeof join,
  leave: leave as typeof leave,
  forceLeave: forceLeave as typeof forceLeave,
  maintenance: maintenance as typeof maintenance,
  metrics: metrics as typeof metrics,
  prometheusMetrics: prometheusMetrics as typeof prometheusMetrics,
  reload: reload as typeof reload,
  host: host as typeof host,
  version: version as typeof version,
  monitor: monitor as typeof monitor,
  metricsStream: metricsStream as typeof metricsStream,
  token: {
    update: tokenUpdate as typeof tokenUpdate,
  },
  connect: {
    authorize: connectAuthorize as typeof connectAuthorize,
    caRoots: connectCaRoots as typeof connectCaRoots,
    caLeaf: connectCaLeaf as typeof connectCaLeaf,
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
