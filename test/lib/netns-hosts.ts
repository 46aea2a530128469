// "Hosts" in network namespaces for overlay tests and benchmarks: a switch namespace holding a
// bridge (192.168.77.1/24, the hosts' default gateway), and per host a namespace joined to it by
// a veth (192.168.77.1N) with a "pod" namespace behind a bridge (10.42.N.2 on cni0 10.42.N.1).
// Nothing is added to the root namespace but the namespaces themselves: pod and host traffic
// can only ever reach these namespaces (the switch has no route out), never leave the machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { execOk, hostExec, type Exec } from '../../lib/exec.js';

export interface NetnsHost {
  n: number;
  ns: string;
  podNs: string;
  ip: string;
  podCIDR: string;
  podIP: string;
  /** Runs programs inside the host's namespace. */
  exec: Exec;
}

export interface NetnsTopology {
  id: string;
  switchNs: string;
  switchIP: string;
  /** With `hostLink`: the root namespace's address on the switch (where a server on the host listens). */
  hostIP?: string;
  hosts: NetnsHost[];
  /** Removes every namespace (their links, addresses, routes and iptables rules go with them). */
  destroy(): Promise<void>;
}

/** An Exec that runs inside namespace `ns`. */
export function netnsExec(ns: string): Exec {
  return (file, args, opts) => hostExec('ip', ['netns', 'exec', ns, file, ...args], opts);
}

async function run(...args: string[]): Promise<void> {
  await execOk(hostExec, 'ip', args);
}

/** Names of namespaces a (possibly killed) earlier run left, found by our prefix. */
export async function leftoverNamespaces(prefix = 'k8tsvx-'): Promise<string[]> {
  const out = (await hostExec('ip', ['netns', 'list'])).stdout;
  return out.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(prefix));
}

export interface TopologyOptions {
  uplinkMTU?: number;
  podMTU?: number;
  /** Names the namespaces (`<prefix><id>-h1`...): tests and benchmarks use their own. */
  prefix?: string;
  /** false: no stand-in pod behind cni0 (a real agent in the host makes its own pod network). */
  pods?: boolean;
  /**
   * A veth from the root namespace to the switch, with this root-side address (on 192.168.77.0/24),
   * so that hosts reach a server running on the machine itself. No route but that subnet's is added.
   */
  hostLink?: string;
}

