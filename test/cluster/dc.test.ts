// `dc` routing on a real WAN-joined pair of datacenters: a write or read with dc 'dc2', made through a
// dc1 client agent, lands in (and reads from) dc2 only. Checked against each datacenter's own server,
// with raw HTTP (not the code under test). Catalog register/deregister route by the body's Datacenter
// on Consul (they ignore ?dc=), so they are the interesting case.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient } from '../../src/index.ts';
import { deregister, register } from '../../src/endpoints/catalog.ts';
import { deleteTree, get, keys, set } from '../../src/endpoints/kv.ts';
import { builder, run } from '../../src/endpoints/txn.ts';
import { heal } from '../support/cluster.mjs';
import { cleanup, cli, prepare } from '../cli/run.ts';

const cluster = inject('cluster');
const [c1] = cluster.clients as [(typeof cluster.clients)[0]];
const [s1] = cluster.servers as [(typeof cluster.servers)[0]];
const dc2 = cluster.dc2;
let counter = 0;
const unique = (name: string): string => `cluster-dc-${name}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

beforeAll(prepare);
afterAll(cleanup);
afterEach(() => heal(cluster));

/** Raw GET of a KV key on an agent of that datacenter (no ?dc): its value, or undefined on 404. */
async function rawValue(address: string, key: string): Promise<string | undefined> {
  const response = await fetch(`${address}/v1/kv/${key}?raw`);
  if (response.status === 404) return undefined;
  expect(response.status).toBe(200);
  return response.text();
}

/** Raw GET of a catalog node on an agent of that datacenter: whether it is registered there. */
async function rawHasNode(address: string, node: string): Promise<boolean> {
  const response = await fetch(`${address}/v1/catalog/node/${node}`);
  expect(response.status).toBe(200);
  return (await response.json()) !== null;
}

describe("dc: 'dc2' through a dc1 client agent", () => {
  it('a KV write lands in dc2 only, a read with dc sees it, a delete removes it there only', async () => {
    const client = createClient({ address: c1.address });
    const key = `test/${unique('kv')}`;
    expect((await set(client, key, 'in dc2', { datacenter: 'dc2' })).data).toBe(true);
    expect(await rawValue(dc2.address, key)).toBe('in dc2');
    expect(await rawValue(s1.address, key)).toBeUndefined();
    expect((await get(client, key, { datacenter: 'dc2' })).data).toBe('in dc2');
    expect((await get(client, key)).data).toBeUndefined();
    expect((await keys(client, key, { datacenter: 'dc2' })).data).toEqual([key]);

    await set(client, key, 'in dc1');
    await deleteTree(client, key, { datacenter: 'dc2' });
    expect(await rawValue(dc2.address, key)).toBeUndefined();
    expect(await rawValue(s1.address, key)).toBe('in dc1');
    await deleteTree(client, key);
  });

  it('a client whose default datacenter is dc2 writes and reads there; a transaction too', async () => {
    const client = createClient({ address: c1.address, datacenter: 'dc2' });
    const key = `test/${unique('default')}`;
    await set(client, key, 'default dc2');
    await run(client, builder().kv.set(`${key}/txn`, 'txn dc2'));
    expect(await rawValue(dc2.address, key)).toBe('default dc2');
    expect(await rawValue(dc2.address, `${key}/txn`)).toBe('txn dc2');
    expect(await rawValue(s1.address, key)).toBeUndefined();
    expect(await rawValue(s1.address, `${key}/txn`)).toBeUndefined();
    expect((await get(client, `${key}/txn`)).data).toBe('txn dc2');
    await deleteTree(client, key);
  });

  it('catalog register and deregister with dc go to dc2, not the local catalog', async () => {
    const client = createClient({ address: c1.address });
    const node = unique('node');
    expect((await register(client, { Node: node, Address: '10.0.0.1', Service: { Service: node, Port: 80 } }, { datacenter: 'dc2' })).data).toBe(true);
    expect(await rawHasNode(dc2.address, node)).toBe(true);
    expect(await rawHasNode(s1.address, node)).toBe(false);

    // the same node name registered locally is left alone by a deregister aimed at dc2
    await register(client, { Node: node, Address: '10.0.0.2' });
    await deregister(client, { Node: node }, { datacenter: 'dc2' });
    expect(await rawHasNode(dc2.address, node)).toBe(false);
    expect(await rawHasNode(s1.address, node)).toBe(true);
    await deregister(client, { Node: node });
    expect(await rawHasNode(s1.address, node)).toBe(false);
  });

  it('the CLI with --datacenter dc2: kv set, get, backup and rm -r act on dc2 only', async () => {
    const prefix = `test/${unique('cli')}`;
    const run = (args: string[]) => cli([...args, '--datacenter', 'dc2'], { address: c1.address });
    expect((await run(['kv', 'set', `${prefix}/a`, 'cli dc2'])).code).toBe(0);
    expect(await rawValue(dc2.address, `${prefix}/a`)).toBe('cli dc2');
    expect(await rawValue(s1.address, `${prefix}/a`)).toBeUndefined();
    await set(createClient({ address: c1.address }), `${prefix}/local`, 'dc1 only');
    const [got, backup] = await Promise.all([run(['kv', 'get', `${prefix}/a`]), run(['kv', 'backup', prefix])]);
    expect(got.stdout).toBe('cli dc2\n');
    expect((JSON.parse(backup.stdout) as { key: string }[]).map((e) => e.key)).toEqual([`${prefix}/a`]);
    expect((await run(['kv', 'rm', '-r', prefix])).code).toBe(0);
    expect(await rawValue(dc2.address, `${prefix}/a`)).toBeUndefined();
    expect(await rawValue(s1.address, `${prefix}/local`)).toBe('dc1 only');
    await deleteTree(createClient({ address: c1.address }), prefix);
  });
});
