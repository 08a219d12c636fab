// The recipe subpaths the suite uses, imported statically for the bundled targets (./edge-entry.ts,
// ./browser-entry.ts): from source as written, or, for dist, redirected by ./entries.mjs to the files the
// package serves for `consulate/discovery`, `consulate/registration`… (./entry.ts imports them itself).
import * as discovery from '../../src/recipes/discovery.ts';
import * as election from '../../src/recipes/election.ts';
import * as kvSync from '../../src/recipes/kv-sync.ts';
import * as liveConfig from '../../src/recipes/live-config.ts';
import * as registration from '../../src/recipes/registration.ts';
import type { Recipes } from './suite.ts';

/** The recipe modules, keyed as {@link Recipes}. */
export const recipes: Recipes = { discovery, registration, liveConfig, election, kvSync };
