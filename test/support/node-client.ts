// Helpers for tests of consulate/node clients (TLS, Unix socket).
import { expect } from 'vitest';
import * as kv from '../../src/endpoints/kv.ts';
import type { ConsulError } from '../../src/index.ts';
import type { NodeClient } from '../../src/node/index.ts';
import { uniquePrefix } from './client.ts';

/** Runs `fn` with a client and always closes it. */
export async function using<T>(client: NodeClient, fn: (client: NodeClient) => Promise<T>): Promise<T> {
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** A KV write and read of `value` through a client, under a fresh `label` prefix. */
export function kvRoundTrip(label: string, value: string): (client: NodeClient) => Promise<string | undefined> {
  return async (client) => {
    const key = `${uniquePrefix(label)}k`;
    await kv.set(client, key, value);
    return (await kv.get(client, key)).data;
  };
}

/** The error a read through `client` fails with (the client is closed afterwards). */
export async function failure(client: NodeClient): Promise<ConsulError> {
  return using(client, async (c) => {
    const error = await kv.get(c, 'x').then(() => undefined, (e: unknown) => e);
    expect(error).toBeDefined();
    return error as ConsulError;
  });
}
