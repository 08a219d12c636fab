/**
 * The agent's metrics, streamed: one summary per metrics interval (10 s by default), as an async iterator.
 * @see https://pkg.go.dev/github.com/hashicorp/consul/api#Agent.MetricsStream
 * @module
 */
import type { Client } from '../../core/client.ts';
import { ResponseValidationError } from '../../core/errors.ts';
import type { ForbiddenError, InputError, NetworkError, NotFoundError, TimeoutError } from '../../core/errors.ts';
import type { WriteOptions } from '../../core/query.ts';
import { check } from '../../core/request.ts';
import { refuseDatacenter } from '../../core/routing.ts';
import type { AgentMetrics } from '../../schemas/agent.ts';
import { AgentMetrics as AgentMetricsSchema } from '../../schemas/agent.ts';
import { streamLines } from './line-stream.ts';
import { AGENT_IS_LOCAL } from './shared.ts';

const PATH = '/v1/agent/metrics/stream';

/**
 * Options of {@link metricsStream}.
 * @since Consul 1.10
 */
export interface MetricsStreamOptions extends WriteOptions {
  /**
   * Milliseconds the stream may go without a byte — before the first summary too — before it fails
   * with a {@link TimeoutError}. Consul sends a summary every metrics interval (10 s unless the agent's
   * `telemetry` says otherwise), so a value of a few intervals notices a dead agent or path.
   * @default false
   */
  idleTimeout?: number | false | undefined;
}

function parseSummary(client: Client, line: string): AgentMetrics {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ResponseValidationError(`GET ${PATH}: a line is not JSON: ${error instanceof Error ? error.message : String(error)}`, [
      { path: '', message: `not JSON: ${line.slice(0, 80)}` },
    ]);
  }
  return check(client, AgentMetricsSchema, value, `GET ${PATH}`);
}

/**
 * Streams the agent's metrics: Consul writes one JSON summary (the shape of {@link metrics}'s answer:
 * `Timestamp`, `Gauges`, `Points`, `Counters`, `Samples`) per line at the end of each metrics interval,
 * until the caller's `signal` aborts (the iterator then ends without an error) or the loop is left. The
 * client's `timeout` does not apply (Consul sends nothing until the first interval ends); set
 * `idleTimeout` to bound the silence. Asks for `Accept-Encoding: identity`, as {@link monitor} does.
 * @since Consul 1.10 (Consul 1.8.7 answers 404: a {@link NotFoundError})
 * @throws {NotFoundError} on agents without the endpoint; {@link ForbiddenError} without `agent:read`;
 *   {@link ResponseValidationError} for a line that is not a metrics summary; {@link NetworkError} when the
 *   stream breaks; {@link TimeoutError} when `idleTimeout` ms pass without a byte.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://pkg.go.dev/github.com/hashicorp/consul/api#Agent.MetricsStream (the endpoint is not on Consul's API pages; `consul debug` reads it)
 * @example
 * ```ts
 * const controller = new AbortController();
 * for await (const summary of agent.metricsStream(client, { signal: controller.signal, idleTimeout: 35_000 })) {
 *   const alloc = summary.Gauges.find((g) => g.Name.endsWith('runtime.alloc_bytes'));
 *   console.log(summary.Timestamp, alloc?.Value);
 * }
 * ```
 */
export async function* metricsStream(client: Client, options: MetricsStreamOptions = {}): AsyncGenerator<AgentMetrics, void, undefined> {
  refuseDatacenter(options, 'agent.metricsStream', AGENT_IS_LOCAL);
  const { idleTimeout = false, ...rest } = options;
  for await (const line of streamLines(client, { path: 'agent/metrics/stream', options: rest, idleTimeout, what: 'metrics' })) {
    const summary = line.trim();
    if (summary !== '') yield parseSummary(client, summary);
  }
}
