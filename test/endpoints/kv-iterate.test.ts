// `for await (const key of consul.kv)`: the Python consulate's `for key in consul.kv`, against a real agent.
import { describe, expect, inject, it } from 'vitest';
import * as kv from '../../src/endpoints/kv.ts';
import { Consul } from '../../src/index.ts';
import { testClient, uniquePrefix } from '../support/client.ts';

const client = testClient();

describe('iterating consul.kv', () => {
  it('yields every key of the store in order, as keys() lists them (folders included)', async () => {
    const prefix = uniquePrefix('kv-iterate');
    await kv.set(client, `${prefix}b`, '2');
    await kv.set(client, `${prefix}a/deep`, '1');
    await kv.set(client, `${prefix}folder/`, '');
    const consul = new Consul({ address: inject('consulAddress') });
    const seen: string[] = [];
    for await (const key of consul.kv) seen.push(key);
    expect(seen).toEqual((await kv.keys(client)).data);
    expect(seen.filter((key) => key.startsWith(prefix))).toEqual([`${prefix}a/deep`, `${prefix}b`, `${prefix}folder/`]);
    expect([...seen].sort()).toEqual(seen);
  });

  it('reads with the facade\'s client: its errors surface from the loop', async () => {
    const consul = new Consul({ address: 'http://127.0.0.1:1', retry: { limit: 0 } });
    const loop = async (): Promise<void> => {
      for await (const key of consul.kv) void key;
    };
    await expect(loop()).rejects.toMatchObject({ kind: 'NetworkError' });
  });
});
