// What resource metrics cost the node agent: with 110 pods (the kubelet's default maximum), one
// collection (one CRI ListContainerStats, three cgroup files per pod, the node's root cgroup)
// and its renderings, /metrics/resource for the metrics server and /stats/summary, every 15 s.
// The cgroup reads are real kernel reads: each pod's files are the host's root cgroup files,
// the largest the kernel writes (v1: hierarchical memory.stat). The CRI answer is built in
// process (110 containers), so containerd's own share and the gRPC decode are not in it.
//
//   node dist/bench/metrics-collect.js [--pods 110] [--scrapes 200]
import { parseArgs } from 'node:util';
import type { CriClient } from '../node-agent/cri/index.js';
import type { ContainerStats } from '../node-agent/cri/types.js';
import type { Pod } from '../node-agent/kube-types.js';
import { hostCgroupLayout, ResourceCollector } from '../node-agent/stats/collector.js';
import { readText } from '../node-agent/stats/cgroup-read.js';
import { renderResourceMetrics } from '../node-agent/stats/resource-metrics.js';
import { buildSummary } from '../node-agent/stats/summary.js';
import { printTable, summarize } from './lib/stats.js';

const { values } = parseArgs({ options: { pods: { type: 'string', default: '110' }, scrapes: { type: 'string', default: '200' } } });
const nPods = Number(values.pods);
const scrapes = Number(values.scrapes);

const uid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const pods: Pod[] = Array.from({ length: nPods }, (_, i) => ({
  metadata: { name: `web-${i}`, namespace: 'bench', uid: uid(i) },
  spec: { containers: [{ name: 'app', resources: { requests: { cpu: '10m' } } }] },
  status: { qosClass: 'Burstable', phase: 'Running', startTime: '2026-12-07T10:00:00Z', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: { startedAt: '2026-12-07T10:00:01Z' } } }] },
}) as Pod);

let tick = 0;
const cri = {
  runtime: {
    async listContainerStats(): Promise<ContainerStats[]> {
      tick++;
      const ts = String(BigInt(Date.now()) * 1_000_000n);
      return pods.map((p, i) => ({
        attributes: { id: `c${i}`, metadata: { name: 'app', attempt: 0 }, labels: { 'io.kubernetes.pod.uid': p.metadata!.uid!, 'io.kubernetes.container.name': 'app' }, annotations: {} },
        cpu: { timestamp: ts, usage_core_nano_seconds: { value: String(1_000_000_000 * tick + i) }, usage_nano_cores: null },
        memory: { timestamp: ts, working_set_bytes: { value: '12533760' }, usage_bytes: { value: '13975552' }, available_bytes: null, rss_bytes: { value: '12263424' }, page_faults: null, major_page_faults: null },
        writable_layer: null,
      }));
    },
  },
} as unknown as CriClient;

const layout = await hostCgroupLayout();
if (!layout) throw new Error('no cgroup hierarchy with cpu and memory accounting on this host');
// Every pod cgroup path is answered from the host's root cgroup (same files, real kernel work);
// each pod's network from this process' /proc/<pid>/net/dev (one container cgroup listed).
const podPath = /\/k8ts\/kubepods\/burstable\/pod[^/]+/;
const read = (p: string) => (p.endsWith('/cgroup.procs') ? Promise.resolve(`${process.pid}\n`) : readText(p.replace(podPath, '')));
const listDir = async () => ['container'];

let now = Date.now();
const collector = new ResourceCollector({
  cri, nodeName: 'bench', nodeStartTime: new Date(), listPods: () => pods, layout, cgroupDriver: 'cgroupfs', cgroupRoot: '/k8ts',
  read, listDir, now: () => now,
});

async function scrape(): Promise<{ cpuMs: number; bytes: number }> {
  now += 15_000; // each scrape is a new collection, as at a 15 s resolution
  const before = process.cpuUsage();
  const resource = renderResourceMetrics(await collector.snapshot());
  const summary = JSON.stringify(buildSummary(await collector.snapshot()));
  const used = process.cpuUsage(before);
  return { cpuMs: (used.user + used.system) / 1000, bytes: resource.length + summary.length };
}

for (let i = 0; i < 20; i++) await scrape(); // JIT warm-up
const cpu: number[] = [];
let bytes = 0;
for (let i = 0; i < scrapes; i++) {
  const r = await scrape();
  cpu.push(r.cpuMs);
  bytes = r.bytes;
}
const s = summarize(cpu);
printTable(`resource metrics, ${nPods} pods, cgroup v${layout.version}, ${scrapes} scrapes (collection + /metrics/resource + /stats/summary)`,
  ['what', 'p50', 'p99', 'max'], [
    ['CPU per scrape, ms', s.p50.toFixed(2), s.p99.toFixed(2), s.max.toFixed(2)],
    ['share of one core at a 15 s scrape, %', (s.p50 / 150).toFixed(3), (s.p99 / 150).toFixed(3), (s.max / 150).toFixed(3)],
  ]);
console.log(`answer size: ${(bytes / 1024).toFixed(1)} KiB; collections: ${collector.collections}`);

// The server's side: what the metrics server keeps per node (two points of the node and of
// every container), parsed from the text this agent serves.
const { parseExposition } = await import('../lib/prom-text.js');
const { batchFromSamples } = await import('../apiserver/metrics/resource-batch.js');
const { MetricsStorage } = await import('../apiserver/metrics/metrics-storage.js');
const nodes = 100;
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  return process.memoryUsage().heapUsed;
};
const storage = new MetricsStorage(15_000);
const before = heap();
const parseMs: number[] = [];
for (let round = 0; round < 2; round++) {
  now += 15_000;
  const text = renderResourceMetrics(await collector.snapshot());
  for (let n = 0; n < nodes; n++) {
    // Distinct label values per node, as real pod names are.
    const t0 = performance.now();
    storage.store(`node-${n}`, batchFromSamples(parseExposition(text.replaceAll('pod="web-', `pod="n${n}-web-`)), now));
    parseMs.push(performance.now() - t0);
  }
}
const perNode = (heap() - before) / nodes;
const p = summarize(parseMs);
printTable(`metrics server, ${nodes} nodes of ${nPods} pods, two scrapes each${gc ? '' : ' (run with --expose-gc for steadier memory figures)'}`, ['what', 'value'], [
  ['parse + store one node\'s scrape, p50 ms', p.p50.toFixed(2)],
  ['parse + store one node\'s scrape, p99 ms', p.p99.toFixed(2)],
  ['heap kept per node, KiB', (perNode / 1024).toFixed(1)],
  ['node usage answers', String(storage.nodeUsage('node-7') ? 'yes' : 'no')],
]);
