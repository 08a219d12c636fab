/**
 * valibot schemas for catalog responses, and the service and node shapes the agent and health
 * endpoints share with the catalog. Objects are loose: only the key fields are checked and every
 * field Consul adds in newer versions is kept.
 * @module
 */
import * as v from 'valibot';
import { shape, uint } from './common.ts';

/** An address of a service under a name (`lan`, `wan`, `lan_ipv4`…). */
export interface ServiceAddress {
  Address: string;
  Port: number;
  [key: string]: unknown;
}

/** How much a service instance is weighted in DNS SRV answers, by health. */
export interface ServiceWeights {
  Passing: number;
  Warning: number;
  [key: string]: unknown;
}

/**
 * A service instance as the agent (`/v1/agent/services`), the catalog (`/v1/catalog/node/:node`) and
 * health (`/v1/health/service/:name`) endpoints return it. `Service` is the service's name.
 */
export interface AgentService {
  /** Instance id, unique on its node. */
  ID: string;
  /** Service name. */
  Service: string;
  Tags?: string[] | null | undefined;
  Meta?: Record<string, string> | null | undefined;
  Port: number;
  /** The instance's address; `""` means the node's address. */
  Address: string;
  TaggedAddresses?: Record<string, ServiceAddress> | null | undefined;
  Weights?: ServiceWeights | null | undefined;
  EnableTagOverride?: boolean | undefined;
  /** `""` (typical), `connect-proxy`, `mesh-gateway`, `terminating-gateway`, `ingress-gateway`. */
  Kind?: string | undefined;
  /** Connect proxy configuration (Consul's spelling, kept as sent). */
  Proxy?: Record<string, unknown> | null | undefined;
  /** Connect configuration (Consul's spelling, kept as sent). */
  Connect?: Record<string, unknown> | null | undefined;
  /** `/v1/agent/service/:id` only: the hash to block on. */
  ContentHash?: string | undefined;
  CreateIndex?: number | undefined;
  ModifyIndex?: number | undefined;
  Namespace?: string | undefined;
  Datacenter?: string | undefined;
  [key: string]: unknown;
}


/** One service instance. */
export const AgentService: v.GenericSchema<unknown, AgentService> = shape({
  ID: v.string(),
  Service: v.string(),
  Tags: v.optional(v.nullable(v.array(v.string()))),
  Port: v.number(),
  Address: v.string(),
  CreateIndex: v.optional(uint),
  ModifyIndex: v.optional(uint),
});

/** Service instances by id (`/v1/agent/services`). */
export const AgentServiceMap: v.GenericSchema<unknown, Record<string, AgentService>> = v.record(v.string(), AgentService);

/** A node as the catalog and health endpoints return it. */
export interface CatalogNode {
  /** Node id (a UUID; `""` for nodes registered without one). */
  ID: string;
  /** Node name. */
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses?: Record<string, string> | null | undefined;
  Meta?: Record<string, string> | null | undefined;
  CreateIndex: number;
  ModifyIndex: number;
  [key: string]: unknown;
}

