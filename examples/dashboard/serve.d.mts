// Types of serve.mjs, for TypeScript callers (the tests).
import type { CorsProxy, CorsProxyOptions } from '../cors-proxy/server.mjs';
/** Bundles app.ts into dist/app.js; returns the dashboard's directory. */
export function buildDashboard(): Promise<string>;
/** Builds the page and serves it with the CORS proxy (token passed through unless `token` is given). */
export function serveDashboard(options: Partial<CorsProxyOptions> & { target: string }): Promise<CorsProxy>;
