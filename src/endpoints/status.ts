/**
 * Raft status: the leader and the peers of the datacenter's servers — consulate's `Consul.status`,
 * node-consul's `status` and the Go client's `Status`.
 * @see https://developer.hashicorp.com/consul/api-docs/status
 * @module
 */
import * as v from 'valibot';
import type { Client } from '../core/client.ts';
import type { ReadOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { requestJson } from '../core/request.ts';

const LeaderSchema: v.GenericSchema<unknown, string> = v.string();
const PeersSchema: v.GenericSchema<unknown, string[]> = v.pipe(v.nullable(v.array(v.string())), v.transform((list) => list ?? []));

/**
 * The Raft leader's server address (`ip:port`), or `""` when there is no leader.
 * @see https://developer.hashicorp.com/consul/api-docs/status#get-raft-leader
 * @example const { data } = await status.leader(client); // '10.0.0.5:8300'
 */
export async function leader(client: Client, options: ReadOptions = {}): Promise<Result<string>> {
  return requestJson(client, { path: 'status/leader', options }, LeaderSchema);
}

/**
 * The Raft peers' server addresses (`ip:port`) of the datacenter.
 * @see https://developer.hashicorp.com/consul/api-docs/status#list-raft-peers
 * @example const { data } = await status.peers(client); // ['10.0.0.5:8300', '10.0.0.6:8300', '10.0.0.7:8300']
 */
export async function peers(client: Client, options: ReadOptions = {}): Promise<Result<string[]>> {
  return requestJson(client, { path: 'status/peers', options }, PeersSchema);
}

/**
 * How these functions nest on the `Consul` facade: `consul.status.leader()`, `consul.status.peers()`.
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const statusFacade = {
  leader: leader as typeof leader,
  peers: peers as typeof peers,
};
