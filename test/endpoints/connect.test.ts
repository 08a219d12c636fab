// Connect CA and intentions against a real Consul agent (unique service names on the shared agent).
import { afterAll, describe, expect, inject, it } from 'vitest';
import * as connect from '../../src/endpoints/connect.ts';
import { Consul, isBadRequestError, isInputError, isServerError } from '../../src/index.ts';
import { raw, testClient } from '../support/client.ts';

const client = testClient();
const unique = `${process.pid}-${Date.now().toString(36)}`;
const svc = (name: string): string => `cn-${name}-${unique}`;
const created: string[] = [];

afterAll(async () => {
  for (const id of created) await raw(`/v1/connect/intentions/${id}`, { method: 'DELETE' });
});

describe('Connect CA', () => {
  it('reads the CA roots with a PEM root certificate', async () => {
    const { data, meta } = await connect.caRoots(client);
    expect(data.TrustDomain).toMatch(/\.consul$/);
    const active = data.Roots.find((r) => r.Active)!;
    expect(active.ID).toBe(data.ActiveRootID);
    expect(active.RootCert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(typeof meta.index).toBe('bigint');
  });

  it('reads the CA configuration', async () => {
    const { data } = await connect.caConfiguration(client);
    expect(data.Provider).toBe('consul');
    expect(data.Config['LeafCertTTL']).toBe('72h');
  });
});

describe('intentions', () => {
  it('creates, reads, lists, updates and deletes an intention', async () => {
    const source = svc('web');
    const destination = svc('db');
    const { data } = await connect.intentionCreate(client, {
      SourceName: source,
      DestinationName: destination,
      Action: 'allow',
      Description: 'web to db',
      Meta: { team: 'a' },
    });
    created.push(data.ID);
    const got = (await connect.intentionRead(client, data.ID)).data!;
    expect(got).toMatchObject({ ID: data.ID, SourceName: source, DestinationName: destination, Action: 'allow', Description: 'web to db', Meta: { team: 'a' } });
    expect(got.SourceNS).toBe('default');

    const listed = await connect.intentionList(client, { filter: `SourceName == "${source}"` });
    expect(listed.data.map((i) => i.ID)).toEqual([data.ID]);

    await connect.intentionUpdate(client, data.ID, { SourceName: source, DestinationName: destination, Action: 'deny' });
    const updated = (await connect.intentionRead(client, data.ID)).data!;
    expect(updated.Action).toBe('deny');
    expect(updated.Description).toBe(''); // update replaces the whole intention

    await connect.intentionDelete(client, data.ID);
    expect((await connect.intentionRead(client, data.ID)).data).toBeUndefined();
    await expect(connect.intentionDelete(client, data.ID)).rejects.toThrow(/Cannot delete non-existent intention/);
  });

  it('matches and checks intentions', async () => {
    const source = svc('frontend');
    const destination = svc('backend');
    const other = svc('other');
    const deny = await connect.intentionCreate(client, { SourceName: source, DestinationName: destination, Action: 'deny' });
    const wildcard = await connect.intentionCreate(client, { SourceName: '*', DestinationName: destination, Action: 'allow' });
    created.push(deny.data.ID, wildcard.data.ID);

    const byDestination = await connect.intentionMatch(client, 'destination', destination);
    // highest precedence (exact source) first
    expect(byDestination.data.map((i) => i.ID)).toEqual([deny.data.ID, wildcard.data.ID]);
    // by source: the exact intention, and every `*` source intention on the agent (ours among them)
    const bySource = await connect.intentionMatch(client, 'source', source);
    expect(bySource.data[0]!.ID).toBe(deny.data.ID);
    expect(bySource.data.map((i) => i.ID)).toContain(wildcard.data.ID);

    expect((await connect.intentionCheck(client, source, destination)).data).toBe(false);
    expect((await connect.intentionCheck(client, other, destination)).data).toBe(true);
  });

  it('maps Consul’s errors and refuses bad input before sending', async () => {
    const { data } = await connect.intentionCreate(client, { SourceName: svc('a'), DestinationName: svc('b'), Action: 'allow' });
    created.push(data.ID);
    await expect(connect.intentionCreate(client, { SourceName: svc('a'), DestinationName: svc('b'), Action: 'allow' })).rejects.toSatisfy(isServerError);
    await expect(connect.intentionRead(client, 'not-a-uuid')).rejects.toSatisfy(isBadRequestError);
    await expect(connect.intentionCreate(client, { SourceName: 'a', DestinationName: 'b', Action: 'maybe' as 'allow' })).rejects.toSatisfy(isInputError);
    await expect(connect.intentionMatch(client, 'both' as 'source', 'a')).rejects.toSatisfy(isInputError);
    await expect(connect.intentionCheck(client, '', 'b')).rejects.toSatisfy(isInputError);
  });

  it('is bound on the facade', async () => {
    const consul = new Consul({ address: inject('consulAddress') });
    expect((await consul.connect.ca.roots()).data.Roots.length).toBeGreaterThan(0);
    expect((await consul.connect.ca.configuration()).data.Provider).toBe('consul');
    const { data } = await consul.connect.intention.create({ SourceName: svc('fa'), DestinationName: svc('fb'), Action: 'deny' });
    created.push(data.ID);
    expect((await consul.connect.intention.read(data.ID)).data?.Action).toBe('deny');
    expect((await consul.connect.intention.check(svc('fa'), svc('fb'))).data).toBe(false);
    expect((await consul.connect.intention.match('source', svc('fa'))).data.map((i) => i.ID)).toContain(data.ID);
    await consul.connect.intention.delete(data.ID);
    expect((await consul.connect.intention.list()).data.some((i) => i.ID === data.ID)).toBe(false);
  });
});
