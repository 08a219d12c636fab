/**
 * The ACL system as a whole: bootstrapping it, and the replication status of a datacenter.
 * @see https://developer.hashicorp.com/consul/api-docs/acl
 * @module
 */
import type { Client } from '../../core/client.ts';
import { InputError } from '../../core/errors.ts';
import type { ReadOptions, WriteOptions } from '../../core/query.ts';
import type { Result } from '../../core/request.ts';
import { requestJson } from '../../core/request.ts';
import { refuseDatacenter } from '../../core/routing.ts';
import type { ACLReplicationStatus as ACLReplicationStatusT, ACLToken as ACLTokenT } from '../../schemas/acl.ts';
import { ACLReplicationStatus, ACLToken } from '../../schemas/acl.ts';
import { ACL_WRITE } from './shared.ts';

/**
 * Options of {@link bootstrap}.
 * @since `bootstrapSecret`: Consul versions newer than 1.8.7 (1.8.7 ignores the body; see the Go client's `BootstrapWithToken`)
 */
export interface ACLBootstrapOptions extends WriteOptions {
  /**
   * The `SecretID` the bootstrap token gets (sent as `BootstrapSecret` in the body), a UUID, instead of
   * one Consul generates: how the Go client's `BootstrapWithToken` and `consul acl bootstrap FILE` work.
   * Consul 1.8.7 does not read a body here and generates a secret anyway, so check `data.SecretID`.
   */
  bootstrapSecret?: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Bootstraps the ACL system once: creates the first management token (consulate's `bootstrap`).
 * The answer also carries the legacy `ID` (equal to `SecretID`), so `data.ID` works as before.
 * @param options - `bootstrapSecret`: the secret to give the token (a UUID; newer Consul versions only).
 * @returns the new management token.
 * @throws {InputError} for a `bootstrapSecret` that is not a UUID, before sending.
 * @throws {ForbiddenError} when the cluster is already bootstrapped (Consul: `Permission denied: ACL
 *   bootstrap no longer allowed (reset index: N)`), e.g. because a master token is configured.
 * @throws {HttpError} with status 401 when ACLs are disabled.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl#bootstrap-acls
 * @example
 * ```ts
 * const { data: root } = await acl.bootstrap(client);
 * const admin = withConfig(client, { token: root.SecretID });
 * ```
 */
export async function bootstrap(client: Client, options: ACLBootstrapOptions = {}): Promise<Result<ACLTokenT>> {
  refuseDatacenter(options, 'acl.bootstrap', ACL_WRITE);
  const { bootstrapSecret, ...rest } = options;
  if (bootstrapSecret !== undefined && !(typeof bootstrapSecret === 'string' && UUID.test(bootstrapSecret))) {
    throw new InputError('bootstrapSecret must be a UUID (Consul uses it as the SecretID of the bootstrap token)');
  }
  const json = bootstrapSecret === undefined ? undefined : { BootstrapSecret: bootstrapSecret };
  return requestJson(client, { method: 'PUT', path: 'acl/bootstrap', json, options: rest }, ACLToken);
}

/**
 * ACL replication status of the answering datacenter (needs no token on 1.8.7).
 * @returns `Enabled`, `Running`, `SourceDatacenter`, `ReplicationType`, replicated indexes…
 * @throws {HttpError} with status 401 when ACLs are disabled.
 * @see https://developer.hashicorp.com/consul/api-docs/acl#check-acl-replication
 * @example const { data } = await acl.replication(client); // data.Enabled
 */
export async function replication(client: Client, options: ReadOptions = {}): Promise<Result<ACLReplicationStatusT>> {
  return requestJson(client, { path: 'acl/replication', options }, ACLReplicationStatus);
}
