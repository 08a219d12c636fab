// A client key without its certificate is reported as such (it used to say "a client certificate needs its
// key", the other way round). No agent: the configuration is refused before any connection.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isConfigError } from '../../src/index.ts';
import { createNodeClient, fromEnv } from '../../src/node/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'consulate-tls-pair-'));
const pem = join(dir, 'half.pem');
writeFileSync(pem, '-----BEGIN PRIVATE KEY-----\nbm90IHVzZWQ=\n-----END PRIVATE KEY-----\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a ConfigError');
}

describe('a half client-certificate pair', () => {
  it('a key without a certificate says the key needs its certificate', () => {
    const explicit = thrown(() => createNodeClient({ tls: { keyFile: pem } }));
    expect(isConfigError(explicit)).toBe(true);
    expect(explicit.message).toContain('tls.keyFile is set but tls.cert/certFile is not: a client key needs its certificate');
    const env = thrown(() => fromEnv({ env: { CONSUL_CLIENT_KEY: pem } }));
    expect(env.message).toContain('CONSUL_CLIENT_KEY is set but CONSUL_CLIENT_CERT is not: a client key needs its certificate');
  });

  it('a certificate without a key still says the certificate needs its key', () => {
    const error = thrown(() => createNodeClient({ tls: { certFile: pem } }));
    expect(error.message).toContain('tls.certFile is set but tls.key/keyFile is not: a client certificate needs its key');
  });
});
