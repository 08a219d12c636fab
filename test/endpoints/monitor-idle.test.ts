// agent.monitor's idleTimeout: a stream that stops delivering bytes ends with a TimeoutError (over both
// transports); without it a quiet stream is not cut by the client's timeout.
import { describe, expect, it } from 'vitest';
import { monitor } from '../../src/endpoints/agent.ts';
import { createClient, isInputError, isTimeoutError } from '../../src/index.ts';
import { createNodeClient } from '../../src/node/index.ts';
import { startMisbehavingServer } from '../support/misbehaving-server.mjs';
import { testClient } from '../support/client.ts';

const transports = [
  ['fetch', (address: string) => createClient({ address, timeout: 300 })],
  ['consulate/node', (address: string) => createNodeClient({ address, timeout: 300 })],
] as const;

describe.each(transports)('agent.monitor idleTimeout (%s)', (_name, make) => {
  it('ends a stream that stalls mid-body with a TimeoutError, not a NetworkError', async () => {
    const server = await startMisbehavingServer({ mode: 'stall-body', chunked: true, body: 'a log line\n' });
    try {
      const lines: string[] = [];
      const reading = (async () => {
        for await (const line of monitor(make(server.address), { idleTimeout: 500 })) lines.push(line);
      })();
      await expect(reading).rejects.toSatisfy(isTimeoutError);
      expect(lines).toEqual(['a log line']);
    } finally {
      await server.close();
    }
  });

  it('ends a stream that never sends its headers with a TimeoutError', async () => {
    const server = await startMisbehavingServer('never-answer');
    try {
      const first = monitor(make(server.address), { idleTimeout: 500 }).next();
      await expect(first).rejects.toSatisfy(isTimeoutError);
    } finally {
      await server.close();
    }
  });
});

describe('agent.monitor without idleTimeout', () => {
  it('is not cut by the client timeout while the agent logs nothing', async () => {
    // a level nothing is logged at: the stream stays silent far longer than the client's 200 ms timeout
    const controller = new AbortController();
    const client = testClient({ timeout: 200 });
    const reading = (async () => {
      for await (const _line of monitor(client, { loglevel: 'err', signal: controller.signal })) {
        // an error line would be fine too; nothing is expected
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    controller.abort();
    await expect(reading).resolves.toBeUndefined();
  });

  it('refuses an idleTimeout that is not a positive number, before sending', async () => {
    await expect(monitor(testClient(), { idleTimeout: 0 }).next()).rejects.toSatisfy(isInputError);
    await expect(monitor(testClient(), { idleTimeout: Number.NaN }).next()).rejects.toSatisfy(isInputError);
  });
});
