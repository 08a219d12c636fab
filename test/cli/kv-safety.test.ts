// consulate kv restore's safety rails (--dry-run, --prune needing a prefix or --prune-all, large prunes needing
// --force, base64 never guessed), files created mode 0600, clear errors for missing files, and `kv get` on a terminal.
import { lstatSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.ts';
import type { Client } from '../../src/index.ts';
import { getBytes, keys, set } from '../../src/endpoints/kv.ts';
import { startAgent } from '../support/agent.mjs';
import { testClient, uniquePrefix } from '../support/client.ts';
import { cli, cliEnvironment, cliTestDirectory, onTerminal, sh, shellCommand } from './run.ts';

const client = testClient();
const dir = cliTestDirectory('kv-safety');

const text = async (key: string, on: Client = client): Promise<string | undefined> => {
  const { data } = await getBytes(on, key);
  return data === undefined ? undefined : Buffer.from(data).toString();
};
const exportOf = (entries: [string, string][]): string =>
  JSON.stringify(entries.map(([key, value]) => ({ key, flags: 0, value: Buffer.from(value).toString('base64') })));

describe('kv restore --prune safety', () => {
  it('refuses --prune without a prefix (exit 2, nothing written or deleted) unless --prune-all', async () => {
    // its own agent: a regression here would prune the whole store
    const agent = await startAgent({ name: 'consulate-cli-prune-all' });
    try {
      const own = createClient({ address: agent.address });
      await Promise.all(['a', 'b', 'c/d'].map((key) => set(own, key, key)));
      // the example
      const refused = await cli(['kv', 'restore', '--prune'], { address: agent.address, input: '[["only/key",0,"x"]]' });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe('consulate: error: --prune without a prefix deletes every key of the store that the backup lacks: give a prefix, or --prune-all to prune the whole store\n');
      expect((await keys(own, '')).data).toEqual(['a', 'b', 'c/d']);
      // --prune-all: 3 of the 3 keys is more than half, so it also takes --force
      const large = await cli(['kv', 'restore', '--prune-all'], { address: agent.address, input: '[["only/key",0,"x"]]' });
      expect(large.code).toBe(2);
      expect(large.stderr).toMatch(/--prune would delete 3 of the 3 keys in the whole store \(more than half\); nothing was written: .*--force/);
      expect((await keys(own, '')).data).toEqual(['a', 'b', 'c/d']);
      const all = await cli(['kv', 'restore', '--prune-all', '--force'], { address: agent.address, input: '[["only/key",0,"x"]]' });
      expect(all.code, all.stderr).toBe(0);
      expect(all.stderr).toMatch(/restored 1 key in .*, 3 pruned/);
      expect((await keys(own, '')).data).toEqual(['only/key']);
    } finally {
      await agent.stop();
    }
  });

  it('refuses a prune of more than half of the keys under the prefix without --force, before writing anything; half is allowed', async () => {
    const p = uniquePrefix('cli-prune-half');
    await Promise.all(['a', 'b', 'c', 'd'].map((k) => set(client, `${p}${k}`, 'old')));
    const threeOfFour = exportOf([[`${p}a`, 'new']]);
    const refused = await cli(['kv', 'restore', p, '-p'], { input: threeOfFour });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `consulate: error: --prune would delete 3 of the 4 keys under ${JSON.stringify(p)} (more than half); nothing was written: check the file and the prefix (--dry-run lists the keys), and add --force if this is intended\n`,
    );
    expect(await text(`${p}a`)).toBe('old'); // not even the writes
    expect((await keys(client, p)).data).toHaveLength(4);
    // 2 of 4 is not more than half
    const half = await cli(['kv', 'restore', p, '-p'], { input: exportOf([[`${p}a`, 'new'], [`${p}b`, 'new']]) });
    expect(half.code, half.stderr).toBe(0);
    expect(half.stderr).toMatch(/restored 2 keys .*, 2 pruned/);
    expect((await keys(client, p)).data).toEqual([`${p}a`, `${p}b`]);
    // an empty backup with --prune would empty the prefix: refused
    const empty = await cli(['kv', 'restore', p, '--prune'], { input: '[]' });
    expect(empty.code).toBe(2);
    expect((await keys(client, p)).data).toEqual([`${p}a`, `${p}b`]);
  });

  it('--dry-run prints what would be written, skipped and deleted, and writes nothing', async () => {
    const p = uniquePrefix('cli-dry-run');
    await Promise.all(['a', 'b', 'c'].map((k) => set(client, `${p}${k}`, 'old')));
    const backup = exportOf([[`${p}a`, 'new'], [`${p}d`, 'new'], ['elsewhere/x', 'x']]);
    const dry = await cli(['kv', 'restore', p, '--prune', '--dry-run'], { input: backup });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toBe([`write "${p}a"`, `write "${p}d"`, `delete "${p}b"`, `delete "${p}c"`, ''].join('\n'));
    expect(dry.stderr).toBe(
      'consulate: dry run, nothing written: would write 2 keys, delete 2 (--prune); 1 entry outside the prefix ignored\n' +
        `consulate: without --dry-run this restore would be refused: --prune would delete 2 of the 3 keys under ${JSON.stringify(p)} (more than half); add --force if this is intended\n`,
    );
    const noReplace = await cli(['kv', 'restore', p, '-n', '--dry-run'], { input: backup });
    expect(noReplace.code, noReplace.stderr).toBe(0);
    expect(noReplace.stdout).toBe([`write "${p}d"`, `skip "${p}a" (exists)`, ''].join('\n'));
    expect(noReplace.stderr).toMatch(/would write 1 key, skip 1 \(existing\)/);
    // nothing changed
    expect((await keys(client, p)).data).toEqual([`${p}a`, `${p}b`, `${p}c`]);
    expect(await text(`${p}a`)).toBe('old');
  });
});

