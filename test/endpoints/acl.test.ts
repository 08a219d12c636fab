// The ACL API against real Consul 1.8.7 agents: one ACL-enabled agent (default policy deny, master
// token) started by this file, the run's shared agent (ACLs disabled) and, for bootstrap, a
// throwaway ACL agent without a master token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as acl from '../../src/endpoints/acl.ts';
import * as kv from '../../src/endpoints/kv.ts';
import {
  Consul,
  createClient,
  isBadRequestError,
  isForbiddenError,
  isHttpError,
  isInputError,
  isServerError,
} from '../../src/index.ts';
import type { Client, ConsulError } from '../../src/index.ts';
import { startAgent } from '../support/agent.mjs';
import type { Agent } from '../support/agent.mjs';
import { testClient, uniquePrefix } from '../support/client.ts';

const MASTER = crypto.randomUUID();
let agent: Agent;
let admin: Client;
let anon: Client;
let n = 0;
/** A name no other test in this file uses. */
const unique = (name: string): string => `${name}-${Date.now().toString(36)}-${n++}`;

// A syntactically valid, self-signed CA certificate (never used to connect to anything).
const FAKE_K8S_CA = `-----BEGIN CERTIFICATE-----
MIIBlzCCAT2gAwIBAgIUMNmlOF6Wz41T6FjCsBCc0oInHGswCgYIKoZIzj0EAwIw
IDEeMBwGA1UEAwwVY29uc3VsYXRlLWZha2UtazhzLWNhMCAXDTI2MTEyNjE4NDU0
OVoYDzIxMjYxMTAyMTg0NTQ5WjAgMR4wHAYDVQQDDBVjb25zdWxhdGUtZmFrZS1r
OHMtY2EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASBfY0oTqs7wDDSryJpe6qa
3hKWPcn1fthMDp3Jud6tKuHxiRTJbo77qBHGMJkaJmJv2A3m7OVZ898FfaUW6IIN
o1MwUTAdBgNVHQ4EFgQU0+EF9ub4yzXBXkR+R4CrNQp2SsIwHwYDVR0jBBgwFoAU
0+EF9ub4yzXBXkR+R4CrNQp2SsIwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD
AgNIADBFAiBp2HrdC6vYHokvtqF9Ul49zCRL8OoaurG0GatevGZQfQIhAJxArngU
TNwGeVl/gDFKv3fjbKKKj688xxZge7yp+TRU
-----END CERTIFICATE-----
`;
const FAKE_SA_JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.c2ln';

/** Catches the error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<ConsulError> {
  try {
    await promise;
  } catch (error) {
    return error as ConsulError;
  }
  throw new Error('expected a rejection');
}

/** Creates a policy and a token linked to it; returns the token's secret and accessor. */
async function tokenWith(rules: string): Promise<{ secret: string; accessor: string; policyId: string }> {
  const { data: policy } = await acl.policyCreate(admin, { Name: unique('p'), Rules: rules });
  const { data: token } = await acl.tokenCreate(admin, { Description: 'test', Policies: [{ ID: policy.ID }] });
  return { secret: token.SecretID, accessor: token.AccessorID, policyId: policy.ID };
}

const b64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');

/** An ES256 key pair made with WebCrypto, its public key as PEM, and a JWT signer. */
async function jwtSigner(): Promise<{ pem: string; sign(claims: Record<string, unknown>): Promise<string> }> {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const spki = Buffer.from(await crypto.subtle.exportKey('spki', keys.publicKey)).toString('base64');
  const pem = `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
  return {
    pem,
    async sign(claims) {
      const data = `${b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
      const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, new TextEncoder().encode(data));
      return `${data}.${b64url(new Uint8Array(signature))}`;
    },
  };
}

beforeAll(async () => {
  agent = await startAgent({ acl: { masterToken: MASTER }, name: 'consulate-acl' });
  admin = createClient({ address: agent.address, token: MASTER });
  anon = createClient({ address: agent.address });
});

afterAll(async () => {
  await agent?.stop();
});

describe('acl disabled (shared agent)', () => {
  it('throws an HttpError with status 401 and Consul\'s "ACL support disabled"', async () => {
    const client = testClient();
    for (const call of [() => acl.tokenList(client), () => acl.policyRead(client, crypto.randomUUID()), () => acl.legacyList(client)]) {
      const error = await failure(call());
      expect(isHttpError(error)).toBe(true);
      expect(error.status).toBe(401);
      expect(error.consulMessage).toBe('ACL support disabled');
    }
  });
});

describe('acl bootstrap and replication', () => {
  it('refuses a second bootstrap with ForbiddenError and reports replication (anonymously)', async () => {
    const error = await failure(acl.bootstrap(admin));
    expect(isForbiddenError(error)).toBe(true);
    expect(error.consulMessage).toMatch(/^Permission denied: ACL bootstrap no longer allowed/);
    const { data } = await acl.replication(anon);
    expect(data).toMatchObject({ Enabled: false, Running: false, ReplicationType: '' });
  });

  it('bootstraps a fresh ACL system once; the token carries the legacy ID too', async () => {
    const fresh = await startAgent({
      name: 'consulate-acl-bootstrap',
      hcl: 'acl { enabled = true  default_policy = "allow"  enable_token_persistence = false }',
    });
    try {
      const client = createClient({ address: fresh.address });
      const { data: root } = await acl.bootstrap(client);
      expect(root.ID).toBe(root.SecretID);
      expect(root.Policies?.map((p) => p.Name)).toEqual(['global-management']);
      const { data: self } = await acl.tokenReadSelf(client, { token: root.SecretID });
      expect(self.AccessorID).toBe(root.AccessorID);
      expect(await failure(acl.bootstrap(client))).toSatisfy(isForbiddenError);
    } finally {
      await fresh.stop();
    }
  });
});

