// createNodeTransport (the transport of createNodeClient and fromEnv): what the real agent can show
// (blocking reads, redirects, aborts) against the run's shared agent; what it cannot produce on
// demand (503s, 429 with Retry-After, dropped connections, HTML error pages, hangs) against a local
// node:http server — msw cannot see undici's traffic. The KV suite over this transport is
// test/node/kv.test.ts; Unix sockets and mTLS are in unix.test.ts and tls.test.ts.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { send } from '../../src/core/request.ts';
import * as kv from '../../src/endpoints/kv.ts';
import type { Client, ConsulError } from '../../src/index.ts';
import {
  createClient,
  isHttpError,
  isNetworkError,
  isServerError,
  isTimeoutError,
  isTooManyRequestsError,
} from '../../src/index.ts';
import type { NodeClient, NodeClientConfig } from '../../src/node/index.ts';
import { createNodeClient, createNodeTransport } from '../../src/node/index.ts';
import { freePort } from '../support/agent.mjs';
import { raw, uniquePrefix } from '../support/client.ts';

const address = inject('consulAddress');

/** A request as the local server saw it. */
interface Hit {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** performance.now() when it had fully arrived. */
  at: number;
}

interface Server {
  address: string;
  hits: Hit[];
  /** Resolves once `count` requests have fully arrived. */
  arrived(count: number): Promise<void>;
}

/** Answers the `n`th request (0-based) after its body has arrived; may leave it hanging. */
type Reply = (res: ServerResponse, n: number, req: IncomingMessage) => void;

/** Runs `fn` against a local HTTP server answering with `reply`, then closes it and every connection. */
async function withServer(reply: Reply, fn: (server: Server) => Promise<void>): Promise<void> {
  const hits: Hit[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const n = hits.length;
      hits.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks), at: performance.now() });
      for (const waiter of waiters.filter((w) => hits.length >= w.count)) waiter.resolve();
      reply(res, n, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const arrived = (count: number): Promise<void> =>
    hits.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }));
  try {
    await fn({ address: `http://127.0.0.1:${port}`, hits, arrived });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Runs `fn` with a client of the local server and always closes it. */
async function withClient(server: Server, config: NodeClientConfig, fn: (client: NodeClient) => Promise<void>): Promise<void> {
  const client = createNodeClient({ address: server.address, retry: { limit: 2, backoffLimit: 10 }, ...config });
  try {
    await fn(client);
  } finally {
    await client.close();
  }
}

/** A reply with a status, body and headers. */
function answer(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** What a call fails with (it must fail). */
async function failure(promise: Promise<unknown>): Promise<ConsulError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as ConsulError;
}

const get = (client: Client, path = 'status/leader'): ReturnType<typeof send> => send(client, { path });

describe('the request on the wire', () => {
  it('goes to the base URL with its path prefix and the query; the token only in a header; bodies as given', async () => {
    await withServer((res) => answer(res, 200, 'true', { 'Content-Type': 'application/json' }), async (server) => {
      await withClient(server, { pathPrefix: '/consul', token: 'secret-token', headers: { 'X-Extra': '1' } }, async (client) => {
        expect((await kv.set(client, 'a b/ü?', 'v', { flags: 7 })).data).toBe(true);
        const [hit] = server.hits;
        expect(hit!.method).toBe('PUT');
        expect(hit!.url).toBe('/consul/v1/kv/a%20b/%C3%BC%3F?flags=7');
        expect(hit!.headers['x-consul-token']).toBe('secret-token');
        expect(hit!.headers['x-extra']).toBe('1');
        expect(hit!.body.toString()).toBe('v');

        // request bodies: a string gets fetch's default Content-Type, bytes go as they are, a Blob
        // carries its type, a stream above 1 MiB goes chunked
        const big = new Uint8Array(1536 * 1024).map((_, i) => i % 251);
        let at = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (at >= big.length) return controller.close();
            controller.enqueue(big.slice(at, at + 65536));
            at += 65536;
          },
        });
        const bodies: [BodyInit, string | undefined, Uint8Array][] = [
          ['text ✓', 'text/plain;charset=UTF-8', Buffer.from('text ✓')],
          [new Uint8Array([0, 255, 128]), undefined, new Uint8Array([0, 255, 128])],
          [new Blob(['blob'], { type: 'application/x-test' }), 'application/x-test', Buffer.from('blob')],
          [stream, undefined, big],
        ];
        for (const [body] of bodies) await send(client, { method: 'PUT', path: 'kv/x', body });
        bodies.forEach(([, type, bytes], i) => {
          const seen = server.hits[i + 1]!;
          expect(seen.headers['content-type']).toBe(type);
          expect(Buffer.compare(seen.body, Buffer.from(bytes))).toBe(0);
        });
        expect(server.hits[4]!.headers['transfer-encoding']).toBe('chunked');
        // a Content-Type the caller gave wins
        await send(client, { method: 'PUT', path: 'kv/x', body: 'x', headers: { 'Content-Type': 'application/json' } });
        expect(server.hits[5]!.headers['content-type']).toBe('application/json');
      });
    });
  });

  it('never follows a redirect: the agent answers a PUT to a path it cleans with a 301, and nothing is written', async () => {
    const client = createNodeClient({ address });
    try {
      const p = uniquePrefix('transport-redirect');
      const error = await failure(send(client, { method: 'PUT', path: `kv/${p}a//b`, body: 'x' }));
      expect(isHttpError(error)).toBe(true);
      expect(error.status).toBe(301);
      expect(error.message).toMatch(new RegExp(`redirect to .*${p}a/b; not followed`));
      expect((await raw(`/v1/kv/${p}a/b`)).status).toBe(404);
    } finally {
      await client.close();
    }
  });

  it('returns a 301 from a server as it is (a read is not retried or redirected either)', async () => {
    await withServer((res) => answer(res, 301, '', { Location: '/v1/elsewhere' }), async (server) => {
      await withClient(server, {}, async (client) => {
        const error = await failure(get(client));
        expect(error.message).toMatch(/redirect to \/v1\/elsewhere; not followed/);
        expect(server.hits.map((h) => h.url)).toEqual(['/v1/status/leader']);
      });
    });
  });
});

