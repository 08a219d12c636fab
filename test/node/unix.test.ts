// An agent listening only on a Unix socket, with ACLs on (default deny): unix:// addresses, tokens
// from the environment and token files, precedence of explicit options, snapshot save/restore
// streamed through the Node transport.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as kv from '../../src/endpoints/kv.ts';
import { isConfigError, isForbiddenError, isNetworkError } from '../../src/index.ts';
import type { NodeClient } from '../../src/node/index.ts';
import { createNodeClient, createNodeFetch, fromEnv } from '../../src/node/index.ts';
import type { Agent } from '../support/agent.mjs';
import { startAgent } from '../support/agent.mjs';
import { uniquePrefix } from '../support/client.ts';
import { failure, kvRoundTrip, using } from '../support/node-client.ts';

const MASTER = '3f5f3b0e-6f6e-4d4b-9a43-1c2d3e4f5a6b';
const dir = mkdtempSync(join(tmpdir(), 'cs-')); // short: socket paths are limited to ~100 bytes
const socket = join(dir, 'c.sock');
let agent: Agent;

beforeAll(async () => {
  agent = await startAgent({ name: 'consulate-unix', unixSocket: socket, acl: { masterToken: MASTER } });
});
afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const roundTrip = kvRoundTrip('unix', 'over a unix socket');

describe('unix socket', () => {
  it('createNodeClient with a unix:// address or socketPath round-trips KV', async () => {
    const byAddress = createNodeClient({ address: `unix://${socket}`, token: MASTER });
    expect(byAddress.config.apiUrl).toBe('http://localhost/v1/');
    expect(await using(byAddress, roundTrip)).toBe('over a unix socket');
    expect(await using(createNodeClient({ socketPath: socket, token: MASTER }), roundTrip)).toBe('over a unix socket');
  });

  it('a socket that does not exist is a NetworkError naming the socket', async () => {
    const error = await failure(createNodeClient({ address: `unix://${dir}/missing.sock`, retry: 0 }));
    expect(isNetworkError(error)).toBe(true);
    expect(error.message).toContain(`unix socket ${dir}/missing.sock does not exist`);
  });

  it('snapshot save and restore stream through the transport (response body piped into a request body)', async () => {
    const fetch = createNodeFetch({ socketPath: socket });
    const headers = { 'X-Consul-Token': MASTER };
    const p = uniquePrefix('snap');
    const client = createNodeClient({ socketPath: socket, token: MASTER });
    try {
      await kv.set(client, `${p}k`, 'before');
      const saved = await fetch('http://localhost/v1/snapshot', { headers });
      expect(saved.status).toBe(200);
      expect(saved.headers.get('content-type')).toBe('application/x-gzip');
      const snapshot = new Uint8Array(await saved.arrayBuffer());
      expect([snapshot[0], snapshot[1]]).toEqual([0x1f, 0x8b]); // gzip
      await kv.set(client, `${p}k`, 'after');
      // restore from a stream
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < snapshot.length; i += 4096) controller.enqueue(snapshot.slice(i, i + 4096));
          controller.close();
        },
      });
      const restored = await fetch('http://localhost/v1/snapshot', { method: 'PUT', headers, body, duplex: 'half' } as RequestInit);
      expect(restored.status).toBe(200);
      expect((await kv.get(client, `${p}k`)).data).toBe('before');
    } finally {
      await client.close();
      await fetch.close();
    }
  });
});

describe('fromEnv with a unix socket and ACLs', () => {
  it('CONSUL_HTTP_ADDR=unix://… and CONSUL_HTTP_TOKEN', async () => {
    const env = { CONSUL_HTTP_ADDR: `unix://${socket}`, CONSUL_HTTP_TOKEN: MASTER };
    expect(await using(fromEnv({ env }), roundTrip)).toBe('over a unix socket');
    // without the token the agent denies (default policy deny)
    const denied = await failure(fromEnv({ env: { CONSUL_HTTP_ADDR: `unix://${socket}` } }));
    expect(isForbiddenError(denied)).toBe(true);
  });

  it('the token comes from CONSUL_HTTP_TOKEN_FILE (trimmed), which wins over CONSUL_HTTP_TOKEN as in Consul', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, `${MASTER}\n`);
    const env = { CONSUL_HTTP_ADDR: `unix://${socket}`, CONSUL_HTTP_TOKEN_FILE: file, CONSUL_HTTP_TOKEN: 'not-the-token' };
    const client = fromEnv({ env });
    expect(client.config.token).toBe(MASTER);
    expect(await using(client, roundTrip)).toBe('over a unix socket');
    // an empty file falls back to CONSUL_HTTP_TOKEN
    const empty = join(dir, 'empty-token');
    writeFileSync(empty, '\n');
    const fallback = fromEnv({ env: { ...env, CONSUL_HTTP_TOKEN_FILE: empty, CONSUL_HTTP_TOKEN: MASTER } });
    expect(await using(fallback, roundTrip)).toBe('over a unix socket');
  });

  it('an unreadable token file is a ConfigError naming the variable and the path', () => {
    const missing = join(dir, 'no-token-here');
    let error: unknown;
    try {
      fromEnv({ env: { CONSUL_HTTP_TOKEN_FILE: missing, CONSUL_HTTP_TOKEN: MASTER } });
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toContain(`CONSUL_HTTP_TOKEN_FILE: cannot read token file "${missing}" (ENOENT)`);
    expect((error as Error).message).not.toContain(MASTER);
  });

  it('explicit options beat the environment: address, token and token file', async () => {
    const file = join(dir, 'token2');
    writeFileSync(file, MASTER);
    const env = { CONSUL_HTTP_ADDR: `unix://${dir}/wrong.sock`, CONSUL_HTTP_TOKEN: 'wrong-token' };
    // explicit address and token file
    expect(await using(fromEnv({ env, address: `unix://${socket}`, tokenFile: file }), roundTrip)).toBe('over a unix socket');
    // explicit socketPath and token
    expect(await using(fromEnv({ env, socketPath: socket, token: MASTER }), roundTrip)).toBe('over a unix socket');
    // an explicit (wrong) token beats a right one from the environment
    const denied = await failure(fromEnv({ env: { CONSUL_HTTP_ADDR: `unix://${socket}`, CONSUL_HTTP_TOKEN: MASTER }, token: 'b5a7e1f2-0000-4000-8000-000000000000' }));
    expect(isForbiddenError(denied)).toBe(true);
    expect(denied.message).toMatch(/ACL not found/);
    expect(denied.message).not.toContain('b5a7e1f2');
  });
});
