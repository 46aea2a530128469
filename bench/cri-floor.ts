// The pod start floor: how fast the runtime alone takes a pod from RunPodSandbox to a
// running container, driven straight through CRI with nothing else in the loop. The
// kubelet benchmark compares its API-to-running latency against this number.
//
//   node dist/bench/cri-floor.js [--pods 20] [--pulls 5]   (root; builds its own environment)
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CriClient, PodSandboxConfig } from '../node-agent/cri/index.js';
import { runIfMain } from './lib/run-main.js';

export interface FloorOptions {
  cri: CriClient;
  /** Image for the workload container; must already be present. */
  image: string;
  /** Measured pods, started one after another. */
  pods: number;
  /** Unmeasured pods first (caches, first CNI call). Default 1. */
  warmup?: number;
  /** Parent dir for the pods' log directories. */
  logRoot: string;
  command?: string[];
  /** Host network skips CNI: the floor without networking. */
  hostNetwork?: boolean;
  namePrefix?: string;
  /** Sandbox cgroup parent (cgroupfs path or systemd slice); empty = runtime default. */
  cgroupParent?: string;
  pollMs?: number;
}

export interface PodStartSample {
  /** RunPodSandbox call to first CONTAINER_RUNNING status. */
  totalMs: number;
  runPodSandboxMs: number;
  createContainerMs: number;
  /** StartContainer plus ContainerStatus polling until running. */
  startToRunningMs: number;
}

export interface Stats {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface FloorResult {
  samples: PodStartSample[];
  total: Stats;
  runPodSandbox: Stats;
  createContainer: Stats;
  startToRunning: Stats;
  /** Teardown cost per pod, measured after all pods ran. */
  stopPodSandbox: Stats;
  removePodSandbox: Stats;
  podsPerSecond: number;
}

/** Nearest-rank percentiles (no interpolation: every reported value was observed). */
export function stats(values: readonly number[]): Stats {
  if (values.length === 0) return { n: 0, min: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
  const round = (x: number): number => Math.round(x * 10) / 10;
  return {
    n: s.length,
    min: round(s[0] as number),
    p50: round(at(50)),
    p90: round(at(90)),
    p99: round(at(99)),
    max: round(s[s.length - 1] as number),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

function sandboxConfig(opts: FloorOptions, name: string, uid: string): PodSandboxConfig {
  return {
    metadata: { name, uid, namespace: 'bench', attempt: 0 },
    // runc refuses a hostname without its own UTS namespace.
    hostname: opts.hostNetwork ? '' : name,
    log_directory: join(opts.logRoot, `bench_${name}_${uid}`),
    labels: { 'k8ts.io/bench': 'cri-floor' },
    linux: {
      cgroup_parent: opts.cgroupParent ?? '',
      security_context: {
        namespace_options: { network: opts.hostNetwork ? 'NODE' : 'POD', pid: 'CONTAINER', ipc: 'POD' },
        seccomp: { profile_type: 'RuntimeDefault' },
      },
    },
  };
}

async function startOne(opts: FloorOptions, i: number): Promise<{ id: string; sample: PodStartSample }> {
  const name = `${opts.namePrefix ?? 'floor'}-${i}`;
  const uid = `cri-floor-${process.pid}-${i}`;
  const cfg = sandboxConfig(opts, name, uid);
  await mkdir(cfg.log_directory as string, { recursive: true });
  const rt = opts.cri.runtime;
  const t0 = performance.now();
  const id = await rt.runPodSandbox(cfg);
  const t1 = performance.now();
  const cid = await rt.createContainer(
    id,
    {
      metadata: { name: 'main' },
      image: { image: opts.image },
      command: opts.command ?? ['sleep', '3600'],
      log_path: 'main/0.log',
      linux: { security_context: { seccomp: { profile_type: 'RuntimeDefault' } } },
    },
    cfg,
  );
  const t2 = performance.now();
  await rt.startContainer(cid);
  for (;;) {
    const st = await rt.containerStatus(cid);
    if (st.status?.state === 'CONTAINER_RUNNING') break;
    if (st.status?.state === 'CONTAINER_EXITED') throw new Error(`${name}: container exited (${st.status.reason})`);
    await sleep(opts.pollMs ?? 5);
  }
  const t3 = performance.now();
  return {
    id,
    sample: { totalMs: t3 - t0, runPodSandboxMs: t1 - t0, createContainerMs: t2 - t1, startToRunningMs: t3 - t2 },
  };
}

/** Starts `warmup + pods` pods sequentially, measures each, then removes them all. */
export async function measurePodStartFloor(opts: FloorOptions): Promise<FloorResult> {
  const warmup = opts.warmup ?? 1;
  const ids: string[] = [];
  const samples: PodStartSample[] = [];
  const stops: number[] = [];
  const removes: number[] = [];
  let wall = 0;
  try {
    for (let i = 0; i < warmup + opts.pods; i++) {
      const { id, sample } = await startOne(opts, i);
      ids.push(id);
      if (i >= warmup) {
        samples.push(sample);
        wall += sample.totalMs;
      }
    }
  } finally {
    for (const id of ids) {
      const a = performance.now();
      await opts.cri.runtime.stopPodSandbox(id);
      const b = performance.now();
      await opts.cri.runtime.removePodSandbox(id);
      stops.push(b - a);
      removes.push(performance.now() - b);
    }
  }
  return {
    samples,
    total: stats(samples.map((s) => s.totalMs)),
    runPodSandbox: stats(samples.map((s) => s.runPodSandboxMs)),
    createContainer: stats(samples.map((s) => s.createContainerMs)),
    startToRunning: stats(samples.map((s) => s.startToRunningMs)),
    stopPodSandbox: stats(stops),
    removePodSandbox: stats(removes),
    podsPerSecond: samples.length ? Math.round((samples.length / (wall / 1000)) * 10) / 10 : 0,
  };
}

/** One table row per measured quantity, in milliseconds. */
export function formatStatsTable(rows: Readonly<Record<string, Stats>>): string {
  const head = ['', 'n', 'min', 'p50', 'p90', 'p99', 'max', 'mean'];
  const body = Object.entries(rows).map(([k, s]) => [k, s.n, s.min, s.p50, s.p90, s.p99, s.max, s.mean].map(String));
  const all = [head, ...body];
  const w = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i] ?? 0) : c.padStart(w[i] ?? 0))).join('  ')).join('\n');
}

