// The runtime-neutral suite in a browser page, bundled by ./browser.mjs with esbuild: from source as
// written, or with `../../src/index.ts` and the recipe sources (./recipes.ts) redirected to the package's
// built ESM files (./entries.mjs).
// The page is loaded from http://localhost:PORT and talks to the agent through the CORS proxy at
// http://127.0.0.1:PORT/consul — another origin, so every call is a real cross-origin request.
import * as lib from '../../src/index.ts';
import { recipes } from './recipes.ts';
import type { SuiteSummary } from './suite.ts';
import { runSuite } from './suite.ts';

declare global {
  interface Window {
    __consulateResult?: SuiteSummary;
  }
}

const params = new URLSearchParams(location.search);
const out = document.getElementById('log');
const summary = await runSuite({
  lib,
  recipes,
  address: params.get('api') ?? location.origin,
  pathPrefix: '/consul',
  corslessAddress: params.get('agent') ?? undefined,
  runtime: `browser-${params.get('target') ?? 'src'}`,
  log(line) {
    console.log(line);
    if (out) out.textContent += `${line}\n`;
  },
});
window.__consulateResult = summary;
