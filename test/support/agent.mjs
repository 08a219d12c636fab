// Throwaway Consul agents for tests, the demo and benchmarks: each on free loopback ports, in its
// own temporary data directory, stopped by PID. The binary comes from test/support/consul.sh
// (CONSUL_BIN, then `consul` on PATH, then Debian bullseye's consul 1.8.7 fetched into .cache/).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
let binary;

/** Path of the consul binary (fetched on first use). */
export function consulBinary() {
  binary ??= execFileSync('bash', [join(root, 'test/support/consul.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  return binary;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** An address nothing listens on (a port that was free a moment ago): connections to it are refused. */
export async function deadAddress() {
  return `http://127.0.0.1:${await freePort()}`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `consul agent -dev` on free ports and waits until it has a leader.
 * @param {{ acl?: { masterToken: string, defaultPolicy?: string }, https?: { caFile: string, certFile: string, keyFile: string, verifyIncoming?: boolean }, unixSocket?: string, hcl?: string, name?: string, httpPort?: number }} [options]
 * @returns {Promise<{ address: string, httpPort: number, httpsPort?: number, pid: number, dataDir: string, stop(): Promise<void>, logs(): string }>}
 */
export async function startAgent(options = {}) {
  const bin = consulBinary();
  const [freeHttp, https, serfLan, serfWan, server] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  // a fixed HTTP port lets a test restart an agent where its clients expect it
  const http = options.httpPort ?? freeHttp;
  const dataDir = mkdtempSync(join(tmpdir(), 'consulate-agent-'));
  const hcl = [
    `ports { http = ${http} https = ${options.https ? https : -1} dns = -1 grpc = -1 serf_lan = ${serfLan} serf_wan = ${serfWan} server = ${server} }`,
    `bind_addr = "127.0.0.1"`,
    `client_addr = "127.0.0.1"`,
    `node_name = "${options.name ?? 'consulate-test'}"`,
    `disable_update_check = true`,
  ];
  if (options.unixSocket) hcl.push(`addresses { http = "unix://${options.unixSocket}" }`);
  if (options.acl) {
    hcl.push(`acl { enabled = true  default_policy = "${options.acl.defaultPolicy ?? 'deny'}"  enable_token_persistence = false  tokens { master = "${options.acl.masterToken}" agent = "${options.acl.masterToken}" } }`);
  }
  if (options.https) {
    const t = options.https;
    hcl.push(`ca_file = "${t.caFile}"`, `cert_file = "${t.certFile}"`, `key_file = "${t.keyFile}"`, `verify_incoming = ${t.verifyIncoming ?? true}`, `verify_incoming_rpc = false`);
  }
  if (options.hcl) hcl.push(options.hcl);
  writeFileSync(join(dataDir, 'agent.hcl'), hcl.join('\n'));
  let logs = '';
  const child = spawn(bin, ['agent', '-dev', `-config-file=${join(dataDir, 'agent.hcl')}`], {
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => { logs = (logs + d).slice(-20000); });
  child.stderr.on('data', (d) => { logs = (logs + d).slice(-20000); });
  let exited = false;
  const exit = new Promise((r) => child.on('exit', () => { exited = true; r(); }));
  const address = `http://127.0.0.1:${http}`;
  const stop = async () => {
    if (!exited) {
      try { process.kill(child.pid, 'SIGTERM'); } catch {}
      await Promise.race([exit, sleep(5000)]);
      if (!exited) { try { process.kill(child.pid, 'SIGKILL'); } catch {} await exit; }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  // wait for a leader (through TCP, or through the unix socket)
  const deadline = Date.now() + 30_000;
  const headers = options.acl ? { 'X-Consul-Token': options.acl.masterToken } : {};
  for (;;) {
    if (exited) throw new Error(`consul agent exited early:\n${logs}`);
    if (Date.now() > deadline) { await stop(); throw new Error(`consul agent did not elect a leader in 30 s:\n${logs}`); }
    try {
      const name = options.name ?? 'consulate-test';
      const leader = await get(options.unixSocket, address, '/v1/status/leader', headers);
      // the ACL system and the node registration take a moment after the election
      if (/"\d+\.\d+\.\d+\.\d+:\d+"/.test(leader) && (await get(options.unixSocket, address, `/v1/catalog/node/${name}`, headers)) !== 'null') break;
    } catch {}
    await sleep(50);
  }
  return { address, httpPort: http, httpsPort: options.https ? https : undefined, pid: child.pid, dataDir, stop, logs: () => logs };
}

/** GET over TCP or a unix socket with node:http (the test harness must not depend on the code under test). */
function get(socketPath, address, path, headers) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, address);
    const req = request(socketPath ? { socketPath, path, headers } : { host: url.hostname, port: url.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode}`))));
    });
    req.on('error', reject);
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}
