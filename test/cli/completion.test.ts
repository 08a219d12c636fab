// `consulate completion bash|zsh`: the generated bash script, sourced in a real bash, completes like a user's TAB
// (COMP_WORDS/COMP_CWORD as bash's programmable completion sets them, words split at = and : as bash does).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bashCompletions, cleanup, cli, prepare } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'consulate-cli-completion-'));
const script = join(dir, 'consulate.bash');
beforeAll(async () => {
  await prepare();
  const result = await cli(['completion', 'bash']);
  expect(result.code, result.stderr).toBe(0);
  writeFileSync(script, result.stdout);
  writeFileSync(join(dir, 'backup.json'), '[]');
  writeFileSync(join(dir, 'backup.snap'), '');
});
afterAll(cleanup);

/** What the script offers for the words typed so far (the last one is the word under the cursor). */
function complete(...words: string[]): string[] {
  return bashCompletions(script, dir, words);
}

describe('completion bash', () => {
  it('registers itself for consulate with no bash-completion package, and can be sourced twice', () => {
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', 'source "$1" && source "$1" && complete -p consulate', 'bash', script], { encoding: 'utf8' });
    expect(out.trim()).toBe('complete -F _consulate consulate');
  });

  it('completes nested subcommands: "consulate kv re" → restore', () => {
    expect(complete('kv', 're')).toEqual(['restore']);
    expect(complete('k')).toEqual(['kv']);
    expect(complete('acl', '')).toEqual(['backup', 'restore', 'help']);
    expect(complete('')).toEqual(expect.arrayContaining(['kv', 'register', 'run_once', 'snapshot', 'completion']));
    // a connection flag (and its value, split by bash at ":") before the subcommand does not get in the way
    expect(complete('--addr', '127.0.0.1', ':', '8500', 'kv', 're')).toEqual(['restore']);
    // an alias leads to the same command: kv del = kv rm
    expect(complete('kv', 'del', '--rec')).toEqual(['--recurse']);
  });

  it('completes each command\'s options, connection flags included', () => {
    expect(complete('kv', 'restore', '--dr')).toEqual(['--dry-run']);
    expect(complete('acl', 'restore', '--include-')).toEqual(['--include-master', '--include-anonymous']);
    expect(complete('services', '--to')).toEqual(['--token-file', '--token']);
    expect(complete('register', '-')).toEqual(expect.arrayContaining(['-s', '--service-id', '--addr', '--help']));
  });

  it('completes option values: choices, also as --opt=value, and file names', () => {
    expect(complete('kv', 'backup', '--format', '')).toEqual(['export', 'consulate', 'api']);
    expect(complete('kv', 'backup', '--format', 'c')).toEqual(['consulate']);
    // "--format=" reaches the function as "--format" "=" (bash keeps "=" as the word to replace)
    expect(complete('kv', 'backup', '--format', '=')).toEqual(['=export', '=consulate', '=api']);
    expect(complete('kv', 'backup', '--format', '=', 'a')).toEqual(['api']);
    expect(complete('kv', 'restore', '-f', 'back').sort()).toEqual(['backup.json', 'backup.snap']);
    expect(complete('snapshot', 'restore', 'backup.s')).toEqual(['backup.snap']);
    // a free-text value offers nothing, not the subcommands
    expect(complete('--datacenter', '')).toEqual([]);
  });

  it('after run_once LOCK comes a command to run, then its own arguments', () => {
    expect(complete('run_once', 'nightly', 'bas')).toContain('bash');
    expect(complete('run_once', '-i', '60', 'nightly', 'bas')).toContain('bash');
    expect(complete('run_once', 'nightly', 'cat', 'backup.j')).toEqual(['backup.json']);
    // options after the command are the command's, not consulate's
    expect(complete('run_once', 'nightly', 'ls', '--')).toEqual([]);
  });

  it('completion zsh prints a compdef script; an unknown shell is a usage error', async () => {
    const [zsh, fish] = await Promise.all([cli(['completion', 'zsh']), cli(['completion', 'fish'])]);
    expect(zsh.code, zsh.stderr).toBe(0);
    expect(zsh.stdout.split('\n')[0]).toBe('#compdef consulate');
    expect(zsh.stdout).toContain("'kv restore')");
    expect(fish.code).toBe(2);
    expect(fish.stderr).toMatch(/bash and zsh/);
  });
});
