// Creates as the store grows: a fresh server is filled with ConfigMaps to each size (10k, 100k,
// 500k by default), and at each size the same create load runs in a few slices: creates/s, the
// server's CPU per create, its RSS and memory per stored object. Beside it, the floor at the same
// size: raw LevelDB synced batches into a database already holding that many keys.
// Run: node dist/bench/store-growth.js [--sizes 10000,100000,500000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { benchClient, type BenchClient } from './lib/client.js';
import { benchToken, startBenchServer } from './lib/server.js';
import { hasWrk, wrk, wrkAsync } from './lib/wrk.js';
import { cpuSeconds, machine, machineCpuSeconds, printTable, rssMiB, stolenCpu } from './lib/stats.js';
import { randomSuffix } from '../apiserver/registry/names.js';

const sliceSeconds = Number(process.env.BENCH_SECONDS ?? 2);
const slices = Number(process.env.BENCH_SLICES ?? 3);
const sizesArg = process.argv.indexOf('--sizes');
const sizes = (sizesArg > 0 ? process.argv[sizesArg + 1] : '10000,100000,500000').split(',').map(Number).sort((a, b) => a - b);
const ns = '/api/v1/namespaces/default/configmaps';
const createBody = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'cm-', labels: { bench: 'growth' } }, data: { payload: 'x'.repeat(400) } });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Creates up to about `size` objects with the load the slices use, in wrk runs of whole seconds
 * (wrk runs for a duration, not a count), each sized from the rate so far; returns the count.
 */
async function fill(client: BenchClient, url: string, have: number, size: number): Promise<number> {
  let rate = 3000;
  while (size - have > rate / 2) {
    const seconds = Math.max(1, Math.min(30, Math.floor((0.9 * (size - have)) / rate)));
    const r = wrk(url, benchToken, 64, seconds, createBody);
    if (r.errors > 0) throw new Error(`fill: ${r.errors} failed requests`);
    const now = await countObjects(client);
    rate = Math.max(100, (now - have) / seconds);
    have = now;
  }
  return have;
}

interface Slice { rate: number; p50: number; p99: number; cpuUs: number; loopUs: number; othersCores: number; stolen: number; calibrationMs: number }

/**
 * A fixed piece of CPU work in this process, timed: on a shared host the same code runs slower
 * when a neighbour takes the core's caches, which /proc/stat's steal does not show. A size whose
 * slices ran slow and whose calibration ran slow too measured the host, not the store.
 */
function calibrate(): number {
  const doc = JSON.stringify({ metadata: { name: 'calibration', labels: { a: 'b' } }, data: { payload: 'x'.repeat(400) } });
  const t0 = performance.now();
  const words: string[] = [];
  for (let i = 0; i < 3000; i++) words.push((JSON.parse(doc) as { metadata: { name: string } }).metadata.name + ((i * 7919) % 3001));
  words.sort();
  return performance.now() - t0;
}

/** One slice of creates at 64 connections, with the server's CPU per create and everyone else's. */
async function slice(url: string, pid: number): Promise<Slice> {
  const calibrationMs = Math.min(calibrate(), calibrate(), calibrate());
  const stolen = stolenCpu();
  const all = machineCpuSeconds();
  const cpu0 = cpuSeconds(pid);
  const loop0 = cpuSeconds(pid, pid);
  const r = await wrkAsync(url, benchToken, 64, sliceSeconds, createBody);
  if (r.errors > 0) throw new Error(`create: ${r.errors} failed requests`);
  const cpu = cpuSeconds(pid) - cpu0;
  const loop = cpuSeconds(pid, pid) - loop0;
  const creates = r.rate * sliceSeconds;
  return { rate: r.rate, p50: r.p50, p99: r.p99, cpuUs: (1e6 * cpu) / creates, loopUs: (1e6 * loop) / creates, othersCores: (all() - cpu) / sliceSeconds, stolen: stolen(), calibrationMs };
}

async function timedList(client: BenchClient, limit = 1): Promise<number> {
  const t0 = performance.now();
  const res = await client.call('GET', `${ns}?limit=${limit}`);
  if (res.status !== 200) throw new Error(`list: ${res.status}`);
  return performance.now() - t0;
}

async function countObjects(client: BenchClient): Promise<number> {
  const res = await client.call('GET', `${ns}?limit=1`);
  const list = JSON.parse(res.body) as { items: unknown[]; metadata: { remainingItemCount?: number } };
  return list.items.length + (list.metadata.remainingItemCount ?? 0);
}

/** A LevelDB database that grows with the server: the engine's key layout, the stored value's size. */
class LevelFloor {
  private readonly dir = mkdtempSync(join(tmpdir(), 'k8ts-growth-level-'));
  private readonly db = new Level<string, string>(this.dir, { valueEncoding: 'utf8' });
  private keys = 0;
  private rev = 0;
  constructor(private readonly value: string) {}

  /** Unsynced batches up to `n` object keys, placed at random as generated names are. */
  async fillTo(n: number): Promise<void> {
    await this.db.open();
    while (this.keys < n) {
      const count = Math.min(1000, n - this.keys);
      await this.db.batch(Array.from({ length: count }, () => ({ type: 'put' as const, key: this.objectKey(), value: this.value })));
      this.keys += count;
    }
  }