export function formatFloorTable(r: FloorResult): string {
  return (
    formatStatsTable({
      'pod start (total)': r.total,
      RunPodSandbox: r.runPodSandbox,
      CreateContainer: r.createContainer,
      'Start..RUNNING': r.startToRunning,
      StopPodSandbox: r.stopPodSandbox,
      RemovePodSandbox: r.removePodSandbox,
    }) + `\nthroughput (sequential): ${r.podsPerSecond} pods/s`
  );
}

/** Cold pulls: remove the image, pull again, `times` times. */
export async function measurePulls(cri: CriClient, image: string, times: number): Promise<Stats> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    await cri.image.removeImage({ image });
    const t0 = performance.now();
    await cri.image.pullImage({ image });
    ms.push(performance.now() - t0);
  }
  return stats(ms);
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i > 0 ? Number(process.argv[i + 1]) : dflt;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

async function main(): Promise<void> {
  // Imported here so library users of this module do not pull in the test harness.
  const { missingPrerequisites, setupCriEnv } = await import('../test/e2e/cri-harness.js');
  const missing = missingPrerequisites();
  if (missing.length) throw new Error(`cri-floor needs: ${missing.join(', ')}`);
  const env = await setupCriEnv();
  try {
    const image = `${env.registry.host}/library/busybox:latest`;
    const pulls = await measurePulls(env.cri, image, arg('--pulls', 5));
    const pods = arg('--pods', 20);
    const common = { cri: env.cri, image, pods, logRoot: env.logRoot, cgroupParent: env.cgroupParent };
    const bridge = await measurePodStartFloor(common);
    const hostNet = await measurePodStartFloor({ ...common, hostNetwork: true, namePrefix: 'hostnet' });
    const v = await env.cri.runtime.version();
    console.log(`# CRI pod start floor - ${v.runtime_name} ${v.runtime_version}, busybox sleep, sequential, bridge CNI`);
    console.log(formatFloorTable(bridge));
    console.log(`\n# same, hostNetwork (no CNI)`);
    console.log(formatFloorTable(hostNet));
    console.log(`\n# cold PullImage ${image} (plain http, loopback)`);
    console.log(formatStatsTable({ PullImage: pulls }));
  } finally {
    const left = await env.teardown();
    if (left.length) console.error('teardown problems:', left);
  }
}

runIfMain(import.meta.url, main);
