// Agent failover (`address` as a list), over both transports (the core client: ky + fetch; consulate/node:
// node:http), against the run's real dev agent. What a real agent cannot do on demand — accept a
// connection and never answer, or reset it after reading a write's body — comes from scripted servers
// (test/support/misbehaving-server.mjs, marked so below). A closed counting proxy in front of the agent
// stands for a stopped agent (its port refuses connections); a freed port is a dead address.
import type { Socket } from 'node:net';
import { connect as connectTcp, createServer } from 'node:net';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { currentAddressIndex } from '../../src/core/failover.ts';
import { requestJson } from '../../src/core/request.ts';
import * as kv from '../../src/endpoints/kv.ts';
import type { Client, ClientConfig } from '../../src/index.ts';
import { ConfigError, createClient, isNetworkError, isTimeoutError, watch, withConfig } from '../../src/index.ts';
import { createNodeClient, fromEnv } from '../../src/node/index.ts';
import { deadAddress } from '../support/agent.mjs';
import { uniquePrefix } from '../support/client.ts';
import { startCountingProxy } from '../support/counting-proxy.mjs';
import { startMisbehavingServer } from '../support/misbehaving-server.mjs';

const agent = inject('consulAddress');

/** Builds a client of `config` on a transport, closed when the test ends. */
type Connect = (config: ClientConfig) => Client;

const transports: [string, Connect][] = [
  ['fetch (ky)', (config) => createClient(config)],
  [
    'consulate/node',
    (config) => {
      const { fetch: _fetch, ...rest } = config;
      const client = createNodeClient(rest);
      onTestFinished(() => client.close());
      return client;
    },
  ],
];