/** One node. */
export const CatalogNode: v.GenericSchema<unknown, CatalogNode> = shape({
  ID: v.string(),
  Node: v.string(),
  Address: v.string(),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** `/v1/catalog/nodes` (null becomes `[]`). */
export const CatalogNodeList: v.GenericSchema<unknown, CatalogNode[]> = v.pipe(
  v.nullable(v.array(CatalogNode)),
  v.transform((list) => list ?? []),
);

/** `/v1/catalog/node/:node`: the node and its services by id; `null` when the node is unknown. */
export interface CatalogNodeServices {
  Node: CatalogNode;
  /** Services by instance id. */
  Services: Record<string, AgentService>;
  [key: string]: unknown;
}

/** `/v1/catalog/node/:node` (Consul 1.8 answers 200 `null` for an unknown node). */
export const CatalogNodeServicesOrNull: v.GenericSchema<unknown, CatalogNodeServices | null> = v.nullable(
  v.looseObject({
    Node: CatalogNode,
    Services: v.pipe(
      v.nullable(v.record(v.string(), AgentService)),
      v.transform((map) => map ?? {}),
    ),
  }),
);

/** `/v1/catalog/node-services/:node`: the node and its services as a list. */
export interface CatalogNodeServiceList {
  Node: CatalogNode;
  Services: AgentService[];
  [key: string]: unknown;
}

/** `/v1/catalog/node-services/:node` (`{"Node":null,"Services":null}` for an unknown node). */
export const CatalogNodeServiceListWire: v.GenericSchema<unknown, { Node: CatalogNode | null; Services: AgentService[] | null }> =
  v.looseObject({ Node: v.nullable(CatalogNode), Services: v.nullable(v.array(AgentService)) });

/** A row of `/v1/catalog/service/:name`: one service instance flattened with its node. */
export interface CatalogService {
  /** Node id. */
  ID: string;
  /** Node name. */
  Node: string;
  /** Node address. */
  Address: string;
  Datacenter: string;
  TaggedAddresses?: Record<string, string> | null | undefined;
  NodeMeta?: Record<string, string> | null | undefined;
  ServiceKind?: string | undefined;
  ServiceID: string;
  ServiceName: string;
  ServiceTags?: string[] | null | undefined;
  ServiceAddress: string;
  ServiceTaggedAddresses?: Record<string, ServiceAddress> | null | undefined;
  ServiceWeights?: ServiceWeights | null | undefined;
  ServiceMeta?: Record<string, string> | null | undefined;
  ServicePort: number;
  ServiceEnableTagOverride?: boolean | undefined;
  ServiceProxy?: Record<string, unknown> | null | undefined;
  ServiceConnect?: Record<string, unknown> | null | undefined;
  Namespace?: string | undefined;
  CreateIndex: number;
  ModifyIndex: number;
  [key: string]: unknown;
}

/** One `/v1/catalog/service/:name` row. */
export const CatalogService: v.GenericSchema<unknown, CatalogService> = shape({
  Node: v.string(),
  Address: v.string(),
  ServiceID: v.string(),
  ServiceName: v.string(),
  ServiceTags: v.optional(v.nullable(v.array(v.string()))),
  ServiceAddress: v.string(),
  ServicePort: v.number(),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** `/v1/catalog/service/:name` and `/v1/catalog/connect/:name` (null becomes `[]`). */
export const CatalogServiceList: v.GenericSchema<unknown, CatalogService[]> = v.pipe(
  v.nullable(v.array(CatalogService)),
  v.transform((list) => list ?? []),
);

/** `/v1/catalog/services`: service names mapped to the union of their tags (null becomes `{}`). */
export const CatalogServiceMap: v.GenericSchema<unknown, Record<string, string[]>> = v.pipe(
  v.nullable(v.record(v.string(), v.pipe(v.nullable(v.array(v.string())), v.transform((tags) => tags ?? [])))),
  v.transform((map) => map ?? {}),
);

/** `/v1/catalog/datacenters` (null becomes `[]`). */
export const StringList: v.GenericSchema<unknown, string[]> = v.pipe(
  v.nullable(v.array(v.string())),
  v.transform((list) => list ?? []),
);

/** A service a gateway (terminating or ingress) represents, from `/v1/catalog/gateway-services/:gateway`. */
export interface GatewayService {
  Gateway: { Name: string; [key: string]: unknown };
  Service: { Name: string; [key: string]: unknown };
  /** `terminating-gateway` or `ingress-gateway`. */
  GatewayKind: string;
  Port?: number | undefined;
  Protocol?: string | undefined;
  Hosts?: string[] | null | undefined;
  CAFile?: string | undefined;
  CertFile?: string | undefined;
  KeyFile?: string | undefined;
  SNI?: string | undefined;
  FromWildcard?: boolean | undefined;
  [key: string]: unknown;
}

const NameRef = shape<{ Name: string }>({ Name: v.string() });

/** `/v1/catalog/gateway-services/:gateway` (null, as 1.8 answers for an unknown gateway, becomes `[]`). */
export const GatewayServiceList: v.GenericSchema<unknown, GatewayService[]> = v.pipe(
  v.nullable(
    v.array(
      shape<GatewayService>({
        Gateway: NameRef,
        Service: NameRef,
        GatewayKind: v.string(),
      }),
    ),
  ),
  v.transform((list) => list ?? []),
);

/** A `true`/`false` write answer. */
export const BooleanResult: v.GenericSchema<unknown, boolean> = v.boolean();
