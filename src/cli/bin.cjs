#!/usr/bin/env node
// The `consulate` executable (dist/cli/index.js; the CLI itself is dist/cli/run.js, bundled from
// src/cli/index.ts). It first turns on Node's module compile cache (Node ≥ 22.1; a no-op before), so
// that V8's compiled code of the bundle is reused on the next start instead of compiled again: ~9 ms
// of CPU per call, about a sixth of what `consulate kv get` costs over `node -e 0` on Node 22. The
// cache lives in Node's own directory (os.tmpdir()/node-compile-cache, or NODE_COMPILE_CACHE);
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. TypeScript's `tsc` does the same.
'use strict';
require('node:module').enableCompileCache?.();
require('./run.js');
