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

/** A reference to another config entry or service (gateways and routes; Consul's field names). */
export interface ConfigEntryReference {
  Kind?: string | undefined;
  Name: string;
  /** A listener name, for references to a gateway's listener. */
  SectionName?: string | undefined;
  Namespace?: string | undefined;
  Partition?: string | undefined;
  [field: string]: unknown;
}

/** One source of a `service-intentions` entry. */
export interface SourceIntention {
  /** Source service name, or `*`. */
  Name?: string | undefined;
  /** Cluster peer of the source (Consul 1.13+). */
  Peer?: string | undefined;
  /** Sameness group of the source (Enterprise). */
  SamenessGroup?: string | undefined;
  /** `allow` or `deny` (L4); leave out when `Permissions` are given. */
  Action?: 'allow' | 'deny' | undefined;
  /** L7 permissions, each `{ Action, HTTP: { PathPrefix, Methods… } }`. */
  Permissions?: { Action: 'allow' | 'deny'; HTTP?: Record<string, unknown> | undefined; [field: string]: unknown }[] | undefined;
  Description?: string | undefined;
  /** `consul` (default). */
  Type?: string | undefined;
  [field: string]: unknown;
}

/**
 * `service-intentions`: who may connect to a destination service.
 * @since Consul 1.9
 */
export interface ServiceIntentionsEntry extends ConfigEntryBase {
  Kind: 'service-intentions';
  /** The sources, most specific first. */
  Sources?: SourceIntention[] | undefined;
  /** JWT requirements of every request (Consul 1.16+). */
  JWT?: { Providers?: { Name: string; VerifyClaims?: unknown[] | undefined; [field: string]: unknown }[] | undefined; [field: string]: unknown } | undefined;
}

/**
 * `mesh`: mesh-wide settings; its `Name` must be `mesh`.
 * @since Consul 1.10
 */
export interface MeshEntry extends ConfigEntryBase {
  Kind: 'mesh';
  TransparentProxy?: { MeshDestinationsOnly?: boolean | undefined; [field: string]: unknown } | undefined;
  AllowEnablingPermissiveMutualTLS?: boolean | undefined;
  TLS?: { Incoming?: Record<string, unknown> | undefined; Outgoing?: Record<string, unknown> | undefined; [field: string]: unknown } | undefined;
  HTTP?: { SanitizeXForwardedClientCert?: boolean | undefined; [field: string]: unknown } | undefined;
  Peering?: { PeerThroughMeshGateways?: boolean | undefined; [field: string]: unknown } | undefined;
}

/**
 * `exported-services`: the services a partition exports, and to whom.
 * @since Consul 1.13 (Enterprise 1.11)
 */
export interface ExportedServicesEntry extends ConfigEntryBase {
  Kind: 'exported-services';
  /** The partition name on Enterprise; `default` on OSS. */
  Name: string;
  Services?: {
    Name: string;
    Namespace?: string | undefined;
    /** Each `{ Peer }`, `{ Partition }` (Enterprise) or `{ SamenessGroup }` (Enterprise). */
    Consumers?: { Peer?: string | undefined; Partition?: string | undefined; SamenessGroup?: string | undefined; [field: string]: unknown }[] | undefined;
    [field: string]: unknown;
  }[] | undefined;
}

/** One listener of an `api-gateway`. */
export interface APIGatewayListener {
  Name: string;
  Hostname?: string | undefined;
  Port: number;
  /** `http` or `tcp`. */
  Protocol: string;
  /** `{ Certificates: [ConfigEntryReference], MinVersion?, MaxVersion?, CipherSuites? }`. */
  TLS?: { Certificates?: ConfigEntryReference[] | undefined; [field: string]: unknown } | undefined;
  [field: string]: unknown;
}

/**
 * `api-gateway`: an API gateway's listeners.
 * @since Consul 1.15
 */
export interface APIGatewayEntry extends ConfigEntryBase {
  Kind: 'api-gateway';
  Listeners?: APIGatewayListener[] | undefined;
  /** Written by Consul: the entry's conditions (`Accepted`, `Conflicted`…). */
  Status?: { Conditions?: Record<string, unknown>[] | undefined; [field: string]: unknown } | undefined;
}

/**
 * `bound-api-gateway`: written by Consul, the routes and certificates bound to each listener of an `api-gateway`.
 * @since Consul 1.15
 */
export interface BoundAPIGatewayEntry extends ConfigEntryBase {
  Kind: 'bound-api-gateway';
  Listeners?: { Name: string; Routes?: ConfigEntryReference[] | undefined; Certificates?: ConfigEntryReference[] | undefined; [field: string]: unknown }[] | undefined;
}

/**
 * `http-route`: HTTP routing rules attached to API gateway listeners.
 * @since Consul 1.15
 */
export interface HTTPRouteEntry extends ConfigEntryBase {
  Kind: 'http-route';
  /** The gateway listeners it attaches to. */
  Parents?: ConfigEntryReference[] | undefined;
  /** Each `{ Filters, Matches, Services: [{ Name, Weight, Filters }] }`. */
  Rules?: Record<string, unknown>[] | undefined;
  Hostnames?: string[] | undefined;
  Status?: { Conditions?: Record<string, unknown>[] | undefined; [field: string]: unknown } | undefined;
}

