// Pod-to-pod across hosts over the VXLAN overlay against the same hosts over their bare veth,
// in one run: two "hosts" in network namespaces joined by a bridge (test/lib/netns-hosts.ts),
// flannel.1 and the per-peer route/neighbour/FDB entries programmed by the agent's own code,
// then a TCP stream (throughput) and a 1-byte TCP ping-pong (latency) between pods (10.42.x,
// through flannel.1) and between the hosts (192.168.77.x, straight over the veth). Rounds
// alternate between the two paths so a noisy neighbour hits both alike. Root only.
import { execOk } from '../lib/exec.js';
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
      { name: 'pod to pod over flannel.1 (MTU 1450)', ns: h1.podNs, to: h2.podIP },
      { name: 'host to host over the bare veth (MTU 1500)', ns: h1.ns, to: h2.ip },
    ];
    const mbps: number[][] = paths.map(() => []);
    const rtts: number[][] = paths.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, p] of paths.entries()) {
        const s = await runClient(p.ns, 's', p.to, PORT, String(STREAM_SECONDS), STREAM_SECONDS * 1000 + 10_000);
        if (s.error || !s.bytes || !s.seconds) throw new Error(`${p.name}: stream failed: ${s.error}`);
        mbps[i]!.push((s.bytes * 8) / s.seconds / 1e6);
        const r = await runClient(p.ns, 'p', p.to, PORT, String(PINGS), 60_000);
        if (r.error || !r.rttsUs) throw new Error(`${p.name}: ping-pong failed: ${r.error}`);
        rtts[i]!.push(...r.rttsUs.slice(10)); // the first few warm the path up
      }
    }
    console.log(`machine: ${machine()}`);
    console.log(`${ROUNDS} rounds, alternating paths: a ${STREAM_SECONDS} s TCP stream (64 KiB writes, Node.js both ends) and ${PINGS} 1-byte TCP ping-pongs each`);
    printTable('Throughput and latency, overlay vs bare veth', ['path', 'Mbit/s p50', 'Mbit/s min', 'Mbit/s max', 'RTT p50 µs', 'RTT p99 µs'], paths.map((p, i) => {
      const m = [...mbps[i]!].sort((a, b) => a - b);
      const r = summarize(rtts[i]!);
      return [p.name, m[Math.floor(m.length / 2)]!, m[0]!, m.at(-1)!, r.p50, r.p99];
    }));
  } finally {
    for (const s of servers) await s.stop();
    await topo.destroy();
  }
}

await main();