describe('acl tokens', () => {
  it('creates with policies, roles, identities, local and TTL, with Consul\'s field names', async () => {
    const { data: policy } = await acl.policyCreate(admin, { Name: unique('tok-p'), Rules: 'node_prefix "" { policy = "read" }' });
    const { data: role } = await acl.roleCreate(admin, { Name: unique('tok-r'), Policies: [{ ID: policy.ID }] });
    const accessorId = crypto.randomUUID();
    const { data: token } = await acl.tokenCreate(admin, {
      AccessorID: accessorId,
      Description: 'from consulate',
      Policies: [{ Name: policy.Name }],
      Roles: [{ Name: role.Name }],
      ServiceIdentities: [{ ServiceName: 'web' }],
      NodeIdentities: [{ NodeName: 'n1', Datacenter: 'dc1' }],
      Local: true,
      ExpirationTTL: '1h',
    });
    expect(token).toMatchObject({
      AccessorID: accessorId,
      Description: 'from consulate',
      Policies: [{ ID: policy.ID, Name: policy.Name }],
      Roles: [{ ID: role.ID, Name: role.Name }],
      ServiceIdentities: [{ ServiceName: 'web' }],
      NodeIdentities: [{ NodeName: 'n1', Datacenter: 'dc1' }],
      Local: true,
    });
    const ttl = Date.parse(token.ExpirationTime!) - Date.parse(token.CreateTime);
    expect(ttl).toBe(3_600_000);
    const { data: read } = await acl.tokenRead(admin, accessorId);
    expect(read?.SecretID).toBe(token.SecretID);
    // list filters: by policy, by role
    const byPolicy = (await acl.tokenList(admin, { policy: policy.ID })).data.map((t) => t.AccessorID);
    expect(byPolicy).toEqual([accessorId]);
    const byRole = (await acl.tokenList(admin, { role: role.ID })).data.map((t) => t.AccessorID);
    expect(byRole).toEqual([accessorId]);
    const all = (await acl.tokenList(admin)).data.map((t) => t.Description);
    expect(all).toEqual(expect.arrayContaining(['Master Token', 'Anonymous Token', 'from consulate']));
  });

  it('reads self, updates (replacing links), clones and deletes', async () => {
    const { secret, accessor, policyId } = await tokenWith('key_prefix "x/" { policy = "read" }');
    const { data: self } = await acl.tokenReadSelf(admin, { token: secret });
    expect(self.AccessorID).toBe(accessor);
    const { data: updated } = await acl.tokenUpdate(admin, accessor, { Description: 'renamed' });
    expect(updated.Description).toBe('renamed');
    expect(updated.SecretID).toBe(secret);
    expect(updated.Policies).toBeUndefined(); // update replaces: links left out are cleared
    await acl.tokenUpdate(admin, accessor, { Description: 'renamed', Policies: [{ ID: policyId }] });
    const { data: copy } = await acl.tokenClone(admin, accessor, { Description: 'the clone' });
    expect(copy.AccessorID).not.toBe(accessor);
    expect(copy.SecretID).not.toBe(secret);
    expect(copy).toMatchObject({ Description: 'the clone', Policies: [{ ID: policyId }] });
    expect((await acl.tokenClone(admin, copy.AccessorID)).data.Description).toBe('the clone');
    expect((await acl.tokenDelete(admin, copy.AccessorID)).data).toBe(true);
    expect((await acl.tokenRead(admin, copy.AccessorID)).data).toBeUndefined();
    expect((await acl.tokenDelete(admin, copy.AccessorID)).data).toBe(true); // deleting again succeeds
    const error = await failure(acl.tokenUpdate(admin, copy.AccessorID, { Description: 'x' }));
    expect(isServerError(error)).toBe(true);
    expect(error.consulMessage).toMatch(/^Cannot find token/);
  });

  it('missing token → undefined; unknown caller token and permission denial → ForbiddenError', async () => {
    const missing = await acl.tokenRead(admin, crypto.randomUUID());
    expect(missing.data).toBeUndefined();
    expect(missing.meta.status).toBe(403);
    // same Consul answer ("ACL not found"), but here the *caller's* token is the unknown one
    const stranger = createClient({ address: agent.address, token: crypto.randomUUID() });
    const unknown = await failure(acl.tokenRead(stranger, crypto.randomUUID()));
    expect(isForbiddenError(unknown)).toBe(true);
    expect(unknown.consulMessage).toBe('ACL not found');
    expect(await failure(acl.policyRead(stranger, '00000000-0000-0000-0000-000000000001'))).toSatisfy(isForbiddenError);
    // a token without acl:read is denied, whether the target exists or not
    const { secret } = await tokenWith('key_prefix "y/" { policy = "read" }');
    const denied = await failure(acl.tokenRead(admin, crypto.randomUUID(), { token: secret }));
    expect(isForbiddenError(denied)).toBe(true);
    expect(denied.consulMessage).toBe('Permission denied');
    // anonymous is denied too (default policy deny), not "missing"
    expect((await failure(acl.tokenRead(anon, crypto.randomUUID()))).consulMessage).toBe('Permission denied');
    expect(await failure(acl.tokenReadSelf(stranger))).toSatisfy(isForbiddenError);
    expect(await failure(acl.tokenRead(admin, ''))).toSatisfy(isInputError);
  });

  it('hides SecretID from a caller with acl = "read"', async () => {
    const { secret, accessor } = await tokenWith('acl = "read"');
    const { data } = await acl.tokenRead(admin, accessor, { token: secret });
    expect(data?.SecretID).toBe('<hidden>');
    expect((await acl.tokenRead(admin, accessor)).data?.SecretID).toBe(secret);
  });
});

