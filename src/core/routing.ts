/**
 * Where a write goes, for the endpoints where Consul does not route by `?dc=`.
 *
 * Measured on Consul 1.8.7 with `?dc=nowhere` (a datacenter that does not exist): most endpoints
 * answer 500 "No path to datacenter", but these go ahead in the agent's own datacenter:
 * - `/v1/catalog/register` and `/v1/catalog/deregister`: routed by the body's `Datacenter` only;
 * - `/v1/txn`: routed by `?dc=`, but a Node operation's own `Datacenter` is ignored;
 * - every `/v1/agent/*` endpoint (local by nature), `/v1/operator/keyring` (acts on every datacenter),
 *   config entry writes (always applied in the primary datacenter), every ACL write and the legacy
 *   ACL reads: `?dc=` ignored.
 *
 * {@link bodyDatacenter} fills the body from the options; {@link refuseDatacenter} turns an explicit
 * `datacenter` option that Consul would ignore into an {@link InputError} before anything is sent.
 * @module
 */
import type { Client } from './client.ts';
import { InputError } from './errors.ts';

/** A `datacenter` option, with `""` meaning "not given" like everywhere else. */
function given(dc: string | undefined): string | undefined {
  return dc === undefined || dc === '' ? undefined : dc;
}

/**
 * The datacenter of a write that Consul routes by a `Datacenter` field of its body: the explicit
 * `datacenter` option, else the body's own, else the client's `datacenter`, else none (the agent's).
 * @param client - the client (its `datacenter` default).
 * @param options - the call's options.
 * @param body - the datacenter(s) the body names, if any (`""` counts as none).
 * @param where - what is being written, for the error message.
 * @returns the datacenter to write to, or `undefined` for the agent's own.
 * @throws {InputError} when the body names a datacenter other than the explicit `datacenter` option, or
 *   names two different ones.
 */
export function bodyDatacenter(
  client: Client,
  options: { datacenter?: string | undefined },
  body: string | readonly (string | undefined)[] | undefined,
  where: string,
): string | undefined {
  const named = [...new Set((typeof body === 'string' || body === undefined ? [body] : body).map(given).filter((d) => d !== undefined))];
  if (named.length > 1) {
    throw new InputError(`${where}: the operations name different datacenters (${named.map((d) => JSON.stringify(d)).join(', ')}); one request goes to one datacenter`);
  }
  const explicit = given(options.datacenter);
  const own = named[0];
  if (explicit !== undefined && own !== undefined && own !== explicit) {
    throw new InputError(`${where}: datacenter ${JSON.stringify(own)} disagrees with the datacenter option ${JSON.stringify(explicit)}`);
  }
  return explicit ?? own ?? given(client.config.datacenter);
}

/**
 * Refuses an explicit `datacenter` option on an endpoint where Consul ignores `?dc=` (the write would
 * silently happen elsewhere). The client's `datacenter` default is not refused: it does not apply there.
 * @param options - the call's options.
 * @param where - the function, e.g. `agent.serviceRegister`.
 * @param why - where such a call really goes.
 * @throws {InputError} when `options.datacenter` is a non-empty string.
 */
export function refuseDatacenter(options: { datacenter?: string | undefined } | undefined, where: string, why: string): void {
  const dc = given(options?.datacenter);
  if (dc !== undefined) {
    throw new InputError(`${where}: the datacenter option (${JSON.stringify(dc)}) is not supported: Consul ignores ?dc= here (${why})`);
  }
}
