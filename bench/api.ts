// API server throughput and latency: create/get/list at 1, 16 and 64 concurrent clients,
// watch fan-out to 1,000 watchers, idle RSS, and raw LevelDB writes on the same machine as the floor.
// Run: node dist/bench/api.js
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { benchClient } from './lib/client.js';
import { benchToken, startBenchServer } from './lib/server.js';
import { hasWrk, wrk } from './lib/wrk.js';
import { machine, printTable, rssMiB, summarize } from './lib/stats.js';

const durationMs = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const watchers = Number(process.env.BENCH_WATCHERS ?? 1000);

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

async function rawLevel(concurrency: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-level-'));
  const db = new Level<string, string>(dir, { valueEncoding: 'utf8' });
  await db.open();
  const value = JSON.stringify({ data: 'x'.repeat(400) });
  // The floor for durable writes: synced batches, one per round of `concurrency` writes.
  let n = 0;
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    const ops = Array.from({ length: concurrency }, () => ({ type: 'put' as const, key: `k${n++}`, value }));
    await db.batch(ops, { sync: true });
  }
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  return n / (durationMs / 1000);
}

async function main() {
  process.stdout.write(`k8ts API benchmark — ${machine()} — ${new Date().toISOString()}\n`);
  const server = await startBenchServer();
  await new Promise((r) => setTimeout(r, 2000));
  const idleRss = rssMiB(server.pid);
  const client = benchClient(server.kubeconfig, 64);
  const ns = '/api/v1/namespaces/default/configmaps';
  const body = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { bench: 'api' } }, data: { payload: 'x'.repeat(400) } });

  const rows: Array<Array<string | number>> = [];
  const seconds = durationMs / 1000;
  const base = `https://127.0.0.1:${server.port}${ns}`;
  // Objects for GET and LIST to read.
  for (let i = 0; i < 500; i++) await client.call('POST', ns, body(`seed-${i}`));
  const useWrk = hasWrk();
  for (const [op, url, post] of [
    ['create', base, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'cm-', labels: { bench: 'api' } }, data: { payload: 'x'.repeat(400) } })],
    ['get', `${base}/seed-7`, undefined],
    ['list (100 per page)', `${base}?limit=100`, undefined],
  ] as const) {
    for (const c of [1, 16, 64]) {
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
    }
  }
  const floor1 = await rawLevel(1);
  const floor64 = await rawLevel(64);
  rows.push(['raw LevelDB synced put', '1', floor1, NaN, NaN]);
  rows.push(['raw LevelDB synced batch of 64', '64', floor64, NaN, NaN]);
  printTable(`Requests (configmaps, 400-byte payload; load from ${useWrk ? 'wrk' : 'a Node client'})`, ['operation', 'clients', 'ops/s', 'p50 ms', 'p99 ms'], rows);

  // Watch fan-out: N watchers on configmaps, started as informers start (list, then watch from the
  // list's resourceVersion); each event's delay counts from when its create request was sent.
  const delays: number[] = [];
  const sentAt = new Map<string, number>();
  const opened = [];
  const listed = JSON.parse((await client.call('GET', `${ns}?limit=1`)).body) as { metadata: { resourceVersion: string } };
  for (let i = 0; i < watchers; i++) {
    const w = client.watch(`${ns}?watch=true&labelSelector=bench%3Dwatch&resourceVersion=${listed.metadata.resourceVersion}`, (line) => {
      const now = performance.now();
      const name = /"name":"(w-\d+)"/.exec(line)?.[1];
      const t = name ? sentAt.get(name) : undefined;
      if (t !== undefined && line.startsWith('{"type":"ADDED"')) delays.push(now - t);
    });
    opened.push(w);
  }
  await Promise.all(opened.map((w) => w.ready));
  await new Promise((r) => setTimeout(r, 1000));
  const rssWatching = rssMiB(server.pid);
  const events = 50;
  for (let i = 0; i < events; i++) {
    const name = `w-${i}`;
    sentAt.set(name, performance.now());
    const res = await client.call('POST', ns, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { bench: 'watch' } } }));
    if (res.status !== 201) throw new Error(`watch create: ${res.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 2000));
  for (const w of opened) w.close();
  const d = summarize(delays);
  printTable(`Watch fan-out (${watchers} watchers, ${events} events)`, ['deliveries', 'expected', 'p50 ms', 'p99 ms', 'max ms'], [[d.count, watchers * events, d.p50, d.p99, d.max]]);
  printTable('Server memory', ['state', 'RSS MiB'], [['idle after start', idleRss], [`${watchers} watchers open, after the request runs`, rssWatching]]);
  client.agent.destroy();
  await server.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
