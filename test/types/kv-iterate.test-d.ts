import { describe, expectTypeOf, it } from 'vitest';
import type { KVApi } from '../../src/index.ts';
import { Consul } from '../../src/index.ts';

describe('consul.kv is an async iterable of keys', () => {
  it('types `for await (const key of consul.kv)` as string', async () => {
    const consul = new Consul();
    expectTypeOf(consul.kv).toMatchTypeOf<AsyncIterable<string>>();
    expectTypeOf<KVApi>().toMatchTypeOf<AsyncIterable<string>>();
    for await (const key of consul.kv) expectTypeOf(key).toEqualTypeOf<string>();
    // keys only: [key, value] pairs are consul.kv.entries()
    expectTypeOf(consul.kv).not.toMatchTypeOf<AsyncIterable<[string, string]>>();
  });
});
