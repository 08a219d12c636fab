// msw for what a real agent cannot produce on demand (retries, 429/5xx, malformed bodies, timeouts, redirects).
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const MOCK = 'http://consul.mock:8500';

/** An msw server bound to the test file's lifecycle. */
export function useMsw(): ReturnType<typeof setupServer> {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}
