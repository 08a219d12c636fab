/** One agent of the loopback cluster: plain JSON, usable from any process. */
export interface ClusterAgent {
  /** Node name (`s1`…`s3`, `c1`, `c2`, `dc2-s1`). */
  name: string;
  dc: 'dc1' | 'dc2';
  /** Its own loopback address (127.0.0.21–26). */
  ip: string;
  /** HTTP API base URL, e.g. `http://127.0.0.24:41234`. */
  address: string;
  /** Arguments to `consul` (restart uses the same). */
  args: string[];
  pidFile: string;
  dataDir: string;
  /** Path of the consul binary. */
  binary: string;
}
export interface Cluster {
  /** The three dc1 servers. */
  servers: ClusterAgent[];
  /** The two dc1 client agents. */
  clients: ClusterAgent[];
  /** The dc2 server, joined over WAN. */
  dc2: ClusterAgent;
  baseDir: string;
}
export const CLUSTER_IPS: string[];
export function startCluster(options?: { timeoutMs?: number }): Promise<Cluster>;
export function allAgents(cluster: Cluster): ClusterAgent[];
export function pidOf(agent: ClusterAgent): number | undefined;
/** Whether the process runs (a SIGSTOPped one counts as running). */
export function isRunning(agent: ClusterAgent): boolean;
/** Signals the agent by the pid in its pid file; SIGKILL/SIGTERM/SIGINT wait until it is gone. */
export function kill(agent: ClusterAgent, signal?: NodeJS.Signals): Promise<void>;
/** Spawns a dead agent again with the same args (a frozen one gets SIGCONT) and waits until it answers with a leader. */
export function restart(agent: ClusterAgent, options?: { timeoutMs?: number }): Promise<void>;
/** The current dc1 leader, or undefined. */
export function leader(cluster: Cluster): Promise<ClusterAgent | undefined>;
/** Both DCs have a leader, every agent answers, all members alive, no serfHealth critical. */
export function waitHealthy(cluster: Cluster, timeoutMs?: number): Promise<void>;
/** Restarts/resumes every agent that is down or frozen, then waitHealthy. For afterEach. */
export function heal(cluster: Cluster, timeoutMs?: number): Promise<void>;
export function logTail(agent: ClusterAgent, lines?: number): string;
export function stopCluster(cluster: Cluster): Promise<void>;
