/**
 * `consulate/node`: the Node-only parts of consulate.
 *
 * - {@link createNodeFetch}: a fast `fetch`-compatible function on `node:http`/`node:https` keep-alive
 *   pools, with Unix sockets and TLS/mTLS (CA, client certificate, server name).
 * - {@link createNodeTransport}: consulate's request transport on the same pool — what
 *   Node clients use instead of the core's ky transport, whose per-call web `Request` handling costs
 *   more on Node than the request itself (same timeouts, retries and errors; see its docs).
 * - {@link createNodeClient}: a client on that transport; `address` may be `unix:///path`.
 * - {@link fromEnv}: a client configured from `CONSUL_HTTP_ADDR`, `CONSUL_HTTP_TOKEN`, `CONSUL_CACERT`…
 *   like Consul's own CLI.
 * - {@link selfRegistration}: this process's service registration, kept passing, deregistered on SIGTERM/SIGINT.
 *
 * The main `consulate` entry stays isomorphic (browsers, Deno, Bun, workers); on Deno and Bun, whose
 * `fetch` already speaks Unix sockets and mTLS, pass a small wrapper as `fetch` instead.
 * @example
 * ```ts
 * import { Consul } from 'consulate';
 * import { fromEnv } from 'consulate/node';
 * const client = fromEnv();
 * const consul = new Consul(client);
 * console.log((await consul.kv.get('app/config')).data);
 * await client.close();
 * ```
 * @module
 */
export type { NodeFetchOptions } from './connection.ts';
export type { NodeFetch } from './fetch.ts';
export { createNodeFetch } from './fetch.ts';
export type { NodeTlsOptions } from './tls.ts';
export type { NodeTransport, NodeTransportOptions } from './transport.ts';
export { createNodeTransport } from './transport.ts';
export type { FromEnvOptions, NodeClient, NodeClientConfig } from './env.ts';
export { createNodeClient, fromEnv } from './env.ts';
export type { SelfRegistrationOptions } from './self-register.ts';
export { selfRegistration } from './self-register.ts';
