// kv backup lists the keys by streaming the `?keys` answer (streamKeys) and reads the records with its own
// read-only transactions (readRecords): the same keys, in the same order, as the whole list — the key named
// like the folder, the folder key, `//` and `.` segments, a name that only shares the prefix's start — also
// when the answer is larger than the transport buffers at once (1 MiB), and the records byte for byte.
import { describe, expect, it } from 'vitest';
import { listKeys, readRecords, scopeOf, streamKeys } from '../../src/cli/kv-scope.ts';
import { raw, testClient, uniquePrefix } from '../support/client.ts';

const client = testClient();

/** Writes keys through /v1/txn (exact, `//` included), 64 per transaction. */
async function put(entries: [key: string, value: string, flags?: string][]): Promise<void> {
  for (let i = 0; i < entries.length; i += 64) {
    const ops = entries.slice(i, i + 64).map(([key, value, flags = '0']) => `{"KV":{"Verb":"set","Key":${JSON.stringify(key)},"Value":"${Buffer.from(value).toString('base64')}","Flags":${flags}}}`);
    const res = await raw('/v1/txn', { method: 'PUT', body: `[${ops.join(',')}]` });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }
}

async function collect<T>(items: AsyncIterable<T[]>): Promise<{ all: T[]; groups: number }> {
  const all: T[] = [];
  let groups = 0;
  for await (const group of items) {
    all.push(...group);
    groups++;
  }
  return { all, groups };
}

describe('streamKeys and readRecords over streamed keys', () => {
  it('list what listKeys lists, in order, and the records read are the same', async () => {
    const base = uniquePrefix('stream-keys').replace(/\/$/, '');
    await put([
      [base, 'the key named like the folder'],
      [`${base}/`, 'the folder key'],
      [`${base}//double`, 'empty segment'],
      [`${base}/./dot`, 'dot segment'],
      [`${base}/é/ünïcode 😀`, 'unicode'],
      [`${base}-sibling/x`, 'not under the prefix'],
      [`${base}/big`, 'flags', '18446744073709551615'],
    ]);
    const scope = scopeOf(base);
    const whole = await listKeys(client, scope);
    expect(whole).toContain(base);
    expect(whole).not.toContain(`${base}-sibling/x`);
    const streamed = await collect(streamKeys(client, scope));
    expect(streamed.all).toEqual(whole);
    const fromList = await collect(readRecords(client, whole));
    const fromStream = await collect(readRecords(client, streamKeys(client, scope)));
    expect(fromStream.all).toEqual(fromList.all);
    expect(fromStream.all.find((pair) => pair.Key === `${base}/big`)!.Flags).toBe(18446744073709551615n);
    // a prefix with no keys: none, no error
    expect((await collect(streamKeys(client, scopeOf(`${base}-none`)))).all).toEqual([]);
  });

  it('an answer larger than 1 MiB is read in many groups, the same keys', async () => {
    const base = uniquePrefix('stream-keys-large');
    const entries: [string, string][] = [];
    for (let i = 0; i < 24_000; i++) entries.push([`${base}${'n'.repeat(20)}/item-${String(i).padStart(6, '0')}`, '']);
    await put(entries);
    const scope = scopeOf(base);
    const whole = await listKeys(client, scope);
    expect(whole.length).toBe(24_000);
    expect(JSON.stringify(whole).length).toBeGreaterThan(1024 * 1024);
    const streamed = await collect(streamKeys(client, scope));
    expect(streamed.all).toEqual(whole);
    expect(streamed.groups).toBeGreaterThan(100); // parsed a few KiB at a time, not as one list
  }, 60_000);
});