describe('acl permissions', () => {
  it('a token can do what its policy allows and gets ForbiddenError for the rest', async () => {
    const p = uniquePrefix('acl');
    const { secret } = await tokenWith(`key_prefix "${p}" { policy = "write" }`);
    const scoped = createClient({ address: agent.address, token: secret });
    expect((await kv.set(scoped, `${p}a`, 'ok')).data).toBe(true);
    expect((await kv.get(scoped, `${p}a`)).data).toBe('ok');
    const write = await failure(kv.set(scoped, `other/${p}a`, 'no'));
    expect(isForbiddenError(write)).toBe(true);
    expect(write.consulMessage).toBe('Permission denied');
    await kv.set(admin, `other/${p}b`, 'secret');
    expect(await failure(kv.get(scoped, `other/${p}b`))).toSatisfy(isForbiddenError);
    expect(await failure(acl.tokenList(scoped))).toSatisfy(isForbiddenError);
    expect(await failure(acl.policyCreate(scoped, { Name: unique('no') }))).toSatisfy(isForbiddenError);
    // the secret is only ever in the header: not in the URL, the path or the message of the error
    for (const error of [write]) {
      expect(error.path).toContain(`/v1/kv/other/`);
      expect(error.path).not.toContain(secret);
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
    }
  });

  it('an unknown token gets ForbiddenError "ACL not found"', async () => {
    const secret = crypto.randomUUID();
    const stranger = createClient({ address: agent.address, token: secret });
    const error = await failure(kv.get(stranger, 'anything'));
    expect(isForbiddenError(error)).toBe(true);
    expect(error.status).toBe(403);
    expect(error.consulMessage).toBe('ACL not found');
    expect(`${error.message} ${error.path}`).not.toContain(secret);
    // legacy info ignores the caller's token on 1.8.7: the secret in the path is the credential
    expect((await acl.legacyRead(stranger, MASTER)).data?.Name).toBe('Master Token');
  });

  it('anonymous listings are filtered, not denied, except the ACL listings (measured on 1.8.7)', async () => {
    const p = uniquePrefix('anon');
    await kv.set(admin, `${p}a`, '1');
    expect((await kv.keys(admin, p)).data).toEqual([`${p}a`]);
    expect((await kv.keys(anon, p)).data).toEqual([]); // filtered: Consul answers as if empty
    const services = await fetch(`${agent.address}/v1/catalog/services`);
    expect(services.status).toBe(200);
    expect(await services.json()).toEqual({});
    const nodes = await fetch(`${agent.address}/v1/catalog/nodes`);
    expect(await nodes.json()).toEqual([]);
    // ACL listings are denied outright, even for the anonymous token
    for (const call of [() => acl.tokenList(anon), () => acl.policyList(anon), () => acl.roleList(anon), () => acl.legacyList(anon)]) {
      const error = await failure(call());
      expect(isForbiddenError(error)).toBe(true);
      expect(error.consulMessage).toBe('Permission denied');
    }
  });

  it('the per-call token overrides the client token, both ways', async () => {
    const { secret } = await tokenWith('key_prefix "z/" { policy = "read" }');
    const scoped = createClient({ address: agent.address, token: secret });
    expect(await failure(acl.tokenList(scoped))).toSatisfy(isForbiddenError);
    expect((await acl.tokenList(scoped, { token: MASTER })).data.length).toBeGreaterThan(1);
    expect(await failure(acl.tokenList(admin, { token: secret }))).toSatisfy(isForbiddenError);
    expect((await acl.tokenReadSelf(admin, { token: secret })).data.SecretID).toBe(secret);
    expect((await acl.tokenReadSelf(scoped, { token: MASTER })).data.Description).toBe('Master Token');
  });
});

