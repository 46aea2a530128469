// The service proxy's rules at scale: 1,000 Services with 10 endpoints each (10,000 endpoints),
// as issue 14 sizes it. How long generating the whole ruleset takes, and loading it with
// iptables-restore (the floor: the kernel and iptables' own cost for the same rules), into an
// empty table and again over itself, inside a network namespace of the benchmark's own so the
// host's iptables are never touched.
//
// Then the real proxier (node-agent/proxy/proxier.ts), fed by informers over the same objects,
// writing through the host's `iptables-restore` into a second namespace: its full sync, and a
// one-change sync (one Service's endpoints replaced) from the EndpointSlice event to the rules
// being in the kernel, beside the raw restore of the same full ruleset (the floor).
//
//   node --expose-gc dist/bench/proxy-rules.js [--services 1000] [--endpoints 10] [--runs 5] [--proxiers iptables,nftables]   (root)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { removeEmptyTrees } from '../lib/empty-dirs.js';
import { parseArgs } from 'node:util';
import type { EndpointSlice, Service } from '../node-agent/kube-types.js';
import { buildProxyRules } from '../node-agent/proxy/rules.js';
import { servicePortsOf } from '../node-agent/proxy/service-ports.js';
import { Informer } from '../lib/client/informer.js';
import { staticListWatch } from '../lib/client/static-list-watch.js';
import { hostExec, type Exec } from '../lib/exec.js';
import { Proxier, type SyncReport } from '../node-agent/proxy/proxier.js';
import { ProxyIptables } from '../node-agent/proxy/iptables.js';
import { ProxyMetrics } from '../node-agent/proxy/metrics.js';
import type { ProxyBackend } from '../node-agent/proxy/backend.js';
import { iptablesBackend } from '../node-agent/proxy/iptables-backend.js';
import { nftablesBackend } from '../node-agent/proxy/nftables/backend.js';
import { ProxyNft } from '../node-agent/proxy/nftables/nft.js';
import { planNftSync } from '../node-agent/proxy/nftables/plan.js';
import { nftPortRules } from '../node-agent/proxy/nftables/rules.js';
import { printTable, summarize } from './lib/stats.js';
import { nodeFlagsFor } from '../cli/launch.js';

const { values } = parseArgs({ options: {
  services: { type: 'string', default: '1000' }, endpoints: { type: 'string', default: '10' }, runs: { type: 'string', default: '5' },
  // Which proxiers to run (iptables, iptables-legacy, nftables); default all the host has.
  proxiers: { type: 'string' },
  // Internal: this process runs inside the namespace and times the proxier only.
  'proxier-child': { type: 'string' },
} });
const nServices = Number(values.services);
const perService = Number(values.endpoints);
const runs = Number(values.runs);

const ip = (n: number, base: number) => `10.${base + ((n >> 16) & 0xff)}.${(n >> 8) & 0xff}.${n & 0xff}`;

if (values['proxier-child']) {
  const result = await proxierRuns(values['proxier-child']);
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
  process.exit(0);
}

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
const mid = Math.floor(nServices / 2);
const changedName = `bench/svc-${mid}:http`;
slices[mid] = { ...slices[mid]!, endpoints: slices[mid]!.endpoints.map((e, j) => ({ ...e, addresses: [ip(900_000 + j, 42)] })) };
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
const proxierResults = new Map<string, ProxierResult>();
if (process.getuid?.() === 0) {
  const hadNetnsDir = existsSync('/run/netns');
  try {
    // The host's own `iptables` first (what the agent uses), the legacy backend where present, then nftables mode.
    const nftOk = spawnSync('nft', ['--version']).status === 0;
    const wanted = values.proxiers?.split(',');
    for (const variant of ['iptables', ...backends.filter((b) => b === 'iptables-legacy'), ...(nftOk ? ['nftables'] : [])]) {
      if (!wanted || wanted.includes(variant)) proxierResults.set(variant, proxierInNamespace(variant));
    }
  } finally {
    if (!hadNetnsDir) await removeEmptyTrees(['/run/netns']);
  }
}


function rss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 1024 / 1024;
}

type ProxierResult = { fullLines: number; full: number[]; oneChange: number[]; periodic: number[]; oneChangeLines: number; rawFull: number[]; rawEmpty: number[]; rssMiB: number; heapMiB: number };

/**
 * The real proxier over the same cluster: full sync, one-change syncs, its memory. Runs in a
 * child process inside a namespace of its own (as the agent runs on the host: iptables called
 * directly, not through `ip netns exec`).
 */
