// consulate kv restore against a scripted server: how a failed batch is classified and printed.
// A 500 in which Consul says the write never reached the raft leader ("No cluster leader", an RPC hop
// that could not connect: "rpc error getting client") was not applied; a 500 after the call was made
// ("rpc error making call: EOF") may or may not have been. Both are seen on a real cluster when the
// leader is killed (test/cluster/restore.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RestoreReport } from '../../src/cli/kv-restore.ts';
import type { Misbehaviour } from '../support/misbehaving-server.mjs';
import { startMisbehavingServer } from '../support/misbehaving-server.mjs';
import { cli, cliTestDirectory } from './run.ts';

const dir = cliTestDirectory('restore-faults');

const keysOf = (n: number): string[] => Array.from({ length: n }, (_, i) => `f/${String(i).padStart(3, '0')}`);
const backup = JSON.stringify(keysOf(128).map((key) => ({ key, flags: 0, value: '' })));
const ok: Misbehaviour = { mode: 'respond', body: '{"Results":[],"Errors":null}' };
const serverError = (text: string): Misbehaviour => ({ mode: 'respond', status: 500, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: text });

/** Restores 128 keys (two batches, one at a time) against a server that answers batch 1 with `first`, batch 2 with `second`. */
async function restoreAgainst(first: Misbehaviour, second: Misbehaviour): Promise<{ code: number | null; stderr: string; report: RestoreReport }> {
  const server = await startMisbehavingServer((request) => {
    if (request.method !== 'PUT' || !request.path.startsWith('/v1/txn')) return serverError('unexpected request');
    return request.body.includes('"f/000"') ? first : second;
  });
  try {
    const reportFile = join(dir, `report-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.json`);
    const result = await cli(['kv', 'restore', '-c', '1', '--report', reportFile], { address: server.address, input: backup });
    return { code: result.code, stderr: result.stderr, report: JSON.parse(readFileSync(reportFile, 'utf8')) as RestoreReport };
  } finally {
    await server.close();
  }
}

describe('kv restore: a batch answered with a 500', () => {
  it('"rpc error getting client" (no connection to the next server): not applied', async () => {
    const { code, stderr, report } = await restoreAgainst(
      ok,
      serverError('rpc error making call: rpc error getting client: failed to get conn: dial tcp 127.0.0.24:0->127.0.0.21:8300: connect: connection refused'),
    );
    expect(code).toBe(1);
    expect(report.applied).toEqual(keysOf(64));
    expect(report.failed.map((f) => [f.batch, f.uncertain])).toEqual([[2, false]]);
    expect(stderr).toMatch(/^consulate: batch 2 was not applied \(64 keys, "f\/064" … "f\/127"\): PUT \/v1\/txn failed with 500: rpc error making call: rpc error getting client: /m);
  });

  it('"No cluster leader": not applied', async () => {
    const { report } = await restoreAgainst(serverError('No cluster leader'), ok);
    expect(report.failed.map((f) => [f.batch, f.uncertain])).toEqual([[1, false]]);
    expect(report.notAttempted).toEqual(keysOf(128).slice(64));
  });

  it('"rpc error making call: EOF" (the call was made): may or may not have been applied', async () => {
    const { stderr, report } = await restoreAgainst(serverError('rpc error making call: EOF'), ok);
    expect(report.failed.map((f) => [f.batch, f.uncertain])).toEqual([[1, true]]);
    expect(stderr).toMatch(/^consulate: batch 1 failed in transit or on the server \(it may or may not have been applied\) \(64 keys, "f\/000" … "f\/063"\): PUT \/v1\/txn failed with 500: rpc error making call: EOF$/m);
  });
});
