import { inject } from 'vitest';
import { createClient } from '../../src/index.ts';
import type { Client, ClientConfig } from '../../src/index.ts';

let counter = 0;

/** A client for the run's shared agent. */
export function testClient(config: ClientConfig = {}): Client {
  return createClient({ address: inject('consulAddress'), ...config });
}

/** A key prefix no other test uses. */
export function uniquePrefix(name: string): string {
  return `test/${name}-${process.pid}-${Date.now().toString(36)}-${counter++}/`;
}

/** Raw HTTP against the agent, bypassing the code under test. */
export async function raw(path: string, init?: RequestInit): Promise<Response> {
  return fetch(`${inject('consulAddress')}${path}`, { redirect: 'manual', ...init });
}

/** A service/check/node name no other test uses (`t-<name>-…`, no slashes). */
export function uniqueName(name: string, tag = 't'): string {
  return uniquePrefix(name).replace(/^test\//, `${tag}-`).replace(/\/$/, '');
}
