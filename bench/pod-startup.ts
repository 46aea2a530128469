// Pod startup latency through the whole system - API create, scheduler, agent, containerd, CNI,
// status back through the API - as Kubernetes' SLO measures it (creation to all containers
// running, as a watch observes it), beside the CRI floor (the same pods through CRI alone) on
// the same containerd in the same run. Also the agent's memory with 110 pods.
//
//   node dist/bench/pod-startup.js [--sequential 30] [--burst 110]   (root; builds its own environment)
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeClient } from '../lib/client/rest-client.js';
import { resources } from '../lib/client/resource-types.js';
import type { Pod } from '../lib/client/types.js';
import { connectCri, type CriClient, type PodSandboxConfig } from '../node-agent/cri/index.js';
import { formatFloorTable, formatStatsTable, measurePodStartFloor, stats, type Stats } from './cri-floor.js';
import { cpuSeconds, rssMiB } from './lib/stats.js';
import { runIfMain } from './lib/run-main.js';

const NAMESPACE = 'bench';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i > 0 ? Number(process.argv[i + 1]) : dflt;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

function podManifest(name: string, image: string): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, labels: { bench: 'pod-startup' } },
    spec: {
      // Exits on SIGTERM so deleting 110 pods does not wait out grace periods.
      terminationGracePeriodSeconds: 2,
      containers: [{ name: 'main', image, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'] }],
    },
  };
}

/** Watches the namespace and records when each pod is first seen with all containers running. */
export class RunningWatcher {
  readonly seenRunning = new Map<string, number>();
  private readonly stop = new AbortController();
  private run: Promise<void> | undefined;
  private waiters: Array<() => void> = [];

  constructor(private readonly client: KubeClient) {}

  async start(): Promise<void> {
    const pods = this.client.resource<Pod>(resources.pods);
    const list = await pods.list(NAMESPACE);
    this.run = pods.watch(NAMESPACE, { resourceVersion: list.metadata.resourceVersion, signal: this.stop.signal }, (ev) => {
      const p = ev.object;
      const name = p.metadata?.name ?? '';
      const cs = p.status?.containerStatuses ?? [];
      if (!this.seenRunning.has(name) && p.status?.phase === 'Running' && cs.length > 0 && cs.every((c) => c.state?.running)) {
        this.seenRunning.set(name, performance.now());
        for (const w of this.waiters.splice(0)) w();
      }
    }).catch(() => undefined);
  }

  async waitFor(names: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!names.every((n) => this.seenRunning.has(n))) {
      if (Date.now() > deadline) throw new Error(`pods not running after ${timeoutMs} ms: ${names.filter((n) => !this.seenRunning.has(n)).slice(0, 5).join(', ')}...`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(500)]);
    }
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.run;
  }
}

async function deleteAll(client: KubeClient, timeoutMs = 300_000): Promise<void> {
  const pods = client.resource<Pod>(resources.pods);
  await pods.deleteCollection(NAMESPACE, { labelSelector: 'bench=pod-startup' });
  const deadline = Date.now() + timeoutMs;
  while ((await pods.list(NAMESPACE, { labelSelector: 'bench=pod-startup' })).items.length > 0) {
    if (Date.now() > deadline) throw new Error('pods not gone');
    await sleep(500);
  }
}

/** The floor with N pods started at once (the burst's CRI-only counterpart). */
async function concurrentFloor(cri: CriClient, image: string, n: number, logRoot: string, cgroupParent: string): Promise<{ total: Stats; wallMs: number }> {
  const ids: string[] = [];
  const t0 = performance.now();
  const samples = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const name = `burst-${i}`;
    const uid = `cri-burst-${process.pid}-${i}`;
    const cfg: PodSandboxConfig = {
      metadata: { name, uid, namespace: 'bench', attempt: 0 }, hostname: name, log_directory: join(logRoot, `bench_${name}_${uid}`),
      linux: { cgroup_parent: cgroupParent, security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
    };
    await mkdir(cfg.log_directory as string, { recursive: true });
    const start = performance.now();
    const id = await cri.runtime.runPodSandbox(cfg);
    ids.push(id);
    const cid = await cri.runtime.createContainer(id, { metadata: { name: 'main' }, image: { image }, command: ['sleep', '3600'], log_path: 'main/0.log' }, cfg);
    await cri.runtime.startContainer(cid);
    return performance.now() - start;
  }));
  const wallMs = performance.now() - t0;
  for (const id of ids) {
    await cri.runtime.stopPodSandbox(id);
    await cri.runtime.removePodSandbox(id);
  }
  return { total: stats(samples), wallMs };
}

