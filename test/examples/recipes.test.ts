// The recipe examples (examples/live-config.ts, examples/election.ts, examples/failover.ts) run as a user would run them (tsx, with
// CONSUL_HTTP_ADDR) against the run's agent; their output shows each behaviour they claim.
import { execFile } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

/** Runs an example with tsx; resolves with its exit code and output. */
function runExample(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'node_modules/.bin/tsx',
      [file],
      { cwd: root, env: { ...process.env, CONSUL_HTTP_ADDR: inject('consulAddress') }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('recipe examples', () => {
  it('examples/live-config.ts: applies a valid update, refuses an invalid one (keeping the value), reports the health', async () => {
    const { code, output } = await runExample('examples/live-config.ts');
    expect(code, output).toBe(0);
    const lines = output.split('\n').map((line) => line.replace(/\s+/g, ' ').trim()).filter(Boolean);
    expect(lines).toEqual([
      'applied {"port":8080,"features":["search"],"logLevel":"info"} (first value)',
      'health fresh',
      'ready port 8080',
      'applied {"port":9090,"features":["search","beta"],"logLevel":"debug"}',
      'refused live config key "examples/live-config/app" is invalid: port: Invalid type: Expected number but received "ninety"',
      'health invalid',
      'value {"port":9090,"features":["search","beta"],"logLevel":"debug"} (health: invalid)',
      'applied {"port":9443,"features":[],"logLevel":"info"}',
      'health fresh',
      'value {"port":9443,"features":[],"logLevel":"info"} (health: fresh)',
    ]);
  });

  it('examples/failover.ts: a dead first address is skipped for reads and writes; all dead names each address', async () => {
    const { code, output } = await runExample('examples/failover.ts');
    expect(code, output).toBe(0);
    expect(output.split('\n').filter(Boolean)).toEqual([
      'read through the list: hello',
      'the cluster leader, asked through the current (live) agent: known',
      'all dead: NetworkError',
      'the error names both addresses',
    ]);
  });

  it('examples/election.ts: hand-overs in order, the lost leadership before the next election', async () => {
    const { code, output } = await runExample('examples/election.ts');
    expect(code, output).toBe(0);
    const events = output
      .split('\n')
      .map((line) => line.replace(/^\s*\d+ ms\s+/, '').replace(/ — .*$/, '').replace(/ \(fencing token \d+\)/, ''))
      .filter((line) => line.startsWith('node-'));
    expect(events).toEqual([
      'node-a: elected',
      'node-a: resigning',
      'node-a: leadership ended',
      'node-b: elected',
      'node-b: leadership ended',
      'node-c: elected',
      'node-c: leadership ended',
    ]);
    expect(output).toMatch(/node-b: leadership ended — LockLostError/);
    expect(output).toMatch(/observer: +node-c leads \(fencing token 3\)/);
  });
});
