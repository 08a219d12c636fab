/**
 * valibot schema for the compiled discovery chain (`/v1/discovery-chain/:service`).
 * @module
 */
import * as v from 'valibot';
import { shape } from './common.ts';

/** One node of a compiled chain: a `router`, `splitter` or `resolver`. */
export interface DiscoveryGraphNode {
  /** `router`, `splitter` or `resolver`. */
  Type: string;
  Name: string;
  /** Routes of a `router` node. */
  Routes?: Record<string, unknown>[] | undefined;
  /** Splits of a `splitter` node. */
  Splits?: Record<string, unknown>[] | undefined;
  /** The resolver of a `resolver` node (`ConnectTimeout` as a Go duration, `Target`, `Failover`…). */
  Resolver?: Record<string, unknown> | undefined;
  [field: string]: unknown;
}

/** The compiled discovery chain of a service: how a proxy routes, splits and resolves traffic to it. */
export interface CompiledDiscoveryChain {
  ServiceName: string;
  Namespace: string;
  Datacenter: string;
  /** Changes when overrides changed the result (present only then). */
  CustomizationHash?: string | undefined;
  /** `tcp`, `http`, `http2` or `grpc`. */
  Protocol: string;
  /** The name of the first node (a key of `Nodes`). */
  StartNode: string;
  Nodes: Record<string, DiscoveryGraphNode>;
  /** Where traffic can end up, by target id (`service.namespace.dc`): `SNI`, `MeshGateway`, `Subset`… */
  Targets: Record<string, Record<string, unknown>>;
  [field: string]: unknown;
}

/** `GET`/`POST /v1/discovery-chain/:service`. */
export interface DiscoveryChainResponse {
  Chain: CompiledDiscoveryChain;
  [field: string]: unknown;
}

/** The discovery chain answer. */
export const DiscoveryChainResponse: v.GenericSchema<unknown, DiscoveryChainResponse> = shape({
  Chain: shape({
    ServiceName: v.string(),
    Protocol: v.string(),
    StartNode: v.string(),
    Nodes: v.record(v.string(), shape({ Type: v.string(), Name: v.string() })),
    Targets: v.record(v.string(), v.looseObject({})),
  }),
});
