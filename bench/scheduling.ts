// Scheduling at scale against simulated nodes (k8ts agent --simulated):
// 1. 100 nodes: create pods as fast as the server takes them and report how fast the scheduler
//    binds them (pods/s) and creation-to-Running latency p50/p99;
// 2. 500 nodes with 5,000 running pods, idle: server RSS and CPU at steady state.
// Run: node dist/bench/scheduling.js   (BENCH_PODS=3000 BENCH_NODES=100 BENCH_IDLE_NODES=500 BENCH_IDLE_PODS=5000)
// BENCH_VIA=deployments creates the pods through Deployments of 100 replicas instead of directly.
// BENCH_RATE=50 paces direct creation at 50 pods/s (latency at a steady load) instead of flat out.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { KubeClient } from '../lib/client/rest-client.js';
import { resources } from '../lib/client/resource-types.js';
import type { Node, Pod } from '../lib/client/types.js';
import { startBenchServer, type BenchServer } from './lib/server.js';
import { cpuSeconds, machine, printTable, rssMiB, summarize } from './lib/stats.js';

const cli = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'cli/main.js');
const pods = Number(process.env.BENCH_PODS ?? 3000);
const nodes = Number(process.env.BENCH_NODES ?? 100);
const idleNodes = Number(process.env.BENCH_IDLE_NODES ?? 500);
const idlePods = Number(process.env.BENCH_IDLE_PODS ?? 5000);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const settleSeconds = Number(process.env.BENCH_SETTLE_SECONDS ?? 90);
const creators = 32;
const rate = Number(process.env.BENCH_RATE ?? 0);
const warmUpPods = Number(process.env.BENCH_WARMUP_PODS ?? Math.min(1500, Math.ceil(pods / 2)));
const viaDeployments = process.env.BENCH_VIA === 'deployments';
const replicasPerDeployment = 100;

function startAgent(kubeconfig: string, count: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [cli, 'agent', '--simulated', '--kubeconfig', kubeconfig, '--node-name', 'sim', '--count', String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    createInterface({ input: proc.stdout! }).on('line', (l) => l.includes('"simulating nodes"') && res(proc));
    proc.once('exit', (c) => rej(new Error(`agent exited ${c}`)));
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  const done = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await done;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function nodesReady(client: KubeClient, n: number): Promise<void> {
  const api = client.resource<Node>(resources.nodes);
  await waitFor(`${n} nodes with pod ranges`, async () => {
    const list = await api.listAll();
    return list.items.filter((x) => x.spec?.podCIDR && x.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= n;
  });
}

const podSpec = (name: string): Pod => ({
  metadata: { name, namespace: 'default', labels: { app: 'bench' } },
  spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
});

/**
 * Lets start-up work finish (controllers' first lists, discovery, the JIT) and runs pods through
 * at full speed once, so every client has its connections open and the measurement sees a warm
 * server: a cold one spends the first seconds in TLS handshakes and compilation, which shows up
 * as a multi-second tail on the first few percent of pods.
 */
async function warmUp(client: KubeClient, n: number): Promise<void> {
  await new Promise((r) => setTimeout(r, 10_000));
  const api = client.resource<Pod>(resources.pods);
  await createPods(client, 'warmup', n);
  await waitFor('warm-up pods Running', async () => (await api.listAll('default', { fieldSelector: 'status.phase=Running' })).items.length >= n, 600_000);
  await api.deleteCollection('default', { labelSelector: 'app=bench' });
  await waitFor('warm-up pods gone', async () => (await api.list('default', { limit: 1 })).items.length === 0, 600_000);
}

/** Creates Deployments whose pods add up to n; pods' creation times come from the watch. */
async function createDeployments(client: KubeClient, n: number): Promise<void> {
  const api = client.resource(resources.deployments);
  for (let i = 0; i * replicasPerDeployment < n; i++) {
    const name = `bench-${i}`;
    await api.create({
      metadata: { name, namespace: 'default' },
      spec: {
        replicas: Math.min(replicasPerDeployment, n - i * replicasPerDeployment),
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: podSpec(name).spec },
      },
    } as never);
  }
}

/** Creates pods with a pool of concurrent creators; resolves with each pod's creation time. */
async function createPods(client: KubeClient, prefix: string, n: number, paced = false): Promise<Map<string, number>> {
  const api = client.resource<Pod>(resources.pods);
  const created = new Map<string, number>();
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: creators }, async () => {
    while (next < n) {
      const i = next++;
      const name = `${prefix}-${i}`;
      // Paced: pod i is due at start + i/rate.
      const due = paced && rate > 0 ? start + (i * 1000) / rate : 0;
      if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
      const t = performance.now();
      await api.create(podSpec(name));
      created.set(name, t);
    }
  }));
  return created;
}

