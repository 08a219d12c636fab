// A real Consul cluster on loopback for fault tests: 3 servers and 2 client agents in dc1, and one
// server in dc2 joined over WAN. Every agent has its own 127.0.0.N address, its own free ports, data
// directory, node name and pid file, and keeps its identity across SIGKILL + restart
// (leave_on_terminate = false, skip_leave_on_interrupt = true). Agents run detached, so the
// description returned by startCluster() (plain JSON) is all another process needs to kill, restart
// or stop them. Flags that work on 1.8.7: ../../../shared/CONSUL-1.8.7.md.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consulBinary } from './agent.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Loopback addresses the cluster uses (nothing else in the suite binds them). */
export const CLUSTER_IPS = ['127.0.0.21', '127.0.0.22', '127.0.0.23', '127.0.0.24', '127.0.0.25', '127.0.0.26'];

/** `count` distinct free TCP ports on `ip` (held open together so they differ). */
async function freePorts(ip, count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, ip, resolve);
      });
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r()))));
  }
}

/** GET with node:http (the harness must not depend on the code under test); rejects on non-200. */
function get(address, path, timeout = 1000) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, address);
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode} ${body}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(timeout, () => req.destroy(new Error(`timeout after ${timeout} ms`)));
    req.end();
  });
}

const getJson = async (address, path, timeout) => JSON.parse(await get(address, path, timeout));

/**
 * Starts the cluster and waits until it is healthy (see waitHealthy).
 * @param {{ timeoutMs?: number }} [options]
 */
export async function startCluster(options = {}) {
  const bin = consulBinary();
  const base = mkdtempSync(join(tmpdir(), 'consulate-cluster-'));
  const names = ['s1', 's2', 's3', 'c1', 'c2', 'dc2-s1'];
  const agents = [];
  for (const [i, name] of names.entries()) {
    const ip = CLUSTER_IPS[i];
    const [http, serfLan, serfWan, server] = await freePorts(ip, 4);
    agents.push({ name, ip, ports: { http, serfLan, serfWan, server }, dc: name.startsWith('dc2') ? 'dc2' : 'dc1' });
  }
  const dc1Servers = agents.slice(0, 3);
  const dc2Server = agents[5];
  const describe = (a, role) => {
    const dataDir = join(base, a.name);
    mkdirSync(dataDir, { recursive: true });
    const pidFile = join(dataDir, 'consul.pid');
    const args = [
      'agent',
      `-node=${a.name}`,
      `-datacenter=${a.dc}`,
      `-data-dir=${dataDir}`,
      `-pid-file=${pidFile}`,
      `-bind=${a.ip}`,
      `-client=${a.ip}`,
      `-http-port=${a.ports.http}`,
      `-serf-lan-port=${a.ports.serfLan}`,
      `-serf-wan-port=${a.ports.serfWan}`,
      `-server-port=${a.ports.server}`,
      '-dns-port=-1',
      '-grpc-port=-1',
      '-retry-interval=1s',
      '-disable-host-node-id',
      '-log-level=info',
      '-hcl=leave_on_terminate = false',
      '-hcl=skip_leave_on_interrupt = true',
      '-hcl=disable_update_check = true',
      '-hcl=performance { raft_multiplier = 1 }',
    ];
    if (role === 'server') args.push('-server', '-hcl=session_ttl_min = "1s"');
    if (a.dc === 'dc1') {
      args.push(...dc1Servers.map((s) => `-retry-join=${s.ip}:${s.ports.serfLan}`));
      if (role === 'server') args.push('-bootstrap-expect=3', `-retry-join-wan=${dc2Server.ip}:${dc2Server.ports.serfWan}`);
    } else {
      args.push('-bootstrap-expect=1', ...dc1Servers.map((s) => `-retry-join-wan=${s.ip}:${s.ports.serfWan}`));
    }
    return { name: a.name, dc: a.dc, ip: a.ip, address: `http://${a.ip}:${a.ports.http}`, args, pidFile, dataDir, binary: bin };
  };
  const cluster = {
    baseDir: base,
    servers: dc1Servers.map((a) => describe(a, 'server')),
    clients: agents.slice(3, 5).map((a) => describe(a, 'client')),
    dc2: describe(dc2Server, 'server'),
  };
  const all = allAgents(cluster);
  try {
    for (const agent of all) spawnAgent(agent);
    await waitHealthy(cluster, options.timeoutMs ?? 60_000);
  } catch (err) {
    await stopCluster(cluster);
    throw err;
  }
  return cluster;
}

/** Every agent of the cluster (dc1 servers, dc1 clients, dc2 server). */
export function allAgents(cluster) {
  return [...cluster.servers, ...cluster.clients, cluster.dc2];
}

