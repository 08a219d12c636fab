/**
 * `createClient`: the immutable value every endpoint function takes first.
 * @module
 */
import type { ClientConfig, ResolvedConfig } from './config.ts';
import { resolveConfig } from './config.ts';
import type { Transport } from './http.ts';
import { createTransport } from './http.ts';

/** A configured connection to a Consul agent. Immutable; share it freely. */
export interface Client {
  /** The checked configuration. */
  readonly config: ResolvedConfig;
  /** Sends requests (fetch + ky). */
  readonly transport: Transport;
}

/**
 * Creates a client. Configuration is checked now, so a bad address or port throws at once.
 * @param config - where the agent is and how to talk to it; see {@link ClientConfig}.
 * @returns an immutable {@link Client}.
 * @throws {ConfigError} when the configuration is invalid or no `fetch` is available.
 * @example
 * ```ts
 * import { createClient } from 'consulate';
 * import * as kv from 'consulate/kv';
 * const client = createClient({ address: 'http://127.0.0.1:8500', token: 'secret' });
 * const { data } = await kv.get(client, 'config/db');
 * ```
 */
export function createClient(config: ClientConfig = {}): Client {
  const resolved = resolveConfig(config);
  return Object.freeze({ config: resolved, transport: createTransport(resolved) });
}

/** Settings {@link withConfig} can change: the ones read per request (the transport is shared). */
export type PerRequestConfig = Pick<
  ResolvedConfig,
  'token' | 'datacenter' | 'namespace' | 'partition' | 'headers' | 'timeout' | 'validateResponses'
>;

/**
 * Derives a client with per-request settings changed (another token, datacenter, namespace…). The new
 * client shares the original's transport (connection pool, Unix socket or TLS setup) and nothing mutable.
 * @example const admin = withConfig(client, { token: adminToken });
 */
export function withConfig(client: Client, changes: Partial<PerRequestConfig>): Client {
  const config = Object.freeze({ ...client.config, ...changes });
  return Object.freeze({ ...client, config });
}