describe('retries', () => {
  it('retries a read on 503, 503, then returns the 200', async () => {
    const replies = [503, 503, 200];
    await withServer((res, n) => answer(res, replies[n]!, n === 2 ? '"10.0.0.1:8300"' : 'busy'), async (server) => {
      await withClient(server, {}, async (client) => {
        const { response } = await get(client);
        expect(response.status).toBe(200);
        expect(await response.json()).toBe('10.0.0.1:8300');
        expect(server.hits).toHaveLength(3);
      });
    });
  });

  it('retries a read after a dropped connection', async () => {
    await withServer((res, n) => (n === 0 ? res.socket!.destroy() : answer(res, 200, '"ok"')), async (server) => {
      await withClient(server, {}, async (client) => {
        expect(await (await get(client)).response.json()).toBe('ok');
        expect(server.hits).toHaveLength(2);
      });
    });
  });

  it('never retries a write: not on 503, not on a dropped connection', async () => {
    await withServer((res, n) => (n === 1 ? res.socket!.destroy() : answer(res, 503, 'busy')), async (server) => {
      await withClient(server, {}, async (client) => {
        const busy = await failure(send(client, { method: 'PUT', path: 'kv/x', body: 'v' }));
        expect(isServerError(busy)).toBe(true);
        expect(server.hits).toHaveLength(1);
        const dropped = await failure(send(client, { method: 'PUT', path: 'kv/x', body: 'v' }));
        expect(isNetworkError(dropped)).toBe(true);
        expect(server.hits).toHaveLength(2);
      });
    });
  });

  it('when retries run out, the error carries the last status and Consul’s text', async () => {
    await withServer((res, n) => answer(res, n < 3 ? 503 : 429, n < 3 ? 'No cluster leader' : 'rate limit exceeded'), async (server) => {
      await withClient(server, {}, async (client) => {
        const error = await failure(get(client));
        expect(isServerError(error)).toBe(true);
        expect(error.status).toBe(503);
        expect(error.consulMessage).toBe('No cluster leader');
        expect(error.message).toBe('GET /v1/status/leader failed with 503: No cluster leader');
        expect(server.hits).toHaveLength(3); // the first attempt and 2 retries
        const limited = await failure(get(client));
        expect(isTooManyRequestsError(limited)).toBe(true);
        expect(limited.status).toBe(429);
        expect(limited.consulMessage).toBe('rate limit exceeded');
        expect(server.hits).toHaveLength(6);
      });
    });
  });

  it('never retries a status the endpoint takes as data, even one listed in retry.statusCodes', async () => {
    // Consul's "missing key" 404 carries X-Consul-Index (a 404 without it is not Consul's)
    await withServer((res) => answer(res, 404, '', { 'X-Consul-Index': '1' }), async (server) => {
      await withClient(server, { retry: { limit: 2, statusCodes: [404, 503], backoffLimit: 10 } }, async (client) => {
        expect((await kv.get(client, 'missing')).data).toBeUndefined();
        expect(server.hits).toHaveLength(1);
      });
    });
  });

  it('honours Retry-After on 429 and 503 (and not on 502, as ky), but never waits past the timeout', async () => {
    const replies: [number, Record<string, string>][] = [
      [429, { 'Retry-After': '1' }], [200, {}],
      [502, { 'Retry-After': '3600' }], [200, {}],
      [503, { 'Retry-After': '3600' }],
    ];
    await withServer((res, n) => answer(res, replies[n]![0], '"x"', replies[n]![1]), async (server) => {
      await withClient(server, { retry: { limit: 2, backoffLimit: 0 }, timeout: 5000 }, async (client) => {
        expect((await get(client)).response.status).toBe(200);
        // the retry waited the second Retry-After asked for (the backoff alone would have been 0 ms)
        expect(server.hits[1]!.at - server.hits[0]!.at).toBeGreaterThanOrEqual(950);
        expect((await get(client)).response.status).toBe(200);
        expect(server.hits).toHaveLength(4);
        // an hour's Retry-After outlasts the 5 s timeout: the 503 is the answer, at once
        const error = await failure(get(client));
        expect(isServerError(error)).toBe(true);
        expect(server.hits).toHaveLength(5);
      });
    });
  });
});

