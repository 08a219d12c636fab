// The facade is generated from each group's description (core/bind.ts): these tests fail when an
// exported client-first function of a public module is missing from it, when one function is reachable
// at two facade paths, or when the bound facade and the descriptions disagree.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Description, FacadeEntry } from '../../src/core/bind.ts';
import { bindFacade, extendDescription, perClient, unbound } from '../../src/core/bind.ts';
import { Consul, consulFacade } from '../../src/consul.ts';
import { createClient, withConfig } from '../../src/index.ts';

type Fn = (...args: unknown[]) => unknown;

/**
 * A client-first function, by the project's convention `verb(client, …args)`: its first parameter is
 * named `client`. Pure helpers (`rtt(a, b)`, `builder()`, `tagList(tag)`…) are not.
 */
function isClientFirst(value: unknown): value is Fn {
  return typeof value === 'function' && /^(?:async\s*)?function\s*\*?\s*[\w$]*\s*\(\s*client\b/.test(Function.prototype.toString.call(value));
}

function isEntry(value: object): value is FacadeEntry<unknown> {
  return '~make' in value;
}

/** Every function reachable in a description, with the facade paths it is reachable at. */
function facadePaths(description: Description, prefix = 'consul'): Map<Fn, string[]> {
  const paths = new Map<Fn, string[]>();
  const add = (fn: unknown, path: string): void => {
    paths.set(fn as Fn, [...(paths.get(fn as Fn) ?? []), path]);
  };
  const walk = (d: Description, at: string): void => {
    for (const [name, entry] of Object.entries(d)) {
      const path = `${at}.${name}`;
      if (typeof entry === 'function') add(entry, path);
      else if (isEntry(entry)) {
        add(entry['~make'], path);
        for (const fn of entry['~covers']) add(fn, `${path} (built on it)`);
      } else walk(entry, path);
    }
  };
  walk(description, prefix);
  return paths;
}

/** `module: export` for every client-first export of `modules` that the description does not reach. */
function missingFromFacade(modules: Record<string, Record<string, unknown>>, description: Description): string[] {
  const reached = facadePaths(description);
  const missing: string[] = [];
  for (const [module, namespace] of Object.entries(modules)) {
    for (const [name, value] of Object.entries(namespace)) {
      if (isClientFirst(value) && !reached.has(value)) missing.push(`${module}: ${name}`);
    }
  }
  return missing;
}

/**
 * Exceptions to "a function's flat name is its facade path": `facade path: flat name`. Empty today; an
 * entry needs a comment saying why.
 */
const NAME_EXCEPTIONS: Record<string, string> = {};

/**
 * `path: name (want …)` for every function of a description whose flat (declared) name is not its path
 * within its group joined in lowerCamel (`consul.agent.service.register` → `serviceRegister`,
 * `consul.session.read` → `read`). A function at `delete` is declared `remove` (exported `as delete`).
 */
function flatNameMismatches(description: Description): string[] {
  const mismatches: string[] = [];
  const walk = (d: Description, path: string[]): void => {
    for (const [name, entry] of Object.entries(d)) {
      const at = [...path, name];
      if (typeof entry === 'function') {
        const joined = at.slice(1).map((s, i) => (i === 0 ? s : s.charAt(0).toUpperCase() + s.slice(1))).join('');
        const key = `consul.${at.join('.')}`;
        const want = NAME_EXCEPTIONS[key] ?? (joined === 'delete' ? 'remove' : joined);
        if (entry.name !== want) mismatches.push(`${key}: ${entry.name} (want ${want})`);
      } else if (!isEntry(entry)) walk(entry, at);
    }
  };
  walk(description, []);
  return mismatches;
}

// the public modules (jsr.json's exports, without the main entry and consulate/node), and the module
// that describes `consul.watch`
const jsr = JSON.parse(readFileSync(new URL('../../jsr.json', import.meta.url), 'utf8')) as { exports: Record<string, string> };
const sources = [
  ...Object.entries(jsr.exports).filter(([subpath]) => subpath !== '.' && subpath !== './node'),
  ['(consul.watch)', './src/recipes/watch.ts'],
] as const;
/**
 * Recipes reached from their own subpath only, with `consul.client` (`campaign(consul.client, …)`): they
 * build long-lived objects with a lifecycle of their own (a watch, a heartbeat, a campaign), and binding
 * them would grow every facade bundle by recipes most programs never use. `consul.lock`/`consul.semaphore`
 * stay bound: they are the original consulate's.
 */
const SUBPATH_ONLY = new Set(['./discovery', './registration', './live-config', './election', './kv-sync']);
const modules: Record<string, Record<string, unknown>> = {};
for (const [subpath, source] of sources) {
  if (SUBPATH_ONLY.has(subpath)) continue;
  modules[subpath] = (await import(new URL(`../../${source}`, import.meta.url).href)) as Record<string, unknown>;
}

describe('facade completeness', () => {
  it('tells client-first functions from the rest', () => {
    const kv = modules['./kv']!;
    const txn = modules['./txn']!;
    const coordinate = modules['./coordinate']!;
    const agent = modules['./agent']!;
    expect(isClientFirst(kv['get'])).toBe(true);
    expect(isClientFirst(kv['entries'])).toBe(true); // an async generator
    expect(isClientFirst(kv['deleteTree'])).toBe(true); // not async
    expect(isClientFirst(coordinate['rtt'])).toBe(false);
    expect(isClientFirst(txn['builder'])).toBe(false);
    expect(isClientFirst(agent['pathSegment'])).toBe(false);
    const count = Object.values(modules).flatMap((m) => Object.values(m)).filter(isClientFirst).length;
    expect(count).toBeGreaterThan(150);
  });

  it('leaves off only recipes that are public subpaths', () => {
    expect([...SUBPATH_ONLY].filter((subpath) => !(subpath in jsr.exports))).toEqual([]);
  });

  it('has every exported client-first function of every public module on the facade', () => {
    expect(missingFromFacade(modules, consulFacade)).toEqual([]);
  });

  it('fails for a module with a function the facade lacks', () => {
    const module = { widgetCreate: async function widgetCreate(client: unknown, name: string) { return [client, name]; } };
    expect(missingFromFacade({ './widget': module }, consulFacade)).toEqual(['./widget: widgetCreate']);
    expect(missingFromFacade({ './widget': module }, { ...consulFacade, widget: { create: module.widgetCreate } })).toEqual([]);
  });

  it('reaches each function at one facade path only', () => {
    const twice = [...facadePaths(consulFacade).values()].filter((paths) => paths.length > 1);
    expect(twice).toEqual([]);
  });

  it('names each function by its facade path within its group, noun first', () => {
    expect(flatNameMismatches(consulFacade)).toEqual([]);
  });

  it('fails for a function whose flat name is not its facade path', () => {
    async function createIntention(client: unknown) { return client; }
    async function remove(client: unknown) { return client; }
    async function intentionDelete(client: unknown) { return client; }
    expect(flatNameMismatches({ connect: { intention: { create: createIntention, delete: intentionDelete } }, query: { delete: remove } })).toEqual([
      'consul.connect.intention.create: createIntention (want intentionCreate)',
    ]);
  });
});

describe('binding', () => {
  it('binds every description entry of every group on new Consul()', () => {
    const consul = new Consul();
    const check = (description: Description, bound: Record<string, unknown>, at: string): void => {
      expect(Object.keys(bound).sort(), at).toEqual(Object.keys(description).sort());
      for (const [name, entry] of Object.entries(description)) {
        const value = bound[name];
        if (typeof entry === 'function') expect(typeof value, `${at}.${name}`).toBe('function');
        else if (!isEntry(entry)) check(entry, value as Record<string, unknown>, `${at}.${name}`);
      }
    };
    const { client, ...groups } = consul as unknown as Record<string, unknown>;
    expect(client).toBe(consul.client);
    check(consulFacade, groups, 'consul');
  });

  it('passes the facade client first, makes entries per client and keeps unbound helpers as they are', async () => {
    const client = createClient();
    const seen: unknown[][] = [];
    const rtt = (a: number, b: number): number => a + b;
    const bound = bindFacade(
      {
        read: (c: unknown, ...rest: unknown[]) => seen.push([c, ...rest]),
        nested: { list: function list(c: unknown) { seen.push([c]); } },
        rtt: unbound(rtt),
        made: perClient((c) => ({ client: c })),
      },
      client,
    );
    bound.read('a', 1);
    bound.nested.list();
    expect(seen).toEqual([[client, 'a', 1], [client]]);
    expect(bound.rtt).toBe(rtt);
    expect(bound.made.client).toBe(client);
  });

  it("adds a recipe to an endpoint group's description (consul.session.renewPeriodically) and refuses a name clash", () => {
    const consul = new Consul();
    expect(typeof consul.session.renewPeriodically).toBe('function');
    expect(typeof consul.session.renew).toBe('function');
    const read = async function read(client: unknown) { return client; };
    const watchIt = async function watchIt(client: unknown) { return client; };
    expect(Object.keys(extendDescription({ read }, { watchIt }))).toEqual(['read', 'watchIt']);
    expect(() => extendDescription({ read }, { read: watchIt })).toThrow(/already has: read/);
  });

  it('keeps the conveniences: a callable watch, lock and semaphore objects, withConfig', () => {
    const consul = new Consul({ token: 'a' });
    expect(typeof consul.watch).toBe('function');
    expect(typeof consul.watch.key).toBe('function');
    expect(consul.lock.prefix).toBe('consulate/locks');
    expect(typeof consul.semaphore.with).toBe('function');
    const admin = consul.withConfig({ token: 'b' });
    expect(admin).toBeInstanceOf(Consul);
    expect(admin.client.config.token).toBe('b');
    expect(admin.client.transport).toBe(consul.client.transport);
    expect(consul.client.config.token).toBe('a');
    expect(new Consul(withConfig(consul.client, { datacenter: 'dc2' })).client.config.datacenter).toBe('dc2');
  });
});
