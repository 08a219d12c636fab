/**
 * valibot schemas for the local agent's responses.
 * @module
 */
import * as v from 'valibot';
import { AgentService } from './catalog.ts';
import { shape } from './common.ts';
import { HealthCheck } from './health.ts';

/** A member of the agent's LAN (or WAN) gossip pool. */
export interface AgentMember {
  /** Node name (`node.dc` in the WAN pool). */
  Name: string;
  /** Gossip address. */
  Addr: string;
  /** Gossip port (the serf LAN or WAN port). */
  Port: number;
  /** Serf tags: `dc`, `role`, `build`, `segment`… */
  Tags: Record<string, string>;
  /** Serf status: 0 none, 1 alive, 2 leaving, 3 left, 4 failed. */
  Status: number;
  ProtocolMin: number;
  ProtocolMax: number;
  ProtocolCur: number;
  DelegateMin: number;
  DelegateMax: number;
  DelegateCur: number;
  [key: string]: unknown;
}

/** One member. */
export const AgentMember: v.GenericSchema<unknown, AgentMember> = shape({
  Name: v.string(),
  Addr: v.string(),
  Port: v.number(),
  Tags: v.pipe(v.nullable(v.looseObject({})), v.transform((tags) => tags ?? {})),
  Status: v.number(),
});

/** `/v1/agent/members` (null becomes `[]`). */
export const AgentMemberList: v.GenericSchema<unknown, AgentMember[]> = v.pipe(
  v.nullable(v.array(AgentMember)),
  v.transform((list) => list ?? []),
);

/** `/v1/agent/self`: the agent's configuration, member record, stats and metadata. */
export interface AgentSelf {
  Config: {
    Datacenter: string;
    NodeName: string;
    NodeID: string;
    Server: boolean;
    /** Consul version, e.g. `1.8.7`. */
    Version: string;
    Revision?: string | undefined;
    [key: string]: unknown;
  };
  /** The full runtime configuration (secrets shown as `hidden`). */
  DebugConfig?: Record<string, unknown> | undefined;
  /** The agent's network coordinate. */
  Coord?: Record<string, unknown> | null | undefined;
  Member: AgentMember;
  Stats?: Record<string, Record<string, string>> | undefined;
  Meta?: Record<string, string> | null | undefined;
  [key: string]: unknown;
}

/** `/v1/agent/self`. */
export const AgentSelf: v.GenericSchema<unknown, AgentSelf> = shape({
  Config: v.looseObject({
    Datacenter: v.string(),
    NodeName: v.string(),
    NodeID: v.string(),
    Server: v.boolean(),
    Version: v.string(),
  }),
  Member: AgentMember,
});

/** A metric point of `/v1/agent/metrics`. */
export interface MetricValue {
  Name: string;
  Labels?: Record<string, string> | null | undefined;
  [key: string]: unknown;
}

/** `/v1/agent/metrics`: the agent's in-memory metrics of the last interval. */
export interface AgentMetrics {
  /** Start of the interval, e.g. `2026-11-26 18:41:50 +0000 UTC`. */
  Timestamp: string;
  /** `{ Name, Value, Labels }` entries. */
  Gauges: MetricValue[];
  Points: MetricValue[];
  /** `{ Name, Count, Sum, Min, Max, Mean, Stddev, Labels }` entries. */
  Counters: MetricValue[];
  /** Timers, same shape as counters. */
  Samples: MetricValue[];
  [key: string]: unknown;
}

const MetricValues = v.pipe(
  v.nullable(v.array(v.looseObject({ Name: v.string() }))),
  v.transform((list) => list ?? []),
);

/** `/v1/agent/metrics`. */
export const AgentMetrics: v.GenericSchema<unknown, AgentMetrics> = shape({
  Timestamp: v.string(),
  Gauges: MetricValues,
  Points: MetricValues,
  Counters: MetricValues,
  Samples: MetricValues,
});

/** `/v1/agent/host`: facts about the agent's host (from gopsutil). */
export interface HostInfo {
  Memory: Record<string, unknown>;
  CPU: Record<string, unknown>[] | null;
  Host: Record<string, unknown>;
  Disk: Record<string, unknown>;
  /** Unix time in nanoseconds (above 2^53, so a bigint). */
  CollectionTime: bigint;
  /** Errors met while collecting, if any. */
  Errors?: unknown[] | null | undefined;
  [key: string]: unknown;
}

/** `/v1/agent/host`. */
export const HostInfo: v.GenericSchema<unknown, HostInfo> = shape({
  CollectionTime: v.pipe(
    v.union([v.number(), v.bigint()]),
    v.transform((value) => (typeof value === 'bigint' ? value : BigInt(Math.trunc(value)))),
  ),
});

/** `/v1/agent/version` (newer Consul versions; 1.8.7 has no such endpoint). */
export interface AgentVersion {
  /** e.g. `1.15.2`. */
  Version: string;
  /** e.g. `1.15.2+ent`. */
  HumanVersion?: string | undefined;
  Revision?: string | undefined;
  BuildDate?: string | undefined;
  /** `oss` or `ent`. */
  SKU?: string | undefined;
  FIPS?: string | undefined;
  [key: string]: unknown;
}

/** `/v1/agent/version`. */
export const AgentVersion: v.GenericSchema<unknown, AgentVersion> = shape({ Version: v.string() });

/** One instance in `/v1/agent/health/service/{name,id}/…`: the service, its checks and their aggregate. */
export interface AgentServiceChecksInfo {
  /** `passing`, `warning`, `critical` or `maintenance`. */
  AggregatedStatus: string;
  Service: AgentService | null;
  Checks: HealthCheck[] | null;
  [key: string]: unknown;
}

/** One instance with its checks. */
export const AgentServiceChecksInfo: v.GenericSchema<unknown, AgentServiceChecksInfo> = shape({
  AggregatedStatus: v.string(),
  Service: v.nullable(AgentService),
  Checks: v.nullable(v.array(HealthCheck)),
});

/** `/v1/agent/health/service/name/:name` (null becomes `[]`). */
export const AgentServiceChecksInfoList: v.GenericSchema<unknown, AgentServiceChecksInfo[]> = v.pipe(
  v.nullable(v.array(AgentServiceChecksInfo)),
  v.transform((list) => list ?? []),
);