async function main(): Promise<void> {
  const { missingPrerequisites, setupAgentEnv } = await import('../test/e2e/agent-harness.js');
  const missing = missingPrerequisites();
  if (missing.length) throw new Error(`pod-startup needs: ${missing.join(', ')}`);
  const sequential = arg('--sequential', 30);
  const burst = arg('--burst', 110);
  // The agent as it runs by default (kubelet's 1 min sync frequency), unless told otherwise.
  const env = await setupAgentEnv({ syncFrequency: '1m', nodeOptions: process.env.AGENT_NODE_OPTIONS });
  const cri = connectCri('unix://' + env.criSocket);
  const client = KubeClient.fromKubeconfig(env.c.kubeconfig, { userAgent: 'bench-pod-startup' });
  try {
    const pods = client.resource<Pod>(resources.pods);
    await env.k('create', 'namespace', NAMESPACE);
    await env.k('wait', '--for=jsonpath={.secrets}', 'serviceaccount/default', '-n', NAMESPACE, '--timeout=30s').catch(() => '');
    const image = env.image;
    // Warm the image and the pod network.
    await cri.image.pullImage({ image });
    const logRoot = join(env.tmp, 'floor-logs');
    const cgroupParent = `/k8ts-ag-${env.id}/floor`;

    // 1. The floor, sequential, on the same containerd.
    const floor = await measurePodStartFloor({ cri, image, pods: sequential, logRoot, cgroupParent });

    // 2. Through the API, one pod at a time.
    const watcher = new RunningWatcher(client);
    await watcher.start();
    const warm = podManifest('warmup', image);
    await pods.create(warm);
    await watcher.waitFor(['warmup'], 60_000);
    const seq: number[] = [];
    for (let i = 0; i < sequential; i++) {
      const name = `seq-${i}`;
      const t0 = performance.now();
      await pods.create(podManifest(name, image));
      await watcher.waitFor([name], 60_000);
      seq.push((watcher.seenRunning.get(name) as number) - t0);
    }
    await deleteAll(client);
    await pods.delete(NAMESPACE, 'warmup').catch(() => undefined);
    await sleep(2000);

    // 3. The CRI floor for a burst, then the same burst through the API.
    const floorBurst = await concurrentFloor(cri, image, burst, logRoot, cgroupParent);
    const names = Array.from({ length: burst }, (_, i) => `burst-${i}`);
    // CPU each process spends on the burst: where the time above the floor goes.
    const { pidsMentioning } = await import('../test/e2e/cri-harness.js');
    const procs = {
      agent: env.agentPid() as number,
      server: (await pidsMentioning(env.c.dataDir))[0] as number,
      containerd: (await pidsMentioning(join(env.tmp, 'data', 'agent', 'containerd', 'config.toml')))[0] as number,
    };
    const cpuBefore = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, cpuSeconds(pid)]));
    const created = new Map<string, number>();
    const tb = performance.now();
    await Promise.all(names.map(async (name) => {
      created.set(name, performance.now());
      await pods.create(podManifest(name, image));
    }));
    await watcher.waitFor(names, 600_000);
    const burstWall = Math.max(...names.map((n) => watcher.seenRunning.get(n) as number)) - tb;
    const burstLat = names.map((n) => (watcher.seenRunning.get(n) as number) - (created.get(n) as number));
    const burstCpu = Object.entries(procs).map(([k, pid]) => `${k} ${(cpuSeconds(pid) - (cpuBefore[k] as number)).toFixed(1)} s`).join(', ');
    // Memory once the burst has settled: the median of 10 samples over 20 s, after 30 s idle.
    await sleep(30_000);
    const pid = env.agentPid() as number;
    const cpu0 = cpuSeconds(pid);
    const samples: number[] = [];
    const anon: number[] = [];
    const file: number[] = [];
    for (let i = 0; i < 10; i++) {
      samples.push(rssMiB(pid));
      anon.push(rssMiB(pid, 'RssAnon'));
      file.push(rssMiB(pid, 'RssFile'));
      await sleep(2000);
    }
    const idleCpu = (cpuSeconds(pid) - cpu0) / 20;
    const rssStats = stats(samples);
    const rss = rssStats.p50;
    await watcher.close();

    const v = await cri.runtime.version();
    const seqStats = stats(seq);
    const burstStats = stats(burstLat);
    console.log(`# Pod startup - ${v.runtime_name} ${v.runtime_version}, busybox, bridge CNI, 1 node`);
    console.log(`\n## CRI floor, sequential (${sequential} pods)\n`);
    console.log(formatFloorTable(floor));
    console.log(`\n## Pod create -> all containers running (watch), sequential (${sequential} pods) and burst (${burst} at once)\n`);
    console.log(formatStatsTable({
      'CRI floor, sequential': floor.total, 'API, sequential': seqStats,
      [`CRI floor, ${burst} at once`]: floorBurst.total, [`API, ${burst} at once`]: burstStats,
    }));
    console.log(`\nsequential p50 / floor p50: ${(seqStats.p50 / floor.total.p50).toFixed(2)}x; p99 ${Math.round(seqStats.p99)} ms`);
    console.log(`burst: ${burst} pods running after ${Math.round(burstWall)} ms (CRI floor ${Math.round(floorBurst.wallMs)} ms); p50 ${Math.round(burstStats.p50)} ms (floor ${Math.round(floorBurst.total.p50)} ms), p99 ${Math.round(burstStats.p99)} ms`);
    console.log(`CPU during the burst: ${burstCpu}`);
    console.log(`agent with ${burst} pods: RSS ${rss.toFixed(1)} MiB (${rssStats.min.toFixed(1)}-${rssStats.max.toFixed(1)}; anon ${stats(anon).p50.toFixed(1)}, file ${stats(file).p50.toFixed(1)}), idle CPU ${(idleCpu * 100).toFixed(1)}% of a core${process.env.AGENT_NODE_OPTIONS ? ` (NODE_OPTIONS=${process.env.AGENT_NODE_OPTIONS})` : ''}`);
    await deleteAll(client);
  } finally {
    client.close();
    cri.close();
    const left = await env.teardown();
    if (left.length) console.error('teardown problems:', left);
  }
}

runIfMain(import.meta.url, main);
