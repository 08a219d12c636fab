// Failure paths of consulate/node's node:http transport: requests Node refuses to send, bodies whose
// connection is gone, stalled request body streams, unread bodies at close(), connect timeouts.
// Against the run's real agent where it can show the case; the rest against SCRIPTED local servers
// (node:http / node:net: partial bodies, resets, a TCP listener that never speaks TLS) — an agent
// cannot be made to do these on demand. A hang shows as this file's test timeout.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { classifyFailure } from '../../src/core/failover.ts';
import { send } from '../../src/core/request.ts';
import { ConfigError, createClient, isNetworkError, isTimeoutError, NetworkError } from '../../src/index.ts';
import { createNodeClient, createNodeFetch, createNodeTransport, fromEnv } from '../../src/node/index.ts';
import { uniquePrefix } from '../support/client.ts';

const address = inject('consulAddress');

/** SCRIPTED: a local HTTP server answering every request with `reply`; closed (connections too) after `fn`. */
async function withScripted(reply: (req: IncomingMessage, res: ServerResponse) => void, fn: (address: string, hits: string[]) => Promise<void>): Promise<void> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    reply(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const base = { query: new URLSearchParams(), headers: {}, retries: 0 };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a request Node refuses to send', () => {
  it('fails at once with the header named, not its value, is not retried or failed over, and close() still resolves', async () => {
    // the real agent (by two names: failover must not move the request on) — nothing reaches it
    // (a per-call token: the client's own is checked up front, see below)
    const client = createNodeClient({ address: [address, address.replace('127.0.0.1', 'localhost')], retry: { limit: 2, backoffLimit: 10 } });
    try {
      const error = await send(client, { path: 'kv/x', options: { token: 'secret-\r-token' } }).then(() => undefined, (e: unknown) => e);
      expect(isNetworkError(error)).toBe(true);
      const message = (error as Error).message;
      expect(message).toContain('ERR_INVALID_CHAR');
      expect(message).toContain('X-Consul-Token');
      expect(message).not.toContain('secret');
      expect(message).not.toContain('localhost'); // final: the second address was not tried
      expect(classifyFailure(error)).toBe('final');
    } finally {
      await client.close(); // hung forever before the fix (the in-flight count was never decremented)
    }
  });

  it("a client's token with a control character is a ConfigError naming its source, never its value", () => {
    expect(() => createNodeClient({ address, token: 'secret-token\r' })).toThrow(ConfigError);
    expect(() => createNodeClient({ address, token: 'secret-token\r' })).toThrow(/^(?!.*secret).*token: the ACL token holds a control character/);
    expect(() => fromEnv({ env: { CONSUL_HTTP_ADDR: address, CONSUL_HTTP_TOKEN: 'secret-token\n' } })).toThrow(/^(?!.*secret).*CONSUL_HTTP_TOKEN: the ACL token holds a control character/);
  });

  it('an invalid header name and an unescaped path fail as final too', async () => {
    const { config } = createClient({ address });
    const transport = createNodeTransport(config);
    try {
      for (const request of [
        { ...base, method: 'GET', path: 'kv/x', headers: { 'X-Bad Name': 'v' }, timeout: 2000 },
        { ...base, method: 'GET', path: 'kv/a b', timeout: 2000 },
      ]) {
        const error = await transport.send(request).then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(NetworkError);
        expect(classifyFailure(error)).toBe('final');
      }
    } finally {
      await transport.close();
    }
  });
});

