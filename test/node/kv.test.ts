// The KV suite (test/endpoints/kv.suite.ts) over createNodeClient's transport (node:http).
import { afterAll, inject } from 'vitest';
import { Consul } from '../../src/index.ts';
import { createNodeClient } from '../../src/node/index.ts';
import { kvSuite } from '../endpoints/kv.suite.ts';

const client = createNodeClient({ address: inject('consulAddress') });
afterAll(() => client.close());

kvSuite('kv over createNodeClient (node:http transport)', { client, consul: () => new Consul(client) });