  /** Synced batches of 64 writes, each an object and a log entry as the engine writes them; writes/s. */
  async measure(seconds: number): Promise<number> {
    let n = 0;
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      const ops = [];
      for (let i = 0; i < 64; i++) {
        ops.push({ type: 'put' as const, key: this.objectKey(), value: this.value });
        ops.push({ type: 'put' as const, key: 'l\x00' + String(++this.rev).padStart(16, '0'), value: this.value });
      }
      await this.db.batch(ops, { sync: true });
      n += 64;
    }
    this.keys += n;
    return n / seconds;
  }

  private objectKey(): string {
    return `o\x00/core/configmaps/default/cm-${randomSuffix(5)}${randomSuffix(3)}`;
  }

  async close(): Promise<void> {
    await this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function main() {
  if (!hasWrk()) throw new Error('store-growth needs wrk (apt-get install wrk)');
  process.stdout.write(`k8ts store growth benchmark — ${machine()} — ${new Date().toISOString()}\n`);
  const server = await startBenchServer();
  await new Promise((r) => setTimeout(r, 2000));
  const client = benchClient(server.kubeconfig, 4);
  const emptyRss = rssMiB(server.pid);
  const emptyAnon = rssMiB(server.pid, 'RssAnon');
  const url = `https://127.0.0.1:${server.port}${ns}`;
  const probe = await client.call('POST', ns, createBody);
  process.stdout.write(`one stored ConfigMap: ${Buffer.byteLength(probe.body)} bytes of JSON\n`);
  const floor = new LevelFloor(probe.body);
  const rows: Array<Array<string | number>> = [];
  const memory: Array<Array<string | number>> = [['empty', 0, emptyRss, emptyAnon, NaN]];
  const listRows: Array<Array<string | number>> = [];

  for (const size of sizes) {
    const have = await countObjects(client);
    const t0 = Date.now();
    const filled = await fill(client, url, have, size);
    const fillRate = (filled - have) / ((Date.now() - t0) / 1000);
    const runs: Slice[] = [];
    for (let i = 0; i < slices; i++) runs.push(await slice(url, server.pid));
    // A list right after writes (kubectl get, an informer's relist) and a second one: a
    // structure that sorts lazily pays here, and every request waiting on the event loop with it.
    const listMs = [await timedList(client), await timedList(client)];
    // The same creates while one client lists a page of 100 every 500 ms.
    const listed: number[] = [];
    let listing = true;
    const lister = (async () => {
      while (listing) {
        listed.push(await timedList(client, 100));
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const withLister = await slice(url, server.pid);
    listing = false;
    await lister;
    const after = await countObjects(client);
    const rss = rssMiB(server.pid);
    const anon = rssMiB(server.pid, 'RssAnon');
    memory.push([`${after.toLocaleString('en-US')} objects`, after, rss, anon, (1024 * 1024 * (rss - emptyRss)) / after]);
    await floor.fillTo(filled);
    const stolen = stolenCpu();
    const levelRate = await floor.measure(sliceSeconds);
    const levelStolen = stolen();
    const rates = runs.map((r) => r.rate);
    rows.push([
      `${size.toLocaleString('en-US')} (${filled.toLocaleString('en-US')}–${after.toLocaleString('en-US')})`, fillRate,
      median(rates), `${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))}`,
      median(runs.map((r) => r.p99)), median(runs.map((r) => r.cpuUs)), median(runs.map((r) => r.loopUs)), median(runs.map((r) => r.calibrationMs)), median(runs.map((r) => r.othersCores)), Math.max(...runs.map((r) => r.stolen)),
      levelRate, levelStolen,
    ]);
    listRows.push([size.toLocaleString('en-US'), listMs[0], listMs[1], withLister.rate, withLister.p99, withLister.cpuUs, median(listed), Math.max(...listed)]);
    process.stdout.write(`size ${size}: ${JSON.stringify(runs)}\n`);
  }
  printTable(`Creates as the store grows (configmaps, 400-byte payload, wrk 64 connections; ${slices} slices of ${sliceSeconds} s per size, median)`,
    ['objects (during slices)', 'fill creates/s', 'creates/s', 'range', 'p99 ms', 'server CPU µs/create', 'event loop µs/create', 'calibration ms', 'other CPU (wrk, host) cores', 'max CPU stolen %', 'raw LevelDB synced writes/s (batches of 64)', 'LevelDB CPU stolen %'], rows);
  printTable('Lists as the store grows (limit=1 right after the slices, twice; then one slice of creates with a client listing 100 every 500 ms)',
    ['objects', 'first list ms', 'second list ms', 'creates/s with lister', 'p99 ms', 'server CPU µs/create', 'list p50 ms', 'list max ms'], listRows);
  printTable('Server memory', ['state', 'objects', 'RSS MiB', 'RssAnon MiB', 'bytes per object (RSS over empty)'], memory);
  client.agent.destroy();
  await floor.close();
  await server.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
