// Pod-to-pod across hosts over the VXLAN overlay against the same hosts over their bare veth,
// in one run: two "hosts" in network namespaces joined by a bridge (test/lib/netns-hosts.ts),
// flannel.1 and the per-peer route/neighbour/FDB entries programmed by the agent's own code,
// then a TCP stream (throughput) and a 1-byte TCP ping-pong (latency) between pods (10.42.x,
// through flannel.1) and between the hosts (192.168.77.x, straight over the veth). Rounds
// alternate between the two paths so a noisy neighbour hits both alike. Root only.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { execOk, hostExec } from '../lib/exec.js';
import type { Node } from '../lib/client/types.js';
import { flannelAnnotations, networkAddress, stableVtepMAC } from '../node-agent/network/overlay/flannel-node.js';
import { desiredState, emptyState } from '../node-agent/network/overlay/desired.js';
import { stateCommands } from '../node-agent/network/overlay/diff.js';
import { ensureVxlanDevice } from '../node-agent/network/overlay/vxlan-device.js';
import { ensureMasquerade } from '../node-agent/network/overlay/masquerade.js';
import { findUplink, podMTU } from '../node-agent/network/overlay/uplink.js';
import { createTopology, runClient, startServer, type NetnsServer } from '../test/lib/netns-hosts.js';
import { machine, printTable, summarize } from './lib/stats.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const STREAM_SECONDS = Number(process.env.STREAM_SECONDS ?? 5);
const PINGS = Number(process.env.PINGS ?? 2000);
const PORT = 7777;

/** iperf3's view of the same path (kernel-bound where the Node.js stream is bound by Node), when installed. */
async function iperf3(serverNs: string, clientNs: string, to: string, seconds: number): Promise<number> {
  const server = spawn('ip', ['netns', 'exec', serverNs, 'iperf3', '-s', '-1', '-B', to, '-p', '5201'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50; i++) {
      const r = await hostExec('ip', ['netns', 'exec', clientNs, 'iperf3', '-c', to, '-p', '5201', '-t', String(seconds), '-J'], { timeoutMs: seconds * 1000 + 20_000 });
      const out = r.code === 0 ? (JSON.parse(r.stdout) as { end?: { sum_received?: { bits_per_second: number } }; error?: string }) : undefined;
      if (out?.end?.sum_received) return out.end.sum_received.bits_per_second / 1e6;
      if (i === 49) throw new Error(`iperf3: ${out?.error ?? r.stderr}`);
      await sleep(100); // the server not listening yet
    }
    throw new Error('iperf3 never connected');
  } finally {
    server.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces)');
  const topo = await createTopology(2, { prefix: 'k8tsvb-', podMTU: 1450 });
  const servers: NetnsServer[] = [];
  try {
    // What the agent does on each host, minus the API: the Nodes are written here.
    const nodes: Node[] = [];
    for (const h of topo.hosts) {
      const uplink = await findUplink(h.exec, { nodeIP: h.ip });
      const mac = await ensureVxlanDevice(h.exec, { uplink, mtu: podMTU('vxlan', uplink.mtu), address: `${networkAddress(h.podCIDR)}/32`, mac: stableVtepMAC(h.ns) });
      await ensureMasquerade(h.exec, '10.42.0.0/16');
      nodes.push({ metadata: { name: h.ns, annotations: flannelAnnotations('vxlan', h.ip, mac) }, spec: { podCIDR: h.podCIDR } });
    }
    for (const h of topo.hosts) {
      for (const c of stateCommands(desiredState(h.ns, 'vxlan', nodes), emptyState())) await execOk(h.exec, c.file, c.args);
    }
    const [h1, h2] = topo.hosts as [typeof topo.hosts[0], typeof topo.hosts[0]];
    servers.push(await startServer(h2.podNs, h2.podIP, PORT), await startServer(h2.ns, h2.ip, PORT));
    const paths = [
      { name: 'pod to pod over flannel.1 (MTU 1450)', ns: h1.podNs, serverNs: h2.podNs, to: h2.podIP },
      { name: 'host to host over the bare veth (MTU 1500)', ns: h1.ns, serverNs: h2.ns, to: h2.ip },
    ];
    const hasIperf = (await hostExec('sh', ['-c', 'command -v iperf3'])).code === 0;
    const mbps: number[][] = paths.map(() => []);
    const iperf: number[][] = paths.map(() => []);
    const rtts: number[][] = paths.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, p] of paths.entries()) {
        const s = await runClient(p.ns, 's', p.to, PORT, String(STREAM_SECONDS), STREAM_SECONDS * 1000 + 10_000);
        if (s.error || !s.bytes || !s.seconds) throw new Error(`${p.name}: stream failed: ${s.error}`);
        mbps[i]!.push((s.bytes * 8) / s.seconds / 1e6);
        if (hasIperf) iperf[i]!.push(await iperf3(p.serverNs, p.ns, p.to, STREAM_SECONDS));
        const r = await runClient(p.ns, 'p', p.to, PORT, String(PINGS), 60_000);
        if (r.error || !r.rttsUs) throw new Error(`${p.name}: ping-pong failed: ${r.error}`);
        rtts[i]!.push(...r.rttsUs.slice(10)); // the first few warm the path up
      }
    }
    console.log(`machine: ${machine()}`);
    console.log(`${ROUNDS} rounds, alternating paths: a ${STREAM_SECONDS} s TCP stream (64 KiB writes, Node.js both ends) and ${PINGS} 1-byte TCP ping-pongs each`);
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    printTable('Throughput and latency, overlay vs bare veth', ['path', 'Node stream Mbit/s p50 (min-max)', 'iperf3 Mbit/s p50 (min-max)', 'RTT p50 µs', 'RTT p99 µs'], paths.map((p, i) => {
      const range = (xs: number[]) => (xs.length ? `${Math.round(mid(xs))} (${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))})` : 'not installed');
      const r = summarize(rtts[i]!);
      return [p.name, range(mbps[i]!), range(iperf[i]!), r.p50, r.p99];
    }));
  } finally {
    for (const s of servers) await s.stop();
    await topo.destroy();
  }
}

await main();