describe('reading a body whose stream is already gone', () => {
  it('SCRIPTED: a connection reset mid-body before the read rejects the read, not hangs', async () => {
    await withScripted((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked: left on the stream
      res.write('[1,');
      setTimeout(() => res.socket?.destroy(), 20);
    }, async (agent) => {
      const { config } = createClient({ address: agent });
      const transport = createNodeTransport(config);
      try {
        const response = await transport.send({ ...base, method: 'GET', path: 'kv/x', timeout: 5000, bodyTimeout: false });
        await sleep(200); // the reset has destroyed the body's stream
        await expect(response.text()).rejects.toThrow(/aborted|ended early|reset/);
      } finally {
        await transport.close();
      }
    });
  });

  it('SCRIPTED: the caller aborting before the read rejects the read with its reason', async () => {
    await withScripted((_req, res) => {
      res.writeHead(200);
      res.write('x'); // never ends
    }, async (agent) => {
      const { config } = createClient({ address: agent });
      const transport = createNodeTransport(config);
      const controller = new AbortController();
      try {
        const response = await transport.send({ ...base, method: 'GET', path: 'kv/x', timeout: 5000, bodyTimeout: false, signal: controller.signal });
        const reason = new Error('caller gave up');
        controller.abort(reason);
        await sleep(20);
        await expect(response.text()).rejects.toBe(reason);
      } finally {
        await transport.close();
      }
    });
  });
});

describe('a stream request body', () => {
  /** A body stream that never gives its first chunk (stdin with nothing written yet); records its cancel. */
  const stalled = (): { stream: ReadableStream<Uint8Array>; cancelled: () => boolean } => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull: () => new Promise(() => {}),
      cancel: () => {
        cancelled = true;
      },
    });
    return { stream, cancelled: () => cancelled };
  };

  it('a stalled one fails with a TimeoutError at the timeout and is cancelled (the real agent never sees it)', async () => {
    const { config } = createClient({ address });
    const transport = createNodeTransport(config);
    const body = stalled();
    try {
      const error = await transport.send({ ...base, method: 'PUT', path: `kv/${uniquePrefix('stall')}`, body: body.stream, timeout: 300 }).then(() => undefined, (e: unknown) => e);
      expect(isTimeoutError(error)).toBe(true);
      expect(body.cancelled()).toBe(true);
    } finally {
      await transport.close();
    }
  });

  it("a stalled one gives up on the caller's abort, through the transport and through createNodeFetch", async () => {
    const { config } = createClient({ address, timeout: false });
    const transport = createNodeTransport(config);
    const fetch = createNodeFetch();
    try {
      const controller = new AbortController();
      const body = stalled();
      const sent = transport.send({ ...base, method: 'PUT', path: `kv/${uniquePrefix('stall')}`, body: body.stream, timeout: false, signal: controller.signal });
      const reason = new Error('caller abort');
      setTimeout(() => controller.abort(reason), 50);
      await expect(sent).rejects.toBe(reason);
      expect(body.cancelled()).toBe(true);

      const controller2 = new AbortController();
      const body2 = stalled();
      const fetched = fetch(`${address}/v1/kv/${uniquePrefix('stall')}`, { method: 'PUT', body: body2.stream, duplex: 'half', signal: controller2.signal } as RequestInit);
      const reason2 = new Error('caller abort 2');
      setTimeout(() => controller2.abort(reason2), 50);
      await expect(fetched).rejects.toBe(reason2);
      expect(body2.cancelled()).toBe(true);
    } finally {
      await transport.close();
      await fetch.close();
    }
  });

  it('SCRIPTED: a large one is cancelled when the server answers early and hangs up', async () => {
    let cancelled = false;
    let pulls = 0;
    const big = new ReadableStream<Uint8Array>({
      async pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(512 * 1024));
        await sleep(5);
      },
      cancel() {
        cancelled = true;
      },
    });
    await withScripted((req, res) => {
      setTimeout(() => {
        res.writeHead(403, { connection: 'close' });
        res.end('denied');
        req.socket.destroy();
      }, 100);
    }, async (agent) => {
      const { config } = createClient({ address: agent });
      const transport = createNodeTransport(config);
      try {
        await transport.send({ ...base, method: 'PUT', path: 'snapshot', body: big, timeout: 5000 }).then((r) => r.arrayBuffer(), () => undefined);
        for (let i = 0; i < 100 && !cancelled; i++) await sleep(10);
        expect(cancelled).toBe(true);
        const seen = pulls;
        await sleep(100);
        expect(pulls).toBe(seen); // nobody reads it any more
      } finally {
        await transport.close();
      }
    });
  });
});

