// Cluster DNS throughput and latency (issue 14: ≥ 20,000 cluster queries/s from one core, p99 ≤
// 2 ms), beside a floor: a minimal UDP echo server answering every datagram with itself, in the
// same run, measured by the same client. Each server is a process of its own (one event loop:
// one core); the client is another. Queries are A lookups of random names among 1,000 Services
// (10 headless with 10 endpoints each), over UDP on 127.0.0.1.
//
// Reported per server: answers/s with `--window` queries outstanding, the server's CPU seconds
// over the run (from /proc, so "per core" does not depend on what else the machine runs), and
// latency p50/p99 with many and with one query outstanding, and at a paced 20,000 queries/s (the
// target rate; the p99 target applies there, not at saturation, where queueing sets latency).
//
//   node dist/bench/dns.js [--seconds 4] [--window 32] [--services 1000] [--rate 20000]
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encode } from 'dns-packet';
import { ObjectCache } from '../lib/client/cache.js';
import type { EndpointSlice, Service } from '../node-agent/kube-types.js';
import { startClusterDns } from '../node-agent/dns/cluster-dns.js';
import { cpuSeconds, printTable, rssMiB, stolenCpu, summarize } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    serve: { type: 'string' }, seconds: { type: 'string', default: '4' }, window: { type: 'string', default: '32' },
    services: { type: 'string', default: '1000' }, rate: { type: 'string', default: '20000' },
  },
});
const nServices = Number(values.services);
const rate = Number(values.rate);

function fill(): { services: ObjectCache<Service>; slices: ObjectCache<EndpointSlice> } {
  const services = new ObjectCache<Service>();
  const slices = new ObjectCache<EndpointSlice>();
  for (let i = 0; i < nServices; i++) {
    const headless = i % 100 === 0;
    const ip = `10.43.${(i >> 8) & 0xff}.${i & 0xff}`;
    services.set({ metadata: { namespace: `ns-${i % 20}`, name: `svc-${i}` }, spec: headless ? { clusterIP: 'None' } : { clusterIP: ip, clusterIPs: [ip], ports: [{ name: 'http', port: 80 }] } });
    slices.set({
      metadata: { namespace: `ns-${i % 20}`, name: `svc-${i}-a`, labels: { 'kubernetes.io/service-name': `svc-${i}` } }, addressType: 'IPv4',
      endpoints: Array.from({ length: 10 }, (_, j) => ({ addresses: [`10.42.${i & 0xff}.${j + 1}`], conditions: { ready: true } })),
    });
  }
  return { services, slices };
}

/** The child: one server on 127.0.0.1, its port printed as a JSON line. */
async function serve(kind: string): Promise<void> {
  let port: number;
  if (kind === 'dns') {
    const dns = await startClusterDns({ ...fill(), domain: 'cluster.local', clusterDNS: ['10.43.0.10'], addresses: ['127.0.0.1'], port: 0, resolvConf: '/nonexistent', upstreams: [] });
    port = dns.addresses[0].port;
  } else {
    const s = createSocket('udp4');
    s.on('message', (msg, r) => s.send(msg, r.port, r.address));
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    port = s.address().port;
  }
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

async function startChild(kind: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', kind, '--services', String(nServices)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      try {
        const m = JSON.parse(l) as { port?: number };
        if (m.port) resolve(m.port);
      } catch {
        // a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { child, port };
}

interface Run {
  answered: number;
  lost: number;
  seconds: number;
  cpu: number;
  latenciesMs: number[];
}

/** Keeps `window` queries in flight for `seconds`; a query unanswered after 1 s counts as lost. */
async function load(port: number, pid: number, window: number, seconds: number, queries: Buffer[]): Promise<Run> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const sentAt = new Map<number, bigint>();
  const latenciesMs: number[] = [];
  let id = 0;
  let answered = 0;
  let lost = 0;
  let running = true;
  const send = () => {
    id = (id + 1) & 0xffff;
    const q = queries[id % queries.length];
    q.writeUInt16BE(id, 0);
    sentAt.set(id, process.hrtime.bigint());
    sock.send(q, port, '127.0.0.1');
  };
  sock.on('message', (msg) => {
    const t = sentAt.get(msg.readUInt16BE(0));
    if (t === undefined) return;
    sentAt.delete(msg.readUInt16BE(0));
    latenciesMs.push(Number(process.hrtime.bigint() - t) / 1e6);
    answered++;
    if (running) send();
  });
  // Lost datagrams would shrink the window: refill it.
  const sweeper = setInterval(() => {
    const old = process.hrtime.bigint() - 1_000_000_000n;
    for (const [k, t] of sentAt) {
      if (t < old) {
        sentAt.delete(k);
        lost++;
        if (running) send();
      }
    }
  }, 200);
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  for (let i = 0; i < window; i++) send();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  clearInterval(sweeper);
  await new Promise((r) => setTimeout(r, 100));
  sock.close();
  return { answered, lost, seconds: elapsed, cpu, latenciesMs };
}

