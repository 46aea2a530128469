// The overlay's data path, for real: two "hosts" in network namespaces (test/lib/netns-hosts.ts),
// a real `k8ts server` holding their Node objects, and the agent's overlay controller for each
// host (driven in-process, its ip/bridge/iptables commands run inside that host's namespace).
// A pod on one host reaches a pod on the other over flannel.1 without NAT, reaches the outside
// masqueraded, stops reaching it when UDP 8472 is dropped, and a deleted Node's entries go.
// No containerd needed; runs in the serialized tier (agent-*) under the host lock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execOk, hostExec } from '../../lib/exec.js';
import { KubeClient } from '../../lib/client/rest-client.js';
import { readKubeconfig } from '../../lib/kubeconfig.js';
import { FlannelOverlay } from '../../node-agent/network/overlay/overlay.js';
import { removeOverlay } from '../../node-agent/network/overlay/overlay-cleanup.js';
import { existsSync } from 'node:fs';
import { removeEmptyTrees } from '../../lib/empty-dirs.js';
import { acquireHostLock } from '../lib/host-lock.js';
import { SHARED_DIRS } from './cri-harness.js';
import { UndoStack } from '../lib/undo.js';
import { eventually, startCluster, type TestCluster } from '../lib/cluster.js';
import { createTopology, leftoverNamespaces, runClient, startServer, type NetnsHost, type NetnsTopology } from '../lib/netns-hosts.js';

const missing = process.getuid?.() !== 0 ? 'needs root (network namespaces)' : undefined;
const undo = new UndoStack();
let c: TestCluster;
let topo: NetnsTopology;
let client: KubeClient;
let tmp: string;
const overlays = new Map<number, { overlay: FlannelOverlay; stop: () => Promise<void> }>();
const PORT = 7777;

const nodeName = (h: NetnsHost) => `vx-${topo.id}-h${h.n}`;
const j = async <T>(h: NetnsHost, ...args: string[]): Promise<T> => JSON.parse((await execOk(h.exec, args[0]!, args.slice(1))).stdout || '[]') as T;

function startOverlay(h: NetnsHost, backend: 'vxlan' | 'host-gw' = 'vxlan', name = nodeName(h), key = h.n): FlannelOverlay {
  const stopper = new AbortController();
  const overlay = new FlannelOverlay({
    client, nodeName: name, backend, clusterCIDR: '10.42.0.0/16', nodeIP: h.ip,
    subnetEnvPath: join(tmp, `${backend}-h${h.n}`, 'subnet.env'), exec: h.exec, resyncMs: 2000,
  });
  const running = overlay.run(stopper.signal);
  overlays.set(key, { overlay, stop: async () => { stopper.abort(); await running; } });
  return overlay;
}

async function createNode(name: string, podCIDR: string): Promise<void> {
  const r = await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR, podCIDRs: [podCIDR] } }) });
  assert.equal(r.code, 0, r.stderr);
}

before(async () => {
  if (missing) return;
  undo.push({ what: 'host lock', fn: await acquireHostLock() });
  // Host-wide dirs a first `ip netns add` makes (/run/netns, a mount point) go again when empty.
  const fresh = SHARED_DIRS.filter((d) => !existsSync(d));
  undo.push({ what: 'shared dirs', fn: async () => void (await removeEmptyTrees(fresh)) });
  const stale = await leftoverNamespaces();
  assert.deepEqual(stale, [], 'namespaces from an earlier run are still there');
  tmp = await mkdtemp(join(tmpdir(), 'k8ts-overlay-e2e-'));
  undo.push({ what: 'temp dir', fn: () => rm(tmp, { recursive: true, force: true }) });
  topo = await createTopology(2, { podMTU: 1450 });
  undo.push({ what: 'namespaces', fn: () => topo.destroy() });
  c = await startCluster({ args: ['--cluster-cidr', '10.42.0.0/16'] });
  undo.push({ what: 'cluster', fn: () => c.destroy() });
  client = new KubeClient(readKubeconfig(c.kubeconfig));
  undo.push({ what: 'client', fn: async () => client.close() });
  undo.push({ what: 'overlays', fn: async () => { for (const o of overlays.values()) await o.stop(); } });
  for (const h of topo.hosts) await createNode(nodeName(h), h.podCIDR);
  for (const h of topo.hosts) startOverlay(h);
  const servers = [await startServer(topo.hosts[1]!.podNs, topo.hosts[1]!.podIP, PORT), await startServer(topo.switchNs, topo.switchIP, PORT)];
  undo.push({ what: 'servers', fn: async () => { for (const s of servers) await s.stop(); } });
});

