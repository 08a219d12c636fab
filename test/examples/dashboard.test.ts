// The dashboard example in headless Chromium (Debian's, driven by playwright-core), through the CORS proxy,
// against real agents: each state the page can be in is checked in the DOM and screenshotted into
// .artifacts/dashboard/ (a test artifact; gitignored).
//   - an ACL agent (default deny): denied (anonymous: everything filtered), unauthorised (an unknown
//     token), empty (a token that may read nodes and dash-* services, none registered), live;
//   - a plain agent on a fixed port: live, outage (agent stopped: rows kept, marked stale, with the times
//     of the last successful read and of the last check), recovered (agent restarted on the same port: live
//     again, and the index shown follows Consul's down);
//   - an HTTPS agent with verify_incoming (certificates made with `consul tls`): live, the proxy
//     trusting the agent's CA and presenting a client certificate (mTLS) while the page talks plain
//     HTTP to the proxy.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CorsProxy } from '../../examples/cors-proxy/server.mjs';
import { serveDashboard } from '../../examples/dashboard/serve.mjs';
import type { Agent } from '../support/agent.mjs';
import { freePort, startAgent } from '../support/agent.mjs';

const root = new URL('../..', import.meta.url).pathname;
const artifacts = join(root, '.artifacts/dashboard');
const MASTER = 'd45b0a2d-0000-4000-8000-000000000001';
const READER = 'd45b0a2d-0000-4000-8000-000000000002';
const UNKNOWN = 'd45b0a2d-0000-4000-8000-0000000000ff';

/** Debian's chromium (CHROMIUM_PATH overrides), as test/runtimes/browser.mjs finds it. */
function chromiumPath(): string {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p))
    ?? execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser || true'], { encoding: 'utf8' }).trim();
  if (!found) throw new Error('no chromium binary: apt-get install -y chromium, or set CHROMIUM_PATH');
  return found;
}

let browser: Browser;
const proxies: CorsProxy[] = [];
const agents: Agent[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(agents.map((a) => a.stop()));
});

/** Opens the dashboard from http://localhost:PORT against the proxy at http://127.0.0.1:PORT (cross-origin). */
async function open(proxy: CorsProxy): Promise<{ page: Page; tokenRequests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 460 } });
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  // every request that carries a token, to check it goes to the proxy only, in the header only
  const tokenRequests: string[] = [];
  page.on('request', (request) => {
    const token = request.headers()['x-consul-token'];
    if (token || /token=/i.test(request.url())) tokenRequests.push(`${request.url()} ${token ?? ''}`);
  });
  await page.goto(`http://localhost:${proxy.port}/?api=${encodeURIComponent(proxy.url)}`);
  return { page, tokenRequests };
}

const state = (page: Page, name: string) => page.waitForSelector(`body[data-state="${name}"]`, { timeout: 20_000 });
const text = async (page: Page, selector: string): Promise<string> => (await page.locator(selector).textContent()) ?? '';
const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `${name}.png`) });

