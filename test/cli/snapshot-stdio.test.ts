// consulate snapshot save - / restore -: stdout and stdin; the saved file is mode 0600; clear errors.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.ts';
import { getBytes, set } from '../../src/endpoints/kv.ts';
import { verify } from '../../src/endpoints/snapshot.ts';
import { startAgent } from '../support/agent.mjs';
import { cli, cliEnvironment, cliTestDirectory, sh, shellCommand } from './run.ts';

const dir = cliTestDirectory('snapshot');

describe('snapshot save - / restore -', () => {
  it('saves to stdout and restores from stdin; a file is created mode 0600; stdout on a terminal and a missing file are refused clearly', async () => {
    // a separate agent: restoring a snapshot rewinds the whole state
    const agent = await startAgent({ name: 'consulate-cli-snap-stdio' });
    try {
      const own = createClient({ address: agent.address });
      await set(own, 'snap/key', 'before');
      const save = await cli(['snapshot', 'save', '-'], { address: agent.address });
      expect(save.code, save.stderr).toBe(0);
      expect(save.stderr).toMatch(/^consulate: saved and verified snapshot at raft index \d+ to stdout\n$/);
      await verify(save.stdoutBytes);
      expect(save.stdoutBytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip
      await set(own, 'snap/key', 'after');
      const restore = await cli(['snapshot', 'restore', '-'], { address: agent.address, input: save.stdoutBytes });
      expect(restore.code, restore.stderr).toBe(0);
      expect(restore.stderr).toMatch(/restored snapshot at raft index \d+ from stdin/);
      expect(Buffer.from((await getBytes(own, 'snap/key')).data!).toString()).toBe('before');

      // mode 0600, even with a leftover temporary file under the name the CLI used to pick (FILE.tmp-PID)
      const file = join(dir, 'x.snap');
      const env = { ...cliEnvironment({ address: agent.address }), F: file };
      const toFile = await sh(`umask 000; : > "$F.tmp-$$"; chmod 666 "$F.tmp-$$"; exec ${shellCommand(['snapshot', 'save', file])}`, env);
      expect(toFile.code, toFile.stderr).toBe(0);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      await verify(readFileSync(file));

      const onTerminal = await sh(`script -qec ${JSON.stringify(shellCommand(['snapshot', 'save', '-']))} /dev/null`, env);
      expect(onTerminal.code).toBe(2);
      expect(onTerminal.stdout).toContain('consulate: error: snapshot save -: stdout is a terminal; redirect it to a file or a pipe');
      const missing = await cli(['snapshot', 'restore', join(dir, 'nope.snap')], { address: agent.address });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(`consulate: error: cannot read ${JSON.stringify(join(dir, 'nope.snap'))}: no such file\n`);
    } finally {
      await agent.stop();
    }
  });
});
