// The service proxy's rules at scale: 1,000 Services with 10 endpoints each (10,000 endpoints),
// as issue 14 sizes it. How long generating the whole ruleset takes, and loading it with
// iptables-restore (the floor: the kernel and iptables' own cost for the same rules), into an
// empty table and again over itself, inside a network namespace of the benchmark's own so the
// host's iptables are never touched.
//
//   node dist/bench/proxy-rules.js [--services 1000] [--endpoints 10] [--runs 5]   (root)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { removeEmptyTrees } from '../lib/empty-dirs.js';
import { parseArgs } from 'node:util';
import type { EndpointSlice, Service } from '../node-agent/kube-types.js';
import { buildProxyRules } from '../node-agent/proxy/rules.js';
import { servicePortsOf } from '../node-agent/proxy/service-ports.js';
import { printTable, summarize } from './lib/stats.js';

const { values } = parseArgs({ options: { services: { type: 'string', default: '1000' }, endpoints: { type: 'string', default: '10' }, runs: { type: 'string', default: '5' } } });
const nServices = Number(values.services);
const perService = Number(values.endpoints);
const runs = Number(values.runs);

const ip = (n: number, base: number) => `10.${base + ((n >> 16) & 0xff)}.${(n >> 8) & 0xff}.${n & 0xff}`;

function cluster(): { services: Service[]; slices: EndpointSlice[] } {
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < nServices; i++) {
    const name = `svc-${i}`;
    // Every tenth service is a NodePort, as a mixed cluster has them.
    services.push({
      metadata: { name, namespace: 'bench' },
      spec: { clusterIP: ip(i + 10, 43), type: i % 10 === 0 ? 'NodePort' : 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP', ...(i % 10 === 0 ? { nodePort: 30000 + i } : {}) }] },
    } as Service);
    slices.push({
      metadata: { name: `${name}-a`, namespace: 'bench', labels: { 'kubernetes.io/service-name': name } }, addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: Array.from({ length: perService }, (_, j) => ({ addresses: [ip(i * perService + j + 10, 42)], nodeName: j % 3 === 0 ? 'bench-node' : 'other', conditions: { ready: true } })),
    } as EndpointSlice);
  }
  return { services, slices };
}

function timed<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

const netns = `k8ts-bench-proxy-${process.pid}`;
function inNetns(args: string[], input?: string): void {
  const r = spawnSync('ip', ['netns', 'exec', netns, ...args], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

const { services, slices } = cluster();
const generate: number[] = [];
let text = '';
for (let i = 0; i < runs + 1; i++) {
  const t = timed(() => buildProxyRules(servicePortsOf(services, slices, 'bench-node'), { clusterCIDR: '10.42.0.0/16', localhostNodePorts: true, randomFully: true }).text);
  if (i > 0) generate.push(t.ms); // the first run warms the JIT
  text = t.value;
}
const lines = text.split('\n').length;
// One change: a Service's endpoints replaced; only its own chains are written, the shared ones whole.
const changedName = 'bench/svc-500:http';
slices[500] = { ...slices[500]!, endpoints: slices[500]!.endpoints.map((e, j) => ({ ...e, addresses: [ip(900_000 + j, 42)] })) };
const partialGenerate: number[] = [];
let partialText = '';
for (let i = 0; i < runs + 1; i++) {
  const t = timed(() => buildProxyRules(servicePortsOf(services, slices, 'bench-node'), { clusterCIDR: '10.42.0.0/16', localhostNodePorts: true, randomFully: true }, new Set([changedName])).text);
  if (i > 0) partialGenerate.push(t.ms);
  partialText = t.value;
}

if (process.getuid?.() !== 0) {
  console.error('proxy-rules: loading the rules needs root (ip netns); only generation was measured');
}
// Both iptables backends where the host has them: the nft one is Debian's and Ubuntu's default.
const backends = ['iptables-nft', 'iptables-legacy'].filter((b) => spawnSync(`${b}-restore`, ['--version']).status === 0);
const loads = new Map<string, { first: number[]; again: number[]; partial: number[] }>();
if (process.getuid?.() === 0) {
  // `ip netns add` makes /run/netns (a mount of itself) on a host that had none: put it back.
  const hadNetnsDir = existsSync('/run/netns');
  const made = spawnSync('ip', ['netns', 'add', netns]);
  if (made.status !== 0) throw new Error(`ip netns add: ${made.stderr}`);
  try {
    for (const b of backends) {
      const l = { first: [] as number[], again: [] as number[], partial: [] as number[] };
      loads.set(b, l);
      for (let i = 0; i < runs; i++) {
        for (const t of ['nat', 'filter']) for (const op of ['-F', '-X']) inNetns([b, '-t', t, op]);
        l.first.push(timed(() => inNetns([`${b}-restore`, '--noflush'], text)).ms);
        l.again.push(timed(() => inNetns([`${b}-restore`, '--noflush'], text)).ms);
        l.partial.push(timed(() => inNetns([`${b}-restore`, '--noflush'], partialText)).ms);
      }
      for (const t of ['nat', 'filter']) for (const op of ['-F', '-X']) inNetns([b, '-t', t, op]);
    }
  } finally {
    spawnSync('ip', ['netns', 'del', netns]);
    if (!hadNetnsDir) await removeEmptyTrees(['/run/netns']);
  }
}

const row = (what: string, ms: number[]) => { const s = summarize(ms); return [what, String(s.count), s.p50, Math.min(...ms), s.max]; };
printTable(`${nServices} Services x ${perService} endpoints: ${lines.toLocaleString('en-US')} lines of rules (${(text.length / 1024 / 1024).toFixed(1)} MiB)`,
  ['step', 'runs', 'p50 ms', 'min ms', 'max ms'],
  [row('generate the whole ruleset (Services, EndpointSlices -> restore text)', generate),
    row(`generate a partial sync for one changed Service (${partialText.split('\n').length.toLocaleString('en-US')} lines)`, partialGenerate),
    ...[...loads].flatMap(([b, l]) => [
      row(`floor: ${b}-restore into empty tables`, l.first), row(`floor: ${b}-restore over the same rules`, l.again),
      row(`${b}-restore of the one-change partial sync`, l.partial),
    ])]);
