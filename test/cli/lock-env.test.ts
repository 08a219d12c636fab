// `consulate lock` and `run_once` tell the command which session holds what: CONSUL_LOCK_SESSION,
// CONSUL_LOCK_KEY and (for a lock) CONSUL_LOCK_INDEX, the fencing token — enough for the command to
// make writes that Consul refuses once the lock is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRecord } from '../../src/endpoints/kv.ts';
import { testClient, uniquePrefix } from '../support/client.ts';
import { cleanup, cli, prepare } from './run.ts';

const client = testClient();
beforeAll(prepare);
afterAll(cleanup);

const PRINT = 'echo "session=$CONSUL_LOCK_SESSION key=$CONSUL_LOCK_KEY index=${CONSUL_LOCK_INDEX-unset}"';
const parse = (stdout: string) => {
  const m = /session=(\S*) key=(\S*) index=(\S*)/.exec(stdout);
  return m ? { session: m[1]!, key: m[2]!, index: m[3]! } : undefined;
};

describe('the environment of a command run under a lock', () => {
  it('lock: the session, PREFIX/.lock and its LockIndex (the fencing token), matching what Consul holds', async () => {
    const prefix = uniquePrefix('cli-lock-env').replace(/\/$/, '');
    const script = `${PRINT}; echo held`;
    const run = await cli(['lock', prefix, '--', 'sh', '-c', script]);
    expect(run.code, run.stderr).toBe(0);
    const seen = parse(run.stdout);
    expect(seen?.key).toBe(`${prefix}/.lock`);
    expect(seen?.session).toMatch(/^[0-9a-f-]{36}$/);
    // released by now: the key keeps its LockIndex, which is the token the command saw
    const record = (await getRecord(client, `${prefix}/.lock`)).data;
    expect(seen?.index).toBe(String(record?.LockIndex));
    expect(Number(seen?.index)).toBeGreaterThan(0);
    // a second holder gets a larger token
    const again = parse((await cli(['lock', prefix, '--', 'sh', '-c', PRINT])).stdout);
    expect(Number(again?.index)).toBeGreaterThan(Number(seen?.index));
    expect(again?.session).not.toBe(seen?.session);
  });

  it('lock -n: the session and its contender key PREFIX/<session>, no index', async () => {
    const prefix = uniquePrefix('cli-sem-env').replace(/\/$/, '');
    const run = await cli(['lock', '-n', '2', prefix, '--', 'sh', '-c', PRINT]);
    expect(run.code, run.stderr).toBe(0);
    const seen = parse(run.stdout);
    expect(seen?.session).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen?.key).toBe(`${prefix}/${seen?.session}`);
    expect(seen?.index).toBe('unset');
  });

  it('run_once: the session, the lock key and the fencing token', async () => {
    const key = `${uniquePrefix('cli-run-once-env')}job`;
    const run = await cli(['run_once', key, '--', 'sh', '-c', PRINT]);
    expect(run.code, run.stderr).toBe(0);
    const seen = parse(run.stdout);
    expect(seen?.key).toBe(key);
    expect(seen?.session).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen?.index).toBe(String((await getRecord(client, key)).data?.LockIndex));
  });
});
