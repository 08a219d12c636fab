/**
 * The agent's log, streamed line by line as an async iterator.
 * @see https://developer.hashicorp.com/consul/api-docs/agent#stream-logs
 * @module
 */
import type { Client } from '../../core/client.ts';
import type { InputError, NetworkError, TimeoutError } from '../../core/errors.ts';
import type { WriteOptions } from '../../core/query.ts';
import { refuseDatacenter } from '../../core/routing.ts';
import { streamLines } from './line-stream.ts';
import { AGENT_IS_LOCAL } from './shared.ts';

/** Options of {@link monitor}. */
export interface MonitorOptions extends WriteOptions {
  /** Lowest level streamed. @default "info" */
  loglevel?: 'trace' | 'debug' | 'info' | 'warn' | 'err' | 'error' | undefined;
  /** Lines as JSON objects (`{"@level":…,"@message":…}`) instead of text (Consul ≥ 1.7). */
  logjson?: boolean | undefined;
  /**
   * Milliseconds the stream may go without a byte — before the first line too — before it fails with
   * a {@link TimeoutError}: a way to notice a dead agent or path behind a quiet log. Off by default,
   * because a quiet agent sends nothing for as long as nothing is logged at `loglevel`.
   * @default false
   */
  idleTimeout?: number | false | undefined;
}

/**
 * Streams the agent's log lines as they are written, until the caller's `signal` aborts (the
 * iterator then ends without an error) or the loop is left. The client's `timeout` does not apply:
 * Consul sends nothing, not even headers, until the first line at the requested level; set
 * `idleTimeout` to bound the silence instead.
 *
 * The request asks for `Accept-Encoding: identity` because Consul 1.8 labels the stream
 * `Content-Encoding: gzip` while sending it uncompressed. Browsers do not let a page set that
 * header, so there the stream may fail to decode on such agents.
 * @throws {BadRequestError} for an unknown `loglevel`; {@link NetworkError} when the stream breaks;
 *   {@link TimeoutError} when `idleTimeout` ms pass without a byte.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent#stream-logs
 * @example
 * ```ts
 * const controller = new AbortController();
 * for await (const line of agent.monitor(client, { loglevel: 'debug', signal: controller.signal })) {
 *   console.log(line);
 *   if (line.includes('Synced service')) controller.abort();
 * }
 * ```
 */
export async function* monitor(client: Client, options: MonitorOptions = {}): AsyncGenerator<string, void, undefined> {
  refuseDatacenter(options, 'agent.monitor', AGENT_IS_LOCAL);
  const { loglevel, logjson, idleTimeout = false, ...rest } = options;
  yield* streamLines(client, { path: 'agent/monitor', params: { loglevel, logjson }, options: rest, idleTimeout, what: 'log' });
}
