/**
 * The facade's machinery. Each group module exports one description of how its functions nest on
 * the facade (`aclFacade = { token: { create: tokenCreate, … }, … }`), and `Consul` binds every
 * description to its client in one loop ({@link bindFacade}); the facade's type is derived from the
 * descriptions ({@link BoundFacade}).
 *
 * A description is a plain object whose values are
 * - a client-first endpoint function (`verb(client, …args)`): bound, `consul.kv.get(key)`;
 * - a nested description: a sub-resource, `consul.acl.token.create(…)`;
 * - a {@link FacadeEntry} (from {@link unbound} or {@link perClient}): anything that is not a
 *   client-first function (a pure helper, a recipe's own API object).
 *
 * A generic function loses its type parameters through a mapped type, so its entry spells the
 * bound signature out once with {@link Generic} (`getJSON: getJSON as Generic<typeof getJSON, …>`);
 * the bound signature is checked against the function's.
 *
 * A recipe that belongs with an endpoint group (the session renewer, `consul.session.renewPeriodically`)
 * cannot be in that group's description, since endpoint modules do not import recipes: `consul.ts`
 * adds its description to the group's with {@link extendDescription}.
 *
 * Descriptions are top-level `const` object literals; the factories here are marked side-effect
 * free, so a bundle that uses one function of a group drops the description.
 * @module
 */
import type { Client } from './client.ts';

/** An endpoint function with its leading `client` parameter bound. */
export type Bound<F> = F extends (client: Client, ...args: infer A) => infer R ? (...args: A) => R : never;

/** A function that takes the client first: what a description binds. */
export type ClientFunction = (client: Client, ...args: never[]) => unknown;

/** A facade entry that is not a client-first function: made once per client. */
export interface FacadeEntry<T> {
  /** Makes the entry for a client. */
  readonly '~make': (client: Client) => T;
  /** The client-first functions this entry exposes (the facade-completeness test reads it). */
  readonly '~covers': readonly ClientFunction[];
}

/**
 * A generic client-first function `F` whose bound signature `B` is spelled out, because a mapped type
 * cannot carry type parameters. `B` must be assignable to `F` with its client bound. Type only: at
 * run time the entry is `F` itself and is bound like any other.
 * @example getJSON: getJSON as Generic<typeof getJSON, <T = unknown>(key: string, options?: …) => Promise<Result<T | undefined>>>
 */
export type Generic<F extends ClientFunction, B extends Bound<F>> = F & { readonly '~bound'?: B };

/** A description: how a group's functions nest on the facade. */
export interface Description {
  readonly [name: string]: ClientFunction | FacadeEntry<unknown> | Description;
}

/** The facade built from a description: client-first functions bound, entries made, groups nested. */
export type BoundFacade<D> = {
  readonly [K in keyof D]: D[K] extends FacadeEntry<infer T>
    ? T
    : '~bound' extends keyof D[K]
      ? Exclude<D[K]['~bound' & keyof D[K]], undefined>
      : D[K] extends (client: Client, ...args: infer A) => infer R
        ? (...args: A) => R
        : BoundFacade<D[K]>;
};

/**
 * A facade entry that is used as it is, without a client (a pure helper such as `coordinate.rtt`).
 * @param value - the helper.
 * @returns the entry.
 */
// @__NO_SIDE_EFFECTS__
export function unbound<T>(value: T): FacadeEntry<T> {
  return { '~make': () => value, '~covers': [] };
}

/**
 * A facade entry made for each client by `make` (a recipe's API object such as `consul.lock`).
 * @param make - builds the entry for a client.
 * @param covers - the client-first functions the entry exposes, for the completeness test.
 * @returns the entry.
 */
// @__NO_SIDE_EFFECTS__
export function perClient<T>(make: (client: Client) => T, ...covers: ClientFunction[]): FacadeEntry<T> {
  return { '~make': make, '~covers': covers };
}

/**
 * A group's description with the entries of another added, for a higher layer's functions that nest in
 * a lower layer's group (`extendDescription(sessionFacade, renewerFacade)`: the session endpoints and
 * the renewer recipe under `consul.session`).
 * @param base - the group's own description.
 * @param extra - the entries to add; none may have a name `base` already has.
 * @returns a new description with the entries of both.
 * @throws {Error} when `extra` has a name `base` already has (one of them would be lost).
 */
// @__NO_SIDE_EFFECTS__
export function extendDescription<A extends Description, B extends Description>(base: A, extra: B): A & B {
  const clash = Object.keys(extra).filter((name) => Object.hasOwn(base, name));
  if (clash.length > 0) throw new Error(`a facade description cannot be extended with names it already has: ${clash.join(', ')}`);
  return { ...base, ...extra };
}

function isEntry(value: object): value is FacadeEntry<unknown> {
  return '~make' in value;
}

/**
 * Binds a description to a client: every client-first function becomes `(...args) => fn(client, ...args)`,
 * every {@link FacadeEntry} is made, every nested description is bound the same way.
 * @param description - the description (see the module's notes).
 * @param client - the client every function is bound to.
 * @returns the bound facade.
 */
export function bindFacade<D extends Description>(description: D, client: Client): BoundFacade<D> {
  const bound: Record<PropertyKey, unknown> = {};
  // symbol keys too: kvFacade's Symbol.asyncIterator makes `for await (const key of consul.kv)` work
  for (const name of Reflect.ownKeys(description)) {
    const entry = Reflect.get(description, name) as Description[string];
    if (typeof entry === 'function') {
      const fn = entry as (client: Client, ...args: unknown[]) => unknown;
      bound[name] = (...args: unknown[]) => fn(client, ...args);
    } else {
      bound[name] = isEntry(entry) ? entry['~make'](client) : bindFacade(entry, client);
    }
  }
  return bound as BoundFacade<D>;
}
