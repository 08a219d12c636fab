// The local agent against a real Consul agent (the run's shared -dev agent, plus an ACL-enabled one
// of this file's own for what would disturb other test files: node maintenance, reload, tokens).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as agent from '../../src/endpoints/agent.ts';
import {
  Consul,
  isBadRequestError,
  isForbiddenError,
  isHttpError,
  isInputError,
  isNotFoundError,
  isServerError,
  type Client,
} from '../../src/index.ts';
import { startAgent, type Agent } from '../support/agent.mjs';
import { testClient, uniqueName } from '../support/client.ts';
import { eventually, rejection } from '../support/async.ts';

const client = testClient();

/** A name no other test uses, usable as a service or check id. */
const uid = (name: string): string => uniqueName(name);

/** A client that records every URL and body it sends (to show what reached the agent, and that nothing did). */
function recording(config: Parameters<typeof testClient>[0] = {}): { client: Client; urls: string[]; bodies: string[] } {
  const urls: string[] = [];
  const bodies: string[] = [];
  const c = testClient({
    ...config,
    fetch: async (input, init) => {
      urls.push(input instanceof Request ? input.url : String(input));
      if (input instanceof Request) bodies.push(await input.clone().text());
      return fetch(input, init);
    },
  });
  return { client: c, urls, bodies };
}

