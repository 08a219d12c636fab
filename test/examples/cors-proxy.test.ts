// The CORS proxy example (examples/cors-proxy) against the run's real dev agent: what it lets through
// (canonical paths, segment-boundary prefixes, recursive reads, txn, datacenters, methods), CORS, the
// per-client limit on blocking queries, deadlines, streaming, redirects, logs and its command line.
// One scripted server (test/support/misbehaving-server.mjs) stands in for an agent that never answers,
// which a real agent cannot be made to do.
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { blockingMs, canonicalPath, decide, goDurationMs } from '../../examples/cors-proxy/policy.mjs';
import type { Policy } from '../../examples/cors-proxy/policy.mjs';
import type { CorsProxy, CorsProxyOptions } from '../../examples/cors-proxy/server.mjs';
import { parseProxyArgs, startCorsProxy } from '../../examples/cors-proxy/server.mjs';
import { startMisbehavingServer } from '../support/misbehaving-server.mjs';
import { raw } from './raw-http.ts';

const agent = (): string => inject('consulAddress');
const P = `cors-ex-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const put = async (key: string, value: string): Promise<void> => {
  const res = await fetch(`${agent()}/v1/kv/${key}`, { method: 'PUT', body: value });
  expect(res.status).toBe(200);
};
const value = async (key: string): Promise<string | undefined> => {
  const res = await fetch(`${agent()}/v1/kv/${key}?raw`);
  return res.status === 404 ? undefined : res.text();
};

const proxies: CorsProxy[] = [];
async function proxyWith(options: Partial<CorsProxyOptions> = {}): Promise<CorsProxy> {
  const proxy = await startCorsProxy({ target: agent(), ...options });
  proxies.push(proxy);
  return proxy;
}

beforeAll(async () => {
  await put(`${P}/public/a`, 'public a');
  await put(`${P}/publicX`, 'not public');
  await put(`${P}/secret`, 'the secret');
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await fetch(`${agent()}/v1/kv/${P}?recurse`, { method: 'DELETE' });
});

describe('policy (examples/cors-proxy/policy.mjs)', () => {
  const policy: Policy = {
    allowRead: ['/v1/catalog', '/v1/kv/public'], allowWrite: ['/v1/kv/public/app'], allowTxn: false,
    allowRootRecurse: false, datacenters: ['dc1'], serverToken: true,
  };
  const refusal = (method: string, path: string, query = ''): string => {
    try {
      decide({ method, path, query }, policy);
    } catch (error) {
      return `${(error as { status: number }).status} ${(error as Error).message}`;
    }
    return 'allowed';
  };

  it.each([
    ['/v1/kv/public/../secret'], ['/v1/kv/public/%2e%2e/secret'], ['/v1/kv/public%2F..%2Fsecret'], ['/v1/kv/public%2f%2E%2E%2fsecret'],
    ['/v1//kv/public'], ['/v1/kv/public//a'], ['/v1/kv/./public'], ['/v1/kv/public/%2E'],
  ])('refuses the non-canonical path %s with 400', (path) => {
    expect(refusal('GET', path)).toMatch(/^400 non-canonical path/);
  });

  it('decodes %2F as Consul does and forwards the path it matched, re-encoded per segment', () => {
    expect(canonicalPath('/v1/kv/public%2Fa%20b')).toEqual({ path: '/v1/kv/public/a b', segments: ['v1', 'kv', 'public', 'a b'], encoded: '/v1/kv/public/a%20b' });
    expect(canonicalPath('/v1/kv/dir/').encoded).toBe('/v1/kv/dir/');
    expect(refusal('GET', '/v1/kv/%zz')).toMatch(/^400 malformed percent-encoding/);
  });

  it('matches prefixes on segment boundaries: public allows public and public/x, not publicX', () => {
    expect(refusal('GET', '/v1/kv/public')).toBe('allowed');
    expect(refusal('GET', '/v1/kv/public/x')).toBe('allowed');
    expect(refusal('GET', '/v1/kv/publicX')).toMatch(/^403 GET \/v1\/kv\/publicX is not allowed/);
    expect(refusal('GET', '/v1/catalogue')).toMatch(/^403 /);
  });

  it('a recursive KV read must stay inside the prefix (Consul matches a string prefix), and the root needs allowRootRecurse', () => {
    expect(refusal('GET', '/v1/kv/public', 'recurse')).toMatch(/^403 .*end the key with "\/"/);
    expect(refusal('GET', '/v1/kv/public', 'keys&separator=/')).toMatch(/^403 /);
    expect(refusal('GET', '/v1/kv/public/', 'recurse')).toBe('allowed');
    expect(() => decide({ method: 'GET', path: '/v1/kv/', query: 'recurse' }, { ...policy, allowRead: ['/v1/kv'] })).toThrow(/whole KV store recursively/);
    expect(decide({ method: 'GET', path: '/v1/kv/', query: 'recurse' }, { ...policy, allowRead: ['/v1/kv'], allowRootRecurse: true }).forward).toBe('/v1/kv/?recurse');
  });

  it('reads only by default; writes only under allowWrite; /v1/txn only with allowTxn; other methods 405', () => {
    expect(refusal('PUT', '/v1/kv/public/x')).toMatch(/^403 PUT \/v1\/kv\/public\/x is not allowed \(writes are allowed under: \/v1\/kv\/public\/app/);
    expect(refusal('DELETE', '/v1/kv/public/app/x')).toBe('allowed');
    expect(refusal('PUT', '/v1/txn')).toMatch(/^403 .*transactions can touch any key/);
    expect(decide({ method: 'PUT', path: '/v1/txn', query: '' }, { ...policy, allowTxn: true }).forward).toBe('/v1/txn');
    expect(refusal('TRACE', '/v1/kv/public')).toMatch(/^405 /);
  });

  it('?dc= must name a configured datacenter; with a server-side token /v1/acl/token/self is never forwarded', () => {
    expect(refusal('GET', '/v1/catalog/services', 'dc=dc2')).toMatch(/^403 datacenter "dc2" is not allowed \(allowed: dc1/);
    expect(refusal('GET', '/v1/catalog/services', 'dc=dc1')).toBe('allowed');
    const open = { ...policy, allowRead: ['/v1'] };
    expect(() => decide({ method: 'GET', path: '/v1/acl/token/self', query: '' }, open)).toThrow(/would hand that token to the page/);
    expect(decide({ method: 'GET', path: '/v1/acl/token/self', query: '' }, { ...open, serverToken: false }).path).toBe('/v1/acl/token/self');
  });

  it('removes ?token= from what is forwarded, keeps the rest byte for byte, and derives a blocking deadline from wait', () => {
    const d = decide({ method: 'GET', path: '/v1/catalog/services', query: 'index=12&token=s3cret&wait=90s&filter=a%20b' }, policy);
    expect(d).toMatchObject({ forward: '/v1/catalog/services?index=12&wait=90s&filter=a%20b', blocking: true, hadQueryToken: true });
    expect(d.blockingMs).toBe(90_000 + 90_000 / 16);
    expect(blockingMs(undefined)).toBe(300_000 + 300_000 / 16); // Consul's default wait
    expect(blockingMs('1h')).toBe(600_000 + 600_000 / 16); // clamped to 10 min as Consul does
    expect(goDurationMs('1m30s')).toBe(90_000);
    expect(goDurationMs('1500')).toBeUndefined();
    expect(decide({ method: 'GET', path: '/v1/catalog/services', query: 'index=0' }, policy).blocking).toBe(false);
  });
});

describe('the proxy in front of a real agent', () => {
  it('refuses non-canonical paths before the agent sees them, and serves %2F like Consul does', async () => {
    const proxy = await proxyWith({ allowRead: [`/v1/kv/${P}/public`] });
    for (const path of [`/consul/v1/kv/${P}/public/../secret`, `/consul/v1/kv/${P}/public/%2e%2e/secret`, `/consul/v1/kv/${P}/public%2F..%2Fsecret`, `/consul/v1/kv/${P}//public/a`]) {
      const res = await raw(proxy.url, 'GET', `${path}?raw`);
      expect(res.status, path).toBe(400);
      expect(res.body).not.toContain('the secret');
    }
    expect((await raw(proxy.url, 'GET', `/consul/v1/kv/${P}%2Fpublic%2Fa?raw`)).body).toBe('public a');
  });

  it('matches prefixes on segment boundaries against the real store: publicX and ?recurse on public stay out', async () => {
    const proxy = await proxyWith({ allowRead: [`/v1/kv/${P}/public`] });
    expect((await raw(proxy.url, 'GET', `/consul/v1/kv/${P}/publicX?raw`)).status).toBe(403);
    const broad = await raw(proxy.url, 'GET', `/consul/v1/kv/${P}/public?keys`);
    expect(broad.status).toBe(403);
    const inside = await raw(proxy.url, 'GET', `/consul/v1/kv/${P}/public/?keys`);
    expect(inside.status).toBe(200);
    expect(JSON.parse(inside.body)).toEqual([`${P}/public/a`]);
    expect((await raw(proxy.url, 'GET', '/consul/v1/kv/?recurse')).status).toBe(403);
  });

  it('is read-only by default: a write is refused and the value stays', async () => {
    const proxy = await proxyWith({ allowRead: ['/v1/kv'] });
    const res = await raw(proxy.url, 'PUT', `/consul/v1/kv/${P}/secret`, {}, 'overwritten');
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/^cors proxy: PUT \/v1\/kv\/.*\/secret is not allowed \(writes are allowed under: nothing/);
    expect((await raw(proxy.url, 'PUT', '/consul/v1/txn', {}, '[]')).status).toBe(403);
    expect(await value(`${P}/secret`)).toBe('the secret');
    const writer = await proxyWith({ allowRead: ['/v1/kv'], allowWrite: [`/v1/kv/${P}/public`] });
    expect((await raw(writer.url, 'PUT', `/consul/v1/kv/${P}/public/b`, {}, 'written')).status).toBe(200);
    expect(await value(`${P}/public/b`)).toBe('written');
  });

  it('refuses a ?dc= that is not configured, forwards a configured one', async () => {
    const proxy = await proxyWith({ datacenters: ['dc1'] });
    expect((await raw(proxy.url, 'GET', '/consul/v1/catalog/services?dc=dc9')).status).toBe(403);
    expect((await raw(proxy.url, 'GET', '/consul/v1/catalog/services?dc=dc1')).status).toBe(200);
  });

  it('never follows nor passes on Consul\'s redirects (GET /v1/kv answers 301 on Consul)', async () => {
    const proxy = await proxyWith({ allowRead: ['/v1/kv'] });
    const res = await raw(proxy.url, 'GET', '/consul/v1/kv');
    expect(res.status).toBe(502);
    expect(res.body).toBe('cors proxy: the agent answered a redirect (301), which is not followed\n');
    expect(res.headers['location']).toBeUndefined();
  });

  it('CORS for configured origins only, exposing X-Consul-* headers; never * with credentials', async () => {
    const proxy = await proxyWith({ allowOrigins: ['https://dash.example'], credentials: true });
    const ok = await raw(proxy.url, 'GET', '/consul/v1/catalog/services', { Origin: 'https://dash.example' });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('https://dash.example');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect(String(ok.headers['access-control-expose-headers'])).toMatch(/X-Consul-Index.*X-Consul-KnownLeader/);
    expect(ok.headers['x-consul-index']).toMatch(/^\d+$/);
    const evil = await raw(proxy.url, 'GET', '/consul/v1/catalog/services', { Origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    expect(evil.body).toBe('cors proxy: origin not allowed\n');
    // a browser's cross-site request that carries no Origin (e.g. a no-cors form) is refused too
    expect((await raw(proxy.url, 'GET', '/consul/v1/catalog/services', { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    const pre = await raw(proxy.url, 'OPTIONS', '/consul/v1/kv/x', { Origin: 'https://dash.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-consul-token' });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-methods']).toBe('GET, HEAD'); // read-only: no write methods offered
    await expect(startCorsProxy({ target: agent(), allowOrigins: '*', credentials: true })).rejects.toThrow(/"\*" cannot be combined with credentials/);
    const any = await proxyWith({ allowOrigins: '*' });
    const star = await raw(any.url, 'GET', '/consul/v1/catalog/services', { Origin: 'https://anyone.example' });
    expect(star.headers['access-control-allow-origin']).toBe('*');
    expect(star.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('limits open blocking queries per client (429 past the limit) and drops them upstream when the page goes away', async () => {
    const proxy = await proxyWith({ maxBlockingPerClient: 2 });
    const index = (await raw(agent(), 'GET', '/v1/catalog/services')).headers['x-consul-index'];
    const held = [1, 2].map(() => {
      const controller = new AbortController();
      const done = fetch(`${proxy.url}/consul/v1/catalog/services?index=${index}&wait=20s`, { signal: controller.signal }).catch(() => undefined);
      return { controller, done };
    });
    await expect.poll(() => proxy.openBlocking(), { timeout: 5000 }).toBe(2);
    const third = await raw(proxy.url, 'GET', `/consul/v1/catalog/services?index=${index}&wait=20s`);
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBe('2');
    expect(third.body).toBe('cors proxy: too many open blocking queries from this client (limit 2)\n');
    expect((await raw(proxy.url, 'GET', '/consul/v1/catalog/services')).status).toBe(200); // plain reads still pass
    for (const h of held) h.controller.abort();
    await Promise.all(held.map((h) => h.done));
    await expect.poll(() => proxy.openBlocking(), { timeout: 5000 }).toBe(0);
  });

  it('gives a blocking query its wait on top of the timeout, and answers 504 when the agent does not answer in time', async () => {
    const proxy = await proxyWith({ timeout: 300 });
    const index = (await raw(agent(), 'GET', '/v1/catalog/services')).headers['x-consul-index'];
    const blocked = await raw(proxy.url, 'GET', `/consul/v1/catalog/services?index=${index}&wait=1s`);
    expect(blocked.status).toBe(200); // lasted ~1 s, past the 300 ms timeout: the deadline is wait + wait/16 + timeout
    // scripted: an "agent" that accepts the request and never answers (a real agent cannot be made to)
    const silent = await startMisbehavingServer('never-answer');
    try {
      const stuck = await proxyWith({ target: silent.address, timeout: 300 });
      const res = await raw(stuck.url, 'GET', '/consul/v1/catalog/services');
      expect(res.status).toBe(504);
      expect(res.body).toBe('cors proxy: the agent did not answer within 0.3 s\n');
    } finally {
      await silent.close();
    }
  });

  it('streams without buffering: /v1/agent/monitor\'s headers and first log line arrive while the stream is open', async () => {
    const proxy = await proxyWith({ allowRead: ['/v1/agent/monitor'] });
    const first = await new Promise<string>((resolve, reject) => {
      const req = request(`${proxy.url}/consul/v1/agent/monitor?loglevel=debug`, (res) => {
        expect(res.statusCode).toBe(200);
        // something for the agent to log while the stream is open
        void fetch(`${agent()}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: `${P}-stream` }) });
        res.once('data', (chunk: Buffer) => {
          req.destroy();
          resolve(String(chunk));
        });
      });
      req.on('error', reject);
      req.setTimeout(15_000, () => req.destroy(new Error('no log line in 15 s')));
      req.end();
    });
    expect(first).toMatch(/\[(DEBUG|INFO)\]/);
    await fetch(`${agent()}/v1/agent/service/deregister/${P}-stream`, { method: 'PUT' });
  });

  it('logs method, canonical path, status and time — never the query or a token', async () => {
    const lines: string[] = [];
    const proxy = await proxyWith({ log: (line) => lines.push(line), allowRead: ['/v1/catalog'] });
    await raw(proxy.url, 'GET', '/consul/v1/catalog/services?token=s3cret-in-query', { 'X-Consul-Token': 's3cret-in-header' });
    await raw(proxy.url, 'GET', '/consul/v1/kv/x?token=s3cret-in-query');
    expect(lines[0]).toMatch(/^GET \/consul\/v1\/catalog\/services 200 \d+ms$/);
    expect(lines[1]).toMatch(/^GET \/consul\/v1\/kv\/x 403 \d+ms \(refused: GET \/v1\/kv\/x is not allowed/);
    expect(lines.join('\n')).not.toContain('s3cret');
  });
});

describe('command line', () => {
  const script = 'examples/cors-proxy/server.mjs';
  const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, CONSUL_PROXY_TOKEN: '' } });

  it('--help prints the usage and exits 0 without starting a proxy; an unknown option exits 2', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: node examples\/cors-proxy\/server\.mjs \[options\]/);
    expect(help.stdout).toContain('--allow-write PREFIX');
    const bad = run('--tokne-file', 'x');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--tokne-file'/);
  });

  it('reads the agent, token and TLS settings from flags and the environment (never CONSUL_HTTP_TOKEN)', () => {
    const parsed = parseProxyArgs(['--allow-read', '/v1/health', '--allow-write', '/v1/kv/app', '--datacenter', 'dc1', '--timeout', '5'], {
      CONSUL_HTTP_ADDR: '10.0.0.1:8501', CONSUL_HTTP_SSL: 'true', CONSUL_CACERT: '/ca.pem', CONSUL_CLIENT_CERT: '/c.pem', CONSUL_CLIENT_KEY: '/k.pem',
      CONSUL_HTTP_TOKEN: 'admin-token-of-the-shell', CONSUL_PROXY_TOKEN: 'proxy-token',
    });
    expect(parsed).toMatchObject({
      help: false,
      options: {
        target: 'https://10.0.0.1:8501', tls: { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/k.pem' }, token: 'proxy-token',
        allowRead: ['/v1/health'], allowWrite: ['/v1/kv/app'], datacenters: ['dc1'], timeout: 5000, port: 8080,
      },
    });
    expect(JSON.stringify(parseProxyArgs([], { CONSUL_HTTP_TOKEN: 'admin-token-of-the-shell' }))).not.toContain('admin-token');
  });
});
