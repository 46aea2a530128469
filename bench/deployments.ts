// Pods through Deployments at scale, against simulated nodes (k8ts agent --simulated): the whole
// control plane at work (deployment and replicaset controllers, scheduler, simulated kubelets).
// 1. 100 nodes, 30 Deployments x 100 replicas created at once: how fast pods are scheduled
//    (pods/s) and creation-to-Running latency p50/p99, as a pod watch sees them.
// 2. 500 nodes, 50 Deployments x 100 replicas, then idle: server RSS and CPU at steady state.
// Run: node dist/bench/deployments.js
//   (BENCH_DEPLOYMENTS=30 BENCH_REPLICAS=100 BENCH_NODES=100 BENCH_IDLE_NODES=500 BENCH_IDLE_DEPLOYMENTS=50)
import { KubeClient } from '../lib/client/rest-client.js';
import { readKubeconfig } from '../lib/kubeconfig.js';
import { resources } from '../lib/client/resource-types.js';
import type { Pod } from '../lib/client/types.js';
import { workloadResources, type Deployment } from '../apiserver/controllers/workload-types.js';
import { startBenchServer, type BenchServer } from './lib/server.js';
import { nodesReady, startSimulatedAgent, stopProcess, waitUntil } from './lib/simulated.js';
import { cpuSeconds, machine, printTable, rssMiB, summarize } from './lib/stats.js';

const deployments = Number(process.env.BENCH_DEPLOYMENTS ?? 30);
const replicas = Number(process.env.BENCH_REPLICAS ?? 100);
const nodes = Number(process.env.BENCH_NODES ?? 100);
const idleNodes = Number(process.env.BENCH_IDLE_NODES ?? 500);
const idleDeployments = Number(process.env.BENCH_IDLE_DEPLOYMENTS ?? 50);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const settleSeconds = Number(process.env.BENCH_SETTLE_SECONDS ?? 90);

const deployment = (name: string): Deployment => ({
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
    },
  },
});

/** Times (performance.now) each pod was first seen, bound and Running, from one pod watch. */
interface PodTimes {
  seen: Map<string, number>;
  scheduled: Map<string, number>;
  running: Map<string, number>;
}

async function watchPods(client: KubeClient, signal: AbortSignal): Promise<{ times: PodTimes; done: Promise<void> }> {
  const api = client.resource<Pod>(resources.pods);
  const times: PodTimes = { seen: new Map(), scheduled: new Map(), running: new Map() };
  const rv = (await api.list('default', { limit: 1 })).metadata.resourceVersion;
  const done = api.watch('default', { resourceVersion: rv, signal }, (ev) => {
    const p = ev.object;
    const name = p.metadata?.name ?? '';
    const now = performance.now();
    // creationTimestamp has whole seconds only: the ADDED event marks creation to the millisecond.
    if (!times.seen.has(name)) times.seen.set(name, now);
    if (p.spec?.nodeName && !times.scheduled.has(name)) times.scheduled.set(name, now);
    if (p.status?.phase === 'Running' && !times.running.has(name)) times.running.set(name, now);
  });
  return { times, done };
}

async function createDeployments(client: KubeClient, prefix: string, n: number): Promise<void> {
  const api = client.resource<Deployment>(workloadResources.deployments);
  await Promise.all(Array.from({ length: n }, (_, i) => api.create(deployment(`${prefix}-${i}`))));
}

async function allAvailable(client: KubeClient, n: number): Promise<boolean> {
  const list = await client.resource<Deployment>(workloadResources.deployments).listAll('default');
  return list.items.filter((d) => (d.status?.availableReplicas ?? 0) === replicas).length >= n;
}

