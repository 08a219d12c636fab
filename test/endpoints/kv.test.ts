// KV against a real Consul agent, over the core transport (ky and the global fetch); the tests
// themselves are in kv.suite.ts, which test/node/kv.test.ts runs over the Node transport too.
import { inject } from 'vitest';
import { Consul } from '../../src/index.ts';
import { testClient } from '../support/client.ts';
import { kvSuite } from './kv.suite.ts';

kvSuite('kv over createClient (ky, global fetch)', {
  client: testClient(),
  consul: () => new Consul({ address: inject('consulAddress') }),
});
