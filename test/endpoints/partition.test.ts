// Admin partitions (Consul Enterprise 1.11+).
// Contract tests from Consul's documented requests and responses — not run against 1.8.7 (it has no partitions).
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import * as partition from '../../src/endpoints/partition.ts';
import { Consul, createClient, isInputError } from '../../src/index.ts';
import { useMsw } from '../support/msw.ts';

const BASE = 'http://consul.test:8500';
const client = createClient({ address: BASE, retry: 0 });
const server = useMsw();

// https://developer.hashicorp.com/consul/api-docs/admin-partitions (sample responses)
const naWest = { Name: 'na-west', Description: 'Partition for North America West', CreateIndex: 55, ModifyIndex: 55 };

describe('admin partitions (contract test from Consul’s documented responses, not run against 1.8.7)', () => {
  it('creates with PUT /v1/partition', async () => {
    let body: unknown;
    server.use(
      http.put(`${BASE}/v1/partition`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(naWest);
      }),
    );
    const { data } = await partition.create(client, { Name: 'na-west', Description: 'Partition for North America West' });
    expect(body).toEqual({ Name: 'na-west', Description: 'Partition for North America West' });
    expect(data).toEqual(naWest);
    await expect(partition.create(client, {} as { Name: string })).rejects.toSatisfy(isInputError);
  });

  it('reads one (missing: undefined), updates, lists and deletes', async () => {
    let updateBody: unknown;
    let deleted = false;
    server.use(
      http.get(`${BASE}/v1/partition/na-west`, () => HttpResponse.json(naWest)),
      http.get(`${BASE}/v1/partition/nope`, () => new HttpResponse(null, { status: 404 })),
      http.put(`${BASE}/v1/partition/na-west`, async ({ request }) => {
        updateBody = await request.json();
        return HttpResponse.json({ ...naWest, Description: 'North America West Partition', ModifyIndex: 60 });
      }),
      http.get(`${BASE}/v1/partitions`, () =>
        HttpResponse.json([{ Name: 'default', Description: 'Builtin Default Partition', CreateIndex: 6, ModifyIndex: 6 }, naWest]),
      ),
      http.delete(`${BASE}/v1/partition/na-west`, () => {
        deleted = true;
        return new HttpResponse(null, { status: 200 });
      }),
    );
    expect((await partition.read(client, 'na-west')).data?.Description).toBe('Partition for North America West');
    expect((await partition.read(client, 'nope')).data).toBeUndefined();
    const updated = await partition.update(client, 'na-west', { Description: 'North America West Partition' });
    expect(updateBody).toEqual({ Description: 'North America West Partition' });
    expect(updated.data.ModifyIndex).toBe(60);
    expect((await partition.list(client)).data.map((p) => p.Name)).toEqual(['default', 'na-west']);
    await partition.delete(client, 'na-west');
    expect(deleted).toBe(true);
  });

  it('is bound on the facade', async () => {
    server.use(http.get(`${BASE}/v1/partitions`, () => HttpResponse.json([naWest])));
    expect((await new Consul(client).partition.list()).data).toEqual([naWest]);
  });
});