describe('consulate triples: base64 is never guessed', () => {
  it('refuses triples whose every value is valid base64 unless -b or --text says which (exit 2, nothing written)', async () => {
    const p = uniquePrefix('cli-b64-guess');
    const cases = [
      JSON.stringify([['a', 0, 'vvvv'], ['b', 0, 'dGV4dA==']]),
      JSON.stringify([['one', 0, 'abcd']]), // a single value: the same rule
      JSON.stringify([['a', 0, 'true'], ['b', 0, ''], ['c', 0, null]]), // empty values say nothing either way
    ];
    const refused = await Promise.all(cases.map((input) => cli(['kv', 'restore', p], { input })));
    for (const result of refused) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^consulate: error: every value of these \[key, flags, value\] triples is also valid base64 \(e\.g\. ".*"\), so their encoding cannot be told: add -b if the backup was written with -b \(base64 values\), or --text to store the values as they are written\n$/);
    }
    expect((await keys(client, p)).data).toEqual([]);

    const [asText, asBase64] = await Promise.all([
      cli(['kv', 'restore', `${p}text`, '--text'], { input: cases[0]! }),
      cli(['kv', 'restore', `${p}b64`, '-b'], { input: cases[0]! }),
    ]);
    expect(asText.code, asText.stderr).toBe(0);
    expect(asBase64.code, asBase64.stderr).toBe(0);
    expect(await text(`${p}text/a`)).toBe('vvvv');
    expect(await text(`${p}text/b`)).toBe('dGV4dA==');
    expect(Buffer.from((await getBytes(client, `${p}b64/a`)).data!)).toEqual(Buffer.from('vvvv', 'base64'));
    expect(await text(`${p}b64/b`)).toBe('text');
  });

  it('reads as text, without a note, when a value is not base64 or every value is empty; -b with --text is a usage error', async () => {
    const p = uniquePrefix('cli-b64-text');
    const [mixed, empty, both] = await Promise.all([
      cli(['kv', 'restore', `${p}mixed`], { input: JSON.stringify([['a', 0, 'vvvv'], ['b', 0, 'hello world']]) }),
      cli(['kv', 'restore', `${p}empty`], { input: JSON.stringify([['a', 0, ''], ['b', 0, null]]) }),
      cli(['kv', 'restore', p, '-b', '--text'], { input: '[]' }),
    ]);
    expect(mixed.code, mixed.stderr).toBe(0);
    expect(mixed.stderr).toMatch(/^consulate: restored 2 keys in [\d.]+ s\n$/);
    expect(await text(`${p}mixed/a`)).toBe('vvvv');
    expect(empty.code, empty.stderr).toBe(0);
    expect(await text(`${p}empty/a`)).toBe('');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/-b\/--base64 and --text contradict/);
  });
});

