// createNodeFetch / createNodeClient over TCP against the run's shared agent: KV round trips, large
// values (streamed responses), streamed request bodies, redirects, aborts and connection failures.
import { afterAll, describe, expect, inject, it } from 'vitest';
import * as kv from '../../src/endpoints/kv.ts';
import { Consul, isConfigError, isNetworkError } from '../../src/index.ts';
import { createNodeClient, createNodeFetch } from '../../src/node/index.ts';
import { freePort } from '../support/agent.mjs';
import { raw, uniquePrefix } from '../support/client.ts';
import { startMisbehavingServer } from '../support/misbehaving-server.mjs';

const address = inject('consulAddress');
const client = createNodeClient({ address });
const fetch = createNodeFetch();
afterAll(async () => {
  await client.close();
  await fetch.close();
});

/** Bytes that are not valid UTF-8 and compress badly. */
function noise(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** Every chunk of a stream, as it arrived. */
async function chunksOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
  return chunks;
}

/** Byte equality without vitest's slow element-by-element diff of large arrays. */
function sameBytes(actual: Uint8Array | ArrayBuffer | undefined, expected: Uint8Array): boolean {
  return actual !== undefined && Buffer.from(actual as Uint8Array).equals(expected);
}

describe('createNodeClient over TCP', () => {
  it('round-trips KV values through the endpoint functions and the Consul facade', async () => {
    const p = uniquePrefix('node-fetch');
    expect((await kv.set(client, `${p}a`, 'zürich ✓')).data).toBe(true);
    const { data, meta } = await kv.get(client, `${p}a`);
    expect(data).toBe('zürich ✓');
    expect(meta.index! > 0n).toBe(true);
    expect(meta.knownLeader).toBe(true);
    const consul = new Consul(client);
    await consul.kv.set(`${p}json`, { port: 8080 });
    expect((await consul.kv.getJSON(`${p}json`)).data).toEqual({ port: 8080 });
    expect((await consul.kv.get(`${p}missing`)).data).toBeUndefined();
    expect(await consul.kv.keys(p).then((r) => r.data.sort())).toEqual([`${p}a`, `${p}json`]);
    // and the agent really stored it (read back bypassing the code under test)
    expect(await (await raw(`/v1/kv/${p}a?raw`)).text()).toBe('zürich ✓');
  });

  it('writes and reads a 400 KB binary value exactly', async () => {
    const p = uniquePrefix('node-big');
    const value = noise(400 * 1024);
    expect((await kv.set(client, `${p}big`, value)).data).toBe(true);
    expect(sameBytes((await kv.getBytes(client, `${p}big`)).data, value)).toBe(true);
    expect(sameBytes(await (await raw(`/v1/kv/${p}big?raw`)).arrayBuffer(), value)).toBe(true);
    await kv.remove(client, `${p}big`);
  });

  it('streams a request body of more than 1 MiB (chunked) and a response of more than 1 MiB', async () => {
    const p = uniquePrefix('node-stream');
    const value = noise(1200 * 1024, 7);
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (pulled >= value.length) return controller.close();
        await new Promise((r) => setImmediate(r));
        controller.enqueue(value.subarray(pulled, pulled + 64 * 1024));
        pulled += 64 * 1024;
      },
    });
    // Consul enforces its 512 KiB value limit through Content-Length only, so the chunked upload is stored
    const res = await fetch(`${address}/v1/kv/${p}stream`, { method: 'PUT', body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(200);
    expect((await res.text()).trim()).toBe('true');
    expect(sameBytes(await (await raw(`/v1/kv/${p}stream?raw`)).arrayBuffer(), value)).toBe(true);
    // reading it back: a response above 1 MiB comes as a stream, chunk by chunk
    const back = await fetch(`${address}/v1/kv/${p}stream?raw`);
    expect(back.headers.get('content-length')).toBe(String(value.length));
    const chunks = await chunksOf(back.body!);
    expect(chunks.length).toBeGreaterThan(1);
    expect(sameBytes(Buffer.concat(chunks), value)).toBe(true);
    await raw(`/v1/kv/${p}stream`, { method: 'DELETE' });
  });

  it('sends small bodies with a Content-Length (Consul then enforces its value limit itself)', async () => {
    const p = uniquePrefix('node-limit');
    const res = await fetch(`${address}/v1/kv/${p}too-big`, { method: 'PUT', body: noise(513 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/too large/i);
  });

  it('accepts a URL string with an init as well as a Request, and returns headers and status', async () => {
    const p = uniquePrefix('node-shapes');
    const put = await fetch(new Request(`${address}/v1/kv/${p}k`, { method: 'PUT', body: 'v', headers: { 'X-Test': '1' } }));
    expect(put.status).toBe(200);
    const get = await fetch(`${address}/v1/kv/${p}k`, { headers: { Accept: 'application/json' } });
    expect(get.ok).toBe(true);
    expect(get.headers.get('content-type')).toBe('application/json');
    expect(get.headers.get('x-consul-index')).toMatch(/^\d+$/);
    const [pair] = (await get.json()) as { Key: string; Value: string }[];
    expect(pair).toMatchObject({ Key: `${p}k`, Value: btoa('v') });
    const head = await fetch(`${address}/v1/kv/${p}k`, { method: 'HEAD' });
    expect(head.body).toBeNull();
  });

  it('small (buffered) responses behave like regular Responses: every body reader, bodyUsed, clone, body stream', async () => {
    const p = uniquePrefix('node-response');
    await kv.set(client, `${p}k`, '{"a":[1,2]}');
    const url = `${address}/v1/kv/${p}k?raw`;
    const res = await fetch(url);
    expect(res).toBeInstanceOf(Response);
    expect(res.bodyUsed).toBe(false);
    const copy = res.clone();
    expect(await res.json()).toEqual({ a: [1, 2] });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    expect(() => res.clone()).toThrow(TypeError);
    expect(new TextDecoder().decode(await copy.arrayBuffer())).toBe('{"a":[1,2]}');
    expect(await (await (await fetch(url)).blob()).text()).toBe('{"a":[1,2]}');
    // reading through the stream works too, and then the body counts as used
    const streamed = await fetch(url);
    const chunks = await chunksOf(streamed.body!);
    expect(Buffer.concat(chunks).toString()).toBe('{"a":[1,2]}');
    expect(streamed.bodyUsed).toBe(true);
    await expect(streamed.text()).rejects.toThrow(TypeError);
    // a Response built from a Response reads the same bytes
    expect(await new Response((await fetch(url)).body).text()).toBe('{"a":[1,2]}');
  });

  it('never follows redirects: a PUT to a path Consul cleans gets the 301 back, nothing is written', async () => {
    const p = uniquePrefix('node-redirect');
    const res = await fetch(`${address}/v1/kv/${p}a//b`, { method: 'PUT', body: 'x' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toContain(`${p}a/b`);
    expect((await raw(`/v1/kv/${p}a/b`)).status).toBe(404);
  });

  it('aborts a blocking query in flight with the caller’s reason', async () => {
    const p = uniquePrefix('node-abort');
    await kv.set(client, `${p}k`, 'v');
    const { meta } = await kv.get(client, `${p}k`);
    const controller = new AbortController();
    const reason = new Error('stop waiting');
    const pending = kv.get(client, `${p}k`, { index: meta.index!, wait: '30s', signal: controller.signal });
    // let the request reach the agent and block there, then abort
    await new Promise((r) => setTimeout(r, 200));
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    // an already-aborted signal fails before anything is sent
    await expect(fetch(`${address}/v1/status/leader`, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    // the pool still works afterwards
    expect((await kv.get(client, `${p}k`)).data).toBe('v');
  });

  it('streams a response whose body never ends (agent monitor) and aborting errors the body', async () => {
    const controller = new AbortController();
    const res = await fetch(`${address}/v1/agent/monitor?loglevel=trace`, { signal: controller.signal });
    // the Response arrived while the body is still open: it was not buffered
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const reason = new Error('enough');
    controller.abort(reason);
    await expect(reader.read()).rejects.toBeDefined();
  });

  it('a refused connection is a NetworkError that says so', async () => {
    const port = await freePort();
    const dead = createNodeClient({ address: `127.0.0.1:${port}`, retry: 0 });
    try {
      const error = await kv.get(dead, 'x').catch((e: unknown) => e);
      expect(isNetworkError(error)).toBe(true);
      expect((error as Error).message).toMatch(/connection refused.*is the Consul agent running/);
      expect(((error as Error).cause as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await dead.close();
    }
  });

  it('close() is idempotent and a closed client fails clearly', async () => {
    const c = createNodeClient({ address, retry: 0 });
    expect((await kv.get(c, 'anything/at/all')).data).toBeUndefined();
    await c.close();
    await c.close();
    const error = await kv.get(c, 'x').catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
    expect((error as Error).message).toMatch(/closed/);
  });

  it('rejects bad transport options with a ConfigError', () => {
    expect(() => createNodeFetch({ connections: 0 })).toThrow(/connections/);
    expect(() => createNodeFetch({ socketPath: '' })).toThrow(/socketPath/);
    expect(() => createNodeFetch({ tls: { ca: 'not a certificate' } })).toThrow(/tls\.ca: expected PEM/);
    expect(() => createNodeClient({ address: 'ftp://x' })).toSatisfy((fn: () => unknown) => {
      try {
        fn();
        return false;
      } catch (e) {
        return isConfigError(e);
      }
    });
  });

  it('resolves at the headers, like fetch: a sized body that stalls is left to the reader (and its signal)', async () => {
    const server = await startMisbehavingServer({ mode: 'stall-body', contentLength: 100 });
    const own = createNodeFetch();
    try {
      const controller = new AbortController();
      const response = await own(`${server.address}/v1/kv/k`, { signal: controller.signal });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe('100');
      const reason = new Error('reader gave up');
      const text = response.text();
      controller.abort(reason);
      expect(await text.then(() => 'resolved', (e: unknown) => e)).toBe(reason);
    } finally {
      await server.close();
      await own.close();
    }
  });
});
