// The restore's list of applied keys (KeyLog): moved to a temporary file every ~1,000 keys (so that keys
// do not outlive V8's young-generation collections), read back whole and in order; when no temporary file
// can be created, the keys stay in memory and that is said once on stderr. Pure: no agent needed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyLog } from '../../src/cli/key-log.ts';

const batches = (count: number): string[][] => {
  const out: string[][] = [];
  for (let i = 0; i < count; i += 64) out.push(Array.from({ length: Math.min(64, count - i) }, (_, j) => `app/ké y"\\${i + j}\n😀`));
  return out;
};

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('KeyLog', () => {
  it('gives back every key in order, across many moves to its file', () => {
    const log = new KeyLog();
    const all = batches(5000);
    for (const keys of all) log.add(keys);
    expect(log.length).toBe(5000);
    expect([...log]).toEqual(all.flat());
    expect(JSON.parse(JSON.stringify(log))).toEqual(all.flat());
    log.close();
  });

  it('keeps the keys in memory, saying so once, when no temporary file can be created', () => {
    vi.stubEnv('TMPDIR', '/nonexistent-consulate-tmp/dir');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const log = new KeyLog();
    const all = batches(3000);
    for (const keys of all) log.add(keys);
    expect([...log]).toEqual(all.flat());
    const lines = stderr.mock.calls.map(([text]) => String(text));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^consulate: cannot create a temporary file for the list of restored keys \(.*ENOENT.*\): keeping it in memory\n$/);
    log.close();
  });
});
