// HTTPS with verify_incoming against a real agent: certificates are made at test time with
// `consul tls ca create` / `consul tls cert create`, exactly as an operator would.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as kv from '../../src/endpoints/kv.ts';
import type { ConsulError } from '../../src/index.ts';
import { isConfigError, isHttpError, isNetworkError } from '../../src/index.ts';
import type { NodeClient } from '../../src/node/index.ts';
import { createNodeClient, fromEnv } from '../../src/node/index.ts';
import type { Agent } from '../support/agent.mjs';
import { startAgent } from '../support/agent.mjs';
import { uniquePrefix } from '../support/client.ts';
import { failure, kvRoundTrip, using } from '../support/node-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'consulate-tls-'));
const other = join(dir, 'other');
const pem = (name: string, base = dir): string => join(base, name);
let agent: Agent;
let https: string;

// the trusted CA, the agent's server certificate and a client certificate
const ca = pem('consul-agent-ca.pem');
const clientCert = pem('dc1-client-consul-0.pem');
const clientKey = pem('dc1-client-consul-0-key.pem');
// a second, unknown CA with its own client certificate
const otherCa = pem('consul-agent-ca.pem', other);
const otherCert = pem('dc1-client-consul-0.pem', other);
const otherKey = pem('dc1-client-consul-0-key.pem', other);

beforeAll(async () => {
  const consul = (cwd: string, ...args: string[]): void => {
    execFileSync(inject('consulBin'), args, { cwd, stdio: 'pipe' });
  };
  mkdirSync(other);
  for (const cwd of [dir, other]) {
    consul(cwd, 'tls', 'ca', 'create');
    consul(cwd, 'tls', 'cert', 'create', '-server', '-dc', 'dc1');
    consul(cwd, 'tls', 'cert', 'create', '-client', '-dc', 'dc1');
  }
  agent = await startAgent({
    name: 'consulate-tls',
    https: { caFile: ca, certFile: pem('dc1-server-consul-0.pem'), keyFile: pem('dc1-server-consul-0-key.pem'), verifyIncoming: true },
  });
  https = `https://127.0.0.1:${agent.httpsPort}`;
});

afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const roundTrip = kvRoundTrip('tls', 'over tls');