describe('acl policies', () => {
  it('creates, reads by id and name, updates, lists and deletes', async () => {
    const name = unique('pol');
    const { data: created } = await acl.policyCreate(admin, {
      Name: name,
      Description: 'd1',
      Rules: 'key_prefix "a/" { policy = "read" }',
      Datacenters: ['dc1'],
    });
    expect(created).toMatchObject({ Name: name, Description: 'd1', Datacenters: ['dc1'] });
    expect((await acl.policyRead(admin, created.ID)).data?.Rules).toBe('key_prefix "a/" { policy = "read" }');
    expect((await acl.policyReadByName(admin, name)).data?.ID).toBe(created.ID);
    expect((await acl.policyReadByName(admin, 'global-management')).data?.ID).toBe('00000000-0000-0000-0000-000000000001');
    const { data: updated } = await acl.policyUpdate(admin, created.ID, { Name: name, Description: 'd2', Rules: 'key_prefix "b/" { policy = "write" }' });
    expect(updated).toMatchObject({ ID: created.ID, Description: 'd2', Rules: 'key_prefix "b/" { policy = "write" }' });
    expect(updated.Datacenters).toBeUndefined();
    const listed = (await acl.policyList(admin)).data.find((p) => p.ID === created.ID);
    expect(listed).toMatchObject({ Name: name, Description: 'd2' });
    expect(listed).not.toHaveProperty('Rules');
    expect((await acl.policyDelete(admin, created.ID)).data).toBe(true);
    expect((await acl.policyRead(admin, created.ID)).data).toBeUndefined();
    expect((await acl.policyReadByName(admin, name)).data).toBeUndefined();
  });

  it('surfaces Consul\'s validation failures (500s) and refuses a nameless policy before sending', async () => {
    const bad = await failure(acl.policyCreate(admin, { Name: unique('bad'), Rules: 'garbage {' }));
    expect(isServerError(bad)).toBe(true);
    expect(bad.consulMessage).toMatch(/^Failed to parse ACL rules/);
    const dup = await failure(acl.policyCreate(admin, { Name: 'global-management' }));
    expect(dup.consulMessage).toMatch(/already exists/);
    expect(await failure(acl.policyCreate(admin, { Name: '' }))).toSatisfy(isInputError);
  });
});

describe('acl roles', () => {
  it('creates, reads by id and name, updates, lists with a policy filter and deletes', async () => {
    const { data: policy } = await acl.policyCreate(admin, { Name: unique('role-p') });
    const name = unique('role');
    const { data: role } = await acl.roleCreate(admin, {
      Name: name,
      Description: 'r',
      Policies: [{ Name: policy.Name }],
      ServiceIdentities: [{ ServiceName: 'api', Datacenters: ['dc1'] }],
      NodeIdentities: [{ NodeName: 'n9', Datacenter: 'dc1' }],
    });
    expect(role).toMatchObject({
      Name: name,
      Policies: [{ ID: policy.ID, Name: policy.Name }],
      ServiceIdentities: [{ ServiceName: 'api', Datacenters: ['dc1'] }],
      NodeIdentities: [{ NodeName: 'n9', Datacenter: 'dc1' }],
    });
    expect((await acl.roleRead(admin, role.ID)).data?.Name).toBe(name);
    expect((await acl.roleReadByName(admin, name)).data?.ID).toBe(role.ID);
    const { data: updated } = await acl.roleUpdate(admin, role.ID, { Name: name, Description: 'r2' });
    expect(updated.Description).toBe('r2');
    expect(updated.Policies).toBeUndefined();
    await acl.roleUpdate(admin, role.ID, { Name: name, Policies: [{ ID: policy.ID }] });
    expect((await acl.roleList(admin, { policy: policy.ID })).data.map((r) => r.ID)).toEqual([role.ID]);
    expect((await acl.roleList(admin)).data.some((r) => r.ID === role.ID)).toBe(true);
    expect((await acl.roleDelete(admin, role.ID)).data).toBe(true);
    const gone = await acl.roleRead(admin, role.ID);
    expect(gone.data).toBeUndefined();
    expect(gone.meta.status).toBe(404);
    expect((await acl.roleReadByName(admin, name)).data).toBeUndefined();
    expect(await failure(acl.roleCreate(admin, { Name: unique('r'), Policies: [{}] as never }))).toSatisfy(isInputError);
  });
});

describe('acl auth methods and binding rules', () => {
  it('creates, reads, updates, lists and deletes a kubernetes method with a fake (offline) config', async () => {
    const name = unique('k8s');
    const config = { Host: 'https://192.0.2.1:8443', CACert: FAKE_K8S_CA, ServiceAccountJWT: FAKE_SA_JWT };
    const { data: created } = await acl.authMethodCreate(admin, {
      Name: name,
      Type: 'kubernetes',
      DisplayName: 'K8s',
      Description: 'fake cluster',
      MaxTokenTTL: '1h',
      TokenLocality: 'global',
      Config: config,
    });
    expect(created).toMatchObject({ Name: name, Type: 'kubernetes', DisplayName: 'K8s', MaxTokenTTL: '1h0m0s', TokenLocality: 'global' });
    expect((await acl.authMethodRead(admin, name)).data?.Config).toEqual(config);
    const { data: updated } = await acl.authMethodUpdate(admin, name, { Type: 'kubernetes', Description: 'still fake', Config: config });
    expect(updated.Description).toBe('still fake');
    const listed = (await acl.authMethodList(admin)).data.find((m) => m.Name === name);
    expect(listed).toMatchObject({ Type: 'kubernetes', Description: 'still fake' });
    expect(listed).not.toHaveProperty('Config');
    expect((await acl.authMethodDelete(admin, name)).data).toBe(true);
    const gone = await acl.authMethodRead(admin, name);
    expect(gone.data).toBeUndefined();
    expect(gone.meta.status).toBe(404);
    const bad = await failure(acl.authMethodCreate(admin, { Name: unique('k8s'), Type: 'kubernetes', Config: { ...config, CACert: 'x' } }));
    expect(isServerError(bad)).toBe(true);
    expect(bad.consulMessage).toMatch(/^Invalid Auth Method: error parsing kubernetes ca cert/);
  });

  it('binding rules: create, read, update, list by auth method, delete', async () => {
    const { pem } = await jwtSigner();
    const method = unique('jwt');
    await acl.authMethodCreate(admin, { Name: method, Type: 'jwt', Config: { JWTValidationPubKeys: [pem], ClaimMappings: { svc: 'svc' } } });
    const { data: rule } = await acl.bindingRuleCreate(admin, {
      AuthMethod: method,
      BindType: 'service',
      BindName: '${value.svc}',
      Selector: 'value.svc==web',
      Description: 'web logins',
    });
    expect(rule).toMatchObject({ AuthMethod: method, BindType: 'service', BindName: '${value.svc}', Selector: 'value.svc==web' });
    expect((await acl.bindingRuleRead(admin, rule.ID)).data?.Description).toBe('web logins');
    const { data: updated } = await acl.bindingRuleUpdate(admin, rule.ID, { BindType: 'node', BindName: 'n1' });
    expect(updated).toMatchObject({ ID: rule.ID, AuthMethod: method, BindType: 'node', BindName: 'n1', Selector: '' });
    expect((await acl.bindingRuleList(admin, { authMethod: method })).data.map((r) => r.ID)).toEqual([rule.ID]);
    expect((await acl.bindingRuleList(admin, { authMethod: unique('none') })).data).toEqual([]);
    expect((await acl.bindingRuleDelete(admin, rule.ID)).data).toBe(true);
    expect((await acl.bindingRuleRead(admin, rule.ID)).data).toBeUndefined();
    expect(await failure(acl.bindingRuleCreate(admin, { BindType: 'service', BindName: 'x' }))).toSatisfy(isInputError);
    await acl.authMethodDelete(admin, method);
  });
});

