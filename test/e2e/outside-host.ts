// A host outside the node, for the service proxy's tests: a network namespace of the test's own,
// joined to the node by a veth pair in 198.19.250.0/24 (RFC 2544: never routed anywhere). Its
// addresses are where NodePort clients come from and where test UDP servers answer.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { execOk, hostExec } from '../../lib/exec.js';
import { removeEmptyTrees } from '../../lib/empty-dirs.js';

export interface OutsideHost {
  netns: string;
  /** The node's address on the link. */
  nodeSide: string;
  /** The outside host's addresses. */
  addresses: string[];
  /** Runs a command in the namespace; resolves with its exit code and output. */
  run(args: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string; ms: number }>;
  /** A UDP server at `ip:port` that answers every datagram with `<name>:<datagram>`. */
  udpEcho(ip: string, port: number, name: string): Promise<ChildProcess>;
  remove(): Promise<void>;
}

const echoScript = `const [ip, port, name] = process.argv.slice(1);
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m, r) => s.send(name + ':' + m, r.port, r.address));
s.bind(Number(port), ip, () => console.log('ready'));`;

export async function makeOutsideHost(id: string): Promise<OutsideHost> {
  const netns = `k8ts-out-${id}`;
  const veth = `k8tsov${id}`;
  const hadNetnsDir = existsSync('/run/netns');
  const children: ChildProcess[] = [];
  const ip = (...args: string[]) => execOk(hostExec, 'ip', args);
  const remove = async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await hostExec('ip', ['netns', 'del', netns]);
    await hostExec('ip', ['link', 'del', veth]);
    if (!hadNetnsDir) await removeEmptyTrees(['/run/netns']);
  };
  try {
    await ip('netns', 'add', netns);
    await ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
    await ip('addr', 'add', '198.19.250.1/24', 'dev', veth);
    await ip('link', 'set', veth, 'up');
    for (const a of ['198.19.250.2/24', '198.19.250.3/24']) await ip('netns', 'exec', netns, 'ip', 'addr', 'add', a, 'dev', 'eth0');
    await ip('netns', 'exec', netns, 'ip', 'link', 'set', 'eth0', 'up');
    await ip('netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up');
    await ip('netns', 'exec', netns, 'ip', 'route', 'add', 'default', 'via', '198.19.250.1');
  } catch (err) {
    await remove();
    throw err;
  }
  return {
    netns, nodeSide: '198.19.250.1', addresses: ['198.19.250.2', '198.19.250.3'], remove,
    async run(args, timeoutMs = 20_000) {
      const t0 = performance.now();
      const r = await hostExec('ip', ['netns', 'exec', netns, ...args], { timeoutMs });
      return { ...r, ms: performance.now() - t0 };
    },
    async udpEcho(addr, port, name) {
      const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', echoScript, addr, String(port), name], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`udp echo ${name} exited ${code}`)));
      });
      return child;
    },
  };
}
