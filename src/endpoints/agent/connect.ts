/**
 * The local agent's Connect endpoints: authorizing a connection, and the CA roots and leaf
 * certificates as the agent caches them (what a natively integrated service or a proxy uses).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/connect
 * @module
 */
import type { Client } from '../../core/client.ts';
import { InputError } from '../../core/errors.ts';
import type { BadRequestError, ForbiddenError } from '../../core/errors.ts';
import { pathSegment } from '../../core/path.ts';
import type { ReadOptions, WriteOptions } from '../../core/query.ts';
import type { Result } from '../../core/request.ts';
import { requestJson } from '../../core/request.ts';
import { refuseDatacenter } from '../../core/routing.ts';
import type { CARoots, ConnectAuthorization, LeafCert } from '../../schemas/connect.ts';
import { CARoots as CARootsSchema, ConnectAuthorization as ConnectAuthorizationSchema, LeafCert as LeafCertSchema } from '../../schemas/connect.ts';
import { AGENT_IS_LOCAL } from './shared.ts';

/** What {@link connectAuthorize} asks (Consul's field names). */
export interface ConnectAuthorizeRequest {
  /** The destination service's name. */
  Target: string;
  /** The client certificate's SPIFFE URI (`spiffe://<trust domain>/ns/default/dc/dc1/svc/web`). */
  ClientCertURI: string;
  /** The client certificate's serial number, colon-separated hex (`"04:00:00"`). */
  ClientCertSerial: string;
  /** Enterprise: the destination's namespace. */
  Namespace?: string | undefined;
  [field: string]: unknown;
}

/**
 * Asks the agent whether a connection from a client certificate to a target service is allowed
 * (intentions and the ACL default policy decide), as a natively integrated service does for each
 * inbound connection. A denial is data (`Authorized: false` with the `Reason`), not an error.
 * @param request - `Target`, `ClientCertURI`, `ClientCertSerial`.
 * @returns `{ Authorized, Reason }`.
 * @throws {InputError} for a missing `Target`, `ClientCertURI` or `ClientCertSerial`, before sending.
 * @throws {BadRequestError} for a `ClientCertURI` that is not a service SPIFFE id (Consul answers 400).
 * @throws {ForbiddenError} without `service:write` on the target.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/connect#authorize
 * @example
 * ```ts
 * const { data } = await agent.connectAuthorize(client, { Target: 'db', ClientCertURI: uri, ClientCertSerial: serial });
 * if (!data.Authorized) socket.destroy();
 * ```
 */
export async function connectAuthorize(
  client: Client,
  request: ConnectAuthorizeRequest,
  options: WriteOptions = {},
): Promise<Result<ConnectAuthorization>> {
  refuseDatacenter(options, 'agent.connectAuthorize', AGENT_IS_LOCAL);
  if (typeof request !== 'object' || request === null) throw new InputError('the authorize request must be an object');
  for (const field of ['Target', 'ClientCertURI', 'ClientCertSerial'] as const) {
    if (typeof request[field] !== 'string' || request[field] === '') throw new InputError(`request.${field} must be a non-empty string`);
  }
  return requestJson(client, { method: 'POST', path: 'agent/connect/authorize', json: request, options }, ConnectAuthorizationSchema);
}

/**
 * The Connect CA roots as the agent caches them (the same data as `connect.caRoots`, served from the
 * agent's cache: `meta.cache` is `HIT` or `MISS`). Blocking: pass `index` (a previous `meta.index`)
 * and `wait` to be told of a rotation.
 * @returns the roots, which one is active, and the trust domain.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/connect#certificate-authority-ca-roots
 * @example const { data } = await agent.connectCaRoots(client); data.Roots.find((r) => r.Active)?.RootCert
 */
export async function connectCaRoots(client: Client, options: ReadOptions = {}): Promise<Result<CARoots>> {
  refuseDatacenter(options, 'agent.connectCaRoots', AGENT_IS_LOCAL);
  return requestJson(client, { path: 'agent/connect/ca/roots', options }, CARootsSchema);
}

/**
 * A leaf certificate for a service, issued (and renewed before it expires) by the agent. Blocking:
 * with `index` (a previous `meta.index`) and `wait`, it returns when the certificate is renewed or
 * the roots rotate, or after `wait` with the same certificate.
 * @param service - the service name the certificate is for (it need not be registered).
 * @returns the certificate and its private key in PEM, the SPIFFE `ServiceURI` and the validity (RFC 3339 times).
 * @throws {InputError} for an empty service name, before sending.
 * @throws {ForbiddenError} without `service:write` on the service.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/agent/connect#service-leaf-certificate
 * @example
 * ```ts
 * const { data, meta } = await agent.connectCaLeaf(client, 'web');
 * tls.createSecureContext({ cert: data.CertPEM, key: data.PrivateKeyPEM });
 * ```
 */
export async function connectCaLeaf(client: Client, service: string, options: ReadOptions = {}): Promise<Result<LeafCert>> {
  refuseDatacenter(options, 'agent.connectCaLeaf', AGENT_IS_LOCAL);
  return requestJson(client, { path: `agent/connect/ca/leaf/${pathSegment(service, 'a service name')}`, options }, LeafCertSchema);
}