describe('files the CLI creates are mode 0600', () => {
  it('kv backup and --report files are 0600 whatever the umask, an existing file, or a leftover temporary file', async () => {
    const p = uniquePrefix('cli-mode');
    await set(client, `${p}secret`, 's3cret');
    const backupFile = join(dir, 'backup.json');
    writeFileSync(backupFile, 'old', { mode: 0o666 });
    // a leftover temporary file with a wide mode, under the name the CLI used to pick (FILE.tmp-PID: `exec` keeps the shell's PID)
    const run = await sh(`umask 000; : > "$F.tmp-$$"; chmod 666 "$F.tmp-$$"; exec ${shellCommand(['kv', 'backup', p, '-f', backupFile])}`, {
      ...cliEnvironment(),
      F: backupFile,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(backupFile, 'utf8'))).toEqual([{ key: `${p}secret`, flags: 0, value: Buffer.from('s3cret').toString('base64') }]);

    const reportFile = join(dir, 'report.json');
    const restore = await sh(`umask 000; exec ${shellCommand(['kv', 'restore', p, '-f', backupFile, '--report', reportFile])}`);
    expect(restore.code, restore.stderr).toBe(0);
    expect(statSync(reportFile).mode & 0o777).toBe(0o600);
  });

  it('a destination that is a FIFO or a device (such as -f /dev/null) is written into, never replaced by a file renamed onto it (tested on a FIFO: a regression must not replace the machine\'s /dev/null)', async () => {
    const p = uniquePrefix('cli-fifo');
    await set(client, `${p}k`, 'v');
    for (const [name, args] of [
      ['backup', ['kv', 'backup', p, '-f']],
      ['snapshot', ['snapshot', 'save']],
    ] as const) {
      const fifo = join(dir, `${name}.fifo`);
      const copy = join(dir, `${name}.fifo-copy`);
      // a reader copies what comes through the FIFO; the CLI writes into it
      const run = await sh(`rm -f "$F"; mkfifo "$F"; cat "$F" > "$C" & ${shellCommand([...args, fifo])}; code=$?; wait; exit $code`, { ...cliEnvironment(), F: fifo, C: copy });
      expect(run.code, run.stderr).toBe(0);
      expect(statSync(fifo).isFIFO(), `${name}: the FIFO is still a FIFO`).toBe(true);
      const written = readFileSync(copy);
      if (name === 'backup') expect(JSON.parse(written.toString())).toEqual([{ key: `${p}k`, flags: 0, value: Buffer.from('v').toString('base64') }]);
      else expect(written.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // a gzip snapshot
    }
  });

  it('a FIFO whose reader leaves early fails the command with a message, never exit 0 or silence (it exited 1 silently, or hung)', async () => {
    const p = uniquePrefix('cli-fifo-early');
    // enough records (800 KB) that the backup is still writing when the reader has gone (a pipe holds 64 KiB)
    for (let i = 0; i < 40; i++) await set(client, `${p}k${i}`, Buffer.alloc(20_000, i));
    for (const [name, args] of [['backup', ['kv', 'backup', p, '-f']]] as const) {
      const fifo = join(dir, `${name}-early.fifo`);
      const run = await sh(`rm -f "$F"; mkfifo "$F"; head -c 10 "$F" > /dev/null & ${shellCommand([...args, fifo])}; code=$?; wait; exit $code`, { ...cliEnvironment(), F: fifo });
      expect(run.code, `${name}: ${run.stderr}`).toBe(1);
      expect(run.stderr, name).toMatch(/cannot write to ".*-early\.fifo": its reader closed it before the end \(EPIPE\)/);
    }
  });

  it('a destination that is a symbolic link: the file it points to is written, the link stays a link', async () => {
    const p = uniquePrefix('cli-symlink');
    await set(client, `${p}k`, 'v');
    const target = join(dir, 'symlink-target.json');
    const link = join(dir, 'symlink.json');
    writeFileSync(target, 'old');
    rmSync(link, { force: true });
    symlinkSync(target, link);
    const run = await cli(['kv', 'backup', p, '-f', link]);
    expect(run.code, run.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual([{ key: `${p}k`, flags: 0, value: Buffer.from('v').toString('base64') }]);
  });

  it('a destination that is a directory fails with one line saying so (not a raw EISDIR from a rename)', async () => {
    const result = await cli(['kv', 'backup', uniquePrefix('cli-dir'), '-f', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`consulate: error: cannot write to ${JSON.stringify(dir)}: it is a directory; name a file\n`);
  });

  it('a destination in a missing directory fails with one line naming the file', async () => {
    const file = join(dir, 'missing-dir', 'b.json');
    const result = await cli(['kv', 'backup', uniquePrefix('cli-mode-missing'), '-f', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`consulate: error: cannot create ${JSON.stringify(file)}: its directory does not exist (ENOENT)\n`);
  });
});

describe('clear errors and exit statuses', () => {
  it('a missing restore file names the file (no raw ENOENT)', async () => {
    const file = join(dir, 'nope.json');
    const result = await cli(['kv', 'restore', 'x', '-f', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`consulate: error: cannot read ${JSON.stringify(file)}: no such file\n`);
  });

  it('kv ls and kv get -r of a prefix with no keys agree: no output, exit 0 (like consul kv get -recurse); kv get of a missing key exits 1', async () => {
    const p = uniquePrefix('cli-nothere');
    const [ls, getR, get] = await Promise.all([cli(['kv', 'ls', p]), cli(['kv', 'get', '-r', p]), cli(['kv', 'get', `${p}k`])]);
    expect([ls.code, ls.stdout, ls.stderr]).toEqual([0, '', '']);
    expect([getR.code, getR.stdout, getR.stderr]).toEqual([0, '', '']);
    expect(get.code).toBe(1);
    expect(get.stderr).toBe(`consulate: error: key "${p}k" not found\n`);
  });
});

describe('kv get on a terminal', () => {
  it('shows a binary value as base64 with a note on a terminal; a pipe gets the exact bytes', async () => {
    const p = uniquePrefix('cli-get-tty');
    const bytes = Buffer.from([0, 255, 1, 254]);
    await Promise.all([set(client, `${p}bin`, new Uint8Array(bytes)), set(client, `${p}text`, 'zürich ✓'), set(client, `${p}esc`, '\u001b[2J')]);
    const [bin, txt, recurse, piped] = await Promise.all([
      onTerminal(['kv', 'get', `${p}bin`]),
      onTerminal(['kv', 'get', `${p}text`]),
      onTerminal(['kv', 'get', '-r', p]),
      cli(['kv', 'get', `${p}bin`]),
    ]);
    expect(bin.code).toBe(0);
    expect(bin.shown).toBe(`consulate: note: "${p}bin" holds 4 bytes of binary data, shown as base64 because stdout is a terminal (redirect or pipe stdout for the bytes)\nAP8B/g==\n`);
    expect(txt.shown).toBe('zürich ✓\n');
    expect(recurse.code).toBe(0);
    expect(recurse.shown).toBe(
      `${p}bin\tAP8B/g==\n${p}esc\t${Buffer.from('\u001b[2J').toString('base64')}\n${p}text\tzürich ✓\n` +
        `consulate: note: 2 binary values ("${p}bin", "${p}esc") shown as base64 because stdout is a terminal (redirect or pipe stdout for the bytes)\n`,
    );
    expect(piped.code).toBe(0);
    expect(piped.stdoutBytes).toEqual(Buffer.concat([bytes, Buffer.from('\n')]));
  });
});
