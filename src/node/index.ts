/**
 * `consulate/node`: the Node-only parts of consulate.
 *
 * - {@link createNodeFetch}: a fast `fetch`-compatible function on undici's dispatcher API, with Unix
 *   sockets and TLS/mTLS (CA, client certificate, server name).
 * - {@link createUndiciTransport}: consulate's request transport on the same undici pool — what
 *   Node clients use instead of the core's ky transport, whose per-call web `Request` handling costs
 *   more on Node than the request itself (same timeouts, retries and errors; see its docs).
 * - {@link createNodeClient}: a client on that transport; `address` may be `unix:///path`.
 * - {@link fromEnv}: a client configured from `CONSUL_HTTP_ADDR`, `CONSUL_HTTP_TOKEN`, `CONSUL_CACERT`…
 *   like Consul's own CLI.
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
export type { NodeFetch, NodeFetchOptions, NodeTlsOptions } from './fetch.ts';
export { createNodeFetch } from './fetch.ts';
export type { UndiciTransport, UndiciTransportOptions } from './transport.ts';
export { createUndiciTransport } from './transport.ts';
export type { FromEnvOptions, NodeClient, NodeClientConfig } from './env.ts';
export { createNodeClient, fromEnv } from './env.ts';