/** The rejection of `promise` (the test fails if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, 'expected a rejection').toBeInstanceOf(Error);
  return error as Error;
}

describe('address list: configuration', () => {
  it('resolves one base URL per address, in order, with the path prefix on each; a single string still works', () => {
    const list = createClient({ address: ['10.0.0.5:8500', 'https://10.0.0.6:8501', 'http://[::1]:8500'], pathPrefix: '/consul' });
    expect(list.config.apiUrls).toEqual(['http://10.0.0.5:8500/consul/v1/', 'https://10.0.0.6:8501/consul/v1/', 'http://[::1]:8500/consul/v1/']);
    expect(list.config.apiUrl).toBe('http://10.0.0.5:8500/consul/v1/');
    const one = createClient({ address: '10.0.0.5:8500' });
    expect(one.config.apiUrls).toEqual(['http://10.0.0.5:8500/v1/']);
    expect(createClient({}).config.apiUrls).toEqual(['http://127.0.0.1:8500/v1/']);
  });

  it.each([
    ['an empty list', { address: [] }, /address: expected at least one address/],
    ['a bad entry, named by its index', { address: ['10.0.0.5:8500', 'ftp://x'] }, /unsupported scheme "ftp" in address\[1\]/],
    ['the same agent twice', { address: ['10.0.0.5:8500', 'http://10.0.0.5:8500/'] }, /address\[1\] "http:\/\/10.0.0.5:8500\/" is the same agent as address\[0\]/],
    ['a list with host/port', { address: ['10.0.0.5:8500'], port: 8500 }, /either address or host\/port\/scheme/],
    ['a non-string entry', { address: ['10.0.0.5:8500', 8500] }, /address/],
  ])('rejects %s with a ConfigError', (_name, config, message) => {
    expect(() => createClient(config as ClientConfig)).toThrow(ConfigError);
    expect(() => createClient(config as ClientConfig)).toThrow(message);
  });

  it('consulate/node: a list works, a unix:// entry in it is refused; CONSUL_HTTP_ADDR takes one address, not a comma list', async () => {
    const client = createNodeClient({ address: ['10.0.0.5:8500', '10.0.0.6:8500'] });
    expect(client.config.apiUrls).toEqual(['http://10.0.0.5:8500/v1/', 'http://10.0.0.6:8500/v1/']);
    await client.close();
    const ssl = fromEnv({ env: { CONSUL_HTTP_SSL: 'true' }, address: ['10.0.0.5:8501', 'http://10.0.0.6:8500'] });
    expect(ssl.config.apiUrls).toEqual(['https://10.0.0.5:8501/v1/', 'http://10.0.0.6:8500/v1/']);
    await ssl.close();
    expect(() => createNodeClient({ address: ['10.0.0.5:8500', 'unix:///tmp/consul.sock'] })).toThrow(/a unix:\/\/ socket cannot be part of an address list/);
    expect(() => fromEnv({ env: { CONSUL_HTTP_ADDR: '10.0.0.5:8500,10.0.0.6:8500' } })).toThrow(/CONSUL_HTTP_ADDR: one address only.*pass a list as the address option/);
  });
});

describe.each(transports)('address list over %s', (_name, connect) => {
  it('first address dead (refused): reads and writes succeed on the second, which then sticks', async () => {
    const dead = await deadAddress();
    const proxy = await startCountingProxy(agent);
    onTestFinished(() => proxy.close());
    const third = await startMisbehavingServer({ mode: 'respond', status: 500, body: 'third address must not be used' }); // scripted
    onTestFinished(() => third.close());
    const client = connect({ address: [dead, proxy.address, third.address], timeout: 5000 });
    const key = `${uniquePrefix('failover')}k`;
    expect((await kv.set(client, key, 'v1')).data).toBe(true); // a write on a refused address moves on
    expect((await kv.get(client, key)).data).toBe('v1');
    expect(currentAddressIndex(client.config)).toBe(1);
    // the second address sticks: a server now listening at the first address gets no connection
    const revived = await listenOn(Number(new URL(dead).port));
    onTestFinished(() => revived.close());
    for (let i = 0; i < 5; i++) expect((await kv.get(client, key)).data).toBe('v1');
    expect(proxy.count({ path: `/v1/kv/${key}` })).toBe(2 + 5);
    expect(revived.connections()).toBe(0);
    expect(third.requests).toHaveLength(0);
    // a client derived with withConfig shares the current address
    expect(currentAddressIndex(withConfig(client, { token: 'other' }).config)).toBe(1);
  });

  it('the current address stops (refuses): the next request moves on, and the one after that stays there', async () => {
    const first = await startCountingProxy(agent);
    const second = await startCountingProxy(agent);
    onTestFinished(() => Promise.all([first.close(), second.close()]).then(() => undefined));
    const client = connect({ address: [first.address, second.address] });
    const key = `${uniquePrefix('failover-stop')}k`;
    await kv.set(client, key, 'a');
    expect(first.count()).toBe(1);
    await first.close(); // the "agent" at the first address is gone
    // (a write on a kept-alive connection the agent closed just now could have reached it for all the
    // client knows, and is not replayed: see the reset test; the pool learns of the close in a moment)
    await new Promise((r) => setTimeout(r, 100));
    expect((await kv.set(client, key, 'b')).data).toBe(true);
    expect((await kv.get(client, key)).data).toBe('b');
    expect(second.count()).toBe(2);
    expect(currentAddressIndex(client.config)).toBe(1);
  });

  it('every address refused: a NetworkError naming each address and why, never the token', async () => {
    const [a, b] = [await deadAddress(), await deadAddress()];
    const client = connect({ address: [a, b], token: 'secret-token-123', retry: 0 });
    const error = await rejection(kv.get(client, 'x'));
    expect(isNetworkError(error)).toBe(true);
    expect(error.message).toContain(`GET /v1/kv/x failed on 2 attempts: tried ${a}/v1/`);
    expect(error.message).toContain(`; ${b}/v1/`);
    expect(error.message.match(/connection refused/g)).toHaveLength(2);
    expect(error.message).not.toContain('secret-token-123');
    const write = await rejection(kv.set(client, 'x', 'v'));
    expect(write.message).toMatch(/^PUT \/v1\/kv\/x failed on 2 attempts: tried .*refused.*; .*refused/);
  });

  it('reads get the retry rounds over the list: an agent that comes back during the backoff answers', async () => {
    const dead = await deadAddress();
    const client = connect({ address: [dead, await deadAddress()], retry: { limit: 3 } });
    // the first round fails on both; an "agent" comes up at the first address during the backoff (300 ms)
    const revive = (async () => {
      await new Promise((r) => setTimeout(r, 100));
      const revived = await listenOn(Number(new URL(dead).port), agent);
      onTestFinished(() => revived.close());
      return revived;
    })();
    const key = `${uniquePrefix('failover-rounds')}k`;
    expect((await kv.get(client, key)).data).toBeUndefined();
    expect((await revive).connections()).toBeGreaterThanOrEqual(1);
    expect(currentAddressIndex(client.config)).toBe(0);
  });

  it('a write reset after its body was read (a possible send) is NOT sent to another address; a read is', async () => {
    // scripted: the first address reads each request whole, then closes the connection without answering
    const resetting = await startMisbehavingServer('reset');
    onTestFinished(() => resetting.close());
    const proxy = await startCountingProxy(agent);
    onTestFinished(() => proxy.close());
    const client = connect({ address: [resetting.address, proxy.address] });
    const key = `${uniquePrefix('failover-reset')}k`;
    const error = await rejection(kv.set(client, key, 'written once'));
    expect(isNetworkError(error)).toBe(true);
    expect(error.message).toMatch(new RegExp(`^PUT /v1/kv/${key} failed on its address: tried ${resetting.address}/v1/ \\(.+\\); PUT is not idempotent, so it was not sent again after a possible send$`));
    expect(resetting.requests.map((r) => [r.method, r.body])).toEqual([['PUT', 'written once']]);
    expect(proxy.count()).toBe(0);
    // the reset address is no longer current: the next request goes to the agent
    expect(currentAddressIndex(client.config)).toBe(1);
    expect((await kv.get(client, key)).data).toBeUndefined();
    // a read that meets the reset moves on within the same call
    const again = connect({ address: [resetting.address, proxy.address] });
    expect((await kv.get(again, key)).data).toBeUndefined();
    expect(resetting.requests.map((r) => r.method)).toEqual(['PUT', 'GET']);
  });

  it('a read answered 500 asks the next address; a write answered 500 is not sent again', async () => {
    // scripted: an agent cut off from the servers, as one shutting down answers
    const cutOff = await startMisbehavingServer({ mode: 'respond', status: 500, body: 'rpc error making call: EOF' });
    onTestFinished(() => cutOff.close());
    const proxy = await startCountingProxy(agent);
    onTestFinished(() => proxy.close());
    const client = connect({ address: [cutOff.address, proxy.address] });
    const key = `${uniquePrefix('failover-500')}k`;
    expect((await kv.get(client, key)).data).toBeUndefined();
    expect(currentAddressIndex(client.config)).toBe(1);
    const writer = connect({ address: [cutOff.address, proxy.address] });
    const error = await rejection(kv.set(writer, key, 'x'));
    expect(error.message).toBe(`PUT /v1/kv/${key} failed with 500: rpc error making call: EOF`);
    expect(cutOff.requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(proxy.count({ method: 'PUT' })).toBe(0);
    // when every address answers 500, the last answer is the error
    const second = await startMisbehavingServer({ mode: 'respond', status: 500, body: 'second' }); // scripted
    onTestFinished(() => second.close());
    const all = connect({ address: [cutOff.address, second.address] });
    expect((await rejection(kv.get(all, key))).message).toBe(`GET /v1/kv/${key} failed with 500: second`);
  });

  it('a ?cas= write marked idempotent is still never replayed after a possible send', async () => {
    const resetting = await startMisbehavingServer('reset'); // scripted
    onTestFinished(() => resetting.close());
    const proxy = await startCountingProxy(agent);
    onTestFinished(() => proxy.close());
    const client = connect({ address: [resetting.address, proxy.address] });
    const key = `${uniquePrefix('failover-cas')}k`;
    const error = await rejection(requestJson(client, { method: 'PUT', path: `kv/${key}`, params: { cas: 0 }, body: 'x', idempotent: true }, undefined as never));
    expect(error.message).toMatch(/a \?cas=\/\?acquire= write is never replayed after a possible send$/);
    expect(proxy.count()).toBe(0);
  });

  it('one deadline for the whole request: a stalled first address uses it up; the next request starts at the next address', async () => {
    // scripted: accepts the connection, reads the request and never answers
    const stalled = await startMisbehavingServer('never-answer');
    onTestFinished(() => stalled.close());
    const proxy = await startCountingProxy(agent);
    onTestFinished(() => proxy.close());
    const client = connect({ address: [stalled.address, proxy.address], timeout: 800 });
    const key = `${uniquePrefix('failover-deadline')}k`;
    const started = Date.now();
    const error = await rejection(kv.get(client, key));
    const elapsed = Date.now() - started;
    expect(isTimeoutError(error)).toBe(true);
    expect(error.message).toMatch(new RegExp(`^GET /v1/kv/${key} timed out after 800 ms \\(one deadline for every address\\): tried ${stalled.address}/v1/ \\(no answer before the deadline`));
    // one deadline, not one per address or per retry (the read was not retried on the stalled address either)
    expect(elapsed).toBeGreaterThanOrEqual(790);
    expect(elapsed).toBeLessThan(1600);
    expect(stalled.requests).toHaveLength(1);
    expect(proxy.count()).toBe(0);
    // the stalled address failed: the next request goes to the agent
    expect((await kv.get(client, key)).data).toBeUndefined();
    expect(proxy.count()).toBe(1);
    // a write that stalls times out and is not sent elsewhere
    const writer = connect({ address: [stalled.address, proxy.address], timeout: 500 });
    expect(isTimeoutError(await rejection(kv.set(writer, key, 'x')))).toBe(true);
    expect(proxy.count({ method: 'PUT' })).toBe(0);
  });

  it('a blocking watch whose current address stops continues on the next address, with its index', async () => {
    const first = await startCountingProxy(agent);
    const second = await startCountingProxy(agent);
    onTestFinished(() => Promise.all([first.close(), second.close()]).then(() => undefined));
    const client = connect({ address: [first.address, second.address] });
    const writer = createClient({ address: agent });
    const key = `${uniquePrefix('failover-watch')}k`;
    await kv.set(writer, key, 'v0');
    const errors: unknown[] = [];
    const seen: string[] = [];
    const controller = new AbortController();
    const iterator = watch(client, (c, o) => kv.get(c, key, o), { wait: '30s', signal: controller.signal, onError: (e) => void errors.push(e) });
    for await (const { data } of iterator) {
      seen.push(data ?? '(none)');
      if (data === 'v0') {
        // the watch now blocks on the first address: stop it, then change the key
        await new Promise((r) => setTimeout(r, 200));
        await first.close();
        await kv.set(writer, key, 'v1');
      } else break;
    }
    expect(seen).toEqual(['v0', 'v1']);
    expect(errors).toEqual([]);
    expect(second.count({ method: 'GET' })).toBeGreaterThanOrEqual(1);
    expect(second.requests.every((r) => /[?&]index=\d+/.test(r.path))).toBe(true);
  });
});

/**
 * Listens on `port` (an address that refused before: a "restarted agent") and counts connections;
 * forwards them to `target` when given, else closes them at once.
 */
async function listenOn(port: number, target?: string): Promise<{ connections(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    if (target === undefined) return void socket.destroy();
    const url = new URL(target);
    const upstream = connectTcp(Number(url.port), url.hostname);
    sockets.add(upstream);
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
