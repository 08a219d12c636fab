// kv restore writes each transaction body as bytes while it batches (no joined strings): the bytes are
// exactly the JSON of the operations, batches keep Consul's limits, and the body of a retried
// --no-replace batch is the same operations' bytes. Pure: no agent needed.
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../src/cli/kv-format.ts';
import type { Batch } from '../../src/cli/kv-restore.ts';
import { op, TxnBody } from '../../src/cli/kv-restore.ts';
import { TXN_MAX_BYTES } from '../../src/schemas/txn.ts';

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const entries: Entry[] = [
  { key: 'plain', flags: 0n, value: b64('x') },
  { key: 'quote " backslash \\ control \u0001 line \u2028', flags: 63n, value: '' },
  { key: 'emoji 😀 é 中文', flags: 64n, value: b64('😀') },
  { key: 'lone surrogate \ud800 end', flags: 18446744073709551615n, value: b64('max') },
  { key: 'a//b/./../c', flags: 9007199254740993n, value: b64('x'.repeat(1000)) },
];

/** Adds entries until the body refuses one; returns the batch and how many it took. */
function fill(list: readonly Entry[], verb: Batch['verb']): { batch: Batch; taken: number } {
  const body = new TxnBody();
  let taken = 0;
  while (taken < list.length && body.add(list[taken]!, verb)) taken++;
  return { batch: body.finish(1, verb), taken };
}

describe('TxnBody', () => {
  it('writes exactly the JSON of the operations, for every verb and key', () => {
    for (const verb of ['set', 'cas', 'delete'] as const) {
      const { batch, taken } = fill(entries, verb);
      expect(taken).toBe(entries.length);
      const text = Buffer.from(batch.body).toString('utf8');
      expect(text).toBe(`[${entries.map((e) => op(e, verb)).join(',')}]`);
      expect(batch.keys).toEqual(entries.map((e) => e.key));
      // each operation ends where `ends` says
      const parsed = JSON.parse(text) as { KV: { Key: string } }[];
      batch.ends.forEach((end, i) => {
        const begin = i === 0 ? 1 : batch.ends[i - 1]! + 1;
        expect(JSON.parse(Buffer.from(batch.body.subarray(begin, end)).toString('utf8'))).toEqual(parsed[i]);
      });
    }
  });

  it('keeps the limits: 64 operations, and the body plus one byte within 512 KiB', () => {
    const many = Array.from({ length: 70 }, (_, i): Entry => ({ key: `k${i}`, flags: 0n, value: '' }));
    expect(fill(many, 'set').taken).toBe(64);
    // values of 100,000 base64 characters: five fit (with their keys and JSON), a sixth does not
    const big = Array.from({ length: 7 }, (_, i): Entry => ({ key: `big${i}`, flags: 0n, value: 'A'.repeat(100_000) }));
    const { batch, taken } = fill(big, 'set');
    expect(taken).toBe(5);
    expect(batch.body.length + 1).toBeLessThanOrEqual(TXN_MAX_BYTES);
    // exactly at the limit: the body plus one byte may equal it, not exceed it
    const fixed = Buffer.byteLength(op({ key: 'x', flags: 0n, value: '' }, 'set')) + 2; // "[" op "]"
    const exact = 'A'.repeat(TXN_MAX_BYTES - 1 - fixed);
    expect(fill([{ key: 'x', flags: 0n, value: exact }], 'set').taken).toBe(1);
    expect(fill([{ key: 'x', flags: 0n, value: `${exact}AAAA` }], 'set').taken).toBe(0);
    // a multi-byte key counts in bytes, not characters
    const wide = 'é'.repeat(1000);
    const wideFixed = Buffer.byteLength(op({ key: wide, flags: 0n, value: '' }, 'set')) + 2;
    expect(fill([{ key: wide, flags: 0n, value: 'A'.repeat(TXN_MAX_BYTES - 1 - wideFixed) }], 'set').taken).toBe(1);
    expect(fill([{ key: wide, flags: 0n, value: 'A'.repeat(TXN_MAX_BYTES - wideFixed) }], 'set').taken).toBe(0);
  });

  it('copies operations of a batch byte for byte (the rest of a --no-replace batch, retried)', () => {
    const { batch } = fill(entries, 'cas');
    const rest = new TxnBody(1);
    for (const i of [1, 3, 4]) rest.copy(batch, i);
    const retried = rest.finish(1, 'cas');
    expect(Buffer.from(retried.body).toString('utf8')).toBe(`[${[1, 3, 4].map((i) => op(entries[i]!, 'cas')).join(',')}]`);
    expect(retried.keys).toEqual([1, 3, 4].map((i) => entries[i]!.key));
  });
});