describe('errors', () => {
  it('an HTML error page from a proxy becomes a readable message', async () => {
    const page = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>';
    await withServer((res) => answer(res, 502, page, { 'Content-Type': 'text/html' }), async (server) => {
      await withClient(server, { retry: 0 }, async (client) => {
        const error = await failure(get(client));
        expect(isServerError(error)).toBe(true);
        expect(error.message).toBe('GET /v1/status/leader failed with 502: 502 Bad Gateway');
      });
    });
  });

  it('a refused connection is a NetworkError that says so, after the retries, with the cause chain of fetch', async () => {
    const port = await freePort();
    const client = createNodeClient({ address: `127.0.0.1:${port}`, retry: { limit: 1, backoffLimit: 10 } });
    try {
      const error = await failure(kv.get(client, 'x'));
      expect(isNetworkError(error)).toBe(true);
      expect(error.message).toMatch(/^GET \/v1\/kv\/x failed: http:\/\/127\.0\.0\.1:\d+: connection refused — is the Consul agent running/);
      expect(error.cause).toBeInstanceOf(TypeError);
      expect((error.cause as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await client.close();
    }
  });
});

describe('timeouts and aborts', () => {
  it('a server that never answers: TimeoutError after `timeout` ms', async () => {
    await withServer(() => {}, async (server) => {
      await withClient(server, { timeout: 200 }, async (client) => {
        const error = await failure(get(client));
        expect(isTimeoutError(error)).toBe(true);
        expect(error.message).toBe('GET /v1/status/leader timed out after 200 ms');
      });
    });
  });

  it('the timeout covers the reading of a small (buffered) body that stalls', async () => {
    await withServer((res) => {
      res.writeHead(200, { 'Content-Length': '10' });
      res.write('12345');
    }, async (server) => {
      await withClient(server, { timeout: 200 }, async (client) => {
        expect(isTimeoutError(await failure(get(client)))).toBe(true);
      });
    });
  });

  it('the timeout bounds the whole call: retries stop when the next wait would outlast it', async () => {
    await withServer((res) => answer(res, 503, 'busy'), async (server) => {
      await withClient(server, { timeout: 1000, retry: { limit: 10, backoffLimit: 60_000 } }, async (client) => {
        // waits of 300, 600, 1200 ms…: by the third at the latest a wait would end after the deadline,
        // and then the 503 is the answer (not a TimeoutError, not ten more attempts)
        const error = await failure(get(client));
        expect(isServerError(error)).toBe(true);
        expect(server.hits.length).toBeLessThanOrEqual(3);
      });
    });
  });

  it('a streamed body (large or unsized) that keeps coming is not cut by the timeout, however long it takes', async () => {
    const large = Buffer.alloc(1536 * 1024, 'x');
    await withServer((res, n) => {
      if (n === 0) {
        res.writeHead(200, { 'Content-Length': String(large.length) });
        res.end(large);
        return;
      }
      res.writeHead(200); // chunked, no length: streamed
      res.write('first ');
      // 1.2 s in all, more than the timeout, but never a second without data
      setTimeout(() => res.write('and '), 600);
      setTimeout(() => res.end('last'), 1200);
    }, async (server) => {
      await withClient(server, { timeout: 1000 }, async (client) => {
        const sized = (await get(client)).response;
        expect(Buffer.from(await sized.arrayBuffer()).equals(large)).toBe(true);
        const { response } = await get(client);
        expect(await response.text()).toBe('first and last');
      });
    });
  });

  it('an unsized response (Consul sends any answer above 2 KiB chunked) behaves like a regular Response', async () => {
    const list = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ Node: `node-${i}`, Address: `10.0.0.${i}` })));
    await withServer((res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(list.slice(0, 1000));
      res.end(list.slice(1000));
    }, async (server) => {
      await withClient(server, {}, async (client) => {
        const { response } = await get(client);
        expect(response).toBeInstanceOf(Response);
        expect(response.headers.get('content-length')).toBeNull();
        expect(response.bodyUsed).toBe(false);
        const copy = response.clone();
        expect(await response.json()).toEqual(JSON.parse(list));
        expect(response.bodyUsed).toBe(true);
        await expect(response.text()).rejects.toThrow(TypeError);
        expect(await copy.text()).toBe(list);
        // read as a stream, chunk by chunk
        const streamed = (await get(client)).response;
        const reader = streamed.body!.getReader();
        const chunks: Uint8Array[] = [];
        for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
        expect(Buffer.concat(chunks).toString()).toBe(list);
        expect(streamed.bodyUsed).toBe(true);
        expect(new TextDecoder().decode(await (await get(client)).response.arrayBuffer())).toBe(list);
        expect(await (await (await get(client)).response.blob()).text()).toBe(list);
      });
    });
  });

  it('a blocking read whose wait is longer than the timeout is not cut', async () => {
    const client = createNodeClient({ address, timeout: 300 });
    try {
      const p = uniquePrefix('transport-blocking');
      await kv.set(client, `${p}k`, 'v');
      const { meta } = await kv.get(client, `${p}k`);
      const blocked = await kv.get(client, `${p}k`, { index: meta.index!, wait: '1s' });
      expect(blocked.data).toBe('v');
      expect(blocked.meta.index).toBe(meta.index);
    } finally {
      await client.close();
    }
  });

  it('aborting rejects with the caller’s reason: before sending, in flight, and while waiting to retry', async () => {
    await withServer((res, n) => {
      if (n === 1) answer(res, 503, 'busy', { 'Retry-After': '60' }); // the first request hangs
    }, async (server) => {
      await withClient(server, { timeout: 120_000 }, async (client) => {
        const reason = new Error('caller gave up');
        await expect(send(client, { path: 'x', options: { signal: AbortSignal.abort(reason) } })).rejects.toBe(reason);
        expect(server.hits).toHaveLength(0);

        const inFlight = new AbortController();
        const pending = send(client, { path: 'x', options: { signal: inFlight.signal } });
        await server.arrived(1);
        inFlight.abort(reason);
        await expect(pending).rejects.toBe(reason);

        // the 503 asks for a 60 s wait before the retry: aborting ends the wait at once
        const waiting = new AbortController();
        const retried = send(client, { path: 'x', options: { signal: waiting.signal } });
        await server.arrived(2);
        await new Promise((resolve) => setTimeout(resolve, 200)); // let the 503 arrive and the wait begin
        waiting.abort(reason);
        await expect(retried).rejects.toBe(reason);
        expect(server.hits).toHaveLength(2);
      });
    });
  });

  it('aborting a blocking query on the agent rejects with the reason; the pool still works', async () => {
    const client = createNodeClient({ address });
    try {
      const p = uniquePrefix('transport-abort');
      await kv.set(client, `${p}k`, 'v');
      const { meta } = await kv.get(client, `${p}k`);
      const controller = new AbortController();
      const reason = new Error('stop waiting');
      const pending = kv.get(client, `${p}k`, { index: meta.index!, wait: '30s', signal: controller.signal });
      setTimeout(() => controller.abort(reason), 100);
      await expect(pending).rejects.toBe(reason);
      expect((await kv.get(client, `${p}k`)).data).toBe('v');
    } finally {
      await client.close();
    }
  });
});

describe('createNodeTransport by hand', () => {
  const { config } = createClient({ address });
  const transport = createNodeTransport(config, { connections: 4 });
  afterAll(() => transport.close());

  it('makes a working client from a resolved configuration', async () => {
    const client: Client = { config, transport };
    const p = uniquePrefix('transport-hand');
    await kv.set(client, `${p}k`, 'by hand');
    expect((await kv.get(client, `${p}k`)).data).toBe('by hand');
  });
});
