// The progress bar is never drawn into data: only on a terminal stderr that the data does not also go to.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { showProgress } from '../../src/cli/io.ts';
import type { TxnWireOp } from '../../src/schemas/txn.ts';
import { sendTxn } from '../../src/schemas/txn.ts';
import { testClient, uniquePrefix } from '../support/client.ts';
import { cliTestDirectory, onTerminal } from './run.ts';

const client = testClient();
const dir = cliTestDirectory('progress');

describe('showProgress', () => {
  const base = { enabled: true, stderrIsTerminal: true, dataOnStdout: false, stdoutIsStderr: false };
  it('draws only on a terminal stderr, when enabled, and never where the data goes', () => {
    expect(showProgress(base)).toBe(true); // backup -f FILE on a terminal
    expect(showProgress({ ...base, dataOnStdout: true })).toBe(true); // backup | gzip > f, stderr on the terminal
    expect(showProgress({ ...base, stdoutIsStderr: true })).toBe(true); // data to a file; stdout unused
    expect(showProgress({ ...base, dataOnStdout: true, stdoutIsStderr: true })).toBe(false); // backup printed on the same terminal
    expect(showProgress({ ...base, stderrIsTerminal: false })).toBe(false); // cron, CI, 2> log
    expect(showProgress({ ...base, enabled: false })).toBe(false); // --no-progress
  });
});

describe('the progress bar on a terminal', () => {
  it('a backup printed on the terminal is plain JSON (no bar); a backup to a file shows the bar', async () => {
    const p = uniquePrefix('cli-progress-stdout');
    const ops: TxnWireOp[] = Array.from({ length: 50 }, (_, i) => ({ KV: { Verb: 'set', Key: `${p}${i}`, Value: Buffer.from(String(i)).toString('base64') } }));
    await sendTxn(client, ops);
    const file = join(dir, 'b.json');
    const [toTerminal, toFile] = await Promise.all([onTerminal(['kv', 'backup', p]), onTerminal(['kv', 'backup', p, '-f', file])]);
    expect(toTerminal.code).toBe(0);
    expect(toTerminal.shown).not.toContain('\u001b');
    expect(JSON.parse(toTerminal.shown)).toHaveLength(50);
    expect(toFile.code).toBe(0);
    expect(toFile.shown).toMatch(/backup \[=+\] 100% \| 50\/50/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveLength(50);
  });
});
