/**
 * Checks registered with the local agent: list, register, deregister, and the TTL check updates.
 * Definitions are validated before sending by `schemas/definitions.ts`, which the catalog shares.
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check
 * @module
 */
import type { Client } from '../../core/client.ts';
import { refuseCamelCase } from '../../core/encoding.ts';
import { InputError } from '../../core/errors.ts';
import { pathSegment } from '../../core/path.ts';
import type { ReadOptions, WriteOptions } from '../../core/query.ts';
import type { Result } from '../../core/request.ts';
import { requestJson, sendVoid } from '../../core/request.ts';
import { refuseDatacenter } from '../../core/routing.ts';
import type { CheckDefinition, CheckStatus } from '../../schemas/definitions.ts';
import { CHECK_STATUSES, isRecord, optString, validateCheckDefinition } from '../../schemas/definitions.ts';
import type { HealthCheck } from '../../schemas/health.ts';
import { HealthCheckMap } from '../../schemas/health.ts';
import { AGENT_IS_LOCAL } from './shared.ts';

/**
 * The checks registered with the agent, by check id (`filter` applies).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#list-checks
 * @example const { data } = await agent.checkList(client, { filter: 'Status != "passing"' });
 */
export async function checkList(client: Client, options: ReadOptions = {}): Promise<Result<Record<string, HealthCheck>>> {
  refuseDatacenter(options, 'agent.checkList', AGENT_IS_LOCAL);
  return requestJson(client, { path: 'agent/checks', options }, HealthCheckMap);
}

/**
 * Registers a check with the local agent (a node check, or a service's with `ServiceID`). The
 * definition is Consul's JSON, sent as it is; a left-out `Name` becomes the `ID`.
 * @throws {InputError} naming the field (`check.Interval`), before sending: no kind or two kinds, an interval check
 *   without `Interval`, `TTL` with `Interval`, a bad duration, a `Status` other than passing/warning/critical.
 * @throws {ServerError} for a script/Docker check on an agent without `enable_script_checks`, or an unknown `ServiceID`.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#register-check
 * @example await agent.checkRegister(client, { ID: 'mem', Name: 'Memory', TTL: '30s' });
 */
export async function checkRegister(client: Client, definition: CheckDefinition, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.checkRegister', AGENT_IS_LOCAL);
  validateCheckDefinition(definition, 'check', 'agent');
  let body = definition;
  if (body.Name === undefined) {
    if (body.ID === undefined) throw new InputError('check.Name (or check.ID) is required');
    body = { ...body, Name: body.ID };
  }
  return sendVoid(client, { method: 'PUT', path: 'agent/check/register', json: body, options });
}

/**
 * Deregisters a check from the local agent. An unknown id is not an error.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#deregister-check
 * @example await agent.checkDeregister(client, 'mem');
 */
export async function checkDeregister(client: Client, id: string, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.checkDeregister', AGENT_IS_LOCAL);
  return sendVoid(client, { method: 'PUT', path: `agent/check/deregister/${pathSegment(id, 'id')}`, options });
}

function ttlUpdate(client: Client, verb: 'pass' | 'warn' | 'fail', id: string, note: string | undefined, options: WriteOptions): Promise<Result<void>> {
  if (note !== undefined && typeof note !== 'string') throw new InputError('note must be a string');
  return sendVoid(client, { method: 'PUT', path: `agent/check/${verb}/${pathSegment(id, 'id')}`, params: { note }, options });
}

/**
 * Sets a TTL check to passing (and resets its TTL).
 * @param note - becomes the check's output.
 * @throws {ServerError} when the check does not exist or is not a TTL check.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-pass
 * @example await agent.checkTtlPass(client, 'service:web-1', 'all good');
 */
export async function checkTtlPass(client: Client, id: string, note?: string | undefined, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.checkTtlPass', AGENT_IS_LOCAL);
  return ttlUpdate(client, 'pass', id, note, options);
}

/**
 * Sets a TTL check to warning (and resets its TTL).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-warn
 * @example await agent.checkTtlWarn(client, 'service:web-1', 'queue is long');
 */
export async function checkTtlWarn(client: Client, id: string, note?: string | undefined, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.checkTtlWarn', AGENT_IS_LOCAL);
  return ttlUpdate(client, 'warn', id, note, options);
}

/**
 * Sets a TTL check to critical (and resets its TTL).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-fail
 * @example await agent.checkTtlFail(client, 'service:web-1', 'database unreachable');
 */
export async function checkTtlFail(client: Client, id: string, note?: string | undefined, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.checkTtlFail', AGENT_IS_LOCAL);
  return ttlUpdate(client, 'fail', id, note, options);
}

/** The body of {@link checkUpdate}, in Consul's JSON. */
export interface CheckUpdate {
  Status: CheckStatus;
  /** Becomes the check's output. */
  Output?: string | undefined;
  /** Fields of newer Consul versions, passed through as given. */
  [field: string]: unknown;
}

/**
 * Sets a TTL check's status and output in one call; the update is Consul's JSON (`{ Status, Output }`), sent as it is.
 * @throws {InputError} for a `Status` other than passing/warning/critical, before sending.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-update
 * @example await agent.checkUpdate(client, 'service:web-1', { Status: 'warning', Output: 'degraded' });
 */
export async function checkUpdate(
  client: Client,
  id: string,
  update: CheckUpdate,
  options: WriteOptions = {},
): Promise<Result<void>> {
  refuseDatacenter(options, 'agent.checkUpdate', AGENT_IS_LOCAL);
  const path = `agent/check/update/${pathSegment(id, 'id')}`;
  if (isRecord(update)) refuseCamelCase(update, 'update');
  if (!isRecord(update) || !CHECK_STATUSES.includes(update.Status as string)) {
    throw new InputError(`update.Status must be "passing", "warning" or "critical", got ${JSON.stringify(isRecord(update) ? update.Status : update)}`);
  }
  optString(update.Output, 'update.Output', true);
  return sendVoid(client, { method: 'PUT', path, json: update, options });
}
