// API server throughput and latency: create/get/list at 1, 16 and 64 concurrent clients,
// watch fan-out to 1,000 watchers, idle RSS; as floors on the same machine in the same run, Node's
// HTTPS server alone under the same load and raw LevelDB synced writes.
// Run: node dist/bench/api.js
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { benchClient, type BenchClient } from './lib/client.js';
import { benchToken, startBenchServer } from './lib/server.js';
import { bucketDelta, quantileMs, scrapeBuckets, shareWithinMs } from './lib/server-latency.js';
import { startHttpsFloor } from './lib/https-floor.js';
import { hasWrk, wrk } from './lib/wrk.js';
import { machine, printTable, rssMiB, stolenCpu, summarize } from './lib/stats.js';

const durationMs = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const watchers = Number(process.env.BENCH_WATCHERS ?? 1000);
/** BENCH_API_PARTS=requests or =watch runs one part alone (both by default). */
const parts = new Set((process.env.BENCH_API_PARTS ?? 'requests,watch').split(','));

async function closedLoop(concurrency: number, op: (i: number) => Promise<void>): Promise<{ rate: number; lat: number[] }> {
  const lat: number[] = [];
  let n = 0;
  const end = Date.now() + durationMs;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      const i = n++;
      const t0 = performance.now();
      await op(i);
      lat.push(performance.now() - t0);
    }
  }));
  return { rate: lat.length / (durationMs / 1000), lat };
}

async function rawLevel(concurrency: number): Promise<{ rate: number; lat: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-level-'));
  const db = new Level<string, string>(dir, { valueEncoding: 'utf8' });
  await db.open();
  const value = JSON.stringify({ data: 'x'.repeat(400) });
  // The floor for durable writes: synced batches, one per round of `concurrency` writes.
  let n = 0;
  const lat: number[] = [];
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    const ops = Array.from({ length: concurrency }, () => ({ type: 'put' as const, key: `k${n++}`, value }));
    const t0 = performance.now();
    await db.batch(ops, { sync: true });
    lat.push(performance.now() - t0);
  }
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  return { rate: n / (durationMs / 1000), lat };
}

async function main() {
  process.stdout.write(`k8ts API benchmark — ${machine()} — ${new Date().toISOString()}\n`);
  const server = await startBenchServer();
  await new Promise((r) => setTimeout(r, 2000));
  const idleRss = rssMiB(server.pid);
  const client = benchClient(server.kubeconfig, 64);
  const ns = '/api/v1/namespaces/default/configmaps';
  const body = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { bench: 'api' } }, data: { payload: 'x'.repeat(400) } });

  if (parts.has('requests')) await requestTable(client, server.port, server.dataDir, ns, body);
  const memory: Array<[string, number]> = [['idle after start', idleRss]];
  if (parts.has('watch')) memory.push([`${watchers} watchers open${parts.has('requests') ? ', after the request runs' : ''}`, await watchFanOut(client, server.pid, ns)]);
  printTable('Server memory', ['state', 'RSS MiB'], memory);
  client.agent.destroy();
  await server.stop();
}

