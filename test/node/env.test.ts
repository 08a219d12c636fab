// fromEnv's reading of CONSUL_* variables: addresses, schemes, namespace/partition, basic auth and
// the token, and ConfigErrors that name the variable but never a secret. Connection behaviour with
// TLS and Unix sockets is in tls.test.ts and unix.test.ts; here requests go to the shared agent, and
// (for headers Consul ignores, like basic auth) to a local HTTP server that reports what it received.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as kv from '../../src/endpoints/kv.ts';
import { isConfigError } from '../../src/index.ts';
import type { FromEnvOptions, NodeClient } from '../../src/node/index.ts';
import { fromEnv } from '../../src/node/index.ts';
import { uniquePrefix } from '../support/client.ts';

const SECRET = 'd6c6d1e4-secret-token';

/** The apiUrl (and other resolved settings) fromEnv would use, closing the client at once. */
async function resolved(options: FromEnvOptions): Promise<NodeClient['config']> {
  const client = fromEnv(options);
  await client.close();
  return client.config;
}

function configError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    expect(isConfigError(error)).toBe(true);
    return error as Error;
  }
  throw new Error('expected a ConfigError');
}

describe('fromEnv: addresses', () => {
  it('defaults to http://127.0.0.1:8500 with an empty environment; empty variables count as unset', async () => {
    expect((await resolved({ env: {} })).apiUrl).toBe('http://127.0.0.1:8500/v1/');
    expect((await resolved({ env: { CONSUL_HTTP_ADDR: '', CONSUL_HTTP_SSL: '', CONSUL_HTTP_TOKEN: '' } })).apiUrl).toBe('http://127.0.0.1:8500/v1/');
  });

  it('reads host:port, http://, https:// and unix:// addresses like Consul', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ CONSUL_HTTP_ADDR: '10.0.0.5:8500' }, 'http://10.0.0.5:8500/v1/'],
      [{ CONSUL_HTTP_ADDR: '10.0.0.5:8501', CONSUL_HTTP_SSL: 'true' }, 'https://10.0.0.5:8501/v1/'],
      [{ CONSUL_HTTP_ADDR: '10.0.0.5:8501', CONSUL_HTTP_SSL: '1' }, 'https://10.0.0.5:8501/v1/'],
      [{ CONSUL_HTTP_ADDR: '10.0.0.5:8500', CONSUL_HTTP_SSL: 'false' }, 'http://10.0.0.5:8500/v1/'],
      [{ CONSUL_HTTP_ADDR: 'https://consul.example:8501' }, 'https://consul.example:8501/v1/'],
      // the address's own scheme wins over CONSUL_HTTP_SSL, as in Consul
      [{ CONSUL_HTTP_ADDR: 'http://consul.example:8500', CONSUL_HTTP_SSL: 'true' }, 'http://consul.example:8500/v1/'],
      [{ CONSUL_HTTP_ADDR: 'HTTPS://[::1]:8501/consul' }, 'https://[::1]:8501/consul/v1/'],
      [{ CONSUL_HTTP_ADDR: 'unix:///var/run/consul.sock' }, 'http://localhost/v1/'],
      [{ CONSUL_HTTP_SSL: 'true' }, 'https://127.0.0.1:8500/v1/'],
    ];
    for (const [env, apiUrl] of cases) expect((await resolved({ env })).apiUrl, JSON.stringify(env)).toBe(apiUrl);
  });

  it('explicit address, host/port and scheme beat CONSUL_HTTP_ADDR; CONSUL_HTTP_SSL still picks https for a bare host:port', async () => {
    const env = { CONSUL_HTTP_ADDR: '10.0.0.5:8500' };
    expect((await resolved({ env, address: '10.0.0.9:9500' })).apiUrl).toBe('http://10.0.0.9:9500/v1/');
    expect((await resolved({ env, host: 'consul.local', port: 8600 })).apiUrl).toBe('http://consul.local:8600/v1/');
    expect((await resolved({ env, scheme: 'https' })).apiUrl).toBe('https://10.0.0.5:8500/v1/');
    expect((await resolved({ env: { CONSUL_HTTP_ADDR: 'http://10.0.0.5:8500' }, scheme: 'https' })).apiUrl).toBe('https://10.0.0.5:8500/v1/');
    const ssl = { ...env, CONSUL_HTTP_SSL: 'true' };
    expect((await resolved({ env: ssl, address: '10.0.0.9:9501' })).apiUrl).toBe('https://10.0.0.9:9501/v1/');
    expect((await resolved({ env: ssl, host: 'consul.local', port: 8601 })).apiUrl).toBe('https://consul.local:8601/v1/');
    expect((await resolved({ env: ssl, address: 'http://10.0.0.9:9500' })).apiUrl).toBe('http://10.0.0.9:9500/v1/');
    expect((await resolved({ env: ssl, scheme: 'http' })).apiUrl).toBe('http://10.0.0.5:8500/v1/');
  });

  it('bad addresses are ConfigErrors naming CONSUL_HTTP_ADDR, without credentials', () => {
    expect(configError(() => fromEnv({ env: { CONSUL_HTTP_ADDR: 'ftp://10.0.0.5' } })).message).toMatch(
      /CONSUL_HTTP_ADDR: unknown protocol scheme "ftp"/,
    );
    expect(configError(() => fromEnv({ env: { CONSUL_HTTP_ADDR: 'unix://' } })).message).toMatch(/CONSUL_HTTP_ADDR: unix:\/\/ needs a socket path/);
    expect(configError(() => fromEnv({ env: { CONSUL_HTTP_ADDR: 'exa mple:8500' } })).message).toMatch(/CONSUL_HTTP_ADDR: .* is not a valid address/);
    const withCredentials = configError(() => fromEnv({ env: { CONSUL_HTTP_ADDR: `http://admin:${SECRET}@10.0.0.5:8500` } }));
    expect(withCredentials.message).toMatch(/CONSUL_HTTP_ADDR: credentials in the address are not supported; use CONSUL_HTTP_AUTH/);
    expect(withCredentials.message).not.toContain(SECRET);
    expect(configError(() => fromEnv({ env: { CONSUL_HTTP_ADDR: '10.0.0.5:8500?x=1' } })).message).toMatch(/CONSUL_HTTP_ADDR: .*query/);
  });
});

