import { describe, expectTypeOf, it } from 'vitest';
import * as v from 'valibot';
import * as kv from '../../src/endpoints/kv.ts';
import type { Client, KVPair, QueryMeta, ReadOptions, Result } from '../../src/index.ts';
import { Consul } from '../../src/index.ts';

declare const client: Client;

describe('kv types', () => {
  it('returns data plus meta', () => {
    expectTypeOf(kv.get(client, 'k')).resolves.toEqualTypeOf<Result<string | undefined>>();
    expectTypeOf(kv.getBytes(client, 'k')).resolves.toEqualTypeOf<Result<Uint8Array | undefined>>();
    expectTypeOf(kv.getRecord(client, 'k')).resolves.toEqualTypeOf<Result<KVPair | undefined>>();
    expectTypeOf<KVPair['Flags']>().toEqualTypeOf<bigint>();
    expectTypeOf<QueryMeta['index']>().toEqualTypeOf<bigint | undefined>();
  });

  it('infers getJSON from a schema', () => {
    const schema = v.object({ port: v.number() });
    expectTypeOf(kv.getJSON(client, 'k', { schema })).resolves.toEqualTypeOf<Result<{ port: number } | undefined>>();
  });

  it('rejects wrong option types', () => {
    // @ts-expect-error flags must be number or bigint
    void kv.set(client, 'k', 'v', { flags: '1' });
    // @ts-expect-error consistency is a closed set
    void kv.get(client, 'k', { consistency: 'strong' });
  });

  it('binds the same signatures on the facade without the client', () => {
    const consul = new Consul();
    expectTypeOf(consul.kv.get).parameters.toEqualTypeOf<[key: string, options?: ReadOptions]>();
    expectTypeOf(consul.kv.keys).parameters.toEqualTypeOf<[prefix?: string, options?: kv.KeysOptions]>();
    expectTypeOf(consul.kv.set('k', 'v')).resolves.toEqualTypeOf<Result<boolean>>();
  });
});

describe('facade generics', () => {
  it('keeps getJSON schema inference on consul.kv', () => {
    const consul = new Consul();
    const schema = v.object({ port: v.number() });
    expectTypeOf(consul.kv.getJSON('k', { schema })).resolves.toEqualTypeOf<Result<{ port: number } | undefined>>();
  });
});
