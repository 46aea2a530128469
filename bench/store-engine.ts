// The storage layer alone as it grows: RevisionStore over LevelDB (what the API server writes
// through), without HTTP, admission or the control plane, so that what grows with the store
// shows apart from the rest of a create. At each size (10k, 100k, 500k ConfigMap-sized values by
// default), slices of creates with 64 in flight: creates/s, the process's CPU and its main
// thread's per create, the garbage collector's time per create split into minor and major, and
// memory. It runs in a child started as `k8ts` starts (same V8 and malloc settings, the server's
// heap settings); BENCH_SERVER_NODE_OPTIONS adds V8 flags to that child, to compare settings.
// Run: node dist/bench/store-engine.js [--sizes 10000,100000,500000]
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { k8tsProcess } from '../cli/launch.js';
import { useSmallHeap } from '../cli/small-heap.js';
import { openStore } from '../apiserver/storage/open.js';
import type { RevisionStore } from '../apiserver/storage/revision-store.js';
import { cpuSeconds, machine, printTable } from './lib/stats.js';

const sizesArg = process.argv.indexOf('--sizes');
const sizes = (sizesArg > 0 ? process.argv[sizesArg + 1] : '10000,100000,500000').split(',').map(Number).sort((a, b) => a - b);
const slices = Number(process.env.BENCH_SLICES ?? 3);
const perSlice = Number(process.env.BENCH_SLICE_CREATES ?? 10_000);
const inFlight = 64;

/** A ConfigMap as the API server stores it for the store-growth load (~920 bytes). */
function storedValue(name: string, rev: number): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: {
      name, generateName: 'cm-', namespace: 'default', uid: randomUUID(), resourceVersion: String(rev),
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), labels: { bench: 'growth' },
      managedFields: [{ manager: 'wrk', operation: 'Update', apiVersion: 'v1', time: '2026-12-07T13:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:payload': {} }, 'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:bench': {} } } } }],
    },
    data: { payload: 'x'.repeat(400) },
  });
}

const gc = { minorMs: 0, minors: 0, majorMs: 0, majors: 0 };
function watchGc(): void {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.minorMs += e.duration;
        gc.minors++;
      } else {
        gc.majorMs += e.duration;
        gc.majors++;
      }
    }
  }).observe({ entryTypes: ['gc'] });
}

/** `n` creates of generated names, `inFlight` at a time (a taken name is retried, as the server does). */
async function createMany(store: RevisionStore, n: number): Promise<void> {
  let left = n;
  const worker = async () => {
    while (left > 0) {
      left--;
      const name = `cm-${randomBytes(4).toString('hex').slice(0, 5)}`;
      try {
        await store.create(`/core/configmaps/default/${name}`, (rev) => storedValue(name, rev));
      } catch {
        left++;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

interface Slice { rate: number; cpuUs: number; loopUs: number; minorUs: number; minorMs: number; majorUs: number }

async function slice(store: RevisionStore): Promise<Slice> {
  const g0 = { ...gc };
  const cpu0 = cpuSeconds(process.pid);
  const loop0 = cpuSeconds(process.pid, process.pid);
  const t0 = performance.now();
  await createMany(store, perSlice);
  const seconds = (performance.now() - t0) / 1000;
  const minors = gc.minors - g0.minors;
  return {
    rate: perSlice / seconds,
    cpuUs: (1e6 * (cpuSeconds(process.pid) - cpu0)) / perSlice,
    loopUs: (1e6 * (cpuSeconds(process.pid, process.pid) - loop0)) / perSlice,
    minorUs: (1000 * (gc.minorMs - g0.minorMs)) / perSlice,
    minorMs: minors ? (gc.minorMs - g0.minorMs) / minors : 0,
    majorUs: (1000 * (gc.majorMs - g0.majorMs)) / perSlice,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function child(): Promise<void> {
  useSmallHeap({ lean: false });
  watchGc();
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-store-engine-'));
  const store = await openStore(dir);
  const rows: Array<Array<string | number>> = [];
  const rss0 = process.memoryUsage().rss;
  let have = 0;
  try {
    for (const size of sizes) {
      if (have < size) await createMany(store, size - have);
      have = Math.max(have, size);
      const runs: Slice[] = [];
      for (let i = 0; i < slices; i++) runs.push(await slice(store));
      have += slices * perSlice;
      const mem = process.memoryUsage();
      const rates = runs.map((r) => r.rate);
      rows.push([
        `${size.toLocaleString('en-US')}–${have.toLocaleString('en-US')}`, median(rates), `${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}`,
        median(runs.map((r) => r.cpuUs)), median(runs.map((r) => r.loopUs)), median(runs.map((r) => r.minorUs)), median(runs.map((r) => r.minorMs)), median(runs.map((r) => r.majorUs)),
        mem.heapUsed / 2 ** 20, mem.rss / 2 ** 20, (mem.rss - rss0) / have,
      ]);
      process.stderr.write(`size ${size}: ${JSON.stringify(runs)}\n`);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(`Storage alone as it grows (RevisionStore on LevelDB, ~920-byte values, ${inFlight} creates in flight; ${slices} slices of ${perSlice} creates per size, median)`,
    ['objects (during slices)', 'creates/s', 'range', 'CPU µs/create', 'main thread µs/create', 'minor GC µs/create', 'ms per minor GC', 'major GC µs/create', 'heap used MiB', 'RSS MiB', 'bytes per object (RSS)'], rows);
}

if (process.env.K8TS_STORE_ENGINE_CHILD) {
  await child();
} else {
  process.stdout.write(`k8ts storage engine growth — ${machine()} — ${new Date().toISOString()}\n`);
  const flags = (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  if (flags.length) process.stdout.write(`child V8 flags: ${flags.join(' ')}\n`);
  const p = k8tsProcess(fileURLToPath(import.meta.url), process.argv.slice(2), flags, { ...process.env, K8TS_STORE_ENGINE_CHILD: '1' });
  const r = spawnSync(p.file, p.args, { env: p.env, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