async function throughput(): Promise<void> {
  const server = await startBenchServer();
  const client = new KubeClient(readKubeconfig(server.kubeconfig), { maxSockets: 16 });
  const agent = await startSimulatedAgent(server.kubeconfig, nodes);
  const total = deployments * replicas;
  try {
    await nodesReady(client, nodes);
    const watching = new AbortController();
    const { times, done } = await watchPods(client, watching.signal);
    const cpu0 = cpuSeconds(server.pid);
    const t0 = performance.now();
    await createDeployments(client, 'web', deployments);
    await waitUntil('all pods Running', async () => times.running.size >= total, 600_000);
    const allRunning = performance.now();
    await waitUntil('all Deployments available', () => allAvailable(client, deployments), 600_000);
    const available = performance.now();
    const cpu = cpuSeconds(server.pid) - cpu0;
    watching.abort();
    await done;
    const firstSeen = Math.min(...times.seen.values());
    const lastScheduled = Math.max(...times.scheduled.values());
    const names = [...times.seen.keys()].filter((n) => times.running.has(n));
    const sched = summarize(names.map((n) => times.scheduled.get(n)! - times.seen.get(n)!));
    const run = summarize(names.map((n) => times.running.get(n)! - times.seen.get(n)!));
    printTable(`${deployments} Deployments x ${replicas} replicas (${total.toLocaleString('en-US')} pods) onto ${nodes} simulated nodes`, ['measure', 'value'], [
      ['pods created by the ReplicaSet controller /s (first to last pod seen)', total / ((Math.max(...times.seen.values()) - firstSeen) / 1000)],
      ['pods scheduled/s (first pod seen to last bind)', total / ((lastScheduled - firstSeen) / 1000)],
      ['creation-to-scheduled p50 ms', sched.p50],
      ['creation-to-scheduled p99 ms', sched.p99],
      ['creation-to-Running p50 ms', run.p50],
      ['creation-to-Running p99 ms', run.p99],
      ['Deployments created to all pods Running, s', (allRunning - t0) / 1000],
      ['Deployments created to all Deployments available, s', (available - t0) / 1000],
      ['server CPU (cores busy, average)', cpu / ((available - t0) / 1000)],
      ['server RSS MiB (after)', rssMiB(server.pid)],
    ]);
  } finally {
    await stopProcess(agent);
    client.close();
    await server.stop();
  }
}

async function idle(): Promise<void> {
  // 500 nodes need more than the 256 /24s of the default 10.42.0.0/16.
  const server: BenchServer = await startBenchServer(['--cluster-cidr', '10.64.0.0/14']);
  const client = new KubeClient(readKubeconfig(server.kubeconfig), { maxSockets: 16 });
  const agent = await startSimulatedAgent(server.kubeconfig, idleNodes);
  const total = idleDeployments * replicas;
  try {
    await nodesReady(client, idleNodes);
    const rssNodesOnly = rssMiB(server.pid);
    const t0 = performance.now();
    await createDeployments(client, 'idle', idleDeployments);
    await waitUntil('all Deployments available', () => allAvailable(client, idleDeployments), 900_000);
    const rolledOut = (performance.now() - t0) / 1000;
    // Let the burst's garbage go (V8 shrinks its heap only after a quiet minute or so), then measure.
    await new Promise((r) => setTimeout(r, settleSeconds * 1000));
    const cpu0 = cpuSeconds(server.pid);
    const agentCpu0 = cpuSeconds(agent.pid!);
    const m0 = performance.now();
    const rss: number[] = [];
    for (let i = 0; i < idleSeconds / 5; i++) {
      await new Promise((r) => setTimeout(r, 5000));
      rss.push(rssMiB(server.pid));
    }
    const wall = (performance.now() - m0) / 1000;
    printTable(`${idleNodes} simulated nodes, ${idleDeployments} Deployments x ${replicas} replicas (${total.toLocaleString('en-US')} pods), idle for ${idleSeconds} s after ${settleSeconds} s to settle`, ['measure', 'value'], [
      ['Deployments created to all available, s', rolledOut],
      ['server RSS MiB, nodes only', rssNodesOnly],
      ['server RSS MiB, with pods (median while idle)', summarize(rss).p50],
      ['server RSS MiB, with pods (max while idle)', Math.max(...rss)],
      ['server CPU, cores busy while idle', (cpuSeconds(server.pid) - cpu0) / wall],
      ['agent CPU, cores busy', (cpuSeconds(agent.pid!) - agentCpu0) / wall],
      ['agent RSS MiB', rssMiB(agent.pid!)],
    ]);
  } finally {
    await stopProcess(agent);
    client.close();
    await server.stop();
  }
}

process.stdout.write(`# Deployments benchmark\n\n${machine()}\n`);
if (process.env.BENCH_SKIP_THROUGHPUT !== '1') await throughput();
if (process.env.BENCH_SKIP_IDLE !== '1') await idle();
