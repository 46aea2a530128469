// NetworkPolicy rules at scale: N policies over a cluster of M pods (a tenth of them on this
// node, as on one node of ten). How long the enforcer takes from its caches to rules in the
// kernel - the plan (policy-model.ts), the restore text (rules.ts) and the restore through its
// iptables writer (netpol/iptables.ts) - beside a raw iptables-restore of the same text (the
// floor: the kernel's and iptables' own cost), in a network namespace of the benchmark's own so
// the host's iptables are never touched. Each run writes over the previous rules, as a sync does.
//
//   node dist/bench/netpol-rules.js [--runs 5]   (root)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { hostExec, type Exec } from '../lib/exec.js';
import { removeEmptyTrees } from '../lib/empty-dirs.js';
import type { NetworkPolicy } from '../node-agent/kube-types.js';
import { planNetworkPolicies, type PodEntry } from '../node-agent/netpol/policy-model.js';
import { netpolRestoreText } from '../node-agent/netpol/rules.js';
import { NetpolIptables } from '../node-agent/netpol/iptables.js';
import { printTable, summarize } from './lib/stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const sizes: Array<[policies: number, pods: number]> = [[10, 100], [100, 1000], [100, 5000], [500, 5000]];
const NAMESPACES = 20;

/** M pods in 20 namespaces, app-0..9 and every third a client; every tenth on this node. */
function pods(m: number): PodEntry[] {
  return Array.from({ length: m }, (_, i) => ({
    namespace: `ns-${i % NAMESPACES}`, name: `pod-${i}`, ip: `10.42.${(i >> 8) & 0xff}.${i & 0xff}`, nodeName: i % 10 === 0 ? 'bench-node' : `node-${i % 10}`,
    labels: { app: `app-${Math.floor(i / NAMESPACES) % 10}`, ...(i % 3 === 0 ? { role: 'client' } : {}) },
    ports: [{ name: 'http', port: 8080, protocol: 'tcp' as const }],
  }));
}

/** N policies, as tenants write them: from clients in their namespace, from a team's namespaces, a CIDR, and egress with DNS. */
function policies(n: number): NetworkPolicy[] {
  return Array.from({ length: n }, (_, i) => ({
    metadata: { namespace: `ns-${i % NAMESPACES}`, name: `policy-${i}` },
    spec: {
      podSelector: { matchLabels: { app: `app-${i % 10}` } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 'http' }] },
        { from: [{ namespaceSelector: { matchLabels: { team: `t-${i % 4}` } } }], ports: [{ port: 8080 }, { port: 9000, endPort: 9100 }] },
        { from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }] },
      ],
      egress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }, { to: [{ podSelector: {} }] }],
    },
  }) as unknown as NetworkPolicy);
}

const namespaces = new Map(Array.from({ length: NAMESPACES }, (_, k) => [`ns-${k}`, { 'kubernetes.io/metadata.name': `ns-${k}`, team: `t-${k % 4}` }]));

if (process.getuid?.() !== 0) {
  console.error('netpol-rules: needs root (ip netns)');
  process.exit(1);
}
const netns = `k8ts-bench-netpol-${process.pid}`;
const hadNetnsDir = existsSync('/run/netns');
if (spawnSync('ip', ['netns', 'add', netns]).status !== 0) throw new Error('ip netns add failed');
const exec: Exec = (file, args, opts) => hostExec('ip', ['netns', 'exec', netns, file, ...args], opts);
const rawRestore = (text: string) => {
  const r = spawnSync('ip', ['netns', 'exec', netns, 'iptables-restore', '-w', '5', '--noflush'], { input: text, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(r.stderr);
};
const rows: Array<Array<string | number>> = [];
try {
  for (const [n, m] of sizes) {
    const podList = pods(m);
    const policyList = policies(n);
    const ipt = new NetpolIptables(exec);
    let chains = new Set<string>();
    const plan: number[] = [];
    const enforcer: number[] = [];
    const floor: number[] = [];
    let lines = 0;
    let isolated = 0;
    for (let i = 0; i <= runs; i++) {
      const t0 = performance.now();
      const p = planNetworkPolicies({ policies: policyList, pods: podList, namespaces, nodeName: 'bench-node' });
      const { text, chains: now } = netpolRestoreText(p, chains);
      const t1 = performance.now();
      await ipt.restore(text);
      const t2 = performance.now();
      chains = now;
      const t3 = performance.now();
      rawRestore(text);
      const t4 = performance.now();
      // The first round warms the JIT and creates the chains.
      if (i === 0) continue;
      plan.push(t1 - t0);
      enforcer.push(t2 - t0);
      floor.push(t4 - t3);
      lines = text.split('\n').length;
      isolated = p.firewalls.length;
    }
    for (const t of ['-F', '-X']) spawnSync('ip', ['netns', 'exec', netns, 'iptables', '-t', 'filter', t]);
    const [sp, se, sf] = [summarize(plan), summarize(enforcer), summarize(floor)];
    rows.push([`${n} × ${m}`, String(isolated), lines.toLocaleString('en-US'), sp.p50, se.p50, se.max, sf.p50, sf.max, `${(se.p50 / sf.p50).toFixed(2)}×`]);
  }
} finally {
  spawnSync('ip', ['netns', 'del', netns]);
  if (!hadNetnsDir) await removeEmptyTrees(['/run/netns']);
}
printTable(`NetworkPolicy rules: plan + text + restore vs a raw iptables-restore of the same text (ms, ${runs} runs)`,
  ['policies × pods', 'pod chains', 'lines', 'plan+text p50', 'enforcer p50', 'enforcer max', 'floor p50', 'floor max', 'enforcer / floor'], rows);