describe('on an ACL agent (default deny), the token typed into the page', () => {
  let agent: Agent;
  let proxy: CorsProxy;
  let page: Page;
  let tokenRequests: string[];
  const asMaster = (method: string, path: string, body?: unknown) => fetch(`${agent.address}${path}`, {
    method, headers: { 'X-Consul-Token': MASTER }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

  beforeAll(async () => {
    agent = await startAgent({ name: 'consulate-dash-acl', acl: { masterToken: MASTER } });
    agents.push(agent);
    const rules = 'node_prefix "" { policy = "read" }\nservice_prefix "dash-" { policy = "read" }';
    expect((await asMaster('PUT', '/v1/acl/policy', { Name: 'dash-read', Rules: rules })).status).toBe(200);
    expect((await asMaster('PUT', '/v1/acl/token', { SecretID: READER, Policies: [{ Name: 'dash-read' }] })).status).toBe(200);
    proxy = await serveDashboard({ target: agent.address });
    proxies.push(proxy);
    ({ page, tokenRequests } = await open(proxy));
  });

  it('denied: anonymous sees nothing (Consul filters every list), and the page says so and offers a token field', async () => {
    await state(page, 'denied');
    expect(await text(page, '#notice-title')).toBe('Nothing is visible: Consul\'s ACLs hide every service and node from this token');
    expect(await text(page, '#notice-help')).toMatch(/Enter a token with service:read and node:read below\.$/);
    expect(await page.isVisible('#token-form')).toBe(true);
    expect(await text(page, '#token-state')).toBe('no token (anonymous)');
    expect(await page.locator('#services tr').count()).toBe(0);
    expect(await text(page, '#status')).not.toMatch(/^live/);
    await shot(page, 'denied');
  });

  it('unauthorised: an unknown token is named as such (not "reconnecting…" forever), with what to do', async () => {
    await page.fill('#token', UNKNOWN);
    await page.click('#token-form button[type="submit"]');
    await state(page, 'unauthorised');
    expect(await text(page, '#notice-title')).toBe('Consul does not know this token (403 ACL not found)');
    expect(await page.isVisible('#retry')).toBe(true);
    await shot(page, 'unauthorised');
  });

  it('empty: a valid token that sees the node but no service; the token lives in sessionStorage and goes only to the proxy, in X-Consul-Token', async () => {
    await page.fill('#token', READER);
    await page.click('#token-form button[type="submit"]');
    await state(page, 'empty');
    expect(await text(page, '#notice-title')).toBe('No services visible');
    expect(await text(page, '#node')).toBe('node consulate-dash-acl: passing');
    expect(await text(page, '#status')).toMatch(/^empty · 0 services · index \d+$/);
    expect(await page.evaluate(() => Object.entries(sessionStorage))).toEqual([[`consulate-dashboard-token ${proxy.url}`, READER]]);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(tokenRequests.length).toBeGreaterThan(0);
    for (const line of tokenRequests) expect(line).toMatch(new RegExp(`^${proxy.url.replace(/\./g, '\\.')}/consul/v1/\\S+ (${UNKNOWN}|${READER})$`));
    await shot(page, 'empty');
  });

  it('live: a registered dash-* service appears through the watches', async () => {
    const registered = await asMaster('PUT', '/v1/agent/service/register', { ID: 'dash-web-1', Name: 'dash-web', Tags: ['v2'], Check: { CheckID: 'dash-web-ttl', TTL: '5m' } });
    expect(registered.status).toBe(200);
    await page.waitForSelector('tr[data-service="dash-web"][data-status="critical"]', { timeout: 20_000 });
    await state(page, 'live');
    expect(await page.isHidden('#notice')).toBe(true);
    expect(await text(page, '#status')).toMatch(/^live · 1 service · index \d+$/);
    await shot(page, 'live-acl');
  });
});

describe('on an agent that goes away and comes back', () => {
  let agent: Agent;
  let port: number;
  let proxy: CorsProxy;
  let page: Page;
  let indexBefore: bigint;
  const register = () => fetch(`${agent.address}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ ID: 'dash-api-1', Name: 'dash-api', Tags: ['v1'], Check: { CheckID: 'dash-api-ttl', TTL: '5m', Status: 'passing' } }) });

  beforeAll(async () => {
    port = await freePort();
    agent = await startAgent({ name: 'consulate-dash-outage', httpPort: port });
    agents.push(agent);
    // raise the raft index well above what a fresh agent starts with, so that the restart shows it going down
    for (let i = 0; i < 40; i++) await fetch(`${agent.address}/v1/kv/dash/bump`, { method: 'PUT', body: String(i) });
    expect((await register()).status).toBe(200);
    proxy = await serveDashboard({ target: agent.address });
    proxies.push(proxy);
    ({ page } = await open(proxy));
  });

  it('live: services with their health, Consul\'s index, the time of the last check', async () => {
    await page.waitForSelector('tr[data-service="dash-api"][data-status="passing"]', { timeout: 20_000 });
    await state(page, 'live');
    expect(await page.locator('#services tr').allTextContents()).toEqual(['consulno checks—', 'dash-apipassing1 passingv1']);
    expect(await text(page, '#status')).toMatch(/^live · 2 services · index \d+$/);
    expect(await text(page, '#checked')).toMatch(/^checked \d/);
    indexBefore = BigInt(await page.getAttribute('#status', 'data-index') ?? '0');
    expect(indexBefore).toBeGreaterThan(40n);
    await shot(page, 'live');
  });

  it('outage: the agent stops; the rows stay, marked stale, with the last successful read and the last check', async () => {
    const stopped = agents.indexOf(agent);
    await agent.stop();
    await state(page, 'outage');
    expect(await text(page, '#notice-title')).toMatch(/^The proxy cannot reach the Consul agent \(consul agent unreachable: ECONNREFUSED\)$/);
    expect(await text(page, '#notice-help')).toBe(`Check the Consul agent that the proxy at ${proxy.url} forwards to. Retrying…`);
    expect(await text(page, '#node')).toBe('node consulate-dash-outage: passing (stale)');
    expect(await page.locator('#services tr[data-stale="true"].stale').count()).toBe(2);
    expect(await text(page, '#checked')).toMatch(/^stale — last successful read \S.*, last check \S.* failed$/);
    const lastSuccess = Date.parse(await page.getAttribute('#checked', 'data-last-success') ?? '');
    const lastCheck = Date.parse(await page.getAttribute('#checked', 'data-last-check') ?? '');
    expect(lastCheck).toBeGreaterThan(lastSuccess);
    expect(await text(page, '#status')).toMatch(/^outage · index \d+$/);
    await shot(page, 'outage');
    // the agent comes back on the same address (a fresh -dev agent: empty state, low indexes)
    agent = await startAgent({ name: 'consulate-dash-outage', httpPort: port });
    agents[stopped] = agent;
    expect((await register()).status).toBe(200);
  });

  it('recovered: live again by itself, nothing stale, and the index follows Consul\'s down', async () => {
    await page.waitForSelector('body[data-state="live"] tr[data-service="dash-api"]', { timeout: 20_000 });
    await page.waitForFunction(() => !document.querySelector('[data-stale]'), undefined, { timeout: 20_000 });
    expect(await text(page, '#status')).toMatch(/^live · 2 services · index \d+ · reconnected at \S/);
    expect(await text(page, '#checked')).toMatch(/^checked \d/);
    const indexAfter = BigInt(await page.getAttribute('#status', 'data-index') ?? '0');
    expect(indexAfter).toBeLessThan(indexBefore);
    await shot(page, 'recovered');
  });
});

describe('on an HTTPS agent that verifies client certificates (mTLS from the proxy)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'consulate-dash-tls-'));
  const pem = (name: string): string => join(dir, name);
  let agent: Agent;
  let proxy: CorsProxy;
  let page: Page;

  beforeAll(async () => {
    for (const args of [['tls', 'ca', 'create'], ['tls', 'cert', 'create', '-server', '-dc', 'dc1'], ['tls', 'cert', 'create', '-client', '-dc', 'dc1']]) {
      execFileSync(inject('consulBin'), args, { cwd: dir, stdio: 'pipe' });
    }
    agent = await startAgent({
      name: 'consulate-dash-tls',
      https: { caFile: pem('consul-agent-ca.pem'), certFile: pem('dc1-server-consul-0.pem'), keyFile: pem('dc1-server-consul-0-key.pem'), verifyIncoming: true },
    });
    agents.push(agent);
    // registered through the agent's plain-HTTP listener (setup only; the page reads through HTTPS)
    const registered = await fetch(`${agent.address}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ ID: 'dash-tls-1', Name: 'dash-tls', Tags: ['mtls'], Check: { CheckID: 'dash-tls-ttl', TTL: '5m', Status: 'passing' } }) });
    expect(registered.status).toBe(200);
    proxy = await serveDashboard({
      target: `https://127.0.0.1:${agent.httpsPort}`,
      tls: { caFile: pem('consul-agent-ca.pem'), certFile: pem('dc1-client-consul-0.pem'), keyFile: pem('dc1-client-consul-0-key.pem') },
    });
    proxies.push(proxy);
    ({ page } = await open(proxy));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('live: the registered service and the node, read over HTTPS with a client certificate', async () => {
    await page.waitForSelector('tr[data-service="dash-tls"][data-status="passing"]', { timeout: 20_000 });
    await state(page, 'live');
    expect(await page.isHidden('#notice')).toBe(true);
    expect(await page.locator('#services tr').allTextContents()).toEqual(['consulno checks—', 'dash-tlspassing1 passingmtls']);
    expect(await text(page, '#node')).toBe('node consulate-dash-tls: passing');
    expect(await text(page, '#status')).toMatch(/^live · 2 services · index \d+$/);
    await shot(page, 'live-https');
  });
});
