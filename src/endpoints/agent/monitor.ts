/**
 * The agent's log, streamed line by line as an async iterator.
 * @see https://developer.hashicorp.com/consul/api-docs/agent#stream-logs
 * @module
 */
import type { Client } from '../../core/client.ts';
import { InputError, isTimeoutError, NetworkError } from '../../core/errors.ts';
import type { TimeoutError } from '../../core/errors.ts';
import type { WriteOptions } from '../../core/query.ts';
import { send } from '../../core/request.ts';
import { refuseDatacenter } from '../../core/routing.ts';
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
  if (idleTimeout !== false && !(Number.isFinite(idleTimeout) && idleTimeout > 0)) {
    throw new InputError(`idleTimeout must be a positive number of milliseconds or false, got ${String(idleTimeout)}`);
  }
  const signal = rest.signal;
  // the headers and every later byte get idleTimeout (the body deadline is the client's timeout)
  const untimed: Client = { config: { ...client.config, timeout: idleTimeout }, transport: client.transport };
  let response: Response;
  try {
    ({ response } = await send(untimed, {
      path: 'agent/monitor',
      params: { loglevel, logjson },
      options: rest,
      idempotent: false,
      // Consul 1.8 labels this stream gzip but sends it uncompressed; ask for no compression at all
      headers: { 'Accept-Encoding': 'identity' },
    }));
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted) return;
        if (isTimeoutError(error)) throw error;
        throw new NetworkError(`GET /v1/agent/monitor: the log stream broke: ${error instanceof Error ? error.message : String(error)}`, {
          method: 'GET',
          path: '/v1/agent/monitor',
          cause: error,
        });
      }
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        yield line.endsWith('\r') ? line.slice(0, -1) : line;
        if (signal?.aborted) return;
      }
    }
    buffer += decoder.decode();
    if (buffer !== '') yield buffer;
  } finally {
    reader.cancel().catch(() => undefined);
  }
}
