import { configDefaults, defineConfig } from 'vitest/config';

// Two projects: `unit` (unit, msw, single dev agent, CLI and type tests) and `cluster` (fault tests on
// one shared loopback cluster, test/support/cluster.mjs). The cluster project runs after the unit one
// (groupOrder), one file at a time; every cluster test restores what it broke in afterEach.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/cluster/**'],
          globalSetup: ['test/support/global-setup.ts'],
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: 'test/tsconfig.json' },
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          globalSetup: ['test/support/cluster-setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
