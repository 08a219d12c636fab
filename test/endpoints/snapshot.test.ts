// Snapshots against a real Consul agent of its own (a restore replaces the whole state).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as kv from '../../src/endpoints/kv.ts';
import * as snapshot from '../../src/endpoints/snapshot.ts';
import { Consul, createClient, isInputError, isResponseValidationError, isServerError, verifySnapshot } from '../../src/index.ts';
import type { Client } from '../../src/index.ts';
import type { Agent } from '../support/agent.mjs';
import { startAgent } from '../support/agent.mjs';

let agent: Agent;
let client: Client;
let dir: string;

beforeAll(async () => {
  agent = await startAgent({ name: 'snapshot-test' });
  client = createClient({ address: agent.address });
  dir = mkdtempSync(join(tmpdir(), 'consulate-snap-'));
});
afterAll(async () => {
  await agent?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Replaces one byte inside the tar's state.bin content (keeping the gzip and tar valid). */
function tamper(archive: Uint8Array): Uint8Array {
  const tar = gunzipSync(archive);
  let at = 0;
  while (at < tar.length) {
    const name = tar.subarray(at, at + 100).toString('latin1').replace(/\0.*$/s, '');
    const size = Number.parseInt(tar.subarray(at + 124, at + 136).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
    if (name === 'state.bin') {
      tar[at + 512 + 10]! ^= 0xff;
      return gzipSync(tar);
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error('no state.bin');
}

describe('snapshot', () => {
  it('saves, and restores the old state after a change', async () => {
    await kv.set(client, 'snap/key', 'old');
    const { data: bytes, meta } = await snapshot.saveBytes(client, { verify: true });
    expect(meta.index! > 0n).toBe(true);
    expect(bytes[0]).toBe(0x1f); // gzip
    const info = await verifySnapshot(bytes);
    expect(info.files.map((f) => f.name)).toEqual(['meta.json', 'state.bin', 'SHA256SUMS']);
    expect(BigInt(info.meta.Index)).toBe(meta.index);
    expect(info.meta.Version).toBe(1);
    expect(info.files[1]!.size).toBe(info.meta.Size);

    await kv.set(client, 'snap/key', 'new');
    await kv.set(client, 'snap/added', 'after the snapshot');
    await snapshot.restore(client, bytes);
    expect((await kv.get(client, 'snap/key')).data).toBe('old');
    expect((await kv.get(client, 'snap/added')).data).toBeUndefined();
  });

  it('streams a snapshot out and restores one from a stream', async () => {
    await kv.set(client, 'snap/stream', 'one');
    const { data: stream, meta } = await snapshot.save(client, { consistency: 'stale' });
    expect(stream).toBeInstanceOf(ReadableStream);
    const bytes = await collect(stream);
    expect(BigInt((await verifySnapshot(bytes)).meta.Index)).toBe(meta.index);

    await kv.set(client, 'snap/stream', 'two');
    await snapshot.restore(client, new Blob([bytes as Uint8Array<ArrayBuffer>]).stream());
    expect((await kv.get(client, 'snap/stream')).data).toBe('one');
  });

  it('verifies archives like the consul CLI, in both directions', async () => {
    const env = { ...process.env, CONSUL_HTTP_ADDR: agent.address };
    // our save, inspected by `consul snapshot inspect`
    const ours = join(dir, 'ours.snap');
    const { data, meta } = await snapshot.saveBytes(client);
    writeFileSync(ours, data);
    const inspected = execFileSync(inject('consulBin'), ['snapshot', 'inspect', ours], { env, encoding: 'utf8' });
    expect(inspected).toMatch(new RegExp(`Index\\s+${meta.index}`));
    // the CLI's save, verified by us
    const theirs = join(dir, 'theirs.snap');
    execFileSync(inject('consulBin'), ['snapshot', 'save', theirs], { env, encoding: 'utf8' });
    const info = await verifySnapshot(readFileSync(theirs));
    expect(info.meta.ID).toMatch(/^\d+-\d+-\d+$/);
  });

  it('rejects damaged archives: checksum mismatch, garbage, not gzip', async () => {
    const { data } = await snapshot.saveBytes(client);
    const bad = tamper(data);
    await expect(verifySnapshot(bad)).rejects.toThrow(/SHA-256 of state\.bin is [0-9a-f]{64}, SHA256SUMS says [0-9a-f]{64}/);
    await expect(verifySnapshot(new TextEncoder().encode('garbage'))).rejects.toSatisfy(isInputError);
    await expect(verifySnapshot(gzipSync(Buffer.from('x'.repeat(2000))))).rejects.toThrow(/not a valid snapshot/);
    // Consul refuses garbage too (500)
    await expect(snapshot.restore(client, new TextEncoder().encode('garbage'))).rejects.toSatisfy(isServerError);
    await expect(snapshot.restore(client, 'nope' as unknown as Uint8Array)).rejects.toSatisfy(isInputError);
  });

  it('fails saveBytes({ verify }) with a ResponseValidationError when the download is damaged', async () => {
    const { data } = await snapshot.saveBytes(client);
    const bad = tamper(data);
    const fake = createClient({ address: agent.address, fetch: async () => new Response(bad as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'X-Consul-Index': '5' } }) });
    await expect(snapshot.saveBytes(fake, { verify: true })).rejects.toSatisfy(isResponseValidationError);
    expect((await snapshot.saveBytes(fake)).data).toEqual(new Uint8Array(bad));
  });

  it('is bound on the facade', async () => {
    const consul = new Consul(client);
    const { data } = await consul.snapshot.saveBytes();
    expect((await consul.snapshot.verify(data)).files).toHaveLength(3);
    await consul.snapshot.restore(data);
    expect(await collect((await consul.snapshot.save()).data)).toBeInstanceOf(Uint8Array);
  });
});
