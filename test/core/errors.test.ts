import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { send } from '../../src/core/request.ts';
import * as kv from '../../src/endpoints/kv.ts';
import * as status from '../../src/endpoints/status.ts';
import * as txn from '../../src/endpoints/txn.ts';
import * as errorsModule from '../../src/core/errors.ts';
import type { Client, ClientConfig } from '../../src/index.ts';
import * as root from '../../src/index.ts';
import {
  ACLDisabledError,
  isACLDisabledError,
  createClient,
  isNetworkError,
  isServerError,
  ConsulError,
  ForbiddenError,
  isConsulError,
  isForbiddenError,
  isHttpError,
  isNotFoundError,
  isTransactionError,
  isConflictError,
  NotFoundError,
  TransactionError,
} from '../../src/index.ts';
import { createNodeClient } from '../../src/node/index.ts';
import { freePort } from '../support/agent.mjs';
import { testClient, uniquePrefix } from '../support/client.ts';
import { startMisbehavingServer, txnConflictBody } from '../support/misbehaving-server.mjs';

describe('error classes and guards', () => {
  it('guards match their own class and their family only', () => {
    const nf = new NotFoundError('x', { status: 404 });
    expect(isNotFoundError(nf)).toBe(true);
    expect(isHttpError(nf)).toBe(true);
    expect(isConsulError(nf)).toBe(true);
    expect(isForbiddenError(nf)).toBe(false);
    const tx = new TransactionError('t', [{ OpIndex: 1, What: 'no' }], { status: 409 });
    expect(isTransactionError(tx) && isConflictError(tx) && isHttpError(tx)).toBe(true);
    expect(isConsulError(new Error('plain'))).toBe(false);
    expect(isConsulError(null)).toBe(false);
    expect(nf).toBeInstanceOf(ConsulError);
    expect(nf.name).toBe('NotFoundError');
  });

  it('every error class has its kind (= its name), its guard, and guards follow the class hierarchy', () => {
    const classes = (Object.entries(errorsModule) as [string, unknown][]).filter(
      (entry): entry is [string, typeof ConsulError] =>
        typeof entry[1] === 'function' && (entry[1] === ConsulError || (entry[1] as typeof ConsulError).prototype instanceof ConsulError),
    );
    expect(classes.length).toBeGreaterThanOrEqual(19);
    const guards = errorsModule as unknown as Record<string, (e: unknown) => boolean>;
    // one instance per class, built as each constructor takes its arguments
    const instances = classes.map(([name, Class]) => {
      const make = Class as unknown as new (...args: unknown[]) => ConsulError;
      const error =
        name === 'ResponseValidationError' ? new make('m', [], {})
        : name === 'TransactionError' ? new make('m', [], { status: 409 })
        : name.startsWith('Lock') ? new make('m', { key: 'k' })
        : new make('m', { status: 400 });
      return [name, Class, error] as const;
    });
    for (const [name, , error] of instances) {
      expect(error.kind, name).toBe(name);
      expect(error.name, name).toBe(name);
      expect(typeof guards[`is${name}`], `is${name} exists`).toBe('function');
    }
    for (const [name, Class] of instances) {
      for (const [other, , error] of instances) {
        expect(guards[`is${name}`]!(error), `is${name}(new ${other})`).toBe(error instanceof Class);
      }
    }
    // the root entry exports the module whole: every class and guard
    for (const name of Object.keys(errorsModule)) expect(root, name).toHaveProperty(name, (errorsModule as Record<string, unknown>)[name]);
  });

  it('redacts token query parameters from paths', () => {
    const e = new ForbiddenError('denied', { path: '/v1/kv/a?token=s3cret&dc=x' });
    expect(e.path).toBe('/v1/kv/a?token=[redacted]&dc=x');
  });

  it('guards work across realms (an error created in another vm context)', async () => {
    const bundle = await build({
      entryPoints: [new URL('../../src/core/errors.ts', import.meta.url).pathname],
      bundle: true,
      format: 'iife',
      globalName: 'errors',
      write: false,
    });
    const foreign = runInNewContext(`${bundle.outputFiles[0]!.text}; new errors.ForbiddenError('denied', { status: 403 })`);
    expect(foreign instanceof ForbiddenError).toBe(false); // a different realm's class
    expect(isForbiddenError(foreign)).toBe(true);
    expect(isHttpError(foreign)).toBe(true);
    expect(isNotFoundError(foreign)).toBe(false);
    const disabled = runInNewContext(`${bundle.outputFiles[0]!.text}; new errors.ACLDisabledError('off', { status: 401 })`);
    expect(isACLDisabledError(disabled) && isHttpError(disabled) && isConsulError(disabled)).toBe(true);
    expect(isForbiddenError(disabled)).toBe(false);
    // a brand from a newer copy of the package with a kind this one does not know: a ConsulError, nothing more
    const unknown = runInNewContext(`${bundle.outputFiles[0]!.text}; new errors.ConsulError('x', {}, 'SomeFutureError')`);
    expect(isConsulError(unknown)).toBe(true);
    expect(isHttpError(unknown)).toBe(false);
  });
});