/** Switch, hosts and (unless `pods: false`) a stand-in pod per host. */
export async function createTopology(count: number, opts: TopologyOptions = {}): Promise<NetnsTopology> {
  const id = randomBytes(2).toString('hex');
  const prefix = opts.prefix ?? 'k8tsvx-';
  const switchNs = `${prefix}${id}-sw`;
  const made: string[] = [];
  const destroy = async () => {
    for (const ns of made.reverse()) await hostExec('ip', ['netns', 'del', ns]);
  };
  try {
    await run('netns', 'add', switchNs);
    made.push(switchNs);
    await run('-n', switchNs, 'link', 'set', 'lo', 'up');
    await run('-n', switchNs, 'link', 'add', 'br0', 'type', 'bridge');
    await run('-n', switchNs, 'addr', 'add', '192.168.77.1/24', 'dev', 'br0');
    await run('-n', switchNs, 'link', 'set', 'br0', 'up');
    if (opts.hostLink) {
      // The root side is named after the switch so it is easy to trace, and goes with it.
      const rootSide = `${prefix}${id}`.slice(0, 15);
      await run('link', 'add', rootSide, 'type', 'veth', 'peer', 'name', 'root', 'netns', switchNs);
      await run('-n', switchNs, 'link', 'set', 'root', 'master', 'br0', 'up');
      await run('addr', 'add', `${opts.hostLink}/24`, 'dev', rootSide);
      await run('link', 'set', rootSide, 'up');
    }
    const hosts: NetnsHost[] = [];
    for (let n = 1; n <= count; n++) {
      const ns = `${prefix}${id}-h${n}`;
      const podNs = `${prefix}${id}-p${n}`;
      await run('netns', 'add', ns);
      made.push(ns);
      if (opts.pods !== false) {
        await run('netns', 'add', podNs);
        made.push(podNs);
      }
      const ip = `192.168.77.${10 + n}`;
      const podCIDR = `10.42.${n}.0/24`;
      const podIP = `10.42.${n}.2`;
      await run('-n', ns, 'link', 'set', 'lo', 'up');
      await run('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `h${n}`, 'netns', switchNs);
      await run('-n', switchNs, 'link', 'set', `h${n}`, 'master', 'br0', 'up');
      if (opts.uplinkMTU) {
        await run('-n', ns, 'link', 'set', 'eth0', 'mtu', String(opts.uplinkMTU));
        await run('-n', switchNs, 'link', 'set', `h${n}`, 'mtu', String(opts.uplinkMTU));
      }
      await run('-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
      await run('-n', ns, 'link', 'set', 'eth0', 'up');
      await run('-n', ns, 'route', 'add', 'default', 'via', '192.168.77.1');
      await execOk(hostExec, 'ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      if (opts.pods === false) {
        hosts.push({ n, ns, podNs, ip, podCIDR, podIP, exec: netnsExec(ns) });
        continue;
      }
      // The pod: what the bridge CNI plugin would make.
      await run('-n', ns, 'link', 'add', 'cni0', 'type', 'bridge');
      await run('-n', ns, 'addr', 'add', `10.42.${n}.1/24`, 'dev', 'cni0');
      await run('-n', ns, 'link', 'set', 'cni0', 'up');
      await run('-n', ns, 'link', 'add', 'vpod', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', podNs);
      await run('-n', ns, 'link', 'set', 'vpod', 'master', 'cni0', 'up');
      await run('-n', podNs, 'link', 'set', 'lo', 'up');
      if (opts.podMTU) await run('-n', podNs, 'link', 'set', 'eth0', 'mtu', String(opts.podMTU));
      await run('-n', podNs, 'addr', 'add', `${podIP}/24`, 'dev', 'eth0');
      await run('-n', podNs, 'link', 'set', 'eth0', 'up');
      await run('-n', podNs, 'route', 'add', 'default', 'via', `10.42.${n}.1`);
      hosts.push({ n, ns, podNs, ip, podCIDR, podIP, exec: netnsExec(ns) });
    }
    return { id, switchNs, switchIP: '192.168.77.1', hostIP: opts.hostLink, hosts, destroy };
  } catch (err) {
    await destroy();
    throw err;
  }
}

/**
 * A small TCP server inside `ns`: per connection, the first byte picks what it does - 'a' answers
 * the peer's address (to see whether it was masqueraded), 's' sinks bytes and answers their count
 * when the client ends, 'p' echoes every chunk (ping-pong).
 */
const serverScript = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
net.createServer((s) => {
  let mode = '', n = 0;
  s.on('error', () => {});
  s.on('data', (b) => {
    if (!mode) { mode = String.fromCharCode(b[0]); b = b.subarray(1); if (mode === 'a') s.end(s.remoteAddress + '\\n'); }
    if (mode === 's') n += b.length;
    else if (mode === 'p' && b.length) s.write(b);
  });
  s.on('end', () => { if (mode === 's') s.end(String(n)); else s.end(); });
}).listen(Number(port), host, () => console.log('listening'));
`;

/**
 * Where a server or client runs: a named namespace (`ip netns exec`), or the network namespace
 * of a process (`nsenter -n`), such as a real pod's, whose namespace containerd keeps unnamed.
 */
export type NetnsTarget = string | { pid: number };

function enter(target: NetnsTarget): string[] {
  return typeof target === 'string' ? ['ip', 'netns', 'exec', target] : ['nsenter', '-t', String(target.pid), '-n'];
}

export interface NetnsServer {
  stop(): Promise<void>;
}

export async function startServer(ns: NetnsTarget, host: string, port: number): Promise<NetnsServer> {
  const [file, ...args] = enter(ns);
  const p: ChildProcess = spawn(file!, [...args, process.execPath, '-e', serverScript, host, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: p.stdout! }).on('line', (l) => l === 'listening' && resolve());
    p.once('exit', (code) => reject(new Error(`server in ${JSON.stringify(ns)} exited ${code}`)));
  });
  return {
    stop: async () => {
      if (p.exitCode !== null || p.signalCode !== null) return;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await gone;
    },
  };
}

/** A client inside `ns`; prints one JSON line. */
const clientScript = `
const net = require('node:net');
const [mode, host, port, arg, timeoutMs] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) });
const out = (o) => { console.log(JSON.stringify(o)); process.exit(0); };
s.setTimeout(Number(timeoutMs), () => out({ error: 'timeout' }));
s.on('error', (e) => out({ error: e.code || e.message }));
s.on('connect', () => {
  s.setNoDelay(true);
  if (mode === 'a') { let t = ''; s.write('a'); s.on('data', (b) => (t += b)); s.on('end', () => out({ address: t.trim() })); }
  if (mode === 's') {
    const secs = Number(arg), chunk = Buffer.alloc(64 * 1024, 120), t0 = process.hrtime.bigint();
    let sent = 0, reply = '';
    s.write('s');
    const pump = () => {
      while (Number(process.hrtime.bigint() - t0) / 1e9 < secs) { sent += chunk.length; if (!s.write(chunk)) return s.once('drain', pump); }
      s.end();
    };
    pump();
    s.on('data', (b) => (reply += b));
    s.on('end', () => out({ bytes: Number(reply), sent, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }));
  }
  if (mode === 'p') {
    const rounds = Number(arg), rtts = [];
    let t = 0n, i = 0;
    s.write('p');
    const one = () => { t = process.hrtime.bigint(); s.write('x'); };
    s.on('data', () => { rtts.push(Number(process.hrtime.bigint() - t) / 1e3); if (++i < rounds) one(); else { s.end(); out({ rttsUs: rtts }); } });
    one();
  }
});
`;

export interface ClientResult {
  error?: string;
  address?: string;
  bytes?: number;
  seconds?: number;
  rttsUs?: number[];
}

export async function runClient(ns: NetnsTarget, mode: 'a' | 's' | 'p', host: string, port: number, arg = '0', timeoutMs = 3000): Promise<ClientResult> {
  const [file, ...args] = enter(ns);
  const r = await hostExec(file!, [...args, process.execPath, '-e', clientScript, mode, host, String(port), arg, String(timeoutMs)], { timeoutMs: timeoutMs + 60_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ClientResult;
  } catch {
    return { error: `client failed (${r.code}): ${r.stderr.trim()}` };
  }
}
