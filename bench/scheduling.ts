// The controllers and the scheduler at scale, against simulated nodes (k8ts agent --simulated).
// Pods come through Deployments: deployment controller → ReplicaSets → replicaset controller →
// pods → scheduler → bindings → simulated kubelets.
// 1. 100 nodes: 30 Deployments × 100 replicas created at once, twice: a cold round on a fresh
//    server, then a warm round beside the first round's pods. Reports pods scheduled/s and
//    creation-to-scheduled/-Running p50/p99, as one pod watch sees them.
// 2. 500 nodes, 50 Deployments × 100 replicas, then idle: server RSS and CPU at steady state.
// Run: node dist/bench/scheduling.js
//   (BENCH_PODS=3000 BENCH_NODES=100 BENCH_IDLE_NODES=500 BENCH_IDLE_PODS=5000 BENCH_SKIP_THROUGHPUT=1 BENCH_SKIP_IDLE=1)
import { KubeClient } from '../lib/client/rest-client.js';
import { readKubeconfig } from '../lib/kubeconfig.js';
import { availableDeployments, createDeployments } from './lib/deployments.js';
import { watchPodTimes, type PodTimes } from './lib/pod-watch.js';
import { startBenchServer, type BenchServer } from './lib/server.js';
import { nodesReady, startSimulatedAgent, stopProcess, waitUntil } from './lib/simulated.js';
import { cpuSeconds, machine, printTable, rssMiB, summarize } from './lib/stats.js';

const replicas = 100;
const pods = Number(process.env.BENCH_PODS ?? 3000);
const nodes = Number(process.env.BENCH_NODES ?? 100);
const idleNodes = Number(process.env.BENCH_IDLE_NODES ?? 500);
const idlePods = Number(process.env.BENCH_IDLE_PODS ?? 5000);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const settleSeconds = Number(process.env.BENCH_SETTLE_SECONDS ?? 90);

function connect(server: BenchServer): KubeClient {
  return new KubeClient(readKubeconfig(server.kubeconfig), { maxSockets: 16 });
}

/** One round: Deployments `<prefix>-*` adding up to `pods`, until every pod runs and every Deployment is available. */
async function round(client: KubeClient, server: BenchServer, times: PodTimes, prefix: string): Promise<Array<number>> {
  const deployments = Math.ceil(pods / replicas);
  const mine = () => [...times.running.keys()].filter((n) => n.startsWith(`${prefix}-`));
  const cpu0 = cpuSeconds(server.pid);
  const t0 = performance.now();
  await createDeployments(client, prefix, deployments, replicas);
  await waitUntil(`${prefix} pods Running`, async () => mine().length >= deployments * replicas, 900_000);
  await waitUntil(`${prefix} Deployments available`, async () => (await availableDeployments(client, prefix)) >= deployments, 900_000);
  const wall = (performance.now() - t0) / 1000;
  const names = mine();
  const seen = names.map((n) => times.seen.get(n)!);
  const firstSeen = Math.min(...seen);
  const sched = summarize(names.map((n) => times.scheduled.get(n)! - times.seen.get(n)!));
  const run = summarize(names.map((n) => times.running.get(n)! - times.seen.get(n)!));
  return [
    names.length / ((Math.max(...seen) - firstSeen) / 1000),
    names.length / ((Math.max(...names.map((n) => times.scheduled.get(n)!)) - firstSeen) / 1000),
    sched.p50, sched.p99, run.p50, run.p99, wall,
    (cpuSeconds(server.pid) - cpu0) / wall,
    rssMiB(server.pid),
  ];
}

async function throughput(): Promise<void> {
  const server = await startBenchServer();
  const client = connect(server);
  const agent = await startSimulatedAgent(server.kubeconfig, nodes);
  try {
    await nodesReady(client, nodes);
    const watching = new AbortController();
    const { times, done } = await watchPodTimes(client, watching.signal);
    const cold = await round(client, server, times, 'cold');
    const warm = await round(client, server, times, 'warm');
    watching.abort();
    await done;
    const measures = [
      'pods created/s by the ReplicaSet controller (first to last seen)',
      'pods scheduled/s (first seen to last bound)',
      'creation-to-scheduled p50 ms', 'creation-to-scheduled p99 ms',
      'creation-to-Running p50 ms', 'creation-to-Running p99 ms',
      'Deployments created to all available, s',
      'server CPU (cores busy, average)',
      'server RSS MiB (after)',
    ];
    printTable(`${pods.toLocaleString('en-US')} pods in Deployments of ${replicas} onto ${nodes} simulated nodes: a cold round on a fresh server, then a warm one`, ['measure', 'cold', 'warm'],
      measures.map((m, i) => [m, cold[i], warm[i]]));
  } finally {
    await stopProcess(agent);
    client.close();
    await server.stop();
  }
}

async function idle(): Promise<void> {
  // 500 nodes need more than the 256 /24s of the default 10.42.0.0/16.
  const server = await startBenchServer(['--cluster-cidr', '10.64.0.0/14']);
  const client = connect(server);
  const agent = await startSimulatedAgent(server.kubeconfig, idleNodes);
  const deployments = Math.ceil(idlePods / replicas);
  try {
    await nodesReady(client, idleNodes);
    const rssNodesOnly = rssMiB(server.pid);
    const t0 = performance.now();
    await createDeployments(client, 'idle', deployments, replicas);
    await waitUntil('all Deployments available', async () => (await availableDeployments(client, 'idle')) >= deployments, 900_000);
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
    printTable(`${idleNodes} simulated nodes, ${deployments} Deployments × ${replicas} replicas, idle for ${idleSeconds} s after ${settleSeconds} s to settle`, ['measure', 'value'], [
      ['Deployments created to all available, s', rolledOut],
      ['server RSS MiB, nodes only', rssNodesOnly],
      ['server RSS MiB, with pods (median while idle)', summarize(rss).p50],
      ['server RSS MiB, with pods (max while idle)', Math.max(...rss)],
      [`server CPU, cores busy while idle (lease renewals: ${idleNodes / 10}/s)`, (cpuSeconds(server.pid) - cpu0) / wall],
      ['agent CPU, cores busy', (cpuSeconds(agent.pid!) - agentCpu0) / wall],
      ['agent RSS MiB', rssMiB(agent.pid!)],
    ]);
  } finally {
    await stopProcess(agent);
    client.close();
    await server.stop();
  }
}

process.stdout.write(`# Scheduling benchmark\n\n${machine()}\n`);
if (process.env.BENCH_SKIP_THROUGHPUT !== '1') await throughput();
if (process.env.BENCH_SKIP_IDLE !== '1') await idle();