describe("Consul's 401 (ACLs disabled)", () => {
  it.each(transports)('a dev agent without ACLs answers 401 "ACL support disabled": ACLDisabledError (%s)', async (_, make) => {
    const client = make({ address: inject('consulAddress') });
    try {
      for (const path of ['acl/token/self', 'acl/policies']) {
        const error = await rejection(send(client, { path }));
        expect(isACLDisabledError(error), path).toBe(true);
        expect(error).toBeInstanceOf(ACLDisabledError);
        expect(isHttpError(error) && !isForbiddenError(error)).toBe(true);
        expect(error).toMatchObject({ kind: 'ACLDisabledError', status: 401, consulMessage: 'ACL support disabled' });
        expect(error.message).toBe(`GET /v1/${path} failed with 401: ACL support disabled`);
      }
    } finally {
      await client.close?.();
    }
  });

  it('a 401 with another text (an authenticating proxy) stays a plain HttpError', async () => {
    const server = await startMisbehavingServer({ mode: 'respond', status: 401, headers: { 'Content-Type': 'text/plain' }, body: 'Unauthorized' });
    try {
      const error = await rejection(send(createClient({ address: server.address, retry: 0 }), { path: 'acl/token/self' }));
      expect(isHttpError(error)).toBe(true);
      expect(isACLDisabledError(error)).toBe(false);
      expect(error).toMatchObject({ kind: 'HttpError', status: 401, consulMessage: 'Unauthorized' });
    } finally {
      await server.close();
    }
  });
});

