// A port the fetch standard blocks (`:1`) is refused locally, before anything is sent: undici says "bad port"
// without a code. Failover must treat it as a connection failure, so a write moves on too (found by a newcomer
// who listed `127.0.0.1:1` as the dead agent).
import { describe, expect, inject, it } from 'vitest';
import { createClient } from '../../src/index.ts';
import { get, remove, set } from '../../src/endpoints/kv.ts';

describe('failover past a port fetch blocks', () => {
  it('a write and a read move on from 127.0.0.1:1 to the live agent (fetch transport)', async () => {
    const client = createClient({ address: ['127.0.0.1:1', inject('consulAddress')], timeout: 5000 });
    const key = `failover-bad-port/${crypto.randomUUID()}`;
    expect((await set(client, key, 'v')).data).toBe(true);
    expect((await get(client, key)).data).toBe('v');
    await remove(client, key);
  });
});