/** Sends at `rate` queries/s (open loop, topped up every millisecond) for `seconds`: latency at a given load. */
async function paced(port: number, rate: number, seconds: number, queries: Buffer[]): Promise<{ sent: number; answered: number; latenciesMs: number[] }> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const sentAt = new Map<number, bigint>();
  const latenciesMs: number[] = [];
  let sent = 0;
  sock.on('message', (msg) => {
    const t = sentAt.get(msg.readUInt16BE(0));
    if (t === undefined) return;
    sentAt.delete(msg.readUInt16BE(0));
    latenciesMs.push(Number(process.hrtime.bigint() - t) / 1e6);
  });
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = (performance.now() - t0) / 1000;
      if (elapsed >= seconds) {
        clearInterval(tick);
        resolve();
        return;
      }
      while (sent < rate * elapsed) {
        const id = sent & 0xffff;
        const q = queries[sent % queries.length];
        q.writeUInt16BE(id, 0);
        sentAt.set(id, process.hrtime.bigint());
        sock.send(q, port, '127.0.0.1');
        sent++;
      }
    }, 1);
  });
  await new Promise((r) => setTimeout(r, 200));
  sock.close();
  return { sent, answered: latenciesMs.length, latenciesMs };
}

async function main(): Promise<void> {
  const seconds = Number(values.seconds);
  const window = Number(values.window);
  const queries = Array.from({ length: 4096 }, (_, i) => {
    const n = (i * 7919) % nServices;
    return encode({ type: 'query', id: 0, flags: 0x100, questions: [{ name: `svc-${n}.ns-${n % 20}.svc.cluster.local`, type: 'A', class: 'IN' }] });
  });
  const rows: Array<Array<string | number>> = [];
  const steal = stolenCpu();
  for (const kind of ['echo', 'dns']) {
    const { child, port } = await startChild(kind);
    try {
      await load(port, child.pid!, window, 1, queries); // warm-up: JIT, caches
      const busy = await load(port, child.pid!, window, seconds, queries);
      const one = await load(port, child.pid!, 1, Math.max(1, seconds / 2), queries);
      const atRate = await paced(port, rate, seconds, queries);
      const rss = rssMiB(child.pid!);
      const b = summarize(busy.latenciesMs);
      const o = summarize(one.latenciesMs);
      const r = summarize(atRate.latenciesMs);
      rows.push([
        kind === 'dns' ? 'cluster DNS (A, 1,000 Services)' : 'floor: UDP echo', Math.round(busy.answered / busy.seconds),
        busy.cpu > 0 ? Math.round(busy.answered / busy.cpu) : '-', Math.round((100 * busy.cpu) / busy.seconds), b.p50, b.p99, o.p50, o.p99,
        r.p50, r.p99, atRate.sent - atRate.answered, rss,
      ]);
    } finally {
      child.kill('SIGTERM');
    }
  }
  printTable(`UDP on 127.0.0.1: ${window} queries in flight for ${seconds} s, then 1 in flight, then ${rate.toLocaleString('en-US')} queries/s paced`, [
    'server', 'answers/s', 'answers per server CPU-s', 'server CPU %', `p50 ms (${window})`, `p99 ms (${window})`, 'p50 ms (1)', 'p99 ms (1)',
    `p50 ms (${rate / 1000}k/s)`, `p99 ms (${rate / 1000}k/s)`, 'unanswered (paced)', 'server RSS MiB',
  ], rows);
  process.stdout.write(`\nCPU the hypervisor took from this VM meanwhile: ${steal().toFixed(1)}%; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
}

if (values.serve) await serve(values.serve);
else await main();