/** The rejection of `promise` (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<ConsulError> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as ConsulError,
  );
}

const transports: [string, (config: ClientConfig) => Client & { close?: () => Promise<void> }][] = [
  ['fetch (ky)', (config) => createClient(config)],
  ['consulate/node', (config) => createNodeClient(config)],
];

describe('errors keep their details, whatever their size', () => {
  it('a real 409 for 12 stale cas ops: TransactionError lists all 12, the message stays short', async () => {
    const client = testClient();
    const p = uniquePrefix('txn-stale');
    const keys = Array.from({ length: 12 }, (_, i) => `${p}key-${i}`);
    for (const key of keys) await kv.set(client, key, 'v1');
    const t = txn.builder();
    for (const key of keys) t.kv.cas(key, 'v2', 1); // index 1 is stale for every key
    const error = await rejection(txn.run(client, t));
    expect(isTransactionError(error)).toBe(true);
    const { errors } = error as TransactionError;
    expect(errors.map((e) => e.OpIndex)).toEqual(keys.map((_, i) => i));
    expect(errors.every((e) => /stale|index/i.test(e.What))).toBe(true);
    // the body is longer than what a message shows; the parsed list and consulMessage keep it all
    expect(error.consulMessage!.length).toBeGreaterThan(500);
    expect(JSON.parse(error.consulMessage!)).toMatchObject({ Errors: errors });
    expect(error.message.length).toBeLessThan(700);
    expect(error.message).toMatch(/^transaction rolled back: op 0: /);
    expect(error.message).toContain('more (error.errors lists all 12)');
  });

  it.each(transports)('a scripted 409 with 64 op errors (%s): every error kept', async (_, make) => {
    const server = await startMisbehavingServer({ mode: 'txn-409', errors: 64 });
    const client = make({ address: server.address, retry: 0 });
    try {
      const error = await rejection(txn.run(client, txn.builder().kv.set(`${uniquePrefix('txn-409')}k`, 'v')));
      expect(isTransactionError(error)).toBe(true);
      expect((error as TransactionError).errors).toHaveLength(64);
      expect((error as TransactionError).errors[63]).toEqual({ OpIndex: 63, What: 'failed to set key "test/txn/key-63", index is stale' });
      expect(error.consulMessage).toBe(txnConflictBody(64));
      expect(error.message.length).toBeLessThan(700);
    } finally {
      await server.close();
      await client.close?.();
    }
  });

  it('a long plain-text error: the message is shortened, consulMessage keeps the whole text', async () => {
    const text = `Invalid request: ${'x'.repeat(3000)} (end)`;
    const server = await startMisbehavingServer({ mode: 'respond', status: 500, headers: { 'Content-Type': 'text/plain' }, body: text });
    try {
      const error = await rejection(send(createClient({ address: server.address, retry: 0 }), { path: 'status/leader' }));
      expect(isServerError(error)).toBe(true);
      expect(error.consulMessage).toBe(text);
      expect(error.message.length).toBeLessThan(600);
      expect(error.message).toMatch(/Invalid request: x+…$/);
    } finally {
      await server.close();
    }
  });
});

describe('network failures name the URL and the reason (core client, global fetch)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'consulate-errors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('connection refused: the URL, ECONNREFUSED and a hint', async () => {
    const port = await freePort(); // free, so nothing listens there
    const error = await rejection(status.leader(createClient({ address: `http://127.0.0.1:${port}`, retry: 0, token: 'secret-token' })));
    expect(isNetworkError(error)).toBe(true);
    expect(error.message).toContain(`GET /v1/status/leader failed: http://127.0.0.1:${port}/v1/status/leader: connection refused`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('secret-token');
  });

  it('a self-signed certificate, or one from an unknown CA: the TLS code and what to trust', async () => {
    const consul = (...args: string[]): void => void execFileSync(inject('consulBin'), args, { cwd: dir, stdio: 'pipe' });
    consul('tls', 'ca', 'create');
    consul('tls', 'cert', 'create', '-server', '-dc', 'dc1');
    const pem = (name: string): string => readFileSync(join(dir, name), 'utf8');
    // the CA's own certificate as the server's: self-signed
    const selfSigned = await startMisbehavingServer('respond', { tls: { cert: pem('consul-agent-ca.pem'), key: pem('consul-agent-ca-key.pem') } });
    // a server certificate whose CA the client does not trust
    const unknownCa = await startMisbehavingServer('respond', { tls: { cert: pem('dc1-server-consul-0.pem'), key: pem('dc1-server-consul-0-key.pem') } });
    try {
      const first = await rejection(status.leader(createClient({ address: selfSigned.address, retry: 0 })));
      expect(isNetworkError(first)).toBe(true);
      expect(first.message).toContain(`${selfSigned.address}/v1/status/leader: TLS: the server's certificate is not trusted`);
      expect(first.message).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED/);
      const second = await rejection(status.leader(createClient({ address: unknownCa.address, retry: 0 })));
      expect(second.message).toContain(`${unknownCa.address}/v1/status/leader: TLS`);
      expect(second.message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
    } finally {
      await selfSigned.close();
      await unknownCa.close();
    }
  });

  it('an answer that is not HTTP: says so, with the parser code', async () => {
    const server = await startMisbehavingServer('garbage');
    try {
      const error = await rejection(status.leader(createClient({ address: server.address, retry: 0 })));
      expect(isNetworkError(error)).toBe(true);
      expect(error.message).toContain(`${server.address}/v1/status/leader: the answer is not HTTP`);
      expect(error.message).toMatch(/HPE_/);
    } finally {
      await server.close();
    }
  });

  it('a browser-style failure without a reason ("Failed to fetch"): CORS or network, pathPrefix and the proxy', async () => {
    const fetch = (): Promise<Response> => Promise.reject(new TypeError('Failed to fetch'));
    const error = await rejection(status.leader(createClient({ address: 'https://consul.example.com', pathPrefix: '/consul', retry: 0, fetch })));
    expect(isNetworkError(error)).toBe(true);
    expect(error.message).toContain('GET /v1/status/leader failed: https://consul.example.com/consul/v1/status/leader:');
    expect(error.message).toMatch(/CORS/);
    expect(error.message).toContain('pathPrefix');
    expect(error.message).toMatch(/proxy/);
    expect(error.message).toContain('Failed to fetch');
  });
});
