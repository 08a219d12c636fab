/**
 * Types and valibot schemas for configuration entries (`/v1/config`). Entries keep Consul's field
 * names; only `Kind` and `Name` are checked, every other field is kept as sent (Consul adds fields
 * between versions).
 * @module
 */
import * as v from 'valibot';
import { uint } from './common.ts';

/** What every configuration entry has. */
export interface ConfigEntryBase {
  Kind: string;
  Name: string;
  /** Enterprise namespace. */
  Namespace?: string | undefined;
  /** Enterprise admin partition. */
  Partition?: string | undefined;
  /** Free-form metadata (Consul 1.8.4+). */
  Meta?: Record<string, string> | undefined;
  /** Raft index of creation (set by Consul). */
  CreateIndex?: number | undefined;
  /** Raft index of the last change (set by Consul); pass it as `cas`. */
  ModifyIndex?: number | undefined;
  [field: string]: unknown;
}

/** Mesh gateway mode of a service or proxy. */
export interface MeshGatewayConfig {
  Mode?: '' | 'none' | 'local' | 'remote' | undefined;
  [field: string]: unknown;
}

/** Paths exposed through the Envoy proxy without mTLS (e.g. health checks). */
export interface ExposeConfig {
  Checks?: boolean | undefined;
  Paths?: { Path?: string; LocalPathPort?: number; ListenerPort?: number; Protocol?: string; [field: string]: unknown }[] | undefined;
  [field: string]: unknown;
}

/** `service-defaults`: defaults for every instance of a service. */
export interface ServiceDefaultsEntry extends ConfigEntryBase {
  Kind: 'service-defaults';
  /** `tcp` (default), `http`, `http2` or `grpc`. */
  Protocol?: string | undefined;
  MeshGateway?: MeshGatewayConfig | undefined;
  Expose?: ExposeConfig | undefined;
  /** SNI to use when dialling the service from outside the mesh. */
  ExternalSNI?: string | undefined;
}

/** `proxy-defaults`: defaults for every proxy; its `Name` must be `global`. */
export interface ProxyDefaultsEntry extends ConfigEntryBase {
  Kind: 'proxy-defaults';
  /** Opaque proxy configuration, e.g. `{ protocol: 'http' }`. */
  Config?: Record<string, unknown> | undefined;
  MeshGateway?: MeshGatewayConfig | undefined;
  Expose?: ExposeConfig | undefined;
}

/** One route of a `service-router`. */
export interface ServiceRoute {
  Match?: {
    HTTP?: {
      PathExact?: string | undefined;
      PathPrefix?: string | undefined;
      PathRegex?: string | undefined;
      Header?: Record<string, unknown>[] | undefined;
      QueryParam?: Record<string, unknown>[] | undefined;
      Methods?: string[] | undefined;
      [field: string]: unknown;
    } | undefined;
    [field: string]: unknown;
  } | undefined;
  Destination?: {
    Service?: string | undefined;
    ServiceSubset?: string | undefined;
    Namespace?: string | undefined;
    PrefixRewrite?: string | undefined;
    RequestTimeout?: string | undefined;
    NumRetries?: number | undefined;
    RetryOnConnectFailure?: boolean | undefined;
    RetryOnStatusCodes?: number[] | undefined;
    [field: string]: unknown;
  } | undefined;
  [field: string]: unknown;
}

/** `service-router`: L7 routes of an HTTP service. */
export interface ServiceRouterEntry extends ConfigEntryBase {
  Kind: 'service-router';
  Routes?: ServiceRoute[] | undefined;
}

/** `service-splitter`: weighted traffic splitting of an HTTP service. */
export interface ServiceSplitterEntry extends ConfigEntryBase {
  Kind: 'service-splitter';
  Splits?: {
    /** Percentage of traffic (the weights add up to 100). */
    Weight: number;
    Service?: string | undefined;
    ServiceSubset?: string | undefined;
    Namespace?: string | undefined;
    [field: string]: unknown;
  }[] | undefined;
}

/** `service-resolver`: subsets, redirects and failover of a service. */
export interface ServiceResolverEntry extends ConfigEntryBase {
  Kind: 'service-resolver';
  DefaultSubset?: string | undefined;
  Subsets?: Record<string, { Filter?: string | undefined; OnlyPassing?: boolean | undefined; [field: string]: unknown }> | undefined;
  Redirect?: {
    Service?: string | undefined;
    ServiceSubset?: string | undefined;
    Namespace?: string | undefined;
    Datacenter?: string | undefined;
    [field: string]: unknown;
  } | undefined;
  Failover?: Record<string, {
    Service?: string | undefined;
    ServiceSubset?: string | undefined;
    Namespace?: string | undefined;
    Datacenters?: string[] | undefined;
    [field: string]: unknown;
  }> | undefined;
  /** Go duration, e.g. `"15s"`. */
  ConnectTimeout?: string | undefined;
  LoadBalancer?: Record<string, unknown> | undefined;
}

/** `ingress-gateway`: listeners of an ingress gateway and the services behind them. */
export interface IngressGatewayEntry extends ConfigEntryBase {
  Kind: 'ingress-gateway';
  TLS?: { Enabled: boolean; [field: string]: unknown } | undefined;
  Listeners?: {
    Port: number;
    /** `tcp` (default), `http`, `http2` or `grpc`. */
    Protocol?: string | undefined;
    Services: { Name: string; Hosts?: string[] | undefined; Namespace?: string | undefined; [field: string]: unknown }[];
    [field: string]: unknown;
  }[] | undefined;
}

/** `terminating-gateway`: external services a terminating gateway reaches. */
export interface TerminatingGatewayEntry extends ConfigEntryBase {
  Kind: 'terminating-gateway';
  Services?: {
    Name: string;
    Namespace?: string | undefined;
    CAFile?: string | undefined;
    CertFile?: string | undefined;
    KeyFile?: string | undefined;
    SNI?: string | undefined;
    [field: string]: unknown;
  }[] | undefined;
}

/** The configuration entry kinds Consul 1.8.7 has, and their types. */
export interface ConfigEntryKinds {
  'service-defaults': ServiceDefaultsEntry;
  'proxy-defaults': ProxyDefaultsEntry;
  'service-router': ServiceRouterEntry;
  'service-splitter': ServiceSplitterEntry;
  'service-resolver': ServiceResolverEntry;
  'ingress-gateway': IngressGatewayEntry;
  'terminating-gateway': TerminatingGatewayEntry;
}

/** A configuration entry kind Consul 1.8.7 knows. */
export type ConfigEntryKind = keyof ConfigEntryKinds;

/** The entry type of a kind (`ConfigEntryBase` for kinds newer than 1.8.7, e.g. `service-intentions`). */
export type ConfigEntryOf<K extends string> = K extends ConfigEntryKind ? ConfigEntryKinds[K] : ConfigEntryBase;

/** Any configuration entry. */
export type ConfigEntry = ConfigEntryKinds[ConfigEntryKind] | ConfigEntryBase;

/** One configuration entry (only `Kind` and `Name` checked). */
export const ConfigEntry: v.GenericSchema<unknown, ConfigEntryBase> = v.looseObject({
  Kind: v.string(),
  Name: v.string(),
  CreateIndex: v.optional(uint),
  ModifyIndex: v.optional(uint),
});

/** A list of configuration entries. */
export const ConfigEntryList: v.GenericSchema<unknown, ConfigEntryBase[]> = v.array(ConfigEntry);

/** A `true`/`false` write answer. */
export const BooleanResult: v.GenericSchema<unknown, boolean> = v.boolean();
