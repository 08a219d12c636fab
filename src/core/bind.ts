/**
 * Helpers for the facade: binding endpoint functions to a client.
 * @module
 */
import type { Client } from './client.ts';

/** An endpoint function with its leading `client` parameter bound. */
export type Bound<F> = F extends (client: Client, ...args: infer A) => infer R ? (...args: A) => R : never;

/** Binds `fn`'s first argument to `client`. */
export function bind<A extends unknown[], R>(fn: (client: Client, ...args: A) => R, client: Client): (...args: A) => R {
  return (...args: A) => fn(client, ...args);
}
