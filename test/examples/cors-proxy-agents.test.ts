// The CORS proxy example against an ACL agent (default deny) and an HTTPS agent with verify_incoming:
// the token held server-side (never reaching the page; the page's own tokens removed), pass-through and
// anonymous modes, a write Consul forbids, and TLS/mTLS towards the agent with the error a missing CA or
// client certificate gives. Certificates are made at test time with `consul tls`, as an operator would.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CorsProxy, CorsProxyOptions } from '../../examples/cors-proxy/server.mjs';
import { startCorsProxy } from '../../examples/cors-proxy/server.mjs';
import type { Agent } from '../support/agent.mjs';
import { startAgent } from '../support/agent.mjs';
import { raw } from './raw-http.ts';

const MASTER = 'c0ffee00-1111-2222-3333-444455556666';
const READER = 'feedface-1111-2222-3333-444455556666';
const proxies: CorsProxy[] = [];
async function proxyWith(options: CorsProxyOptions): Promise<CorsProxy> {
  const proxy = await startCorsProxy(options);
  proxies.push(proxy);
  return proxy;
}
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
});

describe('an ACL agent (default_policy deny)', () => {
  let acl: Agent;
  const asMaster = (method: string, path: string, body?: unknown) => fetch(`${acl.address}${path}`, {
    method, headers: { 'X-Consul-Token': MASTER }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

  beforeAll(async () => {
    acl = await startAgent({ name: 'consulate-proxy-acl', acl: { masterToken: MASTER } });
    const policy = await asMaster('PUT', '/v1/acl/policy', {
      Name: 'dashboard-read',
      Rules: 'service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }\nkey_prefix "public/" { policy = "read" }',
    });
    expect(policy.status).toBe(200);
    expect((await asMaster('PUT', '/v1/acl/token', { SecretID: READER, Policies: [{ Name: 'dashboard-read' }] })).status).toBe(200);
    expect((await asMaster('PUT', '/v1/kv/public/motd', 'hello')).status).toBe(200);
  });
  afterAll(async () => {
    await acl?.stop();
  });

  it('holds the token server-side: the page reads without one, and the answer never carries it', async () => {
    const proxy = await proxyWith({ target: acl.address, token: READER, allowRead: ['/v1/catalog', '/v1/health', '/v1/kv/public', '/v1/acl'] });
    const res = await raw(proxy.url, 'GET', '/consul/v1/catalog/services');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toHaveProperty('consul'); // visible only with the reader's token
    expect(res.headers['x-proxy-token-mode']).toBe('server');
    expect(JSON.stringify(res)).not.toContain(READER);
    expect((await raw(proxy.url, 'GET', '/consul/v1/kv/public/motd?raw')).body).toBe('hello');
    // /v1/acl/token/self would answer the proxy's SecretID: never forwarded with its token, even when /v1/acl is allowed
    const self = await raw(proxy.url, 'GET', '/consul/v1/acl/token/self');
    expect(self.status).toBe(403);
    expect(self.body).not.toContain(READER);
  });

  it('with a server-side token, the page\'s X-Consul-Token, Authorization and ?token= are removed: a master token gains nothing, a write is forbidden', async () => {
    // the proxy allows the write; Consul refuses it because the proxy's (read-only) token is used, not the page's master token
    const proxy = await proxyWith({ target: acl.address, token: READER, allowRead: ['/v1/kv'], allowWrite: ['/v1/kv/public'] });
    const write = await raw(proxy.url, 'PUT', `/consul/v1/kv/public/motd?token=${MASTER}`, { 'X-Consul-Token': MASTER, Authorization: `Bearer ${MASTER}` }, 'defaced');
    expect(write.status).toBe(403);
    expect(write.body).toBe('Permission denied');
    const read = await raw(proxy.url, 'GET', `/consul/v1/kv/secret/x?token=${MASTER}`, { 'X-Consul-Token': MASTER, Authorization: `Bearer ${MASTER}` });
    expect(read.status).toBe(403); // the reader may not read secret/, whatever the page sends
    expect(await (await asMaster('GET', '/v1/kv/public/motd?raw')).text()).toBe('hello');
  });

  it('passes the page\'s own token through when configured (and refuses ?token= then)', async () => {
    const proxy = await proxyWith({ target: acl.address, passThroughToken: true });
    const anonymous = await raw(proxy.url, 'GET', '/consul/v1/catalog/services');
    expect(JSON.parse(anonymous.body)).toEqual({}); // Consul filters the list for the anonymous token
    expect(anonymous.headers['x-proxy-token-mode']).toBe('pass-through');
    const reader = await raw(proxy.url, 'GET', '/consul/v1/catalog/services', { 'X-Consul-Token': READER });
    expect(JSON.parse(reader.body)).toHaveProperty('consul');
    const unknown = await raw(proxy.url, 'GET', '/consul/v1/catalog/services', { 'X-Consul-Token': '00000000-0000-0000-0000-000000000000' });
    expect([unknown.status, unknown.body]).toEqual([403, 'ACL not found']);
    const inQuery = await raw(proxy.url, 'GET', `/consul/v1/catalog/services?token=${READER}`);
    expect(inQuery.status).toBe(400);
    expect(inQuery.body).toMatch(/send the token in the X-Consul-Token header/);
  });

  it('without a token of its own nor pass-through, sends none (the page\'s is removed)', async () => {
    const proxy = await proxyWith({ target: acl.address });
    const res = await raw(proxy.url, 'GET', '/consul/v1/catalog/services', { 'X-Consul-Token': MASTER });
    expect(JSON.parse(res.body)).toEqual({});
    expect(res.headers['x-proxy-token-mode']).toBe('anonymous');
  });

  it('refuses an origin that is not allowed before the agent sees the request', async () => {
    const lines: string[] = [];
    const proxy = await proxyWith({ target: acl.address, token: READER, allowOrigins: ['https://dash.example'], log: (l) => lines.push(l) });
    const res = await raw(proxy.url, 'GET', '/consul/v1/catalog/services', { Origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.body).toBe('cors proxy: origin not allowed\n');
    expect(lines).toEqual([expect.stringMatching(/^GET \/consul\/v1\/catalog\/services 403 \d+ms \(origin https:\/\/evil\.example not allowed\)$/)]);
  });
});

describe('an HTTPS agent with verify_incoming', () => {
  const dir = mkdtempSync(join(tmpdir(), 'consulate-proxy-tls-'));
  const pem = (name: string): string => join(dir, name);
  let agent: Agent;
  let https: string;

  beforeAll(async () => {
    for (const args of [['tls', 'ca', 'create'], ['tls', 'cert', 'create', '-server', '-dc', 'dc1'], ['tls', 'cert', 'create', '-client', '-dc', 'dc1']]) {
      execFileSync(inject('consulBin'), args, { cwd: dir, stdio: 'pipe' });
    }
    agent = await startAgent({
      name: 'consulate-proxy-tls',
      https: { caFile: pem('consul-agent-ca.pem'), certFile: pem('dc1-server-consul-0.pem'), keyFile: pem('dc1-server-consul-0-key.pem'), verifyIncoming: true },
    });
    https = `https://127.0.0.1:${agent.httpsPort}`;
  });
  afterAll(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without the CA: 502 naming the TLS failure and what to trust', async () => {
    const proxy = await proxyWith({ target: https });
    const res = await raw(proxy.url, 'GET', '/consul/v1/catalog/services');
    expect(res.status).toBe(502);
    expect(res.body).toMatch(/^cors proxy: consul agent unreachable: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN) \(trust the CA that signed the agent's certificate: --ca-file \(CONSUL_CACERT\)\)\n$/);
  });

  it('with the CA but no client certificate: 502 saying the agent wants one (Consul answers a bad_certificate alert)', async () => {
    const proxy = await proxyWith({ target: https, tls: { caFile: pem('consul-agent-ca.pem') } });
    const res = await raw(proxy.url, 'GET', '/consul/v1/catalog/services');
    expect(res.status).toBe(502);
    expect(res.body).toMatch(/^cors proxy: consul agent unreachable: ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE \(the agent wants a client certificate signed by its CA: --client-cert and --client-key\)\n$/);
  });

  it('with the CA and a client certificate (mTLS): proxies reads, blocking ones included', async () => {
    const proxy = await proxyWith({ target: https, tls: { caFile: pem('consul-agent-ca.pem'), certFile: pem('dc1-client-consul-0.pem'), keyFile: pem('dc1-client-consul-0-key.pem') } });
    const res = await raw(proxy.url, 'GET', '/consul/v1/catalog/services');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toHaveProperty('consul');
    const blocked = await raw(proxy.url, 'GET', `/consul/v1/catalog/services?index=${String(res.headers['x-consul-index'])}&wait=200ms`);
    expect(blocked.status).toBe(200);
    expect(blocked.headers['x-consul-index']).toBe(res.headers['x-consul-index']);
  });
});
