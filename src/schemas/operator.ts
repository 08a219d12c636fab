/**
 * valibot schemas for the operator API: raft, autopilot and keyring.
 * @module
 */
import * as v from 'valibot';
import { uint } from './common.ts';

/** One server in the raft configuration. */
export interface RaftServer {
  ID: string;
  Node: string;
  /** `ip:port` of the server's RPC address. */
  Address: string;
  Leader: boolean;
  ProtocolVersion: string;
  Voter: boolean;
  [field: string]: unknown;
}

/** The raft configuration: the server peers. */
export interface RaftConfiguration {
  Servers: RaftServer[];
  Index: number;
  [field: string]: unknown;
}

/** The raft configuration. */
export const RaftConfiguration: v.GenericSchema<unknown, RaftConfiguration> = v.looseObject({
  Servers: v.array(
    v.looseObject({
      ID: v.string(),
      Node: v.string(),
      Address: v.string(),
      Leader: v.boolean(),
      ProtocolVersion: v.string(),
      Voter: v.boolean(),
    }),
  ),
  Index: uint,
});

/** Autopilot's configuration as Consul returns it (durations as Go duration strings). */
export interface AutopilotConfiguration {
  CleanupDeadServers: boolean;
  LastContactThreshold: string;
  MaxTrailingLogs: number;
  MinQuorum: number;
  ServerStabilizationTime: string;
  RedundancyZoneTag: string;
  DisableUpgradeMigration: boolean;
  UpgradeVersionTag: string;
  CreateIndex: number;
  ModifyIndex: number;
  [field: string]: unknown;
}