/** Retries an assertion until it passes (Consul applies some changes asynchronously). */
describe('agent: self, members, join, force-leave, metrics, host, version', () => {
  it('self() describes the agent, members() its LAN and WAN pools', async () => {
    const { data: me, meta } = await agent.self(client);
    expect(meta.status).toBe(200);
    expect(me.Config.Version).toBe('1.8.7');
    expect(me.Config.Datacenter).toBe('dc1');
    expect(me.Config.Server).toBe(true);
    expect(me.Member.Name).toBe(me.Config.NodeName);
    const { data: lan } = await agent.members(client);
    expect(lan).toHaveLength(1);
    expect(lan[0]).toMatchObject({ Name: me.Config.NodeName, Addr: '127.0.0.1', Status: 1 });
    expect(lan[0]!.Tags['dc']).toBe('dc1');
    const { data: wan } = await agent.members(client, { wan: true });
    expect(wan.map((m) => m.Name)).toEqual([`${me.Config.NodeName}.dc1`]);
    expect(wan[0]!.Port).not.toBe(lan[0]!.Port);
  });

  it('members({ segment }) surfaces Consul OSS refusing segments as a ServerError', async () => {
    const error = await rejection(agent.members(client, { segment: 'alpha' }));
    expect(isServerError(error)).toBe(true);
    expect((error as { consulMessage: string }).consulMessage).toMatch(/segments are not supported/i);
  });

  it('join() joins through a gossip address (the agent itself, LAN and WAN) and reports failures', async () => {
    const { data: lan } = await agent.members(client);
    const { data: wan } = await agent.members(client, { wan: true });
    const { client: rec, urls } = recording();
    expect((await agent.join(rec, `${lan[0]!.Addr}:${lan[0]!.Port}`)).meta.status).toBe(200);
    expect((await agent.join(rec, `${wan[0]!.Addr}:${wan[0]!.Port}`, { wan: true })).meta.status).toBe(200);
    expect(urls[1]).toMatch(/\/v1\/agent\/join\/127\.0\.0\.1%3A\d+\?wan=1$/);
    const error = await rejection(agent.join(client, '127.0.0.1:1'));
    expect(isServerError(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/Failed to join/);
    expect((await agent.members(client)).data).toHaveLength(1);
  });

  it('forceLeave() of an unknown node is a ServerError; prune is sent as a flag', async () => {
    const { client: rec, urls } = recording();
    const node = uid('ghost');
    const error = await rejection(agent.forceLeave(rec, node, { prune: true }));
    expect(isServerError(error)).toBe(true);
    expect((error as { consulMessage: string }).consulMessage).toContain(`No node found with name '${node}'`);
    expect(urls).toEqual([expect.stringMatching(new RegExp(`/v1/agent/force-leave/${node}\\?prune=$`))]);
  });

  it('metrics() reads the in-memory metrics; prometheusMetrics() is a 415 HttpError without retention', async () => {
    const { data } = await agent.metrics(client);
    expect(typeof data.Timestamp).toBe('string');
    expect(data.Gauges.length).toBeGreaterThan(0);
    expect(data.Gauges.every((g) => typeof g.Name === 'string')).toBe(true);
    expect(Array.isArray(data.Samples)).toBe(true);
    const error = await rejection(agent.prometheusMetrics(client));
    expect(isHttpError(error)).toBe(true);
    expect((error as { status: number }).status).toBe(415);
  });

  it('host() describes the machine', async () => {
    const { data } = await agent.host(client);
    expect(typeof data.Host['hostname']).toBe('string');
    expect(typeof data.Memory['total']).toBe('number');
    expect(Array.isArray(data.CPU)).toBe(true);
    // nanoseconds since the epoch: above 2^53, read exactly
    expect(typeof data.CollectionTime).toBe('bigint');
    expect(data.CollectionTime / 1_000_000n).toBeGreaterThan(BigInt(Date.now() - 60_000));
  });

  it('version() is undefined on 1.8.7, which has no /v1/agent/version (404)', async () => {
    const { data, meta } = await agent.version(client);
    expect(data).toBeUndefined();
    expect(meta.status).toBe(404);
  });

  it('version() reads a newer agent (contract test from Consul\'s documented response, not run against 1.8.7)', async () => {
    const body = { SKU: 'oss', Version: '1.19.0', Revision: 'abc', BuildDate: '2024-06-12T00:00:00Z', HumanVersion: '1.19.0', FIPS: '' };
    const fake = testClient({
      fetch: async (input) => {
        expect(input instanceof Request ? input.url : String(input)).toMatch(/\/v1\/agent\/version$/);
        return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
      },
    });
    expect((await agent.version(fake)).data).toEqual(body);
  });

  it('tokenUpdate() with ACLs disabled surfaces Consul\'s 401 as an HttpError; the token travels in the body only', async () => {
    const secret = '0b9f3d1e-5c7a-4f61-9a3e-2d8c6b4e1f70';
    const { client: rec, urls } = recording();
    const error = await rejection(agent.tokenUpdate(rec, 'default', secret));
    expect(isHttpError(error)).toBe(true);
    expect(isForbiddenError(error)).toBe(false);
    expect(error).toMatchObject({ status: 401, consulMessage: 'ACL support disabled' });
    expect(urls).toEqual([expect.stringMatching(/\/v1\/agent\/token\/default$/)]);
    expect(String((error as Error).message)).not.toContain(secret);
  });
});

describe('agent services and checks', () => {
  it('registers a service with a TTL check; serviceList(), serviceRead(), checkList() show it', async () => {
    const name = uid('svc');
    const id = `${name}-1`;
    await agent.serviceRegister(client, {
      Name: name,
      ID: id,
      Port: 8080,
      Address: '10.0.0.8',
      Tags: ['v1', 'primary'],
      Meta: { team: 'core' },
      EnableTagOverride: true,
      Weights: { Passing: 5, Warning: 2 },
      TaggedAddresses: { lan: { Address: '10.0.0.8', Port: 8080 }, wan: { Address: '198.51.100.8' } },
      Check: { TTL: '30s', Notes: 'app heartbeat' },
    });
    try {
      const { data: all } = await agent.serviceList(client);
      expect(all[id]).toMatchObject({
        ID: id,
        Service: name,
        Port: 8080,
        Address: '10.0.0.8',
        Tags: ['v1', 'primary'],
        Meta: { team: 'core' },
        EnableTagOverride: true,
        Weights: { Passing: 5, Warning: 2 },
        TaggedAddresses: { lan: { Address: '10.0.0.8', Port: 8080 }, wan: { Address: '198.51.100.8', Port: 0 } },
      });
      const filtered = await agent.serviceList(client, { filter: `Service == "${name}"` });
      expect(Object.keys(filtered.data)).toEqual([id]);
      const one = await agent.serviceRead(client, id);
      expect(one.data).toMatchObject({ ID: id, Service: name, Port: 8080 });
      expect(one.meta.contentHash).toMatch(/^[0-9a-f]+$/);
      expect(one.data?.ContentHash).toBe(one.meta.contentHash);
      const { data: checks } = await agent.checkList(client);
      expect(checks[`service:${id}`]).toMatchObject({ ServiceID: id, ServiceName: name, Status: 'critical', Notes: 'app heartbeat', Type: 'ttl' });
    } finally {
      await agent.serviceDeregister(client, id);
    }
    expect((await agent.serviceList(client)).data[id]).toBeUndefined();
    expect((await agent.checkList(client)).data[`service:${id}`]).toBeUndefined();
  });

  it('serviceRead() of an unknown id is undefined (404)', async () => {
    const { data, meta } = await agent.serviceRead(client, uid('nobody'));
    expect(data).toBeUndefined();
    expect(meta.status).toBe(404);
  });

  it('service(id, { hash }) blocks until the definition changes', async () => {
    const name = uid('hash');
    await agent.serviceRegister(client, { Name: name, Port: 1 });
    try {
      const first = await agent.serviceRead(client, name);
      const blocked = agent.serviceRead(client, name, { hash: first.meta.contentHash!, wait: '10s' });
      await new Promise((r) => setTimeout(r, 200));
      await agent.serviceRegister(client, { Name: name, Port: 2 });
      const next = await blocked;
      expect(next.data?.Port).toBe(2);
      expect(next.meta.contentHash).not.toBe(first.meta.contentHash);
    } finally {
      await agent.serviceDeregister(client, name);
    }
  });

  it('TTL pass/warn/fail/update drive the check and the local health endpoints (status as data, never retried)', async () => {
    const name = uid('ttl');
    const id = `${name}-a`;
    const checkId = `service:${id}`;
    await agent.serviceRegister(client, { Name: name, ID: id, Port: 80, Check: { TTL: '1m' } });
    const { client: rec, urls } = recording();
    try {
      let byName = await agent.serviceHealthByName(rec, name);
      expect(byName.data).toMatchObject({ status: 'critical', found: true });
      expect(byName.meta.status).toBe(503);
      expect(byName.data.services).toHaveLength(1);
      expect(byName.data.services[0]!.Service?.ID).toBe(id);
      expect(urls).toHaveLength(1); // a 503 here is an answer, not a failure to retry

      await agent.checkTtlPass(client, checkId, 'all good');
      let byId = await agent.serviceHealthById(rec, id);
      expect(byId.data.status).toBe('passing');
      expect(byId.meta.status).toBe(200);
      expect(byId.data.services[0]!.Checks![0]).toMatchObject({ CheckID: checkId, Status: 'passing', Output: 'all good' });

      await agent.checkTtlWarn(client, checkId, 'slow');
      byName = await agent.serviceHealthByName(rec, name);
      expect(byName.data.status).toBe('warning');
      expect(byName.meta.status).toBe(429);

      await agent.checkTtlFail(client, checkId, 'down');
      byId = await agent.serviceHealthById(rec, id);
      expect(byId.data.status).toBe('critical');
      expect((await agent.checkList(client)).data[checkId]).toMatchObject({ Status: 'critical', Output: 'down' });

      await agent.checkUpdate(client, checkId, { Status: 'warning', Output: 'degraded' });
      expect((await agent.checkList(client)).data[checkId]).toMatchObject({ Status: 'warning', Output: 'degraded' });
      expect(urls).toHaveLength(4);
    } finally {
      await agent.serviceDeregister(client, id);
    }
  });

  it('local health of an unknown service is critical and not found', async () => {
    const byName = await agent.serviceHealthByName(client, uid('none'));
    expect(byName.data).toEqual({ status: 'critical', found: false, services: [] });
    expect(byName.meta.status).toBe(404);
    const byId = await agent.serviceHealthById(client, uid('none'));
    expect(byId.data).toEqual({ status: 'critical', found: false, services: [] });
  });

  it('checkTtlPass() of an unknown or non-TTL check is a ServerError', async () => {
    const error = await rejection(agent.checkTtlPass(client, uid('nocheck')));
    expect(isServerError(error)).toBe(true);
    expect((error as { consulMessage: string }).consulMessage).toMatch(/does not have associated TTL/);
  });

  it('service maintenance adds a critical maintenance check and removes it again', async () => {
    const name = uid('maint');
    await agent.serviceRegister(client, { Name: name, Port: 80, Check: { TTL: '1m', Status: 'passing' } });
    try {
      await agent.serviceMaintenance(client, name, true, 'deploying v2');
      const check = (await agent.checkList(client)).data[`_service_maintenance:${name}`];
      expect(check).toMatchObject({ Status: 'critical', Notes: 'deploying v2', ServiceID: name });
      const health = await agent.serviceHealthById(client, name);
      expect(health.data.status).toBe('maintenance');
      expect(health.meta.status).toBe(503);
      await agent.serviceMaintenance(client, name, false);
      expect((await agent.checkList(client)).data[`_service_maintenance:${name}`]).toBeUndefined();
      expect((await agent.serviceHealthById(client, name)).data.status).toBe('passing');
    } finally {
      await agent.serviceDeregister(client, name);
    }
    expect(isNotFoundError(await rejection(agent.serviceMaintenance(client, uid('gone'), true)))).toBe(true);
  });

  it('registers several service checks and replaces them with replaceExistingChecks', async () => {
    const name = uid('multi');
    await agent.serviceRegister(client, {
      Name: name,
      Port: 80,
      Checks: [
        { CheckID: `${name}-c1`, Name: 'first', TTL: '1m' },
        { CheckID: `${name}-c2`, Name: 'second', TTL: '1m', Status: 'warning' },
      ],
    });
    try {
      let checks = (await agent.checkList(client, { filter: `ServiceID == "${name}"` })).data;
      expect(Object.keys(checks).sort()).toEqual([`${name}-c1`, `${name}-c2`]);
      expect(checks[`${name}-c2`]).toMatchObject({ Name: 'second', Status: 'warning' });
      await agent.serviceRegister(client, { Name: name, Port: 80, Checks: [{ CheckID: `${name}-c1`, Name: 'first', TTL: '1m' }] });
      checks = (await agent.checkList(client, { filter: `ServiceID == "${name}"` })).data;
      expect(Object.keys(checks).sort()).toEqual([`${name}-c1`, `${name}-c2`]); // kept without the option
      await agent.serviceRegister(
        client,
        { Name: name, Port: 80, Checks: [{ CheckID: `${name}-c1`, Name: 'first', TTL: '1m' }] },
        { replaceExistingChecks: true },
      );
      checks = (await agent.checkList(client, { filter: `ServiceID == "${name}"` })).data;
      expect(Object.keys(checks)).toEqual([`${name}-c1`]);
    } finally {
      await agent.serviceDeregister(client, name);
    }
  });

  it('runs an HTTP check with its method, headers and body, and a TCP check (sent as written)', async () => {
    const seen: { method: string; headers: IncomingMessage['headers']; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ method: req.method!, headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const name = uid('kinds');
    const [httpId, tcpId] = [`${name}-http`, `${name}-tcp`];
    const { client: rec, bodies } = recording();
    try {
      await agent.serviceRegister(client, { Name: name, Port: port });
      const httpCheck: agent.CheckDefinition = {
        ID: httpId,
        Name: 'web health',
        ServiceID: name,
        HTTP: `http://127.0.0.1:${port}/health`,
        Method: 'POST',
        Header: { 'X-Probe': ['consulate'], Accept: ['text/plain', 'application/json'] },
        Body: '{"deep":true}',
        TLSSkipVerify: true,
        Interval: '1s',
        Timeout: '1500ms',
        DeregisterCriticalServiceAfter: '90m',
      };
      await agent.checkRegister(rec, httpCheck);
      await agent.checkRegister(client, { ID: tcpId, Name: 'port', TCP: `127.0.0.1:${port}`, Interval: '1s', ServiceID: name, Status: 'warning' });
      expect(JSON.parse(bodies[0]!)).toEqual(httpCheck); // sent as written
      const probe = await eventually(async () => {
        const hit = seen.find((r) => r.method === 'POST');
        if (!hit) throw new Error('no check request yet');
        return hit;
      });
      expect(probe.headers['x-probe']).toBe('consulate');
      expect(probe.headers['accept']).toBe('text/plain, application/json');
      expect(probe.body).toBe('{"deep":true}');
      await eventually(async () => {
        const { data } = await agent.checkList(client);
        expect(data[httpId]).toMatchObject({ Type: 'http', Status: 'passing', ServiceID: name, Name: 'web health' });
        expect(data[tcpId]).toMatchObject({ Type: 'tcp', Status: 'passing', ServiceID: name });
      });
    } finally {
      await agent.serviceDeregister(client, name);
      await new Promise((r) => server.close(r));
    }
    const { data: after } = await agent.checkList(client);
    expect(after[httpId]).toBeUndefined(); // deregistering the service removed its checks
    expect(after[tcpId]).toBeUndefined();
  });

  it('registers gRPC, alias and TTL node checks', async () => {
    const name = uid('more');
    const ids = ['grpc', 'alias', 'ttl'].map((k) => `${name}-${k}`);
    try {
      await agent.checkRegister(client, { ID: ids[0], Name: 'grpc', GRPC: '127.0.0.1:1', GRPCUseTLS: false, Interval: '1m' });
      await agent.checkRegister(client, { ID: ids[1], Name: 'alias', AliasService: name });
      await agent.checkRegister(client, { ID: ids[2], TTL: '5m', Status: 'passing', Notes: 'node heartbeat' });
      const { data: checks } = await agent.checkList(client);
      expect(checks[ids[0]!]).toMatchObject({ Type: 'grpc', ServiceID: '' });
      expect(checks[ids[1]!]).toMatchObject({ Type: 'alias' });
      expect(checks[ids[2]!]).toMatchObject({ Type: 'ttl', Status: 'passing', Name: ids[2], Notes: 'node heartbeat' });
    } finally {
      for (const id of ids) await agent.checkDeregister(client, id);
    }
    const { data: after } = await agent.checkList(client);
    expect(ids.filter((id) => after[id])).toEqual([]);
    // deregistering what is not there is not an error
    expect((await agent.checkDeregister(client, ids[0]!)).meta.status).toBe(200);
  });

  it('a script check on an agent without enable_script_checks is Consul\'s ServerError', async () => {
    const error = await rejection(agent.checkRegister(client, { ID: uid('script'), Args: ['/bin/true'], Interval: '10s' }));
    expect(isServerError(error)).toBe(true);
    expect((error as { consulMessage: string }).consulMessage).toMatch(/Scripts are disabled/);
  });

  it('the Consul facade binds agent, agent.service and agent.check', async () => {
    const consul = new Consul(client);
    const name = uid('facade');
    await consul.agent.service.register({ Name: name, Port: 9, Check: { TTL: '1m' } });
    try {
      expect((await consul.agent.service.read(name)).data?.Port).toBe(9);
      expect(Object.keys((await consul.agent.service.list()).data)).toContain(name);
      await consul.agent.check.ttlPass(`service:${name}`);
      expect((await consul.agent.service.healthByName(name)).data.status).toBe('passing');
      expect((await consul.agent.check.list()).data[`service:${name}`]?.Status).toBe('passing');
      expect((await consul.agent.self()).data.Config.Version).toBe('1.8.7');
    } finally {
      await consul.agent.service.deregister(name);
    }
  });
});

describe('agent monitor', () => {
  it('streams log lines until the caller aborts, then ends without an error', async () => {
    const marker = uid('monitor');
    const controller = new AbortController();
    // Consul sends nothing until a line is logged at the level, so keep making lines until ours shows up
    const poke = setInterval(() => void agent.serviceRead(client, marker).catch(() => undefined), 100);
    const lines: string[] = [];
    try {
      for await (const line of agent.monitor(client, { loglevel: 'debug', signal: controller.signal })) {
        lines.push(line);
        if (line.includes(marker)) controller.abort();
      }
    } finally {
      clearInterval(poke);
    }
    const ours = lines.find((line) => line.includes(marker))!;
    expect(ours).toMatch(/\[DEBUG\] agent\.http: Request finished: method=GET url=\/v1\/agent\/service\//);
    expect(lines.every((line) => !line.includes('\n'))).toBe(true);
  });

  it('streams JSON lines with logjson and stops when the loop is left', async () => {
    const marker = uid('monjson');
    const poke = setInterval(() => void agent.serviceRead(client, marker).catch(() => undefined), 100);
    let record: Record<string, unknown> | undefined;
    try {
      for await (const line of agent.monitor(client, { loglevel: 'debug', logjson: true })) {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (JSON.stringify(parsed).includes(marker)) {
          record = parsed;
          break;
        }
      }
    } finally {
      clearInterval(poke);
    }
    expect(record).toMatchObject({ '@level': 'debug', '@module': 'agent.http', method: 'GET' });
  });

  it('ends cleanly when aborted before any line arrives', async () => {
    const controller = new AbortController();
    const iterator = agent.monitor(client, { loglevel: 'err', signal: controller.signal });
    const next = iterator.next();
    setTimeout(() => controller.abort(), 150);
    expect(await next).toEqual({ done: true, value: undefined });
  });

  it('an unknown loglevel is Consul\'s BadRequestError', async () => {
    const lines = agent.monitor(client, { loglevel: 'loud' as 'info' });
    expect(isBadRequestError(await rejection(lines.next()))).toBe(true);
  });
});

describe('validation before sending', () => {
  const { client: rec, urls } = recording();
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['http check without interval', () => agent.checkRegister(rec, { Name: 'x', HTTP: 'http://x/' }), /check\.Interval is required for a http check/],
    ['tcp service check without interval', () => agent.serviceRegister(rec, { Name: 'x', Check: { TCP: 'x:1' } }), /service\.Check\.Interval is required/],
    ['bad duration', () => agent.checkRegister(rec, { Name: 'x', HTTP: 'http://x/', Interval: 'ten seconds' }), /check\.Interval must be a Go duration/],
    ['bare number string', () => agent.checkRegister(rec, { Name: 'x', TTL: '30' }), /check\.TTL must be a Go duration/],
    ['a number for a duration', () => agent.checkRegister(rec, { Name: 'x', TCP: 'x:1', Interval: 1000 as unknown as string }), /check\.Interval must be a Go duration string/],
    ['two kinds at once', () => agent.checkRegister(rec, { Name: 'x', HTTP: 'http://x/', TCP: 'x:1', Interval: '10s' }), /2 kinds at once \(http, tcp\)/],
    ['ttl with interval', () => agent.checkRegister(rec, { Name: 'x', TTL: '10s', Interval: '10s' }), /both TTL and Interval/],
    ['bad status', () => agent.checkRegister(rec, { Name: 'x', TTL: '10s', Status: 'ok' as 'passing' }), /check\.Status must be "passing", "warning" or "critical"/],
    ['no kind', () => agent.checkRegister(rec, { Name: 'x' }), /check needs a kind/],
    ['camelCase fields are not Consul\'s', () => agent.checkRegister(rec, { name: 'x', ttl: '10s' }), /check takes Consul's field names: "name" should be "Name"/],
    ['camelCase in a service\'s check', () => agent.serviceRegister(rec, { Name: 'x', Check: { ttl: '10s' } }), /service\.Check takes Consul's field names: "ttl" should be "TTL"/],
    ['camelCase update', () => agent.checkUpdate(rec, 'c', { Status: 'passing', output: 'x' }), /update takes Consul's field names: "output" should be "Output"/],
    ['zero ttl', () => agent.checkRegister(rec, { Name: 'x', TTL: '0s' }), /check\.TTL must be greater than 0/],
    ['bad check in Checks[1]', () => agent.serviceRegister(rec, { Name: 'x', Checks: [{ TTL: '1m' }, { GRPC: 'x:1', Interval: '-1s' }] }), /service\.Checks\[1\]\.Interval/],
    ['docker without args', () => agent.checkRegister(rec, { Name: 'x', DockerContainerID: 'abc', Interval: '10s' }), /check\.DockerContainerID needs check\.Args/],
    ['shell without docker', () => agent.checkRegister(rec, { Name: 'x', Args: ['true'], Shell: '/bin/sh', Interval: '10s' }), /check\.Shell is only for Docker/],
    ['Args and ScriptArgs', () => agent.checkRegister(rec, { Name: 'x', Args: ['true'], ScriptArgs: ['true'], Interval: '10s' }), /both Args and ScriptArgs/],
    ['header value not an array', () => agent.checkRegister(rec, { Name: 'x', HTTP: 'http://x/', Interval: '10s', Header: { A: 'b' as unknown as string[] } }), /check\.Header\.A must be an array of strings/],
    ['ServiceID on a service check', () => agent.serviceRegister(rec, { Name: 'x', Check: { TTL: '1m', ServiceID: 'y' } }), /service\.Check\.ServiceID cannot be set/],
    ['check without name or id', () => agent.checkRegister(rec, { TTL: '1m' }), /check\.Name \(or check\.ID\) is required/],
    ['service without name', () => agent.serviceRegister(rec, { Port: 80 } as agent.ServiceDefinition), /service\.Name is required/],
    ['port out of range', () => agent.serviceRegister(rec, { Name: 'x', Port: 70000 }), /service\.Port must be an integer from 0 to 65535/],
    ['Weights.Passing 0', () => agent.serviceRegister(rec, { Name: 'x', Weights: { Passing: 0 } }), /service\.Weights\.Passing must be an integer from 1/],
    ['tags not strings', () => agent.serviceRegister(rec, { Name: 'x', Tags: [1 as unknown as string] }), /service\.Tags must be an array of strings/],
    ['tagged address without Address', () => agent.serviceRegister(rec, { Name: 'x', TaggedAddresses: { lan: { Port: 1 } as agent.TaggedAddress } }), /service\.TaggedAddresses\.lan\.Address is required/],
    ['update with bad status', () => agent.checkUpdate(rec, 'c', { Status: 'fine' as 'passing' }), /update\.Status must be "passing", "warning" or "critical"/],
    ['empty service id', () => agent.serviceRead(rec, ''), /id must be a non-empty string/],
    ['maintenance enable not a boolean', () => agent.maintenance(rec, 'yes' as unknown as boolean), /enable must be a boolean/],
    ['token kind', () => agent.tokenUpdate(rec, 'Default!' as agent.AgentTokenKind, 't'), /kind must be a token kind/],
    ['empty hash', () => agent.serviceRead(rec, 'x', { hash: '' }), /hash must be a non-empty string/],
  ];
  for (const [what, call, message] of cases) {
    it(`${what} → InputError naming the field`, async () => {
      const error = await rejection(call());
      expect(isInputError(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    });
  }
  it('none of them reached the agent', () => {
    expect(urls).toEqual([]);
  });
});

describe('agent on its own ACL-enabled agent (tokens, node maintenance, reload, script checks, Prometheus)', () => {
  const master = '5d8e7f2a-1b3c-4d5e-8f90-a1b2c3d4e5f6';
  let own: Agent;
  let admin: Client;
  let anonymous: Client;
  beforeAll(async () => {
    own = await startAgent({
      name: 'consulate-agent-acl',
      acl: { masterToken: master },
      hcl: 'enable_script_checks = true\ntelemetry { prometheus_retention_time = "1m" }',
    });
    admin = testClient({ address: own.address, token: master });
    anonymous = testClient({ address: own.address });
  });
  afterAll(async () => {
    await own?.stop();
  });

  it('tokenUpdate() sets each kind with agent:write, is Forbidden without, NotFound for an unknown kind', async () => {
    expect(isForbiddenError(await rejection(agent.tokenUpdate(anonymous, 'default', master)))).toBe(true);
    // the agent token stays the master token; the others get tokens that grant nothing
    expect((await agent.tokenUpdate(admin, 'agent', master)).meta.status).toBe(200);
    for (const kind of ['default', 'agent_master', 'replication', 'acl_token'] as const) {
      expect((await agent.tokenUpdate(admin, kind, crypto.randomUUID())).meta.status).toBe(200);
    }
    const error = await rejection(agent.tokenUpdate(admin, 'agent_recovery', master));
    expect(isNotFoundError(error)).toBe(true);
    expect((error as { consulMessage: string }).consulMessage).toBe('Token "agent_recovery" is unknown');
  });

  it('node maintenance adds and removes the _node_maintenance check', async () => {
    await agent.maintenance(admin, true, 'kernel upgrade');
    expect((await agent.checkList(admin)).data['_node_maintenance']).toMatchObject({ Status: 'critical', Notes: 'kernel upgrade', Type: 'maintenance' });
    await agent.maintenance(admin, false);
    expect((await agent.checkList(admin)).data['_node_maintenance']).toBeUndefined();
  });

  it('script and Docker checks register where script checks are enabled', async () => {
    await agent.checkRegister(admin, { ID: 'script', Args: ['/bin/true'], Interval: '1m' });
    await agent.checkRegister(admin, { ID: 'docker', DockerContainerID: 'no-such-container', Shell: '/bin/sh', Args: ['true'], Interval: '1m' });
    const { data } = await agent.checkList(admin);
    expect(data['script']).toMatchObject({ Type: 'script', Name: 'script' });
    expect(data['docker']).toMatchObject({ Type: 'docker' });
  });

  // Consul's API docs' "Sample Payload" of PUT /v1/agent/service/register, unchanged
  // (website/content/api-docs/agent/service.mdx); its script check needs enable_script_checks, which this agent has
  it('the docs\' sample payload of /v1/agent/service/register goes in unchanged', async () => {
    const payload = JSON.parse(`{
      "ID": "redis1",
      "Name": "redis",
      "Tags": ["primary", "v1"],
      "Address": "127.0.0.1",
      "Port": 8000,
      "Meta": {
        "redis_version": "4.0"
      },
      "EnableTagOverride": false,
      "Check": {
        "DeregisterCriticalServiceAfter": "90m",
        "Args": ["/usr/local/bin/check_redis.py"],
        "Interval": "10s",
        "Timeout": "5s"
      },
      "Weights": {
        "Passing": 10,
        "Warning": 1
      }
    }`) as agent.ServiceDefinition;
    await agent.serviceRegister(admin, payload, { replaceExistingChecks: true });
    try {
      const { data } = await agent.serviceRead(admin, 'redis1');
      expect(data).toMatchObject({
        ID: 'redis1',
        Service: 'redis',
        Tags: ['primary', 'v1'],
        Address: '127.0.0.1',
        Port: 8000,
        Meta: { redis_version: '4.0' },
        EnableTagOverride: false,
        Weights: { Passing: 10, Warning: 1 },
      });
      expect((await agent.checkList(admin)).data['service:redis1']).toMatchObject({ Type: 'script', ServiceID: 'redis1' });
    } finally {
      await agent.serviceDeregister(admin, 'redis1');
    }
  });

  // Consul's API docs' "Sample Payload" of PUT /v1/agent/check/register (website/content/api-docs/agent/check.mdx).
  // Consul 1.8.7 accepts it as it is but runs only one of its four kinds (Args+DockerContainerID, HTTP, TCP: it
  // registers an HTTP check), which consulate refuses before sending as "several kinds at once". Trimmed to
  // the HTTP check Consul would run (Args, DockerContainerID, Shell and TCP dropped); otherwise unchanged.
  it('the docs\' sample payload of /v1/agent/check/register goes in trimmed to one kind (the unchanged one is refused: 3 kinds at once)', async () => {
    const docs = JSON.parse(`{
      "ID": "mem",
      "Name": "Memory utilization",
      "Notes": "Ensure we don't oversubscribe memory",
      "DeregisterCriticalServiceAfter": "90m",
      "Args": ["/usr/local/bin/check_mem.py"],
      "DockerContainerID": "f972c95ebf0e",
      "Shell": "/bin/bash",
      "HTTP": "https://example.com",
      "Method": "POST",
      "Header": { "Content-Type": ["application/json"] },
      "Body": "{\\"check\\":\\"mem\\"}",
      "TCP": "example.com:22",
      "Interval": "10s",
      "Timeout": "5s",
      "TLSSkipVerify": true
    }`) as agent.CheckDefinition;
    const refused = await rejection(agent.checkRegister(admin, docs));
    expect(isInputError(refused)).toBe(true);
    expect((refused as Error).message).toMatch(/check has 3 kinds at once \(docker, http, tcp\)/);
    const { Args, DockerContainerID, Shell, TCP, ...trimmed } = docs;
    await agent.checkRegister(admin, trimmed);
    try {
      expect((await agent.checkList(admin)).data['mem']).toMatchObject({
        CheckID: 'mem',
        Name: 'Memory utilization',
        Notes: "Ensure we don't oversubscribe memory",
        Type: 'http',
      });
    } finally {
      await agent.checkDeregister(admin, 'mem');
    }
  });

  it('prometheusMetrics() returns the text exposition format', async () => {
    const { data } = await agent.prometheusMetrics(admin);
    expect(data).toMatch(/^# (HELP|TYPE) consul_/m);
  });

  it('reload() re-reads the configuration (a -dev agent then forgets API-registered services)', async () => {
    await agent.serviceRegister(admin, { Name: 'before-reload', Port: 1 });
    expect(Object.keys((await agent.serviceList(admin)).data)).toContain('before-reload');
    expect((await agent.reload(admin)).meta.status).toBe(200);
    expect((await agent.serviceList(admin)).data['before-reload']).toBeUndefined();
  });
});
