// NetworkPolicy rule chains across two nodes: two "hosts" in network namespaces
// (test/lib/netns-hosts.ts), routed to each other's pod ranges as flannel's host-gw would, with
// pods as namespaces behind each host's cni0 bridge (a second pod on host 1 shares its bridge).
// Each host gets the rules its own agent would write: the real planner and rule text, written
// by the enforcer's iptables code inside that host's namespace. Traffic is real TCP between the
// namespaces; nothing here can leave the machine (the switch has no route out). No containerd
// or API server needed: the full agent path is agent-network-policy.test.ts. Runs in the
// serialized tier (agent-*) under the host lock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execOk, hostExec } from '../../lib/exec.js';
import { removeEmptyTrees } from '../../lib/empty-dirs.js';
import type { NetworkPolicy } from '../../node-agent/kube-types.js';
import { planNetworkPolicies, type PodEntry } from '../../node-agent/netpol/policy-model.js';
import { netpolRestoreText } from '../../node-agent/netpol/rules.js';
import { NetpolIptables, removeNetpolRules } from '../../node-agent/netpol/iptables.js';
import { acquireHostLock } from '../lib/host-lock.js';
import { UndoStack } from '../lib/undo.js';
import { SHARED_DIRS } from './cri-harness.js';
import { createTopology, leftoverNamespaces, runClient, startServer, type NetnsHost, type NetnsTopology } from '../lib/netns-hosts.js';

const missing = process.getuid?.() !== 0 ? 'needs root (network namespaces)' : undefined;
const undo = new UndoStack();
const PREFIX = 'k8tsnp-';
let topo: NetnsTopology;
let h1: NetnsHost;
let h2: NetnsHost;
/** The second pod of host 1, on the same bridge as host 1's first. */
let q1Ns: string;
const Q1_IP = '10.42.1.3';
const ALLOWED_PORT = 7777;
const OTHER_PORT = 7778;
const chains = new Map<number, Set<string>>();

/** Pods as the API would describe them: p1 and q1 on h1, p2 on h2. */
function pods(labels: { p1?: Record<string, string>; q1?: Record<string, string>; p2?: Record<string, string> } = {}): PodEntry[] {
  return [
    { namespace: 'prod', name: 'p1', ip: h1.podIP, nodeName: 'h1', labels: labels.p1 ?? { app: 'server' }, ports: [{ name: 'svc', port: ALLOWED_PORT, protocol: 'tcp' }] },
    { namespace: 'prod', name: 'q1', ip: Q1_IP, nodeName: 'h1', labels: labels.q1 ?? { app: 'client' }, ports: [] },
    { namespace: 'other', name: 'p2', ip: h2.podIP, nodeName: 'h2', labels: labels.p2 ?? { app: 'remote' }, ports: [{ name: 'svc', port: ALLOWED_PORT, protocol: 'tcp' }] },
  ];
}

const namespaces = new Map<string, Record<string, string>>([
  ['prod', { 'kubernetes.io/metadata.name': 'prod' }],
  ['other', { 'kubernetes.io/metadata.name': 'other', trusted: 'yes' }],
]);

/** What each host's agent writes for these policies and pods. */
async function enforce(policies: NetworkPolicy[], podList = pods()): Promise<void> {
  for (const h of [h1, h2]) {
    const plan = planNetworkPolicies({ policies, pods: podList, namespaces, nodeName: `h${h.n}` });
    const ipt = new NetpolIptables(h.exec);
    const { text, chains: now } = netpolRestoreText(plan, chains.get(h.n) ?? new Set(await ipt.ownChains()));
    await ipt.restore(text);
    await ipt.ensureHook();
    chains.set(h.n, now);
  }
}

const policy = (name: string, spec: Record<string, unknown>, namespace = 'prod'): NetworkPolicy =>
  ({ metadata: { namespace, name }, spec: { podSelector: {}, ...spec } }) as NetworkPolicy;

async function reaches(fromNs: string, ip: string, port = ALLOWED_PORT): Promise<boolean> {
  const r = await runClient(fromNs, 'a', ip, port, '0', 1500);
  return r.address !== undefined;
}

