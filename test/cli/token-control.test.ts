// A token the X-Consul-Token header cannot carry (a stray carriage return from a Windows shell or an
// editor) is refused up front with a message naming where it came from, never its value — it used
// to make `consulate` exit 1 printing nothing (the client's close() hung on the request Node refused).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanup, cli, prepare } from './run.ts';

beforeAll(prepare);
afterAll(cleanup);

it('CONSUL_HTTP_TOKEN with a trailing CR: exit 1 with an error naming the variable, not the token', async () => {
  const result = await cli(['kv', 'get', 'foo'], { env: { CONSUL_HTTP_TOKEN: 'sekrit-token\r' } });
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/CONSUL_HTTP_TOKEN: the ACL token holds a control character/);
  expect(result.stderr).not.toContain('sekrit');
});

it('--token with a line feed: exit 1 with an error naming the flag, not the token', async () => {
  const result = await cli(['kv', 'get', 'foo', '--token', 'sekrit-token\n']);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/error: --token: the ACL token holds a control character/);
  expect(result.stderr).not.toContain('sekrit');
});