describe('acl login and logout', () => {
  it('logs in with a JWT verified offline, lists the token by auth method, logs out', async () => {
    const signer = await jwtSigner();
    const method = unique('jwt');
    await acl.authMethodCreate(admin, {
      Name: method,
      Type: 'jwt',
      MaxTokenTTL: '10m',
      Config: { JWTValidationPubKeys: [signer.pem], BoundAudiences: ['consulate'], ClaimMappings: { svc: 'svc' } },
    });
    await acl.bindingRuleCreate(admin, { AuthMethod: method, BindType: 'service', BindName: '${value.svc}' });
    const now = Math.floor(Date.now() / 1000);
    const jwt = await signer.sign({ aud: 'consulate', sub: 's1', svc: 'web', iat: now, nbf: now - 5, exp: now + 300 });
    const { data: token } = await acl.login(anon, { AuthMethod: method, BearerToken: jwt, Meta: { host: 'h1' } });
    expect(token).toMatchObject({ AuthMethod: method, Local: true, ServiceIdentities: [{ ServiceName: 'web' }] });
    expect(token.Description).toContain('"host":"h1"');
    expect((await acl.tokenList(admin, { authMethod: method })).data.map((t) => t.AccessorID)).toEqual([token.AccessorID]);
    expect((await acl.logout(anon, { token: token.SecretID })).data).toBe(true);
    expect((await acl.tokenRead(admin, token.AccessorID)).data).toBeUndefined();
    expect((await failure(acl.logout(anon, { token: token.SecretID }))).consulMessage).toBe('ACL not found');
    // a credential that does not verify, an unknown method
    const bad = await failure(acl.login(anon, { AuthMethod: method, BearerToken: `${jwt.slice(0, -4)}AAAA` }));
    expect(isServerError(bad)).toBe(true);
    expect(bad.consulMessage).toMatch(/signature|verif/i);
    expect((await failure(acl.login(anon, { AuthMethod: unique('nope'), BearerToken: jwt }))).consulMessage).toBe('ACL not found');
    await acl.authMethodDelete(admin, method);
  });

  it('refuses to log out a token not made by login (Permission denied)', async () => {
    const { secret } = await tokenWith('key_prefix "l/" { policy = "read" }');
    const error = await failure(acl.logout(anon, { token: secret }));
    expect(isForbiddenError(error)).toBe(true);
    expect(error.consulMessage).toBe('Permission denied');
    expect((await acl.tokenReadSelf(anon, { token: secret })).data.SecretID).toBe(secret);
  });
});

describe('acl rules translate', () => {
  it('translates legacy rules and a legacy token\'s rules; bad rules are a BadRequestError', async () => {
    expect((await acl.rulesTranslate(admin, 'key "foo" { policy = "read" }')).data.trim()).toBe('key_prefix "foo" {\n  policy = "read"\n}');
    const bad = await failure(acl.rulesTranslate(admin, 'garbage {'));
    expect(isBadRequestError(bad)).toBe(true);
    expect(bad.consulMessage).toMatch(/Failed to parse rules/);
    const { data: secret } = await acl.legacyCreate(admin, { Name: unique('legacy'), Rules: 'service "db" { policy = "write" }' });
    // the leader gives legacy tokens an AccessorID in the background, shortly after their creation
    let accessor = '';
    for (let i = 0; i < 200 && !accessor; i++) {
      accessor = (await acl.tokenReadSelf(admin, { token: secret })).data.AccessorID;
      if (!accessor) await new Promise((r) => setTimeout(r, 50));
    }
    expect((await acl.rulesTranslateToken(admin, accessor)).data).toContain('service_prefix "db"');
    const noRules = await failure(acl.rulesTranslateToken(admin, (await acl.tokenReadSelf(admin)).data.AccessorID));
    expect(noRules.consulMessage).toBe('The specified token does not have any rules set');
    await acl.legacyDelete(admin, secret);
  });
});