before(async () => {
  if (missing) return;
  undo.push({ what: 'host lock', fn: await acquireHostLock() });
  const fresh = SHARED_DIRS.filter((d) => !existsSync(d));
  undo.push({ what: 'shared dirs', fn: async () => void (await removeEmptyTrees(fresh)) });
  assert.deepEqual(await leftoverNamespaces(PREFIX), [], 'namespaces from an earlier run are still there');
  topo = await createTopology(2, { prefix: PREFIX });
  undo.push({ what: 'namespaces', fn: () => topo.destroy() });
  [h1, h2] = topo.hosts as [NetnsHost, NetnsHost];
  // A second pod on host 1's bridge.
  q1Ns = `${PREFIX}${topo.id}-q1`;
  await execOk(hostExec, 'ip', ['netns', 'add', q1Ns]);
  undo.push({ what: 'pod q1', fn: async () => void (await hostExec('ip', ['netns', 'del', q1Ns])) });
  const ip = (...args: string[]) => execOk(hostExec, 'ip', args);
  await ip('-n', h1.ns, 'link', 'add', 'vq1', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', q1Ns);
  await ip('-n', h1.ns, 'link', 'set', 'vq1', 'master', 'cni0', 'up');
  await ip('-n', q1Ns, 'link', 'set', 'lo', 'up');
  await ip('-n', q1Ns, 'addr', 'add', `${Q1_IP}/24`, 'dev', 'eth0');
  await ip('-n', q1Ns, 'link', 'set', 'eth0', 'up');
  await ip('-n', q1Ns, 'route', 'add', 'default', 'via', '10.42.1.1');
  // Each host routes the other's pod range to it (host-gw), and sends bridged packets through
  // iptables, as the agent sets (br_netfilter; the setting is per namespace).
  await ip('-n', h1.ns, 'route', 'add', h2.podCIDR, 'via', h2.ip);
  await ip('-n', h2.ns, 'route', 'add', h1.podCIDR, 'via', h1.ip);
  for (const h of [h1, h2]) await execOk(h.exec, 'sysctl', ['-qw', 'net.bridge.bridge-nf-call-iptables=1']);
  const servers = [
    await startServer(h1.podNs, h1.podIP, ALLOWED_PORT), await startServer(h1.podNs, h1.podIP, OTHER_PORT),
    await startServer(h2.podNs, h2.podIP, ALLOWED_PORT), await startServer(h2.podNs, h2.podIP, OTHER_PORT),
  ];
  undo.push({ what: 'servers', fn: async () => { for (const s of servers) await s.stop(); } });
});

after(async () => {
  const problems = await undo.teardown();
  assert.deepEqual(problems, []);
  if (!missing) assert.deepEqual((await leftoverNamespaces(PREFIX)).filter((n) => n.includes(topo?.id ?? '-')), []);
});

test('without policies every pod reaches every other, on one node and across nodes', { skip: missing }, async () => {
  await enforce([]);
  assert.ok(await reaches(q1Ns, h1.podIP), 'same bridge');
  assert.ok(await reaches(h2.podNs, h1.podIP), 'across nodes');
  assert.ok(await reaches(h1.podNs, h2.podIP));
});

test('default deny for ingress blocks pods on the same bridge and on the other node, not the pod\'s own node', { skip: missing }, async () => {
  await enforce([policy('deny', { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'] })]);
  assert.ok(!await reaches(q1Ns, h1.podIP), 'same bridge: blocked');
  assert.ok(!await reaches(h2.podNs, h1.podIP), 'other node: blocked');
  const fromNode = await runClient(h1.ns, 'a', h1.podIP, ALLOWED_PORT, '0', 1500);
  assert.equal(fromNode.address, '10.42.1.1', 'the node itself still reaches its pod');
  // Egress is not isolated: p1 still opens connections, and their replies come back.
  assert.ok(await reaches(h1.podNs, h2.podIP), 'replies to the isolated pod\'s own connections pass');
});

test('a policy by pod label, by namespace label, by named port; and a label change is followed', { skip: missing }, async () => {
  const deny = policy('deny', { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'] });
  const byLabel = policy('from-clients', { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }] });
  await enforce([deny, byLabel]);
  assert.ok(await reaches(q1Ns, h1.podIP), 'q1 has app=client');
  assert.ok(!await reaches(h2.podNs, h1.podIP), 'p2 is in another namespace');
  // The peer's namespace selected by label, only on the named port.
  const byNamespace = policy('from-trusted', {
    podSelector: { matchLabels: { app: 'server' } },
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { trusted: 'yes' } } }], ports: [{ port: 'svc' }] }],
  });
  await enforce([deny, byNamespace]);
  assert.ok(await reaches(h2.podNs, h1.podIP, ALLOWED_PORT), 'other is trusted: allowed on port "svc"');
  assert.ok(!await reaches(h2.podNs, h1.podIP, OTHER_PORT), 'not on another port');
  assert.ok(!await reaches(q1Ns, h1.podIP), 'prod is not labelled trusted');
  // q1 loses its label: the rules follow.
  await enforce([deny, byLabel], pods({ q1: { app: 'other' } }));
  assert.ok(!await reaches(q1Ns, h1.podIP));
});