async function requestTable(client: BenchClient, port: number, dataDir: string, ns: string, body: (name: string) => string): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  const seconds = durationMs / 1000;
  const base = `https://127.0.0.1:${port}${ns}`;
  // Objects for GET and LIST to read; the first one's response is what the HTTPS floor answers.
  let created = '';
  for (let i = 0; i < 500; i++) {
    const res = await client.call('POST', ns, body(`seed-${i}`));
    created ||= res.body;
  }
  const useWrk = hasWrk();
  const createBody = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'cm-', labels: { bench: 'api' } }, data: { payload: 'x'.repeat(400) } });
  for (const [op, verb, url, post] of [
    ['create', 'POST', base, createBody],
    ['get', 'GET', `${base}/seed-7`, undefined],
    ['list (100 per page)', 'LIST', `${base}?limit=100`, undefined],
  ] as const) {
    for (const c of [1, 16, 64]) {
      // The server's own view of the same requests, as its API call latency SLI counts them.
      const match = { verb, resource: 'configmaps' };
      const before = await scrapeBuckets(client, match);
      const stolen = stolenCpu();
      if (useWrk) {
        const r = wrk(url, benchToken, c, seconds, post);
        if (r.errors > 0) throw new Error(`${op}: ${r.errors} failed requests`);
        rows.push([op, String(c), r.rate, r.p50, r.p99]);
      } else {
        const path = url.slice(url.indexOf('/api/'));
        const r = await closedLoop(c, async () => {
          const res = await client.call(post ? 'POST' : 'GET', path, post);
          if (res.status >= 300) throw new Error(`${op}: ${res.status} ${res.body}`);
        });
        const s = summarize(r.lat);
        rows.push([op, String(c), r.rate, s.p50, s.p99]);
      }
      const stolenPct = stolen();
      const seen = bucketDelta(before, await scrapeBuckets(client, match));
      rows.at(-1)!.push(quantileMs(seen, 0.99), 100 * shareWithinMs(seen, 50), stolenPct);
    }
  }
  if (useWrk) {
    // The same creates against Node's HTTPS server alone: the machine's floor for any request.
    const floor = await startHttpsFloor(dataDir, created);
    for (const c of [1, 16, 64]) {
      const stolen = stolenCpu();
      const r = wrk(`https://127.0.0.1:${floor.port}${ns}`, benchToken, c, seconds, createBody);
      rows.push(['create on Node HTTPS alone', String(c), r.rate, r.p50, r.p99, NaN, NaN, stolen()]);
    }
    await floor.stop();
  }
  // A synced batch's latency (the disk's flush) is part of every write's latency.
  for (const [label, c] of [['raw LevelDB synced put', 1], ['raw LevelDB synced batch of 64', 64]] as const) {
    const stolen = stolenCpu();
    const floor = await rawLevel(c);
    const s = summarize(floor.lat);
    rows.push([label, String(c), floor.rate, s.p50, s.p99, NaN, NaN, stolen()]);
  }
  printTable(`Requests (configmaps, 400-byte payload; load from ${useWrk ? 'wrk' : 'a Node client'}; server columns from its /metrics)`,
    ['operation', 'clients', 'ops/s', 'p50 ms', 'p99 ms', 'server p99 ms', 'server ≤ 50 ms %', 'CPU stolen %'], rows);
}

/** Returns the server's RSS with every watcher open. */
async function watchFanOut(client: BenchClient, serverPid: number, ns: string): Promise<number> {
  // Watch fan-out: N watchers on configmaps, started as informers start (list, then watch from the
  // list's resourceVersion); each event's delay counts from when its create request was sent.
  // The first events also warm up both processes' code paths (JIT): they are reported apart.
  const delays = { warmup: [] as number[], measured: [] as number[] };
  const sentAt = new Map<string, { t: number; into: number[] }>();
  const opened = [];
  const listed = JSON.parse((await client.call('GET', `${ns}?limit=1`)).body) as { metadata: { resourceVersion: string } };
  for (let i = 0; i < watchers; i++) {
    const w = client.watch(`${ns}?watch=true&labelSelector=bench%3Dwatch&resourceVersion=${listed.metadata.resourceVersion}`, (line) => {
      const now = performance.now();
      const name = /"name":"(w-\d+)"/.exec(line)?.[1];
      const sent = name ? sentAt.get(name) : undefined;
      if (sent && line.startsWith('{"type":"ADDED"')) sent.into.push(now - sent.t);
    });
    opened.push(w);
  }
  await Promise.all(opened.map((w) => w.ready));
  await new Promise((r) => setTimeout(r, 1000));
  const rssWatching = rssMiB(serverPid);
  const warmupEvents = 10;
  const events = 50;
  for (let i = 0; i < warmupEvents + events; i++) {
    const name = `w-${i}`;
    sentAt.set(name, { t: performance.now(), into: i < warmupEvents ? delays.warmup : delays.measured });
    const res = await client.call('POST', ns, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { bench: 'watch' } } }));
    if (res.status !== 201) throw new Error(`watch create: ${res.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 2000));
  for (const w of opened) w.close();
  const row = (label: string, n: number, lat: number[]) => {
    const d = summarize(lat);
    return [label, d.count, watchers * n, d.p50, d.p99, d.max];
  };
  printTable(`Watch fan-out (${watchers} watchers)`, ['events', 'deliveries', 'expected', 'p50 ms', 'p99 ms', 'max ms'], [
    row(`first ${warmupEvents} (warm-up)`, warmupEvents, delays.warmup),
    row(`next ${events}`, events, delays.measured),
  ]);
  return rssWatching;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