async function throughput(): Promise<void> {
  const server = await startBenchServer();
  const client = new KubeClient((await import('../lib/kubeconfig.js')).readKubeconfig(server.kubeconfig), { maxSockets: creators + 4 });
  const agent = await startAgent(server.kubeconfig, nodes);
  try {
    await nodesReady(client, nodes);
    await warmUp(client, warmUpPods);
    const scheduledAt = new Map<string, number>();
    const runningAt = new Map<string, number>();
    const watching = new AbortController();
    const api = client.resource<Pod>(resources.pods);
    const rv = (await api.list('default', { limit: 1 })).metadata.resourceVersion;
    const seenAt = new Map<string, number>();
    const watch = api.watch('default', { resourceVersion: rv, signal: watching.signal }, (ev) => {
      const p = ev.object;
      const name = p.metadata?.name ?? '';
      const now = performance.now();
      if (!seenAt.has(name)) seenAt.set(name, now);
      if (p.spec?.nodeName && !scheduledAt.has(name)) scheduledAt.set(name, now);
      if (p.status?.phase === 'Running' && !runningAt.has(name)) runningAt.set(name, now);
    });
    const cpu0 = cpuSeconds(server.pid);
    const t0 = performance.now();
    let created: Map<string, number>;
    if (viaDeployments) {
      await createDeployments(client, pods);
      await waitFor('all pods created', async () => seenAt.size >= pods, 600_000);
      // A pod's creation is when the ReplicaSet controller's create showed up in the watch.
      created = seenAt;
    } else {
      created = await createPods(client, 'bench', pods, true);
    }
    const createdIn = (performance.now() - t0) / 1000;
    await waitFor('all pods Running', async () => runningAt.size >= pods, 600_000);
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(server.pid) - cpu0;
    watching.abort();
    await watch;
    const firstCreate = Math.min(...created.values());
    const lastScheduled = Math.max(...scheduledAt.values());
    const sched = summarize([...created].map(([n, t]) => (scheduledAt.get(n) ?? NaN) - t));
    const run = summarize([...created].map(([n, t]) => (runningAt.get(n) ?? NaN) - t));
    printTable(`Scheduling ${pods.toLocaleString('en-US')} pods (after ${warmUpPods.toLocaleString('en-US')} warm-up pods) ${viaDeployments ? `of ${Math.ceil(pods / replicasPerDeployment)} Deployments ` : ''}onto ${nodes} simulated nodes`, ['measure', 'value'], [
      [viaDeployments ? 'pods created/s (by the ReplicaSet controller)' : rate ? `pods created/s (paced at ${rate}/s)` : 'pods created/s (32 concurrent clients)', pods / createdIn],
      ['pods scheduled/s (first create to last bind)', pods / ((lastScheduled - firstCreate) / 1000)],
      ['creation-to-scheduled p50 ms', sched.p50],
      ['creation-to-scheduled p99 ms', sched.p99],
      ['creation-to-Running p50 ms', run.p50],
      ['creation-to-Running p99 ms', run.p99],
      ['server CPU (cores busy, average)', cpu / wall],
      ['server RSS MiB (after)', rssMiB(server.pid)],
    ]);
  } finally {
    await stop(agent);
    client.close();
    await server.stop();
  }
}

async function idle(): Promise<void> {
  // 500 nodes need more than the 256 /24s of the default 10.42.0.0/16.
  const server: BenchServer = await startBenchServer(['--cluster-cidr', '10.64.0.0/14']);
  const client = new KubeClient((await import('../lib/kubeconfig.js')).readKubeconfig(server.kubeconfig), { maxSockets: creators + 4 });
  const agent = await startAgent(server.kubeconfig, idleNodes);
  try {
    await nodesReady(client, idleNodes);
    const rssNodesOnly = rssMiB(server.pid);
    await createPods(client, 'idle', idlePods);
    const api = client.resource<Pod>(resources.pods);
    await waitFor('idle pods Running', async () => (await api.listAll('default', { fieldSelector: 'status.phase=Running' })).items.length >= idlePods, 900_000);
    // Let the burst's garbage go (V8 shrinks its heap only after a quiet minute or so), then measure.
    await new Promise((r) => setTimeout(r, settleSeconds * 1000));
    const cpu0 = cpuSeconds(server.pid);
    const agentCpu0 = cpuSeconds(agent.pid!);
    const t0 = performance.now();
    const rss: number[] = [];
    for (let i = 0; i < idleSeconds / 5; i++) {
      await new Promise((r) => setTimeout(r, 5000));
      rss.push(rssMiB(server.pid));
    }
    const wall = (performance.now() - t0) / 1000;
    printTable(`${idleNodes} simulated nodes, ${idlePods.toLocaleString('en-US')} running pods, idle for ${idleSeconds} s after ${settleSeconds} s to settle`, ['measure', 'value'], [
      ['server RSS MiB, nodes only', rssNodesOnly],
      ['server RSS MiB, with pods (median while idle)', summarize(rss).p50],
      ['server RSS MiB, with pods (max while idle)', Math.max(...rss)],
      ['server CPU, cores busy (lease renewals: 50/s)', (cpuSeconds(server.pid) - cpu0) / wall],
      ['agent CPU, cores busy', (cpuSeconds(agent.pid!) - agentCpu0) / wall],
      ['agent RSS MiB', rssMiB(agent.pid!)],
    ]);
  } finally {
    await stop(agent);
    client.close();
    await server.stop();
  }
}

process.stdout.write(`# Scheduling benchmark\n\n${machine()}\n`);
if (process.env.BENCH_SKIP_THROUGHPUT !== '1') await throughput();
if (process.env.BENCH_SKIP_IDLE !== '1') await idle();