describe('close() and unread bodies', () => {
  it('SCRIPTED: an unread streamed body does not hold close(); reading it afterwards fails with the client closed', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 97); // over 1 MiB: left on the stream
    await withScripted((_req, res) => {
      res.writeHead(200, { 'content-length': big.length });
      res.end(big);
    }, async (agent) => {
      const { config } = createClient({ address: agent });
      const transport = createNodeTransport(config);
      const response = await transport.send({ ...base, method: 'GET', path: 'snapshot', timeout: 5000 });
      expect(response.status).toBe(200);
      await transport.close(); // hung forever before the fix
      const error = await response.arrayBuffer().then(() => undefined, (e: unknown) => e);
      expect((error as { code?: string }).code).toBe('ERR_CONSULATE_CLIENT_CLOSED');
    });
  });

  it('SCRIPTED: a body being read when close() is called is read to its end', async () => {
    await withScripted((_req, res) => {
      res.writeHead(200); // chunked, slow
      res.write('a'.repeat(100));
      setTimeout(() => res.end('b'), 100);
    }, async (agent) => {
      const { config } = createClient({ address: agent });
      const transport = createNodeTransport(config);
      const response = await transport.send({ ...base, method: 'GET', path: 'kv/x', timeout: 5000 });
      const text = response.text();
      await transport.close();
      expect(await text).toBe(`${'a'.repeat(100)}b`);
    });
  });
});

it('SCRIPTED: touching `body` while text() reads a streamed body leaves the read whole', async () => {
  const big = Buffer.alloc(2 * 1024 * 1024, 97);
  await withScripted((_req, res) => {
    res.writeHead(200, { 'content-length': big.length });
    res.write(big.subarray(0, 1000));
    setTimeout(() => res.end(big.subarray(1000)), 100);
  }, async (agent) => {
    const { config } = createClient({ address: agent });
    const transport = createNodeTransport(config);
    try {
      const response = await transport.send({ ...base, method: 'GET', path: 'snapshot', timeout: 5000 });
      const text = response.text();
      expect(response.body).not.toBeNull(); // used to cancel the stream text() was reading
      expect(response.body!.locked).toBe(true);
      expect(response.bodyUsed).toBe(true);
      expect((await text).length).toBe(big.length);
    } finally {
      await transport.close();
    }
  });
});

describe('timeouts while connecting', () => {
  it('`read ETIMEDOUT` on an established connection may have sent the request; `connect ETIMEDOUT` did not', () => {
    const wrap = (cause: Error): NetworkError =>
      new NetworkError('PUT /v1/kv/x failed: …', { method: 'PUT', path: '/v1/kv/x', cause: new TypeError('…', { cause }) });
    const read = Object.assign(new Error('read ETIMEDOUT'), { code: 'ETIMEDOUT', syscall: 'read' });
    const connect = Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:8500'), { code: 'ETIMEDOUT', syscall: 'connect' });
    const ours = Object.assign(new Error('connection not established within 5000 ms'), { code: 'ERR_CONSULATE_CONNECT_TIMEOUT' });
    expect(classifyFailure(wrap(read))).toBe('maybe-sent');
    expect(classifyFailure(wrap(connect))).toBe('not-sent');
    expect(classifyFailure(wrap(ours))).toBe('not-sent');
  });

  it('SCRIPTED: an address that accepts TCP but never speaks TLS gives way to the next (the real agent) within the timeout', async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => {
      sockets.add(socket); // accepts, never answers the TLS ClientHello
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    // a PUT: moved on only because nothing was sent (a connect timeout), not as a replay
    const client = createNodeClient({ address: [`https://127.0.0.1:${(silent.address() as AddressInfo).port}`, address], timeout: 3000 });
    try {
      const key = uniquePrefix('connect-timeout');
      const { response } = await send(client, { method: 'PUT', path: `kv/${key}`, body: 'v' });
      expect(response.status).toBe(200);
      expect((await response.text()).trim()).toBe('true');
    } finally {
      await client.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
