import { describe, expect, it } from 'vitest';
import { createClient, isConfigError, Consul } from '../../src/index.ts';
import type { ClientConfig } from '../../src/index.ts';

const api = (config: ClientConfig): string => createClient(config).config.apiUrl;

describe('createClient config', () => {
  it('defaults to http://127.0.0.1:8500', () => {
    expect(api({})).toBe('http://127.0.0.1:8500/v1/');
  });

  it('accepts host:port, URLs, consulate host/port/scheme, IPv6 and a path prefix', () => {
    expect(api({ address: '10.0.0.5:8501' })).toBe('http://10.0.0.5:8501/v1/');
    expect(api({ address: 'https://consul.example' })).toBe('https://consul.example/v1/');
    expect(api({ host: 'consul', port: 8600, scheme: 'https' })).toBe('https://consul:8600/v1/');
    expect(api({ host: '::1' })).toBe('http://[::1]:8500/v1/');
    expect(api({ address: 'https://dash.example/base/', pathPrefix: '/consul/' })).toBe('https://dash.example/base/consul/v1/');
  });

  it.each<[string, ClientConfig, RegExp]>([
    ['a bad URL', { address: 'http://exa mple:99' }, /not a valid URL/],
    ['a port out of range', { port: 70000 }, /port/],
    ['a non-integer port', { port: 80.5 }, /port/],
    ['an unknown scheme', { scheme: 'ftp' as 'http' }, /scheme/],
    ['an unknown scheme in the address', { address: 'ftp://x:21' }, /unsupported scheme "ftp"/],
    ['a unix socket in core', { address: 'unix:///tmp/consul.sock' }, /consulate\/node/],
    ['address and host together', { address: 'a:1', host: 'b' }, /not both/],
    ['credentials in the address', { address: 'http://user:pw@host:1' }, /credentials/],
    ['an unknown option', { adress: 'typo' } as ClientConfig, /adress/],
    ['a negative timeout', { timeout: -1 }, /timeout/],
    ['a bad retry', { retry: { limit: -1 } }, /retry/],
  ])('rejects %s with a ConfigError at creation', (_name, config, message) => {
    let error: unknown;
    try {
      createClient(config);
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(message);
    expect(() => new Consul(config)).toThrow(message);
  });

  it('explains what to do when the runtime has no fetch', () => {
    const saved = globalThis.fetch;
    try {
      // @ts-expect-error simulate a runtime without fetch
      delete globalThis.fetch;
      expect(() => createClient({})).toThrow(/no fetch implementation.*pass one as the `fetch` option/);
      expect(createClient({ fetch: saved }).config.fetch).toBe(saved);
    } finally {
      globalThis.fetch = saved;
    }
  });

  it('freezes the client and its config', () => {
    const client = createClient({ headers: { 'X-A': '1' } });
    expect(Object.isFrozen(client)).toBe(true);
    expect(Object.isFrozen(client.config)).toBe(true);
    expect(Object.isFrozen(client.config.headers)).toBe(true);
  });
});
