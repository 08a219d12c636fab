// The dashboard example in headless Chromium (called by browser.mjs): the page is built and served by
// examples/dashboard/serve.mjs, loaded from http://localhost:PORT and pointed at the proxy on
// http://127.0.0.1:PORT (cross-origin). Services and checks are changed with raw HTTP to the agent (not
// the SDK); the page must show them and follow each change through its watches, without reloading.
// Its states (denied, unauthorised, empty, live, outage, recovered) are checked by test/examples/dashboard.test.ts.
import { serveDashboard } from '../../examples/dashboard/serve.mjs';

/**
 * @param {{ browser: import('playwright-core').Browser, agentUrl: string, screenshot: string }} options
 * @returns {Promise<[string, Error | undefined][]>} one entry per test
 */
export async function testDashboard({ browser, agentUrl, screenshot }) {
  const results = [];
  const name = `dash-web-${Date.now().toString(36)}`;
  const id = `${name}-1`;
  const agent = (method, path, body) => fetch(`${agentUrl}${path}`, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
  const proxy = await serveDashboard({ target: agentUrl });
  const page = await browser.newPage({ viewport: { width: 1000, height: 420 } });
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  const row = `tr[data-service="${name}"]`;
  const step = async (label, fn) => {
    try {
      await fn();
      if (pageErrors.length) throw pageErrors[0];
      results.push([label, undefined]);
      return true;
    } catch (error) {
      results.push([label, error]);
      return false;
    }
  };
  try {
    await agent('PUT', '/v1/agent/service/register', { ID: id, Name: name, Port: 8080, Tags: ['web', 'v2'], Check: { CheckID: `${id}-ttl`, Name: 'web alive', TTL: '5m' } });
    const listed = await step('dashboard: lists a registered service with its tags and (critical) health', async () => {
      await page.goto(`http://localhost:${proxy.port}/?api=${encodeURIComponent(proxy.url)}`);
      await page.waitForSelector(`${row}[data-status="critical"]`, { timeout: 15_000 });
      const cells = await page.locator(`${row} td`).allTextContents();
      if (cells[0] !== name || cells[1] !== 'critical' || cells[2] !== '1 critical' || cells[3] !== 'v2web') throw new Error(`row shows ${JSON.stringify(cells)}`);
      const status = await page.locator('#status').textContent();
      if (!/^live · \d+ services? · index \d+/.test(status ?? '')) throw new Error(`status line: ${status}`);
    });
    await step('dashboard: follows a check turning passing, live through its watch (no reload), screenshot', async () => {
      if (!listed) throw new Error('not listed');
      const navigations = [];
      page.on('framenavigated', (frame) => navigations.push(frame.url()));
      await agent('PUT', `/v1/agent/check/pass/${encodeURIComponent(`${id}-ttl`)}`);
      await page.waitForSelector(`${row}[data-status="passing"]`, { timeout: 15_000 });
      if (navigations.length) throw new Error(`the page reloaded: ${navigations.join(', ')}`);
      if ((await page.locator(`${row} td.checks`).textContent()) !== '1 passing') throw new Error('checks cell not updated');
      await page.screenshot({ path: screenshot });
    });
    await step('dashboard: drops a deregistered service', async () => {
      if (!listed) throw new Error('not listed');
      await agent('PUT', `/v1/agent/service/deregister/${encodeURIComponent(id)}`);
      await page.waitForSelector(row, { state: 'detached', timeout: 15_000 });
    });
  } finally {
    await page.close();
    await proxy.close();
    await agent('PUT', `/v1/agent/service/deregister/${encodeURIComponent(id)}`).catch(() => {});
  }
  return results;
}
