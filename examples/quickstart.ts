/**
 * Quick start: KV set/get/list/CAS/delete against the agent at CONSUL_HTTP_ADDR (or 127.0.0.1:8500).
 * `npm run demo` starts a throwaway agent, runs this file, and stops the agent.
 */
import { Consul, isConsulError } from '../src/index.ts';

const address = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env['CONSUL_HTTP_ADDR'];
const consul = new Consul(address ? { address } : {});
const show = (label: string, value: unknown): void =>
  console.log(`${label.padEnd(34)} ${typeof value === 'bigint' ? `${value}n` : JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`);

try {
  // write a few keys: text, JSON, binary, and uint64 flags above 2^53 (exact)
  await consul.kv.set('demo/app/name', 'consulate');
  await consul.kv.set('demo/app/config', { port: 8080, debug: false });
  await consul.kv.set('demo/assets/logo', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]));
  await consul.kv.set('demo/app/odd key?#%+', 'keys are escaped exactly', { flags: 0x2ddccbc058a50c18n });

  const { data: name, meta } = await consul.kv.get('demo/app/name');
  show('get demo/app/name', name);
  show('  meta.index / knownLeader', [meta.index, meta.knownLeader]);
  show('getJSON demo/app/config', (await consul.kv.getJSON('demo/app/config')).data);
  show('getBytes demo/assets/logo', [...((await consul.kv.getBytes('demo/assets/logo')).data ?? [])]);
  show('flags of "demo/app/odd key?#%+"', (await consul.kv.getRecord('demo/app/odd key?#%+')).data?.Flags);
  show('keys demo/', (await consul.kv.keys('demo/')).data);
  show('find demo/app/ (one level)', Object.keys((await consul.kv.find('demo/app/', { separator: '/' })).data));

  // check-and-set: only the writer holding the current ModifyIndex wins
  const record = (await consul.kv.getRecord('demo/app/name')).data!;
  show('cas with current index', (await consul.kv.set('demo/app/name', 'v2', { cas: record.ModifyIndex })).data);
  show('cas with stale index', (await consul.kv.set('demo/app/name', 'v3', { cas: record.ModifyIndex })).data);
  show('get after cas', (await consul.kv.get('demo/app/name')).data);

  // delete one key, then the tree
  show('delete demo/assets/logo', (await consul.kv.delete('demo/assets/logo')).data);
  show('has demo/assets/logo', (await consul.kv.has('demo/assets/logo')).data);
  await consul.kv.deleteTree('demo/');
  show('size of demo/ after deleteTree', (await consul.kv.size('demo/')).data);
} catch (error) {
  console.error(isConsulError(error) ? `consulate: ${error.kind}: ${error.message}` : error);
  (globalThis as { process?: { exitCode: number } }).process!.exitCode = 1;
}
