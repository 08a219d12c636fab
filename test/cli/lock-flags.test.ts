// consulate lock's consul lock flags (issue 14): --pass-stdin, --shell/--no-shell, --monitor-retry — against real agents.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../support/agent.mjs';
import { uniquePrefix } from '../support/client.ts';
import { cleanup, cli, prepare, start } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'consulate-cli-lock-flags-'));
beforeAll(prepare);
afterAll(cleanup);

describe('lock --pass-stdin', () => {
  it('the command reads /dev/null by default (as consul lock) and consulate\'s stdin with --pass-stdin', async () => {
    const p = uniquePrefix('cli-lock-stdin').slice(0, -1);
    const [without, withStdin] = await Promise.all([
      cli(['lock', `${p}/a`, '--', 'sh', '-c', 'echo "[$(cat)]"'], { input: 'from stdin' }),
      cli(['lock', '--pass-stdin', `${p}/b`, '--', 'sh', '-c', 'echo "[$(cat)]"'], { input: 'from stdin' }),
    ]);
    expect(without.code, without.stderr).toBe(0);
    expect(without.stdout).toBe('[]\n');
    expect(withStdin.code, withStdin.stderr).toBe(0);
    expect(withStdin.stdout).toBe('[from stdin]\n');
  });
});

describe('lock --shell / --no-shell', () => {
  it('--shell runs several arguments joined through /bin/sh -c; by default they run directly; --no-shell execs one argument', async () => {
    const p = uniquePrefix('cli-lock-shell').slice(0, -1);
    const [shell, direct, single, noShell] = await Promise.all([
      cli(['lock', '--shell', `${p}/a`, '--', 'echo', '$CONSUL_LOCK_KEY', '|', 'tr', 'a-z', 'A-Z']),
      cli(['lock', `${p}/b`, '--', 'echo', '$CONSUL_LOCK_KEY', '|', 'tr']),
      cli(['lock', `${p}/c`, '--', 'echo $CONSUL_LOCK_KEY']),
      cli(['lock', '--no-shell', `${p}/d`, '--', 'echo $CONSUL_LOCK_KEY']),
    ]);
    expect(shell.code, shell.stderr).toBe(0);
    expect(shell.stdout).toBe(`${p.toUpperCase()}/A/.LOCK\n`);
    expect(direct.stdout).toBe('$CONSUL_LOCK_KEY | tr\n');
    expect(single.stdout).toBe(`${p}/c/.lock\n`);
    // no program is named "echo $CONSUL_LOCK_KEY": 127, like a shell's "command not found"
    expect(noShell.code).toBe(127);
    expect(noShell.stderr).toMatch(/^consulate: error: cannot run "echo \$CONSUL_LOCK_KEY": /);
  });

  it('--monitor-retry takes a non-negative integer (exit 2 otherwise)', async () => {
    const result = await cli(['lock', '--monitor-retry', '-1', 'x', '--', 'true']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--monitor-retry must be a non-negative integer/);
  });
});

describe('lock --monitor-retry', () => {
  it('rides out an agent that does not answer for 3.5 s with --monitor-retry 5; without it the lock is given up and the command stopped', async () => {
    // a throwaway agent, paused with SIGSTOP: its sessions stay valid (TTL 15 s), but it answers nothing meanwhile
    const agent = await startAgent({ name: 'consulate-lock-flags' });
    try {
      const run = async (retries: string[], name: string): Promise<{ code: number | null; stdout: string; stderr: string }> => {
        const release = join(dir, `release-${name}`);
        const child = start(['lock', ...retries, `cli-lock-monitor/${name}`, '--', `echo holding; while [ ! -f ${release} ]; do sleep 0.05; done; echo finished`], { address: agent.address });
        await child.waitFor(/holding/);
        process.kill(agent.pid, 'SIGSTOP');
        try {
          await new Promise((r) => setTimeout(r, 3500));
        } finally {
          process.kill(agent.pid, 'SIGCONT');
        }
        // let the monitor's read in flight be answered before the command may end
        await new Promise((r) => setTimeout(r, 500));
        writeFileSync(release, '');
        return child.done;
      };
      const riding = await run(['--monitor-retry', '5'], 'riding');
      expect(riding.code, riding.stderr).toBe(0);
      expect(riding.stdout).toBe('holding\nfinished\n');
      const lost = await run([], 'lost');
      expect(lost.code).toBe(1);
      expect(lost.stdout).toBe('holding\n');
      expect(lost.stderr).toMatch(/lock lost while the command ran \(it was stopped\): .*not confirmed for 2000 ms/);
    } finally {
      await agent.stop();
    }
  }, 60_000);
});
