// User events against a real Consul agent: fire, list (delivery through the gossip layer is
// asynchronous, so lists are awaited with blocking reads), filters, payload bytes and the hash index.
import { describe, expect, it } from 'vitest';
import * as agent from '../../src/endpoints/agent.ts';
import * as event from '../../src/endpoints/event.ts';
import { Consul, isInputError, isServerError, type Client, type UserEvent } from '../../src/index.ts';
import { testClient, uniqueName } from '../support/client.ts';
import { rejection } from '../support/async.ts';

const client = testClient();

const uid = (name: string): string => uniqueName(name, 'ev');

/** Lists events named `name` until `done(events)`, blocking on the list's hash index between reads. */
async function listUntil(name: string, done: (events: UserEvent[]) => boolean): Promise<{ events: UserEvent[]; index: bigint | undefined }> {
  let result = await event.list(client, { name });
  while (!done(result.data)) result = await event.list(client, { name, index: result.meta.index ?? 0n, wait: '5s' });
  return { events: result.data, index: result.meta.index };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('event fire and list', () => {
  it('fires an event with a text payload and lists it with the payload as bytes; the index is the id\'s hash', async () => {
    const name = uid('deploy');
    const { data: fired } = await event.fire(client, name, 'version=1.4.2 ✓');
    expect(fired).toMatchObject({ Name: name, NodeFilter: '', ServiceFilter: '', TagFilter: '', Version: 1, LTime: 0 });
    expect(fired.ID).toMatch(UUID);
    expect(event.payloadText(fired)).toBe('version=1.4.2 ✓');
    const { events, index } = await listUntil(name, (list) => list.length === 1);
    expect(events[0]).toMatchObject({ ID: fired.ID, Name: name });
    expect(events[0]!.LTime).toBeGreaterThan(0);
    expect(events[0]!.Payload).toEqual(new TextEncoder().encode('version=1.4.2 ✓'));
    expect(event.payloadText(events[0]!)).toBe('version=1.4.2 ✓');
    expect(typeof index).toBe('bigint');
    expect(index).toBe(event.idToIndex(fired.ID));
  });

  it('round-trips a binary payload exactly; no payload is empty bytes', async () => {
    const name = uid('bin');
    const bytes = new Uint8Array([0, 1, 2, 127, 128, 254, 255, 0xc3, 0x28]);
    const { data: withBytes } = await event.fire(client, name, bytes);
    const { data: without } = await event.fire(client, name);
    expect(withBytes.Payload).toEqual(bytes);
    expect(without.Payload).toEqual(new Uint8Array(0));
    const { events } = await listUntil(name, (list) => list.length === 2);
    expect(events.map((e) => e.ID)).toEqual([withBytes.ID, without.ID]); // oldest first
    expect(events[0]!.Payload).toEqual(bytes);
    expect(events[1]!.Payload).toEqual(new Uint8Array(0));
    expect(() => event.payloadText(events[0]!)).toThrow(/not valid UTF-8/);
  });

  it('a blocking list wakes up when a new event arrives', async () => {
    const name = uid('block');
    const first = (await event.fire(client, name, 'one')).data;
    const { index } = await listUntil(name, (list) => list.length === 1);
    const blocked = event.list(client, { name, index: index!, wait: '10s' });
    const second = (await event.fire(client, name, 'two')).data;
    let result = await blocked;
    while (result.data.length < 2) result = await event.list(client, { name, index: result.meta.index!, wait: '10s' });
    expect(result.data.map((e) => e.ID)).toEqual([first.ID, second.ID]);
    expect(result.meta.index).toBe(event.idToIndex(second.ID));
  });

  it('node, service and tag filters decide which agents keep the event', async () => {
    const name = uid('filters');
    const service = uid('websvc');
    const { data: me } = await agent.self(client);
    await agent.serviceRegister(client, { Name: service, Port: 80, Tags: ['canary'] });
    try {
      const skipped = [
        (await event.fire(client, name, 'other node', { node: '^no-such-node$' })).data,
        (await event.fire(client, name, 'other service', { service: `^${service}-other$` })).data,
        (await event.fire(client, name, 'other tag', { service: `^${service}$`, tag: '^stable$' })).data,
      ];
      expect(skipped[0]!.NodeFilter).toBe('^no-such-node$');
      expect(skipped[2]).toMatchObject({ ServiceFilter: `^${service}$`, TagFilter: '^stable$' });
      const kept = [
        (await event.fire(client, name, 'this node', { node: `^${me.Config.NodeName}$` })).data,
        (await event.fire(client, name, 'this service', { service: `^${service}$` })).data,
        (await event.fire(client, name, 'this tag', { service: `^${service}$`, tag: '^can' })).data,
      ];
      const { events } = await listUntil(name, (list) => list.some((e) => e.ID === kept[2]!.ID));
      // events are handled in order: once the last one is in, the skipped ones were dropped
      expect(events.map((e) => event.payloadText(e))).toEqual(['this node', 'this service', 'this tag']);
      expect(events.map((e) => e.ID)).toEqual(kept.map((e) => e.ID));
    } finally {
      await agent.serviceDeregister(client, service);
    }
  });

  it('an event over serf\'s 512-byte limit is Consul\'s ServerError', async () => {
    const error = await rejection(event.fire(client, uid('big'), 'x'.repeat(600)));
    expect(isServerError(error)).toBe(true);
    expect((error as { consulMessage: string }).consulMessage).toMatch(/exceeds configured limit of 512 bytes/);
  });

  it('the Consul facade binds event (helpers unbound)', async () => {
    const consul = new Consul(client);
    const name = uid('facade');
    const { data } = await consul.event.fire(name, 'hi');
    expect(consul.event.payloadText(data)).toBe('hi');
    expect(consul.event.idToIndex(data.ID)).toBe(event.idToIndex(data.ID));
    let list = await consul.event.list({ name });
    while (list.data.length === 0) list = await consul.event.list({ name, index: list.meta.index ?? 0n, wait: '5s' });
    expect(list.data[0]!.ID).toBe(data.ID);
  });
});

describe('event helpers and validation', () => {
  it('idToIndex() XORs the two halves of the UUID (the Go client\'s IDToIndex), exact above 2^53', () => {
    expect(event.idToIndex('00000000-0000-0001-0000-000000000002')).toBe(3n);
    expect(event.idToIndex('ffffffff-ffff-ffff-0000-000000000000')).toBe(18446744073709551615n);
    expect(event.idToIndex('12345678-9abc-def0-1234-56789abcdef0')).toBe(0x123456789abcdef0n ^ 0x123456789abcdef0n);
    expect(event.idToIndex('0b9f3d1e-5c7a-4f61-9a3e-2d8c6b4e1f70')).toBe(0x0b9f3d1e5c7a4f61n ^ 0x9a3e2d8c6b4e1f70n);
    expect(() => event.idToIndex('not-a-uuid')).toThrow(/id must be a UUID/);
  });

  it('refuses a tag filter without a service filter, an empty name and a bad payload before sending', async () => {
    const urls: string[] = [];
    const rec: Client = testClient({ fetch: (input, init) => (urls.push(String(input)), fetch(input, init)) });
    const tagOnly = await rejection(event.fire(rec, 'x', undefined, { tag: 'a' }));
    expect(isInputError(tagOnly)).toBe(true);
    expect((tagOnly as Error).message).toMatch(/tag filters need a service filter/);
    expect(isInputError(await rejection(event.fire(rec, '')))).toBe(true);
    expect(isInputError(await rejection(event.fire(rec, 'x', 42 as unknown as string)))).toBe(true);
    expect(isInputError(await rejection(event.list(rec, { name: '' })))).toBe(true);
    expect(urls).toEqual([]);
  });
});
