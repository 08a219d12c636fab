/**
 * How the agent's streamed endpoints (`agent/monitor`, `agent/metrics/stream`) are read: line by line,
 * with an optional deadline on silence. Internal: not exported from `consulate/agent`.
 * @module
 */
import type { Client } from '../../core/client.ts';
import { InputError, isTimeoutError, NetworkError } from '../../core/errors.ts';
import type { QueryValue, WriteOptions } from '../../core/query.ts';
import { send } from '../../core/request.ts';

/** What {@link streamLines} asks for. */
export interface LineStreamRequest {
  /** Path below `/v1/`, e.g. `agent/monitor`. */
  path: string;
  /** Endpoint-specific query parameters. */
  params?: Record<string, QueryValue> | undefined;
  /** The caller's common options (its `signal` ends the stream quietly). */
  options: WriteOptions;
  /** Milliseconds the stream may go without a byte, headers included, or false for no limit. */
  idleTimeout: number | false;
  /** What the stream carries, for the error when it breaks (`log`, `metrics`). */
  what: string;
}

/**
 * Sends a GET to a streamed agent endpoint and yields its body line by line: each line without its `\n`
 * or `\r\n`, empty ones included, then a last unterminated piece if there is one. Ends without an error
 * when the caller's signal aborts (checked after each line too) and cancels the body when the loop is
 * left. The client's `timeout` does not apply: the headers and every later byte get `idleTimeout`.
 * @throws {InputError} for an `idleTimeout` that is neither a positive number nor false, before sending.
 * @throws {NetworkError} when the stream breaks; {@link TimeoutError} when `idleTimeout` ms pass without a byte.
 */
export async function* streamLines(client: Client, request: LineStreamRequest): AsyncGenerator<string, void, undefined> {
  const { path, params, options, idleTimeout, what } = request;
  if (idleTimeout !== false && !(Number.isFinite(idleTimeout) && idleTimeout > 0)) {
    throw new InputError(`idleTimeout must be a positive number of milliseconds or false, got ${String(idleTimeout)}`);
  }
  const signal = options.signal;
  // the headers and every later byte get idleTimeout (the body deadline is the client's timeout)
  const untimed: Client = { config: { ...client.config, timeout: idleTimeout }, transport: client.transport };
  let response: Response;
  try {
    ({ response } = await send(untimed, {
      path,
      params,
      options,
      idempotent: false,
      // Consul 1.8 labels agent/monitor gzip but sends it uncompressed, and wraps agent/metrics/stream in
      // a gzip handler; ask for no compression at all
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
        throw new NetworkError(`GET /v1/${path}: the ${what} stream broke: ${error instanceof Error ? error.message : String(error)}`, {
          method: 'GET',
          path: `/v1/${path}`,
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
