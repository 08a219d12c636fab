/**
 * The discovery chain (`/v1/discovery-chain/:service`): the service-router, service-splitter and
 * service-resolver config entries of a service compiled into the graph a Connect proxy follows.
 * Useful to check what a change to those entries will do before a proxy gets it.
 * @see https://developer.hashicorp.com/consul/api-docs/discovery-chain
 * @module
 */
import type { Client } from '../core/client.ts';
import type { Duration } from '../core/encoding.ts';
import { formatDuration } from '../core/encoding.ts';
import { InputError } from '../core/errors.ts';
import { pathSegment } from '../core/path.ts';
import type { ReadOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { requestJson } from '../core/request.ts';
import type { DiscoveryChainResponse } from '../schemas/discovery-chain.ts';
import { DiscoveryChainResponse as DiscoveryChainResponseSchema } from '../schemas/discovery-chain.ts';

export type { CompiledDiscoveryChain, DiscoveryChainResponse, DiscoveryGraphNode } from '../schemas/discovery-chain.ts';

/** What a proxy's upstream configuration may override when the chain is compiled (Consul's field names). */
export interface DiscoveryChainOverrides {
  /** Mesh gateway mode: `{ Mode: 'local' | 'remote' | 'none' }`. */
  OverrideMeshGateway?: { Mode?: '' | 'none' | 'local' | 'remote' | undefined; [field: string]: unknown } | undefined;
  /** Protocol to compile for (`tcp`, `http`, `http2`, `grpc`). */
  OverrideProtocol?: string | undefined;
  /** Connect timeout of the resolvers: a Go duration (`"7s"`) or milliseconds. */
  OverrideConnectTimeout?: Duration | undefined;
}

/** Options of {@link read}. */
export interface DiscoveryChainOptions extends ReadOptions {
  /** Compile as a proxy in this datacenter would see the chain (`?compile-dc=`); default: the agent's datacenter. */
  compileDatacenter?: string | undefined;
  /** Compile with these overrides (sent as a `POST` body; without them the read is a `GET`). */
  overrides?: DiscoveryChainOverrides | undefined;
}

function overridesBody(overrides: DiscoveryChainOverrides): Record<string, unknown> {
  if (typeof overrides !== 'object' || overrides === null) throw new InputError('overrides must be an object');
  const body: Record<string, unknown> = {};
  if (overrides.OverrideMeshGateway !== undefined) body['OverrideMeshGateway'] = overrides.OverrideMeshGateway;
  if (overrides.OverrideProtocol !== undefined) body['OverrideProtocol'] = overrides.OverrideProtocol;
  if (overrides.OverrideConnectTimeout !== undefined) {
    body['OverrideConnectTimeout'] = formatDuration(overrides.OverrideConnectTimeout, 'overrides.OverrideConnectTimeout');
  }
  return body;
}

/**
 * Compiles and returns the discovery chain of a service (blocking query capable: pass `index` and
 * `wait` to be told when a config entry changes it). With `overrides` the chain is compiled as a
 * proxy with those upstream settings would see it (a `POST`; Consul's docs call it the same read).
 * @param service - the service name (it need not be registered).
 * @returns `{ Chain }`: `Protocol`, `StartNode`, the graph `Nodes` and the `Targets`.
 * @throws {InputError} for an empty service name or a bad `OverrideConnectTimeout`, before sending.
 * @throws {BadRequestError} for an override Consul cannot decode (400 `Request decoding failed…`).
 * @throws {ForbiddenError} without `service:read` on the service.
 * @see https://developer.hashicorp.com/consul/api-docs/discovery-chain#read-compiled-discovery-chain
 * @example
 * ```ts
 * const { data } = await discoveryChain.read(client, 'web', { overrides: { OverrideProtocol: 'http' } });
 * data.Chain.Protocol // 'http'
 * ```
 */
export async function read(client: Client, service: string, options: DiscoveryChainOptions = {}): Promise<Result<DiscoveryChainResponse>> {
  const { compileDatacenter, overrides, ...rest } = options;
  const path = `discovery-chain/${pathSegment(service, 'a service name')}`;
  const params = { 'compile-dc': compileDatacenter };
  if (overrides === undefined) return requestJson(client, { path, params, options: rest }, DiscoveryChainResponseSchema);
  // a read with a body: safe to retry like a GET
  return requestJson(
    client,
    { method: 'POST', path, params, json: overridesBody(overrides), options: rest, idempotent: true },
    DiscoveryChainResponseSchema,
  );
}

/**
 * How these functions nest on the `Consul` facade: `consul.discoveryChain.read(service)`.
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const discoveryChainFacade = {
  read: read as typeof read,
};