test('an ipBlock with an exception', { skip: missing }, async () => {
  await enforce([policy('cidr', {
    podSelector: { matchLabels: { app: 'server' } },
    ingress: [{ from: [{ ipBlock: { cidr: '10.42.0.0/16', except: ['10.42.1.0/24'] } }] }],
  })]);
  assert.ok(await reaches(h2.podNs, h1.podIP), '10.42.2.2 is in the block');
  assert.ok(!await reaches(q1Ns, h1.podIP), '10.42.1.3 is excepted');
});

test('egress: deny by default, allow one port to one peer; the peer\'s node enforces its own ingress', { skip: missing }, async () => {
  await enforce([policy('egress', {
    podSelector: { matchLabels: { app: 'server' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ namespaceSelector: { matchLabels: { trusted: 'yes' } } }], ports: [{ port: ALLOWED_PORT, protocol: 'TCP' }] }],
  })]);
  assert.ok(await reaches(h1.podNs, h2.podIP, ALLOWED_PORT));
  assert.ok(!await reaches(h1.podNs, h2.podIP, OTHER_PORT), 'another port');
  assert.ok(!await reaches(h1.podNs, Q1_IP, ALLOWED_PORT), 'a pod on the same bridge outside the selected namespace');
  assert.ok(await reaches(q1Ns, h1.podIP), 'ingress is not isolated: replies of p1 pass its egress check');
  // And both directions at once: p2's node isolates p2's ingress too.
  await enforce([
    policy('egress', { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: ALLOWED_PORT }] }] }),
    policy('deny-in', { podSelector: {}, policyTypes: ['Ingress'] }, 'other'),
  ]);
  assert.ok(!await reaches(h1.podNs, h2.podIP, ALLOWED_PORT), 'egress allowed at the source, ingress denied at the destination');
});

test('the rules go with the enforcer\'s cleanup, and the hook stays first in FORWARD', { skip: missing }, async () => {
  // Another tool inserting ahead of the hook (flannel's FLANNEL-FWD accepts pod traffic).
  await execOk(h1.exec, 'iptables', ['-I', 'FORWARD', '1', '-s', '10.42.0.0/16', '-j', 'ACCEPT']);
  await enforce([policy('deny', { podSelector: { matchLabels: { app: 'server' } } })]);
  const forward = (await execOk(h1.exec, 'iptables', ['-S', 'FORWARD'])).stdout.split('\n').filter((l) => l.startsWith('-A'));
  assert.match(forward[0]!, /-j KUBE-ROUTER-FORWARD$/);
  assert.ok(!await reaches(q1Ns, h1.podIP));
  const removed = await removeNetpolRules(h1.exec);
  assert.ok(removed.includes('iptables filter KUBE-ROUTER-FORWARD'), removed.join(', '));
  const left = (await execOk(h1.exec, 'iptables-save', ['-t', 'filter'])).stdout;
  assert.doesNotMatch(left, /KUBE-ROUTER|KUBE-POD-FW|KUBE-NWPLCY/);
  assert.ok(await reaches(q1Ns, h1.podIP));
});