describe('fromEnv: token, namespace, partition, basic auth', () => {
  let server: ReturnType<typeof createServer>;
  let seen: { url: string; headers: Record<string, string | string[] | undefined> }[] = [];
  let address = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Consul-Index': '7' });
      res.end('[]');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function request(options: FromEnvOptions): Promise<(typeof seen)[number]> {
    seen = [];
    const client = fromEnv(options);
    try {
      await kv.keys(client, 'x');
    } finally {
      await client.close();
    }
    expect(seen).toHaveLength(1);
    return seen[0]!;
  }

  it('CONSUL_HTTP_TOKEN goes in X-Consul-Token (not the URL); CONSUL_NAMESPACE/PARTITION in the query', async () => {
    const req = await request({ env: { CONSUL_HTTP_ADDR: address, CONSUL_HTTP_TOKEN: SECRET, CONSUL_NAMESPACE: 'team-a', CONSUL_PARTITION: 'p1' } });
    expect(req.headers['x-consul-token']).toBe(SECRET);
    expect(req.url).not.toContain(SECRET);
    const query = new URL(req.url, 'http://x').searchParams;
    expect(query.get('ns')).toBe('team-a');
    expect(query.get('partition')).toBe('p1');
    // explicit values win
    const explicit = await request({ env: { CONSUL_HTTP_ADDR: address, CONSUL_HTTP_TOKEN: SECRET, CONSUL_NAMESPACE: 'team-a' }, token: 'mine', namespace: 'team-b' });
    expect(explicit.headers['x-consul-token']).toBe('mine');
    expect(new URL(explicit.url, 'http://x').searchParams.get('ns')).toBe('team-b');
  });

  it('CONSUL_HTTP_AUTH becomes a basic Authorization header (user only or user:password); an explicit one wins', async () => {
    const req = await request({ env: { CONSUL_HTTP_ADDR: address, CONSUL_HTTP_AUTH: 'admin:pä:ss' } });
    expect(req.headers['authorization']).toBe(`Basic ${Buffer.from('admin:pä:ss').toString('base64')}`);
    const userOnly = await request({ env: { CONSUL_HTTP_ADDR: address, CONSUL_HTTP_AUTH: 'admin' } });
    expect(userOnly.headers['authorization']).toBe(`Basic ${btoa('admin:')}`);
    const explicit = await request({ env: { CONSUL_HTTP_ADDR: address, CONSUL_HTTP_AUTH: 'admin:x' }, headers: { authorization: 'Bearer abc' } });
    expect(explicit.headers['authorization']).toBe('Bearer abc');
  });

  it('never puts the token or the basic-auth password in an error message', () => {
    const env = { CONSUL_HTTP_TOKEN: SECRET, CONSUL_HTTP_AUTH: `admin:${SECRET}`, CONSUL_HTTP_SSL: 'maybe' };
    const error = configError(() => fromEnv({ env }));
    expect(error.message).toMatch(/CONSUL_HTTP_SSL: expected true or false, got "maybe"/);
    expect(error.message).not.toContain(SECRET);
    expect(configError(() => fromEnv({ env: { CONSUL_HTTP_TOKEN: SECRET, CONSUL_HTTP_ADDR: 'gopher://x' } })).message).not.toContain(SECRET);
  });

  it('works against the real agent (CONSUL_HTTP_ADDR as http://…)', async () => {
    const client = fromEnv({ env: { CONSUL_HTTP_ADDR: inject('consulAddress') } });
    try {
      const key = `${uniquePrefix('env')}k`;
      await kv.set(client, key, 'from env');
      expect((await kv.get(client, key)).data).toBe('from env');
    } finally {
      await client.close();
    }
  });
});
