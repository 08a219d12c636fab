// The KV suite against a real Consul agent, run over each transport without copying it:
// test/endpoints/kv.test.ts (createClient: ky over the global fetch) and test/node/kv.test.ts
// (createNodeClient: the undici transport).
import { execFileSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import * as v from 'valibot';
import * as kv from '../../src/endpoints/kv.ts';
import type { Client } from '../../src/index.ts';
import { Consul, isInputError, isResponseValidationError } from '../../src/index.ts';
import { raw, uniquePrefix } from '../support/client.ts';

const GO_LOCK_FLAG = 0x2ddccbc058a50c18n; // 3304740253564472344, above 2^53
const MAX_U64 = 18446744073709551615n;

/** What the suite runs over. */
export interface KvSuiteTarget {
  /** The client under test. */
  client: Client;
  /** A `new Consul(…)` facade on the same transport. */
  consul: () => Consul;
}

/** Defines the KV tests (under a describe block named after the transport) for one client. */
export function kvSuite(transport: string, { client, consul: facade }: KvSuiteTarget): void {
  describe(transport, () => {
    describe('kv get/set', () => {
      it('round-trips text, unicode and empty values and reports missing keys as undefined', async () => {
        const p = uniquePrefix('text');
        expect((await kv.set(client, `${p}a`, 'hello')).data).toBe(true);
        expect((await kv.get(client, `${p}a`)).data).toBe('hello');
        await kv.set(client, `${p}u`, 'zürich ✓ 日本 🚀');
        expect((await kv.get(client, `${p}u`)).data).toBe('zürich ✓ 日本 🚀');
        await kv.set(client, `${p}empty`, '');
        expect((await kv.get(client, `${p}empty`)).data).toBe('');
        const missing = await kv.get(client, `${p}nope`);
        expect(missing.data).toBeUndefined();
        expect(missing.meta.status).toBe(404);
        expect(typeof missing.meta.index).toBe('bigint');
      });

      it('returns query metadata (index, knownLeader, lastContact)', async () => {
        const p = uniquePrefix('meta');
        await kv.set(client, `${p}k`, 'v');
        const { meta } = await kv.get(client, `${p}k`);
        expect(meta.index! > 0n).toBe(true);
        expect(meta.knownLeader).toBe(true);
        expect(meta.lastContact).toBe(0);
      });

      it('round-trips binary bytes exactly (all 256 byte values, invalid UTF-8)', async () => {
        const p = uniquePrefix('bin');
        const bytes = new Uint8Array(256).map((_, i) => i);
        await kv.set(client, `${p}bin`, bytes);
        expect((await kv.getBytes(client, `${p}bin`)).data).toEqual(bytes);
        const record = (await kv.getRecord(client, `${p}bin`)).data!;
        expect(record.Value).toEqual(bytes);
        // get() refuses to turn binary into text instead of corrupting it
        await expect(kv.get(client, `${p}bin`)).rejects.toSatisfy(isResponseValidationError);
      });

      it('escapes keys with ? # % + space and unicode exactly', async () => {
        const p = uniquePrefix('odd');
        const keys = ['a?b', 'c#d', 'e%f', 'g+h', 'i j', 'k%2Fl', 'ü/ñ/日本', "m'n(o)*!~"];
        for (const key of keys) await kv.set(client, p + key, key);
        for (const key of keys) expect((await kv.get(client, p + key)).data).toBe(key);
        const listed = (await kv.keys(client, p)).data;
        expect(listed.sort()).toEqual(keys.map((k) => p + k).sort());
        // and Consul stored them under exactly those names (checked with a raw txn)
        const res = await raw('/v1/txn', { method: 'PUT', body: JSON.stringify([{ KV: { Verb: 'get', Key: `${p}g+h` } }]) });
        expect(res.status).toBe(200);
      });

      it('drops one leading slash like the consul CLI', async () => {
        const p = uniquePrefix('slash');
        await kv.set(client, `/${p}x`, 'v');
        expect((await kv.get(client, `${p}x`)).data).toBe('v');
      });

      it('stores keys with // and . / .. segments exactly through /v1/txn (never moved)', async () => {
        const p = uniquePrefix('dots');
        const keys = [`${p}a//b`, `${p}./c`, `${p}d/../e`, `${p}f/.`, `${p}trailing//`];
        for (const key of keys) expect((await kv.set(client, key, `v:${key}`, { flags: 7 })).data).toBe(true);
        for (const key of keys) {
          expect((await kv.get(client, key)).data).toBe(`v:${key}`);
          expect((await kv.getRecord(client, key)).data?.Flags).toBe(7n);
        }
        // nothing landed at a cleaned path
        expect((await kv.get(client, `${p}a/b`)).data).toBeUndefined();
        expect((await kv.get(client, `${p}e`)).data).toBeUndefined();
        const all = (await kv.keys(client, p)).data.sort();
        expect(all).toEqual([...keys].sort());
        expect((await kv.has(client, `${p}a//b`)).data).toBe(true);
        expect((await kv.get(client, `${p}missing//x`)).data).toBeUndefined();
        expect((await kv.records(client, `${p}a//`)).data.map((r) => r.Key)).toEqual([`${p}a//b`]);
        // a transaction cannot block: a blocking read of such a key is refused instead of answering at once
    await expect(kv.getRecord(client, `${p}a//b`, { index: 1, wait: '1s' })).rejects.toSatisfy(isInputError);
    await expect(kv.records(client, `${p}a//`, { index: 1 })).rejects.toThrow(/cannot block/);
    // base64 in a 512 KiB transaction body: a value that fits a plain key is refused here before sending
    await expect(kv.set(client, `${p}big//x`, new Uint8Array(450 * 1024))).rejects.toThrow(/\/v1\/txn.*512 KiB/);
    expect((await kv.delete(client, `${p}a//b`)).data).toBe(true);
        expect((await kv.has(client, `${p}a//b`)).data).toBe(false);
      });

      it('keeps uint64 flags exact above 2^53 on write and read', async () => {
        const p = uniquePrefix('flags');
        await kv.set(client, `${p}go-lock`, 'x', { flags: GO_LOCK_FLAG });
        expect((await kv.getRecord(client, `${p}go-lock`)).data?.Flags).toBe(GO_LOCK_FLAG);
        await kv.set(client, `${p}max`, 'x', { flags: MAX_U64 });
        expect((await kv.getRecord(client, `${p}max`)).data?.Flags).toBe(MAX_U64);
        // raw body shows the exact digits
        expect(await (await raw(`/v1/kv/${p}max`)).text()).toContain('18446744073709551615');
        const all = (await kv.records(client, p)).data;
        expect(all.map((r) => r.Flags)).toEqual([GO_LOCK_FLAG, MAX_U64]);
        await kv.set(client, `${p}small`, 'x', { flags: 42 });
        expect((await kv.getRecord(client, `${p}small`)).data?.Flags).toBe(42n);
      });

      it('refuses bad flags, cas and oversized values before sending', async () => {
        const p = uniquePrefix('bad');
        await expect(kv.set(client, `${p}a`, 'x', { flags: -1 })).rejects.toSatisfy(isInputError);
        await expect(kv.set(client, `${p}a`, 'x', { flags: 2 ** 60 })).rejects.toThrow(/bigint/);
        await expect(kv.set(client, `${p}a`, 'x', { flags: MAX_U64 + 1n })).rejects.toSatisfy(isInputError);
        await expect(kv.set(client, `${p}a`, 'x', { cas: 1.5 })).rejects.toSatisfy(isInputError);
        await expect(kv.set(client, `${p}big`, new Uint8Array(512 * 1024 + 1))).rejects.toThrow(/512 KiB/);
        expect((await kv.has(client, `${p}big`)).data).toBe(false);
        expect((await kv.set(client, `${p}edge`, new Uint8Array(512 * 1024))).data).toBe(true);
      });

      it('writes JSON for non-string values and reads it back with getJSON and a schema', async () => {
        const p = uniquePrefix('json');
        await kv.set(client, `${p}cfg`, { port: 8080, tags: ['a'] });
        expect((await kv.get(client, `${p}cfg`)).data).toBe('{"port":8080,"tags":["a"]}');
        const schema = v.object({ port: v.number(), tags: v.array(v.string()) });
        const { data } = await kv.getJSON(client, `${p}cfg`, { schema });
        expect(data).toEqual({ port: 8080, tags: ['a'] });
        await expect(kv.getJSON(client, `${p}cfg`, { schema: v.object({ port: v.string() }) })).rejects.toSatisfy(
          isResponseValidationError,
        );
        await kv.set(client, `${p}text`, 'not json');
        await expect(kv.getJSON(client, `${p}text`)).rejects.toThrow(/not JSON/);
        expect((await kv.getJSON(client, `${p}missing`)).data).toBeUndefined();
      });
    });

    describe('kv cas, records and listing', () => {
      it('check-and-set succeeds only with the current ModifyIndex', async () => {
        const p = uniquePrefix('cas');
        await kv.set(client, `${p}k`, 'one');
        const rec = (await kv.getRecord(client, `${p}k`)).data!;
        expect((await kv.set(client, `${p}k`, 'two', { cas: rec.ModifyIndex })).data).toBe(true);
        expect((await kv.set(client, `${p}k`, 'three', { cas: rec.ModifyIndex })).data).toBe(false);
        expect((await kv.get(client, `${p}k`)).data).toBe('two');
        expect((await kv.set(client, `${p}new`, 'x', { cas: 0 })).data).toBe(true);
        expect((await kv.set(client, `${p}new`, 'y', { cas: 0 })).data).toBe(false);
      });

      it('setRecord with replace:false never overwrites', async () => {
        const p = uniquePrefix('setrecord');
        expect((await kv.setRecord(client, `${p}k`, { value: 'a', flags: 5 })).data).toBe(true);
        expect((await kv.setRecord(client, `${p}k`, { value: 'b', replace: false })).data).toBe(false);
        const rec = (await kv.getRecord(client, `${p}k`)).data!;
        expect(new TextDecoder().decode(rec.Value)).toBe('a');
        expect(rec.Flags).toBe(5n);
      });

      it('lists records, keys (with separator), find, values, items, entries, size', async () => {
        const p = uniquePrefix('list');
        await kv.set(client, `${p}a`, '1');
        await kv.set(client, `${p}b/c`, '2');
        await kv.set(client, `${p}b/d/e`, '3');
        await kv.set(client, `${p}folder/`, '');
        const recs = (await kv.records(client, p)).data;
        expect(recs.map((r) => r.Key)).toEqual([`${p}a`, `${p}b/c`, `${p}b/d/e`, `${p}folder/`]);
        expect((await kv.list(client, p)).data).toHaveLength(4);
        expect((await kv.keys(client, p, { separator: '/' })).data).toEqual([`${p}a`, `${p}b/`, `${p}folder/`]);
        expect((await kv.find(client, `${p}b/`)).data).toEqual({ [`${p}b/c`]: '2', [`${p}b/d/e`]: '3' });
        expect((await kv.find(client, `${p}b/`, { separator: '/' })).data).toEqual({ [`${p}b/c`]: '2' });
        expect((await kv.values(client, p)).data).toEqual(['1', '2', '3', '']);
        expect((await kv.items(client, `${p}b`)).data).toEqual([[`${p}b/c`, '2'], [`${p}b/d/e`, '3']]);
        const seen: string[] = [];
        for await (const [key] of kv.entries(client, p)) seen.push(key);
        expect(seen).toHaveLength(4);
        expect((await kv.size(client, p)).data).toBe(4);
        expect((await kv.records(client, `${p}zzz`)).data).toEqual([]);
        expect((await kv.keys(client, `${p}zzz`)).data).toEqual([]);
      });

      it('deletes one key, with cas, and whole trees', async () => {
        const p = uniquePrefix('del');
        await kv.set(client, `${p}a`, '1');
        await kv.set(client, `${p}t/1`, '1');
        await kv.set(client, `${p}t/2`, '2');
        await kv.set(client, `${p}tother`, 'keep');
        const rec = (await kv.getRecord(client, `${p}a`)).data!;
        expect((await kv.delete(client, `${p}a`, { cas: rec.ModifyIndex + 100 })).data).toBe(false);
        expect((await kv.delete(client, `${p}a`, { cas: rec.ModifyIndex })).data).toBe(true);
        expect((await kv.has(client, `${p}a`)).data).toBe(false);
        await kv.deleteTree(client, `${p}t/`);
        expect((await kv.keys(client, p)).data).toEqual([`${p}tother`]);
      });
    });

    describe('kv locks', () => {
      async function session(): Promise<string> {
        const res = await raw('/v1/session/create', { method: 'PUT', body: JSON.stringify({ TTL: '30s', LockDelay: '0s' }) });
        return ((await res.json()) as { ID: string }).ID;
      }

      it('acquires and releases a lock with value and flags', async () => {
        const p = uniquePrefix('lock');
        const s1 = await session();
        const s2 = await session();
        expect((await kv.acquireLock(client, `${p}l`, s1, { value: 'holder-1', flags: GO_LOCK_FLAG })).data).toBe(true);
        expect((await kv.acquireLock(client, `${p}l`, s2, { value: 'holder-2' })).data).toBe(false);
        const rec = (await kv.getRecord(client, `${p}l`)).data!;
        expect(rec.Session).toBe(s1);
        expect(rec.Flags).toBe(GO_LOCK_FLAG);
        expect(new TextDecoder().decode(rec.Value)).toBe('holder-1');
        expect((await kv.releaseLock(client, `${p}l`, s2)).data).toBe(false);
        expect((await kv.releaseLock(client, `${p}l`, s1, { value: 'released', flags: GO_LOCK_FLAG })).data).toBe(true);
        expect((await kv.getRecord(client, `${p}l`)).data?.Session).toBeUndefined();
        // locks on txn-only keys too
        expect((await kv.acquireLock(client, `${p}x//y`, s1)).data).toBe(true);
        expect((await kv.acquireLock(client, `${p}x//y`, s2)).data).toBe(false);
        expect((await kv.getRecord(client, `${p}x//y`)).data?.Session).toBe(s1);
      });
    });

    describe('facade and interop', () => {
      it('binds every KV function on new Consul()', async () => {
        const consul = facade();
        const p = uniquePrefix('facade');
        await consul.kv.set(`${p}k`, 'v');
        expect((await consul.kv.get(`${p}k`)).data).toBe('v');
        expect((await consul.kv.has(`${p}k`)).data).toBe(true);
        expect((await consul.kv.delete(`${p}k`)).data).toBe(true);
        expect(Object.keys(consul.kv).sort()).toEqual(
          ['acquireLock', 'delete', 'deleteTree', 'entries', 'find', 'get', 'getBytes', 'getJSON', 'getRecord', 'has',
            'items', 'keys', 'records', 'releaseLock', 'set', 'setRecord', 'size', 'values'].sort(),
        );
      });

      it('reads what `consul kv put` wrote, and the consul CLI reads what we wrote', async () => {
        const p = uniquePrefix('cli');
        const env = { ...process.env, CONSUL_HTTP_ADDR: inject('consulAddress') };
        execFileSync(inject('consulBin'), ['kv', 'put', '-flags=42', `${p}from-cli`, 'hello from cli'], { env });
        const rec = (await kv.getRecord(client, `${p}from-cli`)).data!;
        expect(new TextDecoder().decode(rec.Value)).toBe('hello from cli');
        expect(rec.Flags).toBe(42n);
        await kv.set(client, `${p}from-us`, 'ünïcode');
        expect(execFileSync(inject('consulBin'), ['kv', 'get', `${p}from-us`], { env, encoding: 'utf8' })).toBe('ünïcode\n');
      });
    });
  });
}
