// Starts ONE loopback cluster for every file of the `cluster` project; tests read it with inject('cluster').
import type { TestProject } from 'vitest/node';
import { startCluster, stopCluster } from './cluster.mjs';
import type { Cluster } from './cluster.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: Cluster;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const cluster = await startCluster();
  console.log(`cluster: 3 servers + 2 clients + dc2 healthy in ${Date.now() - started} ms`);
  project.provide('cluster', cluster);
  return () => stopCluster(cluster);
}
