// One deadline covers the whole exchange, body included, on both transports (ky over the global
// fetch, and consulate/node's undici transport), against a scripted server that stalls on demand.
import { afterEach, describe, expect, it } from 'vitest';
import { send } from '../../src/core/request.ts';
import * as kv from '../../src/endpoints/kv.ts';
import * as snapshot from '../../src/endpoints/snapshot.ts';
import type { Client, ClientConfig } from '../../src/index.ts';
import { Consul, createClient, isNetworkError, isTimeoutError } from '../../src/index.ts';
import { createNodeClient, createNodeFetch } from '../../src/node/index.ts';
import type { MisbehavingServer, MisbehaviourScript } from '../support/misbehaving-server.mjs';
import { startMisbehavingServer } from '../support/misbehaving-server.mjs';

const servers: MisbehavingServer[] = [];
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  // servers first: closing a client waits for its requests in flight, which a stalled server never ends
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function serve(script: MisbehaviourScript): Promise<MisbehavingServer> {
  const server = await startMisbehavingServer(script);
  servers.push(server);
  return server;
}

const transports: [string, (config: ClientConfig) => Client][] = [
  ['fetch (ky)', (config) => createClient(config)],
  [
    'consulate/node',
    (config) => {
      const client = createNodeClient(config);
      closers.push(() => client.close());
      return client;
    },
  ],
  [
    'fetch (ky) with createNodeFetch',
    (config) => {
      const fetch = createNodeFetch();
      closers.push(() => fetch.close());
      return createClient({ ...config, fetch });
    },
  ],
];

/** The rejection of `promise` (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/** Reads a stream to its end. */
async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.getReader();
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return size;
    size += value.byteLength;
  }
}

describe.each(transports)('body deadline over %s', (_, make) => {
  it('a read whose body stalls after the headers (Content-Length 100, 8 bytes sent) rejects with a TimeoutError', async () => {
    const server = await serve({ mode: 'stall-body', contentLength: 100 });
    const error = await rejection(kv.records(make({ address: server.address, timeout: 1000, retry: 0 }), 'k'));
    expect(isTimeoutError(error)).toBe(true);
    expect((error as Error).message).toContain('GET /v1/kv/k');
    expect((error as Error).message).toMatch(/body/);
  });

  it('new Consul({ address, timeout }).kv.records rejects on a stalled body (the reported case)', async () => {
    const server = await serve('stall-body');
    const consul = new Consul(make({ address: server.address, timeout: 1000 }));
    expect(isTimeoutError(await rejection(consul.kv.records('k')))).toBe(true);
  });

  it('an unsized (chunked) body that stalls rejects with a TimeoutError', async () => {
    const server = await serve({ mode: 'stall-body', chunked: true });
    expect(isTimeoutError(await rejection(kv.records(make({ address: server.address, timeout: 1000, retry: 0 }), 'k')))).toBe(true);
  });

  it('a write (PUT) whose answer stalls mid-body rejects with a TimeoutError, sent once', async () => {
    const server = await serve({ mode: 'stall-body', contentLength: 4, body: 'tr' });
    const error = await rejection(kv.set(make({ address: server.address, timeout: 1000 }), 'k', 'v'));
    expect(isTimeoutError(error)).toBe(true);
    expect((error as Error).message).toContain('PUT /v1/kv/k');
    expect(server.requests.map((r) => r.method)).toEqual(['PUT']);
  });

  it("a blocking read's body gets the timeout, not the wait", async () => {
    const server = await serve({ mode: 'stall-body', chunked: true });
    const client = make({ address: server.address, timeout: 1000, retry: 0 });
    expect(isTimeoutError(await rejection(kv.records(client, 'k', { index: 5n, wait: '10m' })))).toBe(true);
  });

  it('a streamed snapshot that stalls errors its stream with a TimeoutError', async () => {
    const server = await serve({ mode: 'stall-body', chunked: true, headers: { 'Content-Type': 'application/x-gzip' } });
    const { data } = await snapshot.save(make({ address: server.address, timeout: 1000, retry: 0 }));
    expect(isTimeoutError(await rejection(drain(data)))).toBe(true);
  });

  it('a sized snapshot read into memory that stalls rejects with a TimeoutError', async () => {
    const server = await serve({ mode: 'stall-body', contentLength: 4 * 1024 * 1024, headers: { 'Content-Type': 'application/x-gzip' } });
    expect(isTimeoutError(await rejection(snapshot.saveBytes(make({ address: server.address, timeout: 1000, retry: 0 }))))).toBe(true);
  });

  it('a slow body that keeps coming is read to the end, even past the timeout', async () => {
    // 20 bytes, one every 100 ms: about 2 s in all, never 1 s without data
    const server = await serve({ mode: 'drip', chunk: 'x', interval: 100, count: 20 });
    const { data } = await kv.get(make({ address: server.address, timeout: 1000, retry: 0 }), 'k');
    expect(data).toBe('x'.repeat(20));
  });

  it("aborting the caller's signal during the body read rejects with the signal's reason", async () => {
    const server = await serve({ mode: 'stall-body', chunked: true });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const pending = kv.records(make({ address: server.address, timeout: 30_000, retry: 0 }), 'k', { signal: controller.signal });
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    setTimeout(() => controller.abort(reason), 100);
    expect(await rejection(pending)).toBe(reason);
  });

  it("aborting the caller's signal while a streamed snapshot is read errors the stream with the reason", async () => {
    const server = await serve({ mode: 'stall-body', chunked: true });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const { data } = await snapshot.save(make({ address: server.address, timeout: 30_000, retry: 0 }), { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 100);
    expect(await rejection(drain(data))).toBe(reason);
  });

  it('a server that accepts and never answers: TimeoutError', async () => {
    const server = await serve('never-answer');
    expect(isTimeoutError(await rejection(kv.records(make({ address: server.address, timeout: 500, retry: 0 }), 'k')))).toBe(true);
  });

  it('a server that answers garbage: NetworkError', async () => {
    const server = await serve('garbage');
    expect(isNetworkError(await rejection(kv.records(make({ address: server.address, timeout: 1000, retry: 0 }), 'k')))).toBe(true);
  });
});

describe.each(transports)('a response under the body deadline over %s', (_, make) => {
  it('behaves like a Response: status, headers, url, bodyUsed, clone, streaming', async () => {
    const server = await serve({ mode: 'respond', status: 200, headers: { 'X-Consul-Index': '42' }, body: '["a","b"]' });
    const client = make({ address: server.address, timeout: 1000 });
    const { response, meta } = await send(client, { path: 'kv/k', params: { keys: true } });
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-consul-index')).toBe('42');
    expect(meta.index).toBe(42n);
    expect(response.bodyUsed).toBe(false);
    const copy = response.clone();
    expect(await response.json()).toEqual(['a', 'b']);
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(new TextDecoder().decode(new Uint8Array(await new Response(copy.body).arrayBuffer()))).toBe('["a","b"]');

    const second = (await send(client, { path: 'kv/k' })).response;
    expect(second.url === '' || second.url.startsWith(server.address)).toBe(true);
    expect(await drain(second.body!)).toBe(9);
    expect(second.bodyUsed).toBe(true);
  });
});