describe('acl writes and dc (Consul 1.8.7 ignores ?dc= on every ACL write)', () => {
  it('an explicit dc is refused before sending, and nothing is created, changed or deleted', async () => {
    const dc = { datacenter: 'nowhere' };
    const sent: string[] = [];
    const rec = createClient({
      address: agent.address,
      token: MASTER,
      fetch: async (input, init) => {
        sent.push(input instanceof Request ? `${input.method} ${input.url}` : String(input));
        return fetch(input, init);
      },
    });
    const name = unique('dc');
    const { data: policy } = await acl.policyCreate(admin, { Name: `${name}-p` });
    const { data: token } = await acl.tokenCreate(admin, { Description: 'dc test' });
    const { data: role } = await acl.roleCreate(admin, { Name: `${name}-r` });
    const calls: [string, () => Promise<unknown>][] = [
      ['bootstrap', () => acl.bootstrap(rec, dc)],
      ['tokenCreate', () => acl.tokenCreate(rec, { Description: name }, dc)],
      ['tokenUpdate', () => acl.tokenUpdate(rec, token.AccessorID, { Description: 'changed' }, dc)],
      ['tokenClone', () => acl.tokenClone(rec, token.AccessorID, {}, dc)],
      ['tokenDelete', () => acl.tokenDelete(rec, token.AccessorID, dc)],
      ['policyCreate', () => acl.policyCreate(rec, { Name: name }, dc)],
      ['policyUpdate', () => acl.policyUpdate(rec, policy.ID, { Name: `${name}-p`, Description: 'changed' }, dc)],
      ['policyDelete', () => acl.policyDelete(rec, policy.ID, dc)],
      ['roleCreate', () => acl.roleCreate(rec, { Name: name }, dc)],
      ['roleUpdate', () => acl.roleUpdate(rec, role.ID, { Name: `${name}-r`, Description: 'changed' }, dc)],
      ['roleDelete', () => acl.roleDelete(rec, role.ID, dc)],
      ['authMethodCreate', () => acl.authMethodCreate(rec, { Name: name, Type: 'kubernetes', Config: {} }, dc)],
      ['authMethodUpdate', () => acl.authMethodUpdate(rec, name, { Type: 'kubernetes', Config: {} }, dc)],
      ['authMethodDelete', () => acl.authMethodDelete(rec, name, dc)],
      ['bindingRuleCreate', () => acl.bindingRuleCreate(rec, { AuthMethod: name, BindType: 'service', BindName: 'x' }, dc)],
      ['bindingRuleUpdate', () => acl.bindingRuleUpdate(rec, crypto.randomUUID(), { BindType: 'service', BindName: 'x' }, dc)],
      ['bindingRuleDelete', () => acl.bindingRuleDelete(rec, crypto.randomUUID(), dc)],
      ['rulesTranslate', () => acl.rulesTranslate(rec, 'key "" { policy = "read" }', dc)],
      ['legacy create', () => acl.legacyCreate(rec, { Name: name }, dc)],
      ['legacy update', () => acl.legacyUpdate(rec, { ID: crypto.randomUUID(), Name: name }, dc)],
      ['legacy destroy', () => acl.legacyDelete(rec, crypto.randomUUID(), dc)],
      ['legacy clone', () => acl.legacyClone(rec, crypto.randomUUID(), dc)],
      ['legacy info', () => acl.legacyRead(rec, crypto.randomUUID(), dc)],
      ['legacy list', () => acl.legacyList(rec, dc)],
    ];
    for (const [label, call] of calls) {
      const error = await failure(call());
      expect(isInputError(error), `${label}: ${error.message}`).toBe(true);
      expect(error.message, label).toMatch(/dc/);
    }
    expect(sent).toEqual([]);
    expect((await acl.tokenRead(admin, token.AccessorID)).data?.Description).toBe('dc test');
    expect((await acl.policyRead(admin, policy.ID)).data?.Description).toBe('');
    expect((await acl.roleRead(admin, role.ID)).data?.Description).toBe('');
    expect((await acl.policyList(admin)).data.some((p) => p.Name === name)).toBe(false);
    expect((await acl.roleList(admin)).data.some((r) => r.Name === name)).toBe(false);
    // reads and login/logout do route by dc: Consul answers "No path to datacenter"
    for (const call of [() => acl.policyList(rec, dc), () => acl.tokenReadSelf(rec, dc), () => acl.logout(rec, dc)]) {
      const error = await failure(call());
      expect(isServerError(error)).toBe(true);
      expect(error.consulMessage).toBe('No path to datacenter');
    }
  });
});