after(async () => {
  const problems = await undo.teardown();
  assert.deepEqual(problems, []);
  if (!missing) assert.deepEqual((await leftoverNamespaces()).filter((n) => n.includes(topo?.id ?? '-')), []);
});

test('each host gets flannel.1 (VNI 1, port 8472, local = its IP, MTU uplink-50, no learning) and flannel\'s annotations', { skip: missing }, async () => {
  for (const h of topo.hosts) {
    const status = await overlays.get(h.n)!.overlay.ready();
    assert.equal(status.mtu, 1450);
    const [link] = await j<Array<{ address: string; mtu: number; linkinfo: { info_kind: string; info_data: Record<string, unknown> }; addr_info: Array<{ family: string; local: string; prefixlen: number }> }>>(h, 'ip', '-j', '-d', 'addr', 'show', 'dev', 'flannel.1');
    assert.equal(link!.linkinfo.info_kind, 'vxlan');
    assert.deepEqual([link!.linkinfo.info_data.id, link!.linkinfo.info_data.port, link!.linkinfo.info_data.local, link!.linkinfo.info_data.link, link!.linkinfo.info_data.learning], [1, 8472, h.ip, 'eth0', false]);
    assert.equal(link!.mtu, 1450);
    assert.deepEqual(link!.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`), [`10.42.${h.n}.0/32`]);
    const node = JSON.parse(await c.k('get', 'node', nodeName(h), '-o', 'json')) as { metadata: { annotations: Record<string, string> } };
    const a = node.metadata.annotations;
    assert.equal(a['flannel.alpha.coreos.com/backend-type'], 'vxlan');
    assert.deepEqual(JSON.parse(a['flannel.alpha.coreos.com/backend-data']!), { VNI: 1, VtepMAC: link!.address });
    assert.equal(a['flannel.alpha.coreos.com/public-ip'], h.ip);
    assert.equal(a['flannel.alpha.coreos.com/kube-subnet-manager'], 'true');
    assert.equal(await readFile(join(tmp, `vxlan-h${h.n}`, 'subnet.env'), 'utf8'), `FLANNEL_NETWORK=10.42.0.0/16\nFLANNEL_SUBNET=10.42.${h.n}.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n`);
  }
});

/** The route, neighbour and FDB entries `h` has for `peer`'s pods. */
async function entriesFor(h: NetnsHost, peer: NetnsHost): Promise<{ route: boolean; neigh?: string; fdb?: string }> {
  const vtep = `10.42.${peer.n}.0`;
  const routes = await j<Array<{ dst: string; gateway?: string; dev: string; flags: string[] }>>(h, 'ip', '-j', '-4', 'route', 'show');
  const neighs = await j<Array<{ dst: string; lladdr?: string; state?: string[] }>>(h, 'ip', '-j', 'neigh', 'show', 'dev', 'flannel.1');
  const fdbs = await j<Array<{ mac: string; dst?: string; state?: string }>>(h, 'bridge', '-j', 'fdb', 'show', 'dev', 'flannel.1');
  const neigh = neighs.find((n) => n.dst === vtep && n.state?.includes('PERMANENT'));
  return {
    route: routes.some((r) => r.dst === peer.podCIDR && r.gateway === vtep && r.dev === 'flannel.1' && r.flags.includes('onlink')),
    neigh: neigh?.lladdr,
    fdb: fdbs.find((f) => f.dst === peer.ip && f.state === 'permanent')?.mac,
  };
}

test('each host has one route, one neighbour and one FDB entry for the other, with its VTEP MAC', { skip: missing }, async () => {
  const [h1, h2] = topo.hosts as [NetnsHost, NetnsHost];
  const mac2 = (await j<Array<{ address: string }>>(h2, 'ip', '-j', 'link', 'show', 'flannel.1'))[0]!.address;
  const e = await eventually(async () => {
    const got = await entriesFor(h1, h2);
    return got.route && got.neigh && got.fdb ? got : undefined;
  }, 20_000, 200);
  assert.deepEqual(e, { route: true, neigh: mac2, fdb: mac2 });
  const back = await eventually(async () => ((await entriesFor(h2, h1)).route ? entriesFor(h2, h1) : undefined), 20_000, 200);
  assert.ok(back.neigh && back.fdb);
});

test('a pod reaches a pod on the other host over flannel.1 with its own address, and the outside masqueraded', { skip: missing }, async () => {
  const [h1, h2] = topo.hosts as [NetnsHost, NetnsHost];
  const r = await eventually(async () => {
    const got = await runClient(h1.podNs, 'a', h2.podIP, PORT);
    return got.address ? got : undefined;
  }, 20_000, 500);
  assert.equal(r.address, h1.podIP, 'pod-to-pod across nodes must not be masqueraded');
  // The packets went through flannel.1 (its TX counter moved), not some other path.
  const stats = await j<Array<{ stats64: { tx: { packets: number } } }>>(h1, 'ip', '-j', '-s', 'link', 'show', 'flannel.1');
  assert.ok(stats[0]!.stats64.tx.packets > 0);
  const out = await runClient(h1.podNs, 'a', topo.switchIP, PORT);
  assert.equal(out.address, h1.ip, 'pod traffic leaving the cluster CIDR is masqueraded to the host IP');
});

test('with FORWARD policy DROP on both hosts, FLANNEL-FWD still forwards pod traffic, full-size segments included', { skip: missing }, async () => {
  const [h1, h2] = topo.hosts as [NetnsHost, NetnsHost];
  for (const h of topo.hosts) await execOk(h.exec, 'iptables', ['-w', '-P', 'FORWARD', 'DROP']);
  try {
    assert.equal((await runClient(h1.podNs, 'a', h2.podIP, PORT)).address, h1.podIP);
    const stream = await runClient(h1.podNs, 's', h2.podIP, PORT, '1', 10_000);
    assert.ok((stream.bytes ?? 0) > 1_000_000, JSON.stringify(stream));
    // Without our chain's accept, the policy drops it: the rule is what lets pods through. (The
    // overlay is stopped meanwhile: Node updates would make it put the jump straight back.)
    await overlays.get(h1.n)!.stop();
    await execOk(h1.exec, 'iptables', ['-w', '-D', 'FORWARD', '-m', 'comment', '--comment', 'k8ts flannel', '-j', 'FLANNEL-FWD']);
    assert.equal((await runClient(h1.podNs, 'a', h2.podIP, PORT, '0', 1500)).error, 'timeout');
  } finally {
    for (const h of topo.hosts) await execOk(h.exec, 'iptables', ['-w', '-P', 'FORWARD', 'ACCEPT']);
  }
  // A reconcile puts the jump back.
  await startOverlay(h1).ready();
  await eventually(async () => (await h1.exec('iptables', ['-w', '-C', 'FORWARD', '-m', 'comment', '--comment', 'k8ts flannel', '-j', 'FLANNEL-FWD'])).code === 0, 20_000, 200);
});

test('dropping UDP 8472 between the hosts breaks pod-to-pod, and it comes back without it', { skip: missing }, async () => {
  const [h1, h2] = topo.hosts as [NetnsHost, NetnsHost];
  const rule = ['INPUT', '-p', 'udp', '--dport', '8472', '-j', 'DROP'];
  await execOk(h2.exec, 'iptables', ['-w', '-I', ...rule]);
  try {
    const r = await runClient(h1.podNs, 'a', h2.podIP, PORT, '0', 2000);
    assert.equal(r.error, 'timeout');
  } finally {
    await execOk(h2.exec, 'iptables', ['-w', '-D', ...rule]);
  }
  assert.equal((await runClient(h1.podNs, 'a', h2.podIP, PORT)).address, h1.podIP);
});

test('a restarted overlay keeps flannel.1 and its MAC, and puts back a route deleted by hand', { skip: missing }, async () => {
  const [h1, h2] = topo.hosts as [NetnsHost, NetnsHost];
  const before = (await j<Array<{ address: string; ifindex: number }>>(h1, 'ip', '-j', 'link', 'show', 'flannel.1'))[0]!;
  await overlays.get(h1.n)!.stop();
  await execOk(h1.exec, 'ip', ['route', 'del', h2.podCIDR]);
  assert.equal((await entriesFor(h1, h2)).route, false);
  await startOverlay(h1).ready();
  const now = (await j<Array<{ address: string; ifindex: number }>>(h1, 'ip', '-j', 'link', 'show', 'flannel.1'))[0]!;
  assert.deepEqual(now, { ...now, address: before.address, ifindex: before.ifindex });
  assert.equal((await entriesFor(h1, h2)).route, true);
  assert.equal((await runClient(h1.podNs, 'a', h2.podIP, PORT)).address, h1.podIP);
});

test('deleting a Node removes its route, neighbour and FDB entry from the other host', { skip: missing }, async () => {
  const [h1, h2] = topo.hosts as [NetnsHost, NetnsHost];
  await overlays.get(h2.n)!.stop();
  await c.k('delete', 'node', nodeName(h2));
  await eventually(async () => {
    const e = await entriesFor(h1, h2);
    return !e.route && !e.neigh && !e.fdb;
  }, 20_000, 200);
  assert.equal((await runClient(h1.podNs, 'a', h2.podIP, PORT, '0', 1500)).error !== undefined, true);
});

test('the killall cleanup removes flannel.1, the FLANNEL chains and subnet.env', { skip: missing }, async () => {
  const h1 = topo.hosts[0]!;
  await overlays.get(h1.n)!.stop();
  const removed = await removeOverlay(join(tmp, 'vxlan-h1', 'subnet.env'), h1.exec);
  assert.ok(removed.includes('link flannel.1'), removed.join(', '));
  assert.notEqual((await h1.exec('ip', ['link', 'show', 'flannel.1'])).code, 0);
  const rules = (await execOk(h1.exec, 'iptables-save', [])).stdout;
  assert.doesNotMatch(rules, /FLANNEL/);
  assert.equal((await hostExec('test', ['-e', join(tmp, 'vxlan-h1', 'subnet.env')])).code, 1);
});

test('host-gw: a route via the peer\'s public IP, pod to pod unmasqueraded, gone with the Node', { skip: missing }, async () => {
  await c.k('delete', 'node', '--all');
  const gw = await createTopology(2, { prefix: 'k8tsvx-' });
  undo.push({ what: 'host-gw namespaces', fn: () => gw.destroy() });
  const [h1, h2] = gw.hosts as [NetnsHost, NetnsHost];
  const name = (h: NetnsHost) => `gw-${gw.id}-h${h.n}`;
  for (const h of gw.hosts) await createNode(name(h), h.podCIDR);
  for (const h of gw.hosts) startOverlay(h, 'host-gw', name(h), 10 + h.n);
  const server = await startServer(h2.podNs, h2.podIP, PORT);
  undo.push({ what: 'host-gw server', fn: () => server.stop() });
  const routeVia = async (h: NetnsHost, dst: string) => (await j<Array<{ dst: string; gateway?: string }>>(h, 'ip', '-j', '-4', 'route', 'show')).find((r) => r.dst === dst)?.gateway;
  assert.equal(await eventually(() => routeVia(h1, h2.podCIDR), 20_000, 200), h2.ip);
  assert.equal(await eventually(() => routeVia(h2, h1.podCIDR), 20_000, 200), h1.ip);
  assert.notEqual((await h1.exec('ip', ['link', 'show', 'flannel.1'])).code, 0, 'host-gw makes no vxlan device');
  const node = JSON.parse(await c.k('get', 'node', name(h1), '-o', 'json')) as { metadata: { annotations: Record<string, string> } };
  assert.equal(node.metadata.annotations['flannel.alpha.coreos.com/backend-type'], 'host-gw');
  assert.equal((await runClient(h1.podNs, 'a', h2.podIP, PORT)).address, h1.podIP);
  await overlays.get(12)!.stop();
  await c.k('delete', 'node', name(h2));
  await eventually(async () => (await routeVia(h1, h2.podCIDR)) === undefined, 20_000, 200);
  // killall's cleanup takes the host-gw routes too (none left for a peer here, so add one back by hand).
  await overlays.get(11)!.stop();
  await execOk(h1.exec, 'ip', ['route', 'add', '10.42.7.0/24', 'via', h2.ip]);
  const removed = await removeOverlay(join(tmp, 'host-gw-h1', 'subnet.env'), h1.exec);
  assert.ok(removed.includes(`route 10.42.7.0/24 via ${h2.ip}`), removed.join(', '));
  assert.equal(await routeVia(h1, '10.42.7.0/24'), undefined);
  assert.equal(await routeVia(h1, '10.42.1.0/24'), undefined, 'our own pod CIDR is on cni0, not a host-gw route');
});
