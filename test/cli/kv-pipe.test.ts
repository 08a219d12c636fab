// A closed pipe is success for the writer: `consulate kv ls | head -1` exits 0, through a real pipe.
import { spawn } from 'node:child_process';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { TxnWireOp } from '../../src/schemas/txn.ts';
import { sendTxn } from '../../src/schemas/txn.ts';
import { testClient, uniquePrefix } from '../support/client.ts';
import { cleanup, cliEnvironment, prepare, shellCommand } from './run.ts';

const client = testClient();
beforeAll(prepare);
afterAll(cleanup);

/** Runs `consulate ARGS | READER` in bash; resolves with consulate's own exit status and what the reader printed. */
function piped(args: readonly string[], reader: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `${shellCommand(args)} | ${reader}; exit "\${PIPESTATUS[0]}"`], { env: cliEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += String(d); });
    child.stderr.on('data', (d: Buffer) => { stderr += String(d); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

describe('a closed pipe', () => {
  it('kv ls | head -1, kv get -r | head -1 and kv backup | head -c 10 exit 0 with nothing on stderr', async () => {
    const p = uniquePrefix('cli-pipe');
    // far more than a pipe buffer (64 KiB) of output, so the writer meets the closed pipe
    const keyList = Array.from({ length: 3000 }, (_, i) => `${p}${String(i).padStart(5, '0')}-${'k'.repeat(60)}`);
    for (let i = 0; i < keyList.length; i += 64) {
      const ops: TxnWireOp[] = keyList.slice(i, i + 64).map((Key) => ({ KV: { Verb: 'set', Key, Value: Buffer.from('v'.repeat(40)).toString('base64') } }));
      await sendTxn(client, ops);
    }
    const [ls, get, backup] = await Promise.all([
      piped(['kv', 'ls', p], 'head -1'),
      piped(['kv', 'get', '-r', p], 'head -1'),
      piped(['kv', 'backup', p], 'head -c 10'),
    ]);
    expect(ls).toEqual({ status: 0, stdout: `${keyList[0]}\n`, stderr: '' });
    expect(get).toEqual({ status: 0, stdout: `${keyList[0]}\t${'v'.repeat(40)}\n`, stderr: '' });
    expect(backup.status).toBe(0);
    expect(backup.stderr).toBe('');
  }, 60_000);
});
