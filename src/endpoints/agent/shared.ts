/**
 * What the agent's sub-areas share. Internal: not exported from `consulate/agent`.
 * @module
 */

/** Why an explicit `datacenter` option is refused on every agent endpoint (Consul 1.8.7 ignores `?dc=` there). */
export const AGENT_IS_LOCAL = 'agent endpoints act on the agent you talk to; talk to an agent of that datacenter instead';