/**
 * `tcp-route`: TCP services attached to API gateway listeners.
 * @since Consul 1.15
 */
export interface TCPRouteEntry extends ConfigEntryBase {
  Kind: 'tcp-route';
  Parents?: ConfigEntryReference[] | undefined;
  /** The services traffic goes to: `{ Name, Namespace?, Partition? }`. */
  Services?: { Name: string; [field: string]: unknown }[] | undefined;
  Status?: { Conditions?: Record<string, unknown>[] | undefined; [field: string]: unknown } | undefined;
}

/**
 * `inline-certificate`: a TLS certificate and key for API gateway listeners, in PEM.
 * @since Consul 1.15
 */
export interface InlineCertificateEntry extends ConfigEntryBase {
  Kind: 'inline-certificate';
  /** The certificate chain, PEM. */
  Certificate: string;
  /** The private key, PEM. */
  PrivateKey: string;
}

/**
 * `file-system-certificate`: a TLS certificate and key for API gateway listeners, as file paths on the gateway.
 * @since Consul 1.19
 */
export interface FileSystemCertificateEntry extends ConfigEntryBase {
  Kind: 'file-system-certificate';
  /** Path of the certificate chain (PEM) on the gateway's file system. */
  Certificate: string;
  /** Path of the private key (PEM) on the gateway's file system. */
  PrivateKey: string;
}

/**
 * `jwt-provider`: a JWT issuer whose tokens intentions can require.
 * @since Consul 1.16
 */
export interface JWTProviderEntry extends ConfigEntryBase {
  Kind: 'jwt-provider';
  /** Where the signing keys come from: `{ Local: { JWKS | Filename } }` or `{ Remote: { URI, … } }`. */
  JSONWebKeySet: { Local?: Record<string, unknown> | undefined; Remote?: Record<string, unknown> | undefined; [field: string]: unknown };
  Issuer?: string | undefined;
  Audiences?: string[] | undefined;
  Locations?: Record<string, unknown>[] | undefined;
  Forwarding?: Record<string, unknown> | undefined;
  /** Allowed clock skew, seconds. */
  ClockSkewSeconds?: number | undefined;
  CacheConfig?: { Size?: number | undefined; [field: string]: unknown } | undefined;
}

/**
 * `sameness-group` (Consul Enterprise only): partitions and peers whose services count as the same.
 * @since Consul Enterprise 1.16
 */
export interface SamenessGroupEntry extends ConfigEntryBase {
  Kind: 'sameness-group';
  DefaultForFailover?: boolean | undefined;
  IncludeLocal?: boolean | undefined;
  /** Each `{ Partition }` or `{ Peer }`, in failover order. */
  Members?: { Partition?: string | undefined; Peer?: string | undefined; [field: string]: unknown }[] | undefined;
}

/** `control-plane-request-limit` (Consul Enterprise): rate limits of control-plane requests. */
export interface ControlPlaneRequestLimitEntry extends ConfigEntryBase {
  Kind: 'control-plane-request-limit';
  /** `permissive`, `enforcing` or `disabled`. */
  Mode?: string | undefined;
  /** Requests per second. */
  ReadRate?: number | undefined;
  /** Requests per second. */
  WriteRate?: number | undefined;
  KV?: { ReadRate?: number | undefined; WriteRate?: number | undefined; [field: string]: unknown } | undefined;
  Catalog?: { ReadRate?: number | undefined; WriteRate?: number | undefined; [field: string]: unknown } | undefined;
  ACL?: { ReadRate?: number | undefined; WriteRate?: number | undefined; [field: string]: unknown } | undefined;
}

/**
 * The configuration entry kinds of Consul 1.21's configuration entry reference, and their types (the
 * last seven are newer than Consul 1.8.7; the Enterprise-only kinds are marked so). Fields consulate does
 * not name are kept, both ways.
 */
export interface ConfigEntryKinds {
  'service-defaults': ServiceDefaultsEntry;
  'proxy-defaults': ProxyDefaultsEntry;
  'service-router': ServiceRouterEntry;
  'service-splitter': ServiceSplitterEntry;
  'service-resolver': ServiceResolverEntry;
  'ingress-gateway': IngressGatewayEntry;
  'terminating-gateway': TerminatingGatewayEntry;
  'service-intentions': ServiceIntentionsEntry;
  mesh: MeshEntry;
  'exported-services': ExportedServicesEntry;
  'api-gateway': APIGatewayEntry;
  'bound-api-gateway': BoundAPIGatewayEntry;
  'http-route': HTTPRouteEntry;
  'tcp-route': TCPRouteEntry;
  'inline-certificate': InlineCertificateEntry;
  'file-system-certificate': FileSystemCertificateEntry;
  'jwt-provider': JWTProviderEntry;
  'sameness-group': SamenessGroupEntry;
  'control-plane-request-limit': ControlPlaneRequestLimitEntry;
}

/** A configuration entry kind consulate types. */
export type ConfigEntryKind = keyof ConfigEntryKinds;

/** The entry type of a kind (`ConfigEntryBase` for a kind consulate does not type). */
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