/** Autopilot's configuration. */
export const AutopilotConfiguration: v.GenericSchema<unknown, AutopilotConfiguration> = v.looseObject({
  CleanupDeadServers: v.boolean(),
  LastContactThreshold: v.string(),
  MaxTrailingLogs: uint,
  MinQuorum: uint,
  ServerStabilizationTime: v.string(),
  RedundancyZoneTag: v.string(),
  DisableUpgradeMigration: v.boolean(),
  UpgradeVersionTag: v.string(),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** One server's health as autopilot sees it. */
export interface AutopilotServerHealth {
  ID: string;
  Name: string;
  Address: string;
  SerfStatus: string;
  Version: string;
  Leader: boolean;
  /** Go duration since the leader last heard from it, e.g. `"0s"`. */
  LastContact: string;
  LastTerm: number;
  LastIndex: number;
  Healthy: boolean;
  Voter: boolean;
  /** RFC 3339 time since which it has been healthy. */
  StableSince: string;
  [field: string]: unknown;
}

/** Autopilot's health report of the servers. */
export interface AutopilotHealth {
  Healthy: boolean;
  /** How many servers could fail without losing quorum. */
  FailureTolerance: number;
  Servers: AutopilotServerHealth[];
  [field: string]: unknown;
}

const ServerHealth = v.looseObject({
  ID: v.string(),
  Name: v.string(),
  Address: v.string(),
  SerfStatus: v.string(),
  Version: v.string(),
  Leader: v.boolean(),
  LastContact: v.string(),
  LastTerm: uint,
  LastIndex: uint,
  Healthy: v.boolean(),
  Voter: v.boolean(),
  StableSince: v.string(),
});

/** Autopilot's health report (`Servers` is `[]` until autopilot's first health pass). */
export const AutopilotHealth: v.GenericSchema<unknown, AutopilotHealth> = v.looseObject({
  Healthy: v.boolean(),
  FailureTolerance: v.number(),
  // null until autopilot's first health pass after a leader election (Consul answers 429 then)
  Servers: v.pipe(v.nullable(v.array(ServerHealth)), v.transform((servers) => servers ?? [])),
});

/** The gossip keys of one pool (the WAN pool, or a datacenter's or segment's LAN pool). */
export interface KeyringResponse {
  /** True for the WAN pool. */
  WAN: boolean;
  Datacenter: string;
  Segment: string;
  /** Each installed key → how many nodes have it. */
  Keys: Record<string, number>;
  /** Each primary key → how many nodes use it (Consul 1.8+). */
  PrimaryKeys?: Record<string, number> | undefined;
  /** How many nodes the pool has. */
  NumNodes: number;
  /** Errors reported by nodes, by node. */
  Messages?: Record<string, string> | null | undefined;
  [field: string]: unknown;
}

/** The keyring, one entry per pool. */
export const KeyringList: v.GenericSchema<unknown, KeyringResponse[]> = v.array(
  v.looseObject({
    WAN: v.boolean(),
    Datacenter: v.string(),
    Segment: v.string(),
    Keys: v.record(v.string(), v.number()),
    PrimaryKeys: v.optional(v.record(v.string(), v.number())),
    NumNodes: v.number(),
    Messages: v.optional(v.nullable(v.record(v.string(), v.string()))),
  }),
);

/** A `true`/`false` write answer. */
export const BooleanResult: v.GenericSchema<unknown, boolean> = v.boolean();

/**
 * One server in autopilot's state.
 * @since Consul 1.9
 */
export interface AutopilotStateServer {
  /** Raft ID of the server. */
  ID: string;
  /** Node name. */
  Name: string;
  /** `ip:port` of the server. */
  Address: string;
  /** The server's serfHealth status (`alive`, `failed`…). */
  NodeStatus: string;
  /** Consul version of the server. */
  Version: string;
  /** Go duration since its last contact with the leader, e.g. `"1.321ms"`. */
  LastContact: string;
  LastTerm: number;
  LastIndex: number;
  Healthy: boolean;
  /** RFC 3339 time since which it has been in its current `Healthy` state. */
  StableSince: string;
  /** Raft status: `leader`, `voter`, `non-voter` or `staging`. */
  Status: string;
  /** The server's node metadata. */
  Meta?: Record<string, string> | null | undefined;
  /** The type autopilot wants it to have (`voter` on Consul OSS). */
  NodeType: string;
  [field: string]: unknown;
}

/**
 * Autopilot's view of the cluster (`/v1/operator/autopilot/state`).
 * @since Consul 1.9
 */
export interface AutopilotState {
  Healthy: boolean;
  /** How many servers could fail without losing quorum. */
  FailureTolerance: number;
  /** Enterprise: most servers that could fail in the right order without an outage. */
  OptimisticFailureTolerance?: number | undefined;
  /** Each server by Raft ID. */
  Servers: Record<string, AutopilotStateServer>;
  /** Raft ID of the leader (a key of `Servers`). */
  Leader: string;
  /** Raft IDs of the voters. */
  Voters: string[];
  /** Enterprise: redundancy zones by name. */
  RedundancyZones?: Record<string, unknown> | null | undefined;
  /** Enterprise: Raft IDs of the read replicas. */
  ReadReplicas?: string[] | null | undefined;
  /** Enterprise: the automated upgrade's state. */
  Upgrade?: Record<string, unknown> | null | undefined;
  [field: string]: unknown;
}

/** Autopilot's state. */
export const AutopilotState: v.GenericSchema<unknown, AutopilotState> = v.looseObject({
  Healthy: v.boolean(),
  FailureTolerance: uint,
  Servers: v.record(
    v.string(),
    v.looseObject({
      ID: v.string(),
      Name: v.string(),
      Address: v.string(),
      NodeStatus: v.string(),
      Version: v.string(),
      LastContact: v.string(),
      LastTerm: uint,
      LastIndex: uint,
      Healthy: v.boolean(),
      StableSince: v.string(),
      Status: v.string(),
      NodeType: v.string(),
    }),
  ),
  Leader: v.string(),
  Voters: v.pipe(v.nullable(v.array(v.string())), v.transform((voters) => voters ?? [])),
}) as v.GenericSchema<unknown, AutopilotState>;

/**
 * The answer of a raft leadership transfer.
 * @since Consul 1.15
 */
export interface TransferLeaderResponse {
  /** Whether leadership moved. */
  Success: boolean;
  [field: string]: unknown;
}

/** A raft leadership transfer's answer. */
export const TransferLeaderResponse: v.GenericSchema<unknown, TransferLeaderResponse> = v.looseObject({ Success: v.boolean() });

/**
 * Service counts of one datacenter (`/v1/operator/usage`).
 * @since Consul 1.15
 */
export interface ServiceUsage {
  /** Unique service names registered. */
  Services: number;
  /** Service instances registered. */
  ServiceInstances: number;
  /** Connect instances by kind (`connect-proxy`, `mesh-gateway`…). */
  ConnectServiceInstances: Record<string, number>;
  /** Billable instances (Enterprise; 0 on OSS). */
  BillableServiceInstances: number;
  /** Nodes (newer Consul versions). */
  Nodes?: number | undefined;
  [field: string]: unknown;
}

/**
 * Usage by datacenter.
 * @since Consul 1.15
 */
export interface Usage {
  /** Each datacenter's counts, by datacenter name. */
  Usage: Record<string, ServiceUsage>;
  [field: string]: unknown;
}

/** The usage report. */
export const Usage: v.GenericSchema<unknown, Usage> = v.looseObject({
  Usage: v.record(
    v.string(),
    v.looseObject({
      Services: uint,
      ServiceInstances: uint,
      ConnectServiceInstances: v.record(v.string(), uint),
      BillableServiceInstances: uint,
    }),
  ),
}) as v.GenericSchema<unknown, Usage>;
