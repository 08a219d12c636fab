// Runs a command against a throwaway Consul agent: `node test/support/with-agent.mjs CMD ARGS…`.
// The agent's address is passed as CONSUL_HTTP_ADDR; the agent is stopped whatever the command does.
import { spawn } from 'node:child_process';
import { startAgent } from './agent.mjs';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: node test/support/with-agent.mjs COMMAND [ARGS…]');
  process.exit(2);
}
const agent = await startAgent({ name: 'consulate-demo' });
console.error(`consulate: started a throwaway consul agent at ${agent.address} (pid ${agent.pid})`);
const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, CONSUL_HTTP_ADDR: agent.address } });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
await agent.stop();
console.error('consulate: stopped the agent');
process.exit(code);