function spawnAgent(agent) {
  const log = openSync(join(agent.dataDir, 'consul.log'), 'a');
  try {
    const child = spawn(agent.binary ?? consulBinary(), agent.args, { cwd: agent.dataDir, detached: true, stdio: ['ignore', log, log] });
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/**
 * The agent's pid from its pid file, or undefined. Where /proc exists, a pid whose command line does
 * not name this agent's pid file (a stale file, a reused pid) is not the agent's.
 */
export function pidOf(agent) {
  let pid;
  try {
    pid = Number(readFileSync(agent.pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!(pid > 0)) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes(agent.pidFile)) return undefined;
  } catch (err) {
    if (err.code === 'ENOENT' && existsSync('/proc/self')) return undefined; // no such process
  }
  return pid;
}

/** Whether `pid` runs (a zombie, killed but not yet reaped, does not). */
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  try {
    // "pid (comm) S …": the state follows the last ')'
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Whether the agent's process is running (a stopped one counts as running). */
export function isRunning(agent) {
  const pid = pidOf(agent);
  return pid !== undefined && alive(pid);
}

/**
 * Sends `signal` to the agent's process (pid from its pid file). For SIGKILL/SIGTERM/SIGINT waits until
 * the process is gone. SIGSTOP freezes the agent (it stays "running"); SIGCONT resumes it.
 */
export async function kill(agent, signal = 'SIGKILL') {
  const pid = pidOf(agent);
  if (pid === undefined || !alive(pid)) return;
  process.kill(pid, signal);
  if (signal === 'SIGSTOP' || signal === 'SIGCONT') return;
  const deadline = Date.now() + 10_000;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`${agent.name} (pid ${pid}) did not exit after ${signal}`);
    await sleep(20);
  }
}

/** Starts the agent again (same args, data dir, node name) if it is not running, and waits until it answers. */
export async function restart(agent, { timeoutMs = 30_000 } = {}) {
  const pid = pidOf(agent);
  if (pid !== undefined && alive(pid)) {
    process.kill(pid, 'SIGCONT'); // a frozen agent is only resumed
  } else {
    rmSync(agent.pidFile, { force: true });
    spawnAgent(agent);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const leader = JSON.parse(await get(agent.address, '/v1/status/leader'));
      if (leader) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${agent.name} did not answer with a leader within ${timeoutMs} ms:\n${logTail(agent)}`);
    await sleep(50);
  }
}

/** The agent's last log lines. */
export function logTail(agent, lines = 30) {
  try {
    return readFileSync(join(agent.dataDir, 'consul.log'), 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The current dc1 leader (an element of cluster.servers), asked of the servers that answer; undefined if none is known. */
export async function leader(cluster) {
  for (const server of cluster.servers) {
    try {
      const addr = JSON.parse(await get(server.address, '/v1/status/leader'));
      const ip = addr.split(':')[0];
      const found = cluster.servers.find((s) => s.ip === ip);
      if (found) return found;
    } catch {}
  }
  return undefined;
}

/**
 * Waits until both datacenters have a leader, every agent answers and knows the leader, every dc1
 * member is alive in the leader's gossip view, no node's serfHealth is critical in either
 * catalog, and the dc2 server sees the dc1 servers over WAN. Resumes nothing: restart agents first.
 */
export async function waitHealthy(cluster, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let why = '';
  for (;;) {
    why = await unhealthy(cluster);
    if (!why) return;
    if (Date.now() > deadline) throw new Error(`cluster not healthy after ${timeoutMs} ms: ${why}`);
    await sleep(100);
  }
}

async function unhealthy(cluster) {
  const lead = await leader(cluster);
  if (!lead) return 'no dc1 leader';
  for (const agent of allAgents(cluster)) {
    try {
      if (!JSON.parse(await get(agent.address, '/v1/status/leader'))) return `${agent.name} knows no leader`;
    } catch (err) {
      return `${agent.name} does not answer (${err.message})`;
    }
  }
  try {
    const members = await getJson(lead.address, '/v1/agent/members');
    for (const a of [...cluster.servers, ...cluster.clients]) {
      const m = members.find((x) => x.Name === a.name);
      if (!m || m.Status !== 1) return `${a.name} is not alive in ${lead.name}'s view`;
    }
    const wan = await getJson(cluster.dc2.address, '/v1/agent/members?wan=1');
    for (const s of cluster.servers) {
      const m = wan.find((x) => x.Name === `${s.name}.dc1`);
      if (!m || m.Status !== 1) return `${s.name}.dc1 is not alive in dc2's WAN view`;
    }
    for (const [address, dc] of [[lead.address, 'dc1'], [cluster.dc2.address, 'dc2']]) {
      const critical = await getJson(address, `/v1/health/state/critical?dc=${dc}`);
      const bad = critical.filter((c) => c.CheckID === 'serfHealth');
      if (bad.length) return `serfHealth critical in ${dc} for ${bad.map((c) => c.Node).join(', ')}`;
      const nodes = await getJson(address, `/v1/catalog/nodes?dc=${dc}`);
      for (const a of allAgents(cluster).filter((x) => x.dc === dc)) {
        if (!nodes.some((n) => n.Node === a.name)) return `${a.name} is not in the ${dc} catalog`;
      }
    }
  } catch (err) {
    return err.message;
  }
  return '';
}

/** Resumes frozen agents, restarts dead ones, and waits until the cluster is healthy. For afterEach. */
export async function heal(cluster, timeoutMs = 30_000) {
  await Promise.all(allAgents(cluster).map((a) => restart(a)));
  await waitHealthy(cluster, timeoutMs);
}

/** Kills every agent (SIGKILL; nobody leaves) and removes the data directories. */
export async function stopCluster(cluster) {
  await Promise.all(
    allAgents(cluster).map(async (a) => {
      const pid = pidOf(a);
      if (pid !== undefined && alive(pid)) {
        try { process.kill(pid, 'SIGCONT'); } catch {}
        await kill(a, 'SIGKILL').catch(() => {});
      }
    }),
  );
  if (cluster.baseDir && existsSync(cluster.baseDir)) rmSync(cluster.baseDir, { recursive: true, force: true });
}
