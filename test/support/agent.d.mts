export interface Agent {
  address: string;
  httpPort: number;
  httpsPort?: number;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
  logs(): string;
}
export interface AgentOptions {
  acl?: { masterToken: string; defaultPolicy?: string };
  https?: { caFile: string; certFile: string; keyFile: string; verifyIncoming?: boolean };
  unixSocket?: string;
  hcl?: string;
  name?: string;
  /** Fixed HTTP port (e.g. to restart an agent on the same address); a free one by default. */
  httpPort?: number;
}
export function consulBinary(): string;
export function freePort(): Promise<number>;
/** An address nothing listens on (a port that was free a moment ago): connections to it are refused. */
export function deadAddress(): Promise<string>;
export function startAgent(options?: AgentOptions): Promise<Agent>;
