// Imported by bench/cold-import.mjs in a fresh Node, Deno or Bun process: imports one module and
// prints how long the import took (ms), measured inside the process.
const specifier = (globalThis.Deno ? globalThis.Deno.args : globalThis.process.argv.slice(2))[0];
const started = performance.now();
await import(specifier);
console.log((performance.now() - started).toFixed(3));
