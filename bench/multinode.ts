// Cross-node pod-to-pod throughput and latency in the real multi-agent setup
// (test/lib/multinode.ts): a server on the host, two agents in network namespaces with their own
// containerd, and two real pods, one per node. The pods' network namespaces (entered through
// their processes) carry a TCP stream and a 1-byte ping-pong across nodes over the agents'
// flannel.1 (or host-gw routes with BACKENDS=host-gw), against the floor: the same two hosts over
// their bare veth and bridge, in the same run, rounds alternating. Root only.
import { hostExec } from '../lib/exec.js';
import { runClient, startServer, type NetnsServer, type NetnsTarget } from '../test/lib/netns-hosts.js';
import { setupMultinode, type Multinode } from '../test/lib/multinode.js';
import { eventually } from '../test/lib/cluster.js';
import { machine, printTable, summarize } from './lib/stats.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const STREAM_SECONDS = Number(process.env.STREAM_SECONDS ?? 5);
const PINGS = Number(process.env.PINGS ?? 2000);
const BACKENDS = (process.env.BACKENDS ?? 'vxlan,host-gw').split(',');
const PORT = 7777;

interface Path { name: string; client: NetnsTarget; server: NetnsTarget; to: string }

/** A pod pinned to a node whose one process is findable by its unique sleep. */
async function benchPod(mn: Multinode, name: string, node: string, marker: number): Promise<{ pid: number; ip: string }> {
  await mn.apply(`apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: ${mn.image}, imagePullPolicy: IfNotPresent, command: [sleep, '${marker}']}]
`);
  const ip = await eventually(async () => {
    const out = await mn.k('get', 'pod', name, '-o', 'jsonpath={.status.phase} {.status.podIP}');
    const [phase, podIP] = out.split(' ');
    return phase === 'Running' && podIP ? podIP : undefined;
  }, 120_000, 250);
  // Finding the process only (pgrep lists, it signals nothing).
  const pid = Number((await hostExec('pgrep', ['-x', '-f', `sleep ${marker}`])).stdout.trim().split('\n')[0]);
  if (!pid) throw new Error(`no process for pod ${name}`);
  return { pid, ip };
}

async function measure(mn: Multinode, backend: string): Promise<Array<Array<string | number>>> {
  const [n1, n2] = mn.nodes as [Multinode['nodes'][0], Multinode['nodes'][0]];
  const marker = 900_000 + Math.floor(Math.random() * 90_000);
  const a = await benchPod(mn, 'bench-a', n1.name, marker);
  const b = await benchPod(mn, 'bench-b', n2.name, marker + 1);
  // Through netlink: with only the network namespace entered, /sys would still be the host's.
  const podMTU = /\bmtu (\d+)/.exec((await hostExec('nsenter', ['-t', String(a.pid), '-n', 'ip', '-o', 'link', 'show', 'eth0'])).stdout)?.[1] ?? '?';
  const paths: Path[] = [
    { name: `pod to pod across nodes, ${backend} (pod MTU ${podMTU})`, client: { pid: a.pid }, server: { pid: b.pid }, to: b.ip },
    { name: 'host to host over the bare veth (MTU 1500)', client: n1.host.ns, server: n2.host.ns, to: n2.host.ip },
  ];
  const servers: NetnsServer[] = [];
  try {
    for (const p of paths) servers.push(await startServer(p.server, p.to, PORT));
    const mbps: number[][] = paths.map(() => []);
    const rtts: number[][] = paths.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, p] of paths.entries()) {
        const s = await runClient(p.client, 's', p.to, PORT, String(STREAM_SECONDS), STREAM_SECONDS * 1000 + 10_000);
        if (s.error || !s.bytes || !s.seconds) throw new Error(`${p.name}: stream failed: ${s.error}`);
        mbps[i]!.push((s.bytes * 8) / s.seconds / 1e6);
        const r = await runClient(p.client, 'p', p.to, PORT, String(PINGS), 60_000);
        if (r.error || !r.rttsUs) throw new Error(`${p.name}: ping-pong failed: ${r.error}`);
        rtts[i]!.push(...r.rttsUs.slice(10));
      }
    }
    const mid = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;
    return paths.map((p, i) => {
      const r = summarize(rtts[i]!);
      const xs = mbps[i]!;
      return [p.name, `${Math.round(mid(xs))} (${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))})`, r.p50, r.p99];
    });
  } finally {
    for (const s of servers) await s.stop();
    await mn.k('delete', 'pod', 'bench-a', 'bench-b', '--grace-period=0', '--wait=false').catch(() => undefined);
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces, containerd)');
  const rows: Array<Array<string | number>> = [];
  for (const backend of BACKENDS) {
    const mn = await setupMultinode({ nodes: 2, agentArgs: ['--flannel-backend', backend] });
    try {
      rows.push(...await measure(mn, backend));
    } finally {
      const problems = await mn.teardown();
      if (problems.length) console.error(`teardown: ${problems.join('; ')}`);
    }
  }
  console.log(`machine: ${machine()}`);
  console.log(`${ROUNDS} rounds per setup, alternating paths: a ${STREAM_SECONDS} s TCP stream (64 KiB writes, Node.js both ends) and ${PINGS} 1-byte TCP ping-pongs each`);
  printTable('Cross-node pod to pod in the real multi-agent setup, against the bare veth', ['path', 'Node stream Mbit/s p50 (min-max)', 'RTT p50 µs', 'RTT p99 µs'], rows);
}

await main();