describe('HTTPS with verify_incoming', () => {
  it('a client with the CA and a client certificate round-trips KV', async () => {
    const client = createNodeClient({ address: https, tls: { caFile: ca, certFile: clientCert, keyFile: clientKey } });
    expect(await using(client, roundTrip)).toBe('over tls');
  });

  it('inline PEM text works like files', async () => {
    const { readFileSync } = await import('node:fs');
    const client = createNodeClient({
      address: https,
      tls: { ca: readFileSync(ca, 'utf8'), cert: readFileSync(clientCert), key: readFileSync(clientKey, 'utf8') },
    });
    expect(await using(client, roundTrip)).toBe('over tls');
  });

  it('without a client certificate: a NetworkError saying a client certificate is needed', async () => {
    const error = await failure(createNodeClient({ address: https, retry: 0, tls: { caFile: ca } }));
    expect(isNetworkError(error)).toBe(true);
    expect(error.message).toContain(`GET /v1/kv/x failed: ${https}:`);
    expect(error.message).toMatch(/give a client certificate: tls\.cert\/certFile and tls\.key\/keyFile \(CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY\)/);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('with a client certificate from an unknown CA: the server rejects it, and the message says so', async () => {
    const error = await failure(createNodeClient({ address: https, retry: 0, tls: { caFile: ca, certFile: otherCert, keyFile: otherKey } }));
    expect(isNetworkError(error)).toBe(true);
    expect(error.message).toMatch(/check that the client certificate .* is signed by a CA the agent trusts/);
  });

  it('trusting an unknown CA (or the system roots) fails verification with a clear message', async () => {
    for (const tls of [{ caFile: otherCa, certFile: clientCert, keyFile: clientKey }, { certFile: clientCert, keyFile: clientKey }]) {
      const error = await failure(createNodeClient({ address: https, retry: 0, tls }));
      expect(isNetworkError(error)).toBe(true);
      expect(error.message).toMatch(/certificate is not signed by a trusted CA \(UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
      expect(error.message).toMatch(/CONSUL_CACERT/);
      expect(((error.cause as Error).cause as { code?: string }).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    }
  });

  it('rejectUnauthorized: false connects without a CA', async () => {
    const client = createNodeClient({ address: https, tls: { certFile: clientCert, keyFile: clientKey, rejectUnauthorized: false } });
    expect(await using(client, roundTrip)).toBe('over tls');
  });

  it('checks the server name: the agent certificate is valid for server.dc1.consul, not for other names', async () => {
    const good = createNodeClient({ address: https, tls: { caFile: ca, certFile: clientCert, keyFile: clientKey, servername: 'server.dc1.consul' } });
    expect(await using(good, roundTrip)).toBe('over tls');
    const error = await failure(
      createNodeClient({ address: https, retry: 0, tls: { caFile: ca, certFile: clientCert, keyFile: clientKey, servername: 'consul.example.com' } }),
    );
    expect(error.message).toMatch(/not valid for this host name.*CONSUL_TLS_SERVER_NAME/);
  });

  it('plain HTTP to the HTTPS port and TLS to the HTTP port fail with messages that point at the scheme', async () => {
    const toHttps = await failure(createNodeClient({ address: `http://127.0.0.1:${agent.httpsPort}`, retry: 0 }));
    expect(isHttpError(toHttps)).toBe(true);
    expect(toHttps.message).toMatch(/HTTP request to an HTTPS server/);
    const toHttp = await failure(createNodeClient({ address: `https://127.0.0.1:${agent.httpPort}`, retry: 0, tls: { caFile: ca } }));
    expect(isNetworkError(toHttp)).toBe(true);
    expect(toHttp.message).toMatch(/does not speak TLS on this port/);
  });

  it('caPath: a directory of PEM files is trusted (recursively); a non-PEM file in it is a ConfigError', async () => {
    const caDir = join(dir, 'cas');
    mkdirSync(join(caDir, 'nested'), { recursive: true });
    copyFileSync(otherCa, join(caDir, 'a-other.pem'));
    copyFileSync(ca, join(caDir, 'nested', 'b-ours.pem'));
    const client = createNodeClient({ address: https, tls: { caPath: caDir, certFile: clientCert, keyFile: clientKey } });
    expect(await using(client, roundTrip)).toBe('over tls');
    writeFileSync(join(caDir, 'README'), 'not a certificate');
    expect(() => createNodeClient({ address: https, tls: { caPath: caDir } })).toThrow(/tls\.caPath: .*README.* holds no PEM certificate/);
  });

  it('unreadable or unusable certificate and key files are ConfigErrors naming the option, never the key', () => {
    const bad = join(dir, 'bad-key.pem');
    writeFileSync(bad, '-----BEGIN EC PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END EC PRIVATE KEY-----\n');
    const attempts: [() => unknown, RegExp][] = [
      [() => createNodeClient({ tls: { caFile: join(dir, 'missing.pem') } }), /tls\.caFile: cannot read .*missing\.pem.* \(ENOENT\)/],
      [() => createNodeClient({ tls: { certFile: clientCert } }), /tls\.certFile is set but tls\.key\/keyFile is not/],
      [() => createNodeClient({ tls: { certFile: clientCert, keyFile: bad } }), /tls\.certFile\/tls\.keyFile: unusable certificate or key/],
      [() => createNodeClient({ tls: { certFile: clientCert, keyFile: otherKey } }), /unusable certificate or key/],
    ];
    for (const [attempt, message] of attempts) {
      let error: unknown;
      try {
        attempt();
      } catch (e) {
        error = e;
      }
      expect(isConfigError(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('c2VjcmV0');
    }
  });
});

describe('fromEnv over HTTPS', () => {
  const base = (): Record<string, string> => ({
    CONSUL_HTTP_ADDR: `127.0.0.1:${agent.httpsPort}`,
    CONSUL_HTTP_SSL: 'true',
    CONSUL_CACERT: ca,
    CONSUL_CLIENT_CERT: clientCert,
    CONSUL_CLIENT_KEY: clientKey,
  });

  it('CONSUL_HTTP_SSL + CONSUL_CACERT + CONSUL_CLIENT_CERT/KEY: a host:port address goes over verified mTLS', async () => {
    const client = fromEnv({ env: base() });
    expect(client.config.apiUrl).toBe(`${https}/v1/`);
    expect(await using(client, roundTrip)).toBe('over tls');
  });

  it('an https:// address needs no CONSUL_HTTP_SSL; CONSUL_TLS_SERVER_NAME is used for verification', async () => {
    const env = { ...base(), CONSUL_HTTP_ADDR: https, CONSUL_HTTP_SSL: '', CONSUL_TLS_SERVER_NAME: 'server.dc1.consul' };
    expect(await using(fromEnv({ env }), roundTrip)).toBe('over tls');
    const wrong = await failure(fromEnv({ env: { ...env, CONSUL_TLS_SERVER_NAME: 'nope.example.com' }, retry: 0 }));
    expect(wrong.message).toMatch(/not valid for this host name/);
  });

  it('CONSUL_HTTP_SSL_VERIFY=false skips verification; CONSUL_CAPATH is a CA directory', async () => {
    const { CONSUL_CACERT: _ca, ...noCa } = base();
    expect(await using(fromEnv({ env: { ...noCa, CONSUL_HTTP_SSL_VERIFY: 'false' } }), roundTrip)).toBe('over tls');
    const untrusted = await failure(fromEnv({ env: { ...noCa, CONSUL_HTTP_SSL_VERIFY: 'true' }, retry: 0 }));
    expect(untrusted.message).toMatch(/not signed by a trusted CA/);
    const caDir = join(dir, 'capath-env');
    mkdirSync(caDir);
    copyFileSync(ca, join(caDir, 'ca.pem'));
    expect(await using(fromEnv({ env: { ...noCa, CONSUL_CAPATH: caDir } }), roundTrip)).toBe('over tls');
  });

  it('without CONSUL_CLIENT_CERT the agent refuses, with the variable to set in the message', async () => {
    const { CONSUL_CLIENT_CERT: _c, CONSUL_CLIENT_KEY: _k, ...env } = base();
    const error = await failure(fromEnv({ env, retry: 0 }));
    expect(isNetworkError(error)).toBe(true);
    expect(error.message).toMatch(/CONSUL_CLIENT_CERT/);
  });

  it('bad variables are ConfigErrors naming the variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ CONSUL_CACERT: join(dir, 'nope.pem') }, /CONSUL_CACERT: cannot read .*nope\.pem.* \(ENOENT\)/],
      [{ CONSUL_CLIENT_KEY: '' }, /CONSUL_CLIENT_CERT is set but CONSUL_CLIENT_KEY is not/],
      [{ CONSUL_CLIENT_KEY: otherKey }, /CONSUL_CLIENT_CERT\/CONSUL_CLIENT_KEY: unusable certificate or key/],
      [{ CONSUL_CAPATH: join(dir, 'no-such-dir'), CONSUL_CACERT: '' }, /CONSUL_CAPATH: cannot read directory/],
      [{ CONSUL_HTTP_SSL: 'yes' }, /CONSUL_HTTP_SSL: expected true or false, got "yes"/],
      [{ CONSUL_HTTP_SSL_VERIFY: 'nah' }, /CONSUL_HTTP_SSL_VERIFY: expected true or false/],
    ];
    for (const [vars, message] of cases) {
      expect(() => fromEnv({ env: { ...base(), ...vars } }), JSON.stringify(vars)).toThrow(message);
    }
  });

  it('explicit options beat the environment, field by field', async () => {
    // the environment trusts the wrong CA and points at the plain HTTP port; explicit settings fix both
    const env = { ...base(), CONSUL_CACERT: otherCa, CONSUL_HTTP_ADDR: `127.0.0.1:${agent.httpPort}` };
    const client = fromEnv({ env, address: `127.0.0.1:${agent.httpsPort}`, tls: { caFile: ca } });
    expect(client.config.apiUrl).toBe(`${https}/v1/`);
    // the client certificate still comes from the environment
    expect(await using(client, roundTrip)).toBe('over tls');
    // and an explicit rejectUnauthorized beats CONSUL_HTTP_SSL_VERIFY=false
    const strict = fromEnv({ env: { ...env, CONSUL_HTTP_SSL_VERIFY: 'false' }, address: https, retry: 0, tls: { rejectUnauthorized: true } });
    expect((await failure(strict)).message).toMatch(/not signed by a trusted CA/);
  });
});
