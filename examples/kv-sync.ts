/**
 * KV diff and sync, copy and move (`consulate/kv-sync`): a desired configuration is compared with what Consul holds,
 * someone else changes a key between the review and the sync — the sync's batch is refused instead of overwriting
 * that change —, the diff is read again and applied; then the tree is copied and moved, bytes and uint64 flags exact.
 * Run: `node test/support/with-agent.mjs npx tsx examples/kv-sync.ts` (or against CONSUL_HTTP_ADDR).
 */
import { createClient, isConsulError } from '../src/index.ts';
import { deleteTree, set } from '../src/endpoints/kv.ts';
import type { KVDiff, KVSyncEntry } from '../src/recipes/kv-sync.ts';
import { copy, diff, move, sync } from '../src/recipes/kv-sync.ts';

const address = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env['CONSUL_HTTP_ADDR'];
const client = createClient(address ? { address } : {});
const root = `examples/kv-sync/${Date.now().toString(36)}`;
const app = `${root}/app`;
const short = (key: string): string => key.slice(root.length + 1);

/** One line per planned change. */
function show(plan: KVDiff): void {
  for (const e of plan.add) console.log(`  add    ${short(e.Key)}`);
  for (const e of plan.change) console.log(`  change ${short(e.Key)} (ModifyIndex ${e.ModifyIndex})`);
  for (const e of plan.delete) console.log(`  delete ${short(e.Key)}`);
  console.log(`  ${plan.unchanged} unchanged`);
}

try {
  // what Consul holds now
  await set(client, `${app}/port`, '8080');
  await set(client, `${app}/name`, 'web');
  await set(client, `${app}/legacy`, 'remove me');

  // what it should hold: a binary value and flags above 2^53 stay exact
  const desired: KVSyncEntry[] = [
    { Key: `${app}/port`, Value: '9090' },
    { Key: `${app}/name`, Value: 'web' },
    { Key: `${app}/cert`, Value: new Uint8Array([0x30, 0x82, 0x00, 0xff]), Flags: 0xfeedfacecafebeefn },
  ];
  const plan = await diff(client, desired, app);
  console.log('plan:');
  show(plan);

  // while the plan is reviewed, someone else changes a key it would change
  await set(client, `${app}/port`, '7070');
  const refused = await sync(client, plan);
  const failure = refused.failed[0];
  console.log(`sync: ok=${refused.ok}, batch ${failure?.batch} refused: ${failure?.errors.map((e) => e.What.replace(`${root}/`, '')).join('; ')}`);
  console.log(`  nothing applied: ${refused.added.length + refused.changed.length + refused.deleted.length} keys`);

  // read the diff again (it now sees 7070) and apply it
  const again = await diff(client, desired, app);
  console.log('plan, read again:');
  show(again);
  const applied = await sync(client, again);
  console.log(`sync: ok=${applied.ok}, added ${applied.added.map(short)}, changed ${applied.changed.map(short)}, deleted ${applied.deleted.map(short)}`);

  // copy the tree, then rename the copy
  const copied = await copy(client, app, `${root}/backup`);
  console.log(`copy: ${copied.applied.map((a) => `${short(a.from)} → ${short(a.to)}`).join(', ')}`);
  const moved = await move(client, `${root}/backup`, `${root}/archive`);
  console.log(`move: ${moved.applied.length} keys in ${moved.batches} batch, ok=${moved.ok}`);
  const check = await diff(client, desired.map((e) => ({ ...e, Key: e.Key.replace(app, `${root}/archive`) })), `${root}/archive`);
  console.log(`archive matches the desired entries: ${check.add.length + check.change.length + check.delete.length === 0}`);
} catch (error) {
  console.error(isConsulError(error) ? `consulate: ${error.kind}: ${error.message}` : error);
  (globalThis as { process?: { exitCode?: number } }).process!.exitCode = 1;
} finally {
  await deleteTree(client, `${root}/`);
}