function proxierInNamespace(variant: string): ProxierResult {
  const ns = `k8ts-bench-proxier-${process.pid}`;
  const made = spawnSync('ip', ['netns', 'add', ns]);
  if (made.status !== 0) throw new Error(`ip netns add: ${made.stderr}`);
  try {
    // With the agent's own Node flags: what is measured is what `k8ts agent` runs.
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, ...nodeFlagsFor(['agent']), '--expose-gc', process.argv[1]!, '--proxier-child', variant,
      '--services', String(nServices), '--endpoints', String(perService), '--runs', String(runs)],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, K8TS_LOG_LEVEL: 'warn' } });
    if (r.status !== 0) throw new Error(`proxier child (${variant}) exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ProxierResult;
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

async function proxierRuns(variant: string): Promise<ProxierResult> {
  const exec: Exec = hostExec;
  const mid = Math.floor(nServices / 2);
  const fresh = cluster();
  const svcSource = staticListWatch(fresh.services);
  const sliceSource = staticListWatch(fresh.slices);
  const stopper = new AbortController();
  const informers = { services: new Informer(svcSource.lw, { name: 'services' }), endpointSlices: new Informer(sliceSource.lw, { name: 'slices' }) };
  const running = [informers.services.run(stopper.signal), informers.endpointSlices.run(stopper.signal)];
  await Promise.all([informers.services.waitForSync(stopper.signal), informers.endpointSlices.waitForSync(stopper.signal)]);
  const out = { fullLines: 0, full: [] as number[], oneChange: [] as number[], periodic: [] as number[], oneChangeLines: 0, rawFull: [] as number[], rawEmpty: [] as number[], rssMiB: 0, heapMiB: 0 };
  let waiter: ((r: SyncReport) => void) | undefined;
  const next = () => new Promise<SyncReport>((resolve) => (waiter = resolve));
  const before = rss();
  const heapBefore = process.memoryUsage().heapUsed / 1024 / 1024;
  // The proxier's timers do not keep a process alive (the agent's server does): this does.
  const keepAlive = setInterval(() => undefined, 1000);
  const rulesCfg = { clusterCIDR: '10.42.0.0/16', localhostNodePorts: variant !== 'nftables', randomFully: true };
  const backend: ProxyBackend<unknown> = variant === 'nftables' ? nftablesBackend(new ProxyNft(exec, true), rulesCfg) : iptablesBackend(new ProxyIptables(exec, variant, true), rulesCfg);
  const proxier = new Proxier({
    informers, nodeName: 'bench-node', backend, localIPs: () => new Set(), metrics: new ProxyMetrics(),
    minSyncMs: 0, syncPeriodMs: 3_600_000, fullSyncMs: 24 * 3_600_000, onSynced: (r) => waiter?.(r),
  });
  try {
    const first = next();
    const stop = proxier.start();
    out.full.push((await first).ms);
    out.rssMiB = rss() - before;
    out.heapMiB = process.memoryUsage().heapUsed / 1024 / 1024 - heapBefore;
    for (let i = 0; i < runs; i++) {
      // One change: a Service's endpoints replaced, from the slice event to the rules in the kernel.
      const slice = fresh.slices[mid]!;
      const changed = { ...slice, metadata: { ...slice.metadata, resourceVersion: String(i + 2) }, endpoints: slice.endpoints.map((e, j) => ({ ...e, addresses: [ip(800_000 + i * 100 + j, 42)] })) };
      fresh.slices[mid] = changed;
      const done = next();
      const t0 = performance.now();
      sliceSource.emit({ type: 'MODIFIED', object: changed });
      const r = await done;
      out.oneChange.push(performance.now() - t0);
      out.oneChangeLines = r.lines;
      if (r.kind !== 'partial') throw new Error(`expected a partial sync, got ${r.kind}`);
    }
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await proxier.syncNow('periodic');
      out.periodic.push(performance.now() - t0);
    }
    for (let i = 0; i < Math.min(runs, 3); i++) {
      const t0 = performance.now();
      await proxier.syncNow('full');
      out.full.push(performance.now() - t0);
    }
    await stop();
    // What any batch costs with these tables loaded (process start, the tool's cache): the
    // floor of a one-change sync.
    const nft = variant === 'nftables';
    const load = (input: string) => (nft
      ? spawnSync('nft', ['-f', '-'], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
      : spawnSync(`${variant}-restore`, ['--noflush'], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      // nft: a no-op element add, as any transaction touching a map or rule makes nft 1.0 fetch
      // every chain of the table first (adding or flushing a chain alone does not).
      const r = load(nft ? `add element ip kube-proxy cluster-ips { ${ip(10, 43)} }\n` : '*nat\nCOMMIT\n');
      if (r.status !== 0) throw new Error(r.stderr);
      out.rawEmpty.push(performance.now() - t0);
    }
    // The floor: the same full ruleset by a raw load, over itself.
    const ports = servicePortsOf(fresh.services, fresh.slices, 'bench-node');
    const all = nft
      ? planNftSync('full', new Map(), new Map(ports.map((sp) => [sp.portName, { sp, fingerprint: '', rules: nftPortRules(sp, rulesCfg) }])), rulesCfg).text
      : buildProxyRules(ports, rulesCfg).text;
    for (let i = 0; i < Math.min(runs, 3); i++) {
      const t0 = performance.now();
      const r = load(all);
      if (r.status !== 0) throw new Error(r.stderr);
      out.rawFull.push(performance.now() - t0);
    }
    out.fullLines = all.split('\n').length;
  } finally {
    clearInterval(keepAlive);
    backend.close();
    stopper.abort();
    await Promise.allSettled(running);
  }
  return out;
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
for (const [variant, p] of proxierResults) {
  const tool = variant === 'nftables' ? 'nft -f' : `${variant}-restore`;
  printTable(`the proxier (node-agent/proxy), ${nServices} Services x ${perService} endpoints, ${variant === 'nftables' ? 'nftables mode' : variant}, run inside a network namespace`,
    ['step', 'runs', 'p50 ms', 'min ms', 'max ms'],
    [row(`floor: raw ${tool} of the whole ruleset over itself (${p.fullLines.toLocaleString('en-US')} lines)`, p.rawFull),
      row('proxier full sync (first one into empty tables, then over itself)', p.full),
      row(`proxier periodic sync (${variant === 'nftables' ? 'maps refilled, table check' : 'shared chains whole, canary check, jumps'})`, p.periodic),
      row(`floor: raw ${tool} of ${variant === 'nftables' ? 'one element already there' : 'an empty nat table'} (a batch's fixed cost)`, p.rawEmpty),
      row(`proxier one-change sync, EndpointSlice event to rules in the kernel (${p.oneChangeLines} lines)`, p.oneChange)]);
  process.stdout.write(`\nproxier memory after its first full sync (informer caches excluded): RSS +${p.rssMiB.toFixed(1)} MiB, heap used +${p.heapMiB.toFixed(1)} MiB\n`);
}
