// Starts one throwaway `consul agent -dev` for the whole run; tests read its address with inject('consulAddress').
import type { TestProject } from 'vitest/node';
import { startAgent } from './agent.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    consulAddress: string;
    consulBin: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const agent = await startAgent({ name: 'consulate-test' });
  project.provide('consulAddress', agent.address);
  const { consulBinary } = await import('./agent.mjs');
  project.provide('consulBin', consulBinary());
  return () => agent.stop();
}
