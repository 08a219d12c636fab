// kv.records' check of the entries it decodes (a plain loop, valibot's KVPairList for anything it does
// not certainly accept): what passes and what fails must be exactly KVPairList's. Against a scripted
// node:http server (marked so): a real agent never sends malformed entries or fields it does not know.
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as kv from '../../src/endpoints/kv.ts';
import { isResponseValidationError } from '../../src/index.ts';
import type { NodeClient } from '../../src/node/index.ts';
import { createNodeClient } from '../../src/node/index.ts';

let body = '[]';
let server: Server;
let client: NodeClient;

beforeAll(async () => {
  // scripted server: answers every request with `body` as Consul would (X-Consul-Index set)
  server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Consul-Index': '7' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = createNodeClient({ address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, retry: 0 });
});

afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const entry = { Key: 'a/1234567890123456789', CreateIndex: 5, ModifyIndex: 6, LockIndex: 0, Flags: 0, Value: 'dg==' };

describe('kv.records checks the entries it decodes', () => {
  it('passes unknown fields, null values, sessions and uint64 flags beyond 2^53', async () => {
    body = JSON.stringify([
      { ...entry, FutureField: { nested: true } },
      { ...entry, Key: 'a/2', Value: null, Session: 'abc' },
    ]).replace('"Flags":0', '"Flags":18446744073709551615');
    const { data } = await kv.records(client, 'a/');
    expect(data.map((p) => [p.Key, p.Flags, p.Value.length, p.Session])).toEqual([
      ['a/1234567890123456789', 18446744073709551615n, 1, undefined],
      ['a/2', 0n, 0, 'abc'],
    ]);
    expect(data[0]).not.toHaveProperty('FutureField');
  });

  it.each([
    ['a negative index', { ...entry, ModifyIndex: -1 }, '1.ModifyIndex'],
    ['a fractional flag', { ...entry, Flags: 1.5 }, '1.Flags'],
    ['a value that is not a string', { ...entry, Value: 42 }, '1.Value'],
    ['a missing key', { ...entry, Key: undefined }, '1.Key'],
    ['a session that is not a string', { ...entry, Session: 7 }, '1.Session'],
  ])('refuses %s with valibot’s message naming the field', async (_, bad, path) => {
    body = JSON.stringify([entry, bad]);
    const error = await kv.records(client, 'a/').then(() => undefined, (e: unknown) => e);
    expect(isResponseValidationError(error)).toBe(true);
    expect((error as Error).message).toContain(`unexpected response shape: ${path}:`);
  });

  it('refuses an answer that is not a list', async () => {
    body = JSON.stringify({ Key: 'a' });
    expect(isResponseValidationError(await kv.records(client, 'a/').then(() => undefined, (e: unknown) => e))).toBe(true);
  });
});