describe('acl legacy API (consulate)', () => {
  it('legacyCreate, legacyRead, legacyUpdate (upserts on 1.8.7), legacyClone, legacyList, legacyDelete on legacy tokens', async () => {
    const name = unique('legacy');
    const { data: id } = await acl.legacyCreate(admin, { Name: name, Rules: 'key "x/" { policy = "read" }' });
    expect((await acl.legacyRead(admin, id)).data).toMatchObject({ ID: id, Name: name, Type: 'client', Rules: 'key "x/" { policy = "read" }' });
    expect((await acl.legacyUpdate(admin, { ID: id, Name: `${name}-2`, Type: 'management' })).data).toBe(id);
    expect((await acl.legacyRead(admin, id)).data).toMatchObject({ Name: `${name}-2`, Type: 'management', Rules: '' });
    const fresh = crypto.randomUUID();
    expect((await acl.legacyUpdate(admin, { ID: fresh, Name: 'upserted' })).data).toBe(fresh);
    expect((await acl.legacyRead(admin, fresh)).data?.Name).toBe('upserted');
    const { data: copy } = await acl.legacyClone(admin, id);
    expect(copy).not.toBe(id);
    expect((await acl.legacyRead(admin, copy)).data?.Name).toBe(`${name}-2`);
    const listed = (await acl.legacyList(admin)).data.map((t) => t.ID);
    expect(listed).toEqual(expect.arrayContaining([id, fresh, copy, MASTER]));
    for (const secret of [id, fresh, copy]) expect((await acl.legacyDelete(admin, secret)).data).toBe(true);
    expect((await acl.legacyRead(admin, id)).data).toBeUndefined();
    expect((await acl.legacyCreate(admin, { Name: name, ID: fresh })).data).toBe(fresh);
    await acl.legacyDelete(admin, fresh);
  });

  it('on tokens of the current API: legacyRead undefined, legacyClone 403, legacyUpdate 500, legacyDelete deletes', async () => {
    const { secret, accessor } = await tokenWith('key_prefix "n/" { policy = "read" }');
    expect((await acl.legacyRead(admin, secret)).data).toBeUndefined();
    const cloned = await failure(acl.legacyClone(admin, secret));
    expect(isForbiddenError(cloned)).toBe(true);
    expect(cloned.consulMessage).toBe('Permission denied');
    expect(cloned.message).toMatch(/tokenClone/);
    // the legacy API puts the secret in the URL path: errors redact it
    expect(cloned.path).toBe('/v1/acl/clone/[redacted]');
    expect(cloned.message).not.toContain(secret);
    const updated = await failure(acl.legacyUpdate(admin, { ID: secret, Name: 'x' }));
    expect(isServerError(updated)).toBe(true);
    expect(updated.status).toBe(500);
    expect(updated.consulMessage).toBe('Cannot use legacy endpoint to modify a non-legacy token');
    expect(updated.message).toMatch(/tokenUpdate/);
    expect((await acl.tokenRead(admin, accessor)).data?.Description).toBe('test'); // untouched
    expect((await acl.legacyDelete(admin, secret)).data).toBe(true);
    expect((await acl.tokenRead(admin, accessor)).data).toBeUndefined();
    // a scoped token is denied; neither the target's secret nor the caller's is in the error
    const { secret: scoped } = await tokenWith('key_prefix "m/" { policy = "read" }');
    const denied = await failure(acl.legacyDelete(admin, MASTER, { token: scoped }));
    expect(isForbiddenError(denied)).toBe(true);
    expect(denied.path).toBe('/v1/acl/destroy/[redacted]');
    expect(`${denied.message} ${denied.path}`).not.toContain(MASTER);
    expect(`${denied.message} ${denied.path}`).not.toContain(scoped);
    // legacy info needs no permission on 1.8.7: knowing the secret is enough
    expect((await acl.legacyRead(admin, MASTER, { token: scoped })).data?.Name).toBe('Master Token');
  });
});

describe('acl inputs are Consul\'s JSON (its docs\' sample payloads, reads passed back)', () => {
  it('takes the sample payloads of /v1/acl/policy and /v1/acl/token unchanged', async () => {
    // https://developer.hashicorp.com/consul/api-docs/acl/policies#sample-payload, verbatim
    const policyPayload = {
      Name: 'node-read',
      Description: 'Grants read access to all node information',
      Rules: 'node_prefix "" { policy = "read"}',
      Datacenters: ['dc1'],
    };
    const { data: policy } = await acl.policyCreate(admin, policyPayload);
    expect(policy).toMatchObject(policyPayload);
    // https://developer.hashicorp.com/consul/api-docs/acl/tokens#sample-payload, trimmed of the one
    // thing 1.8.7 refuses: its first link, { ID: '165d4317-e379-f732-ce70-86278c4558f7' }, names a
    // policy that exists only in the docs' cluster (and a policy's ID cannot be chosen on create).
    const tokenPayload = {
      Description: "Agent token for 'node1'",
      Policies: [
        {
          Name: 'node-read',
        },
      ],
      Local: false,
    };
    const { data: token } = await acl.tokenCreate(admin, tokenPayload);
    try {
      expect(token).toMatchObject({ Description: "Agent token for 'node1'", Policies: [{ ID: policy.ID, Name: 'node-read' }], Local: false });
    } finally {
      await acl.tokenDelete(admin, token.AccessorID);
      await acl.policyDelete(admin, policy.ID);
    }
  });

  it('takes what a read returns: a token, policy and role read back update as they are', async () => {
    const { data: policy } = await acl.policyCreate(admin, { Name: unique('rt-p'), Rules: 'key_prefix "rt/" { policy = "read" }' });
    const { data: readPolicy } = await acl.policyRead(admin, policy.ID);
    expect((await acl.policyUpdate(admin, policy.ID, { ...readPolicy!, Description: 'round trip' })).data).toMatchObject({ ID: policy.ID, Description: 'round trip', Rules: policy.Rules });
    const { data: role } = await acl.roleCreate(admin, { Name: unique('rt-r'), Policies: [{ ID: policy.ID }] });
    const { data: readRole } = await acl.roleRead(admin, role.ID);
    expect((await acl.roleUpdate(admin, role.ID, { ...readRole!, Description: 'round trip' })).data.Policies).toEqual([{ ID: policy.ID, Name: policy.Name }]);
    const { data: token } = await acl.tokenCreate(admin, { Policies: [{ ID: policy.ID }], Roles: [{ ID: role.ID }] });
    const { data: readToken } = await acl.tokenRead(admin, token.AccessorID);
    const { data: updated } = await acl.tokenUpdate(admin, token.AccessorID, { ...readToken!, Description: 'round trip' });
    expect(updated).toMatchObject({ AccessorID: token.AccessorID, SecretID: token.SecretID, Description: 'round trip', Policies: [{ ID: policy.ID }], Roles: [{ ID: role.ID }] });
    await acl.tokenDelete(admin, token.AccessorID);
    await acl.roleDelete(admin, role.ID);
    await acl.policyDelete(admin, policy.ID);
  });

  it('checks before sending, naming Consul\'s field; refuses the camelCase of consulate < 1.0', async () => {
    let sent = 0;
    const counting = createClient({
      address: agent.address,
      token: MASTER,
      fetch: (input, init) => {
        sent++;
        return fetch(input, init);
      },
    });
    const cases: [RegExp, () => Promise<unknown>][] = [
      [/Policies needs an ID or a Name/, () => acl.tokenCreate(counting, { Policies: [{ name: 'x' } as never] })],
      [/Roles needs an ID or a Name/, () => acl.tokenCreate(counting, { Roles: [{}] as never })],
      [/ServiceIdentities needs a ServiceName/, () => acl.tokenCreate(counting, { ServiceIdentities: [{ serviceName: 'web' } as never] })],
      [/NodeIdentities needs a NodeName and a Datacenter/, () => acl.roleCreate(counting, { Name: 'r', NodeIdentities: [{ NodeName: 'n' } as never] })],
      [/ExpirationTTL/, () => acl.tokenCreate(counting, { ExpirationTTL: '1 hour' })],
      [/ExpirationTTL/, () => acl.tokenCreate(counting, { ExpirationTTL: -5 as never })],
      [/MaxTokenTTL/, () => acl.authMethodCreate(counting, { Name: 'm', Type: 'jwt', MaxTokenTTL: '10' })],
      [/needs a Name/, () => acl.policyCreate(counting, {} as never)],
      [/needs a Type/, () => acl.authMethodCreate(counting, { Name: 'm' } as never)],
      [/needs a BindType and a BindName/, () => acl.bindingRuleUpdate(counting, crypto.randomUUID(), { BindType: 'service' } as never)],
      [/needs an AuthMethod and a BearerToken/, () => acl.login(counting, { AuthMethod: 'm' } as never)],
      [/Type must be "client" or "management"/, () => acl.legacyCreate(counting, { Type: 'root' as never })],
      [/needs an ID/, () => acl.legacyUpdate(counting, { Name: 'x' } as never)],
      [/"description" should be "Description"/, () => acl.tokenCreate(counting, { description: 'old style' })],
      [/"expirationTTL" should be "ExpirationTTL"/, () => acl.tokenCreate(counting, { expirationTTL: '1h' })],
      [/"name" should be "Name"/, () => acl.policyCreate(counting, { name: 'p' } as never)],
      [/"bearerToken" should be "BearerToken"/, () => acl.login(counting, { AuthMethod: 'm', BearerToken: 't', bearerToken: 't' })],
    ];
    for (const [message, call] of cases) {
      const error = await failure(call());
      expect(isInputError(error), error.message).toBe(true);
      expect(error.message).toMatch(message);
    }
    expect(sent).toBe(0);
  });
});

describe('acl facade', () => {
  it('binds the nested groups and the legacy calls on new Consul()', async () => {
    const consul = new Consul({ address: agent.address, token: MASTER });
    const { data: policy } = await consul.acl.policy.create({ Name: unique('facade') });
    expect((await consul.acl.policy.readByName(policy.Name)).data?.ID).toBe(policy.ID);
    const { data: token } = await consul.acl.token.create({ Policies: [{ ID: policy.ID }] });
    expect((await consul.acl.token.readSelf({ token: token.SecretID })).data.AccessorID).toBe(token.AccessorID);
    expect((await consul.acl.token.list({ policy: policy.ID })).data).toHaveLength(1);
    expect((await consul.acl.role.list()).data).toBeInstanceOf(Array);
    expect((await consul.acl.authMethod.list()).data).toBeInstanceOf(Array);
    expect((await consul.acl.bindingRule.list()).data).toBeInstanceOf(Array);
    expect((await consul.acl.replication()).data.Enabled).toBe(false);
    const { data: legacy } = await consul.acl.legacy.create({ Name: unique('facade-legacy') });
    expect((await consul.acl.legacy.read(legacy)).data?.ID).toBe(legacy);
    expect((await consul.acl.legacy.delete(legacy)).data).toBe(true);
    expect((await consul.acl.token.delete(token.AccessorID)).data).toBe(true);
    expect((await consul.acl.policy.delete(policy.ID)).data).toBe(true);
  });
});
