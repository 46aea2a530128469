// The built-in Ingress controller's throughput and added latency (issue 18: ≥ 80% of the
// requests/s of a bare Node `http` reverse proxy, p99 added ≤ 2 ms at 64 connections), beside
// that bare proxy (no routing, no logs, no metrics: the floor a Node proxy cannot beat) and
// Debian's nginx as a reverse proxy, in the same run. One backend (a Node server answering 2
// bytes) in its own process; each proxy in its own process, one at a time; wrk (one thread, 64
// keep-alive connections) drives them over 127.0.0.1. "direct" is wrk to the backend itself:
// added latency is a proxy's p99 minus direct's. The controller routes by a table of 200
// Ingresses (one matching), writes its access log line per request (to /dev/null) and counts
// its metrics, as on a node.
//
// `--latency` measures added latency the way the target means it: an open-loop load at fixed
// rates below saturation (fractions of the bare proxy's requests/s, measured first with wrk), 64
// connections, every path at the same rate in the same round; "p99 added" is a path's p99 minus
// direct's at that rate, the median over rounds. At saturation (the default mode) p99 is only the
// queue: 64 connections over the throughput.
//
//   node dist/bench/ingress.js [--seconds 8] [--connections 64] [--rounds 2]
//   node dist/bench/ingress.js --latency [--fractions 0.25,0.5,0.75 | --rates 3000,6000] [--seconds 5] [--rounds 3] [--two-loops]
//
// `--two-loops` adds the controller on two event loops (two processes sharing its port through
// node:cluster), to see what a second loop buys on this machine.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { createSecureContext } from 'node:tls';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Ingress } from '../lib/ingress.js';
import { batchedLogger, logger } from '../lib/log.js';
import { IngressProxy } from '../node-agent/ingress/ingress-proxy.js';
import { startListeners } from '../node-agent/ingress/listeners.js';
import { IngressMetrics } from '../node-agent/ingress/metrics.js';
import { buildRoutes } from '../node-agent/ingress/route-table.js';
import { ensureCA, ensureCertificate } from '../lib/pki.js';
import { machine, printTable, cpuSeconds } from './lib/stats.js';
import { hasWrk, wrkAsync, type WrkResult } from './lib/wrk.js';
import { openLoop, type OpenLoopResult } from './lib/open-loop.js';

const { values } = parseArgs({
  options: {
    serve: { type: 'string' }, upstream: { type: 'string' },
    seconds: { type: 'string', default: '8' }, connections: { type: 'string', default: '64' }, rounds: { type: 'string', default: '2' },
    latency: { type: 'boolean', default: false }, 'two-loops': { type: 'boolean', default: false }, fractions: { type: 'string', default: '0.25,0.5,0.75' }, rates: { type: 'string' },
  },
});

function announce(port: number): void {
  process.stdout.write(JSON.stringify({ port }) + '\n');
}

async function listen(server: ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

function benchIngresses(): Ingress[] {
  return Array.from({ length: 200 }, (_, i) => ({
    metadata: { name: `ing-${i}`, namespace: `ns-${i % 10}`, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { rules: [{ host: i === 0 ? undefined : `app-${i}.example.com`, http: { paths: [
      { path: '/', pathType: 'Prefix', backend: { service: { name: `svc-${i}`, port: { number: 80 } } } },
      { path: '/api', pathType: 'Prefix', backend: { service: { name: `svc-${i}`, port: { number: 80 } } } },
    ] } }] },
  }));
}

/** The children: a backend, a bare proxy or the controller, on 127.0.0.1; the port printed as a JSON line. */
async function serve(kind: string, upstreamPort: number): Promise<void> {
  // A clean exit, so `node --cpu-prof` writes its profile.
  process.once('SIGTERM', () => process.exit(0));
  if (kind === 'backend') {
    announce(await listen(createServer((_req, res) => res.end('ok'))));
  } else if (kind === 'controller-2') {
    if (!cluster.isPrimary) return serve('controller', upstreamPort);
    // Both workers listen on port 0 of 127.0.0.1 and get the same port; each prints it.
    const workers = [cluster.fork(), cluster.fork()];
    process.removeAllListeners('SIGTERM');
    process.once('SIGTERM', () => {
      for (const w of workers) w.process.kill('SIGTERM');
      process.exit(0);
    });
  } else if (kind === 'bare') {
    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    announce(await listen(createServer((req, res) => {
      const out = request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', () => res.destroy());
      req.pipe(out);
    })));
  } else {
    const ingresses = benchIngresses();
    const up = { ip: '127.0.0.1', port: upstreamPort, address: `127.0.0.1:${upstreamPort}` };
    const state = { routes: buildRoutes(ingresses), upstreams: new Map([['ns-0/svc-0#80', [up]]]) };
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-ingress-'));
    const cert = ensureCertificate(dir, 'default', ensureCA(dir, 'ca', 'bench'), { commonName: 'bench', usage: 'server' });
    const proxy = new IngressProxy({ state: () => state, httpsPort: () => 443, metrics: new IngressMetrics(), log: batchedLogger('ingress-access').log });
    const defaultContext = createSecureContext(cert);
    const l = await startListeners({ proxy, address: '127.0.0.1', httpPort: 0, httpsPort: 0, defaultCert: cert, sni: () => defaultContext });
    rmSync(dir, { recursive: true, force: true });
    // The port line goes to stderr: stdout is the access log.
    process.stderr.write(JSON.stringify({ port: l.httpPort }) + '\n');
  }
}

interface Child {
  proc: ChildProcess;
  port: number;
}

/** Starts a child and reads its port (from stdout, or stderr for the controller, whose stdout is its log). */
function start(kind: string, upstream = 0): Promise<Child> {
  const self = fileURLToPath(import.meta.url);
  const portOnStderr = kind.startsWith('controller');
  const proc = spawn(process.execPath, [self, '--serve', kind, '--upstream', String(upstream)], {
    stdio: ['ignore', portOnStderr ? 'ignore' : 'pipe', portOnStderr ? 'pipe' : 'inherit'],
  });
  const lines = createInterface({ input: (portOnStderr ? proc.stderr : proc.stdout)! });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${kind} exited ${code}`)));
    lines.once('line', (line) => resolve({ proc, port: (JSON.parse(line) as { port: number }).port }));
  });
}

function startNginx(upstream: number): { proc: ChildProcess; port: number; dir: string } | undefined {
  if (spawnSync('nginx', ['-v']).error) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-nginx-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  writeFileSync(join(dir, 'nginx.conf'), `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log /dev/null;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream backend { server 127.0.0.1:${upstream}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; proxy_set_header X-Forwarded-For $remote_addr; }
  }
}
`);
  const proc = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'inherit' });
  return { proc, port, dir };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

async function measure(port: number, pid: number | undefined, seconds: number, connections: number): Promise<WrkResult & { cpu: number }> {
  const before = pid ? cpuSeconds(pid) : 0;
  const r = await wrkAsync(`http://127.0.0.1:${port}/`, 'bench', connections, seconds);
  return { ...r, cpu: pid ? cpuSeconds(pid) - before : NaN };
}

/**
 * The proxies' own work without process-level noise: both handlers behind the same Node
 * listener in this process, wrk against each in turn, this process's CPU per request.
 */
async function handlerCost(backendPort: number, rounds: number, seconds: number, connections: number): Promise<Array<Array<string | number>>> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const bare = (req: IncomingMessage, res: ServerResponse) => {
    const out = request({ host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  };
  const up = { ip: '127.0.0.1', port: backendPort, address: `127.0.0.1:${backendPort}` };
  const state = { routes: buildRoutes(benchIngresses()), upstreams: new Map([['ns-0/svc-0#80', [up]]]) };
  const proxy = new IngressProxy({ state: () => state, httpsPort: () => 443, metrics: new IngressMetrics(), log: logger('ingress-access').child({}, { level: 'silent' }) });
  const handlers: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = { bare, 'k8ts controller (no access log)': (q, r) => proxy.handleRequest(q, r, 'http') };
  const samples = new Map<string, Array<{ n: number; us: number }>>();
  for (let round = 0; round < rounds; round++) {
    for (const [name, handler] of Object.entries(handlers)) {
      const server = createServer(handler);
      const port = await listen(server);
      const before = process.cpuUsage();
      const r = await wrkAsync(`http://127.0.0.1:${port}/`, 'bench', connections, seconds);
      const used = process.cpuUsage(before);
      const n = r.rate * seconds;
      samples.set(name, [...(samples.get(name) ?? []), { n, us: (used.user + used.system) / n }]);
      server.closeAllConnections();
      server.close();
    }
  }
  proxy.close();
  agent.destroy();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const bareUs = median(samples.get('bare')!.map((x) => x.us));
  return [...samples.entries()].map(([name, xs]) => {
    const us = median(xs.map((x) => x.us));
    return [name, Math.round(xs.reduce((a, x) => a + x.n, 0)), us, `${Math.round((us / bareUs) * 100)}%`];
  });
}

/** The nginx worker's pid (the master only watches it), for its CPU time. */
function nginxWorker(masterPid: number | undefined): number | undefined {
  return Number(readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8').trim().split(' ')[0]) || undefined;
}

/** CPU seconds of a process and its children (the 2-process controller's workers). */
function treeCpuSeconds(pid: number): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number);
  } catch {
    // Gone: its own figure is NaN too.
  }
  return children.reduce((sum, c) => sum + cpuSeconds(c), cpuSeconds(pid));
}

/** Added latency below saturation: every path at each fixed rate, interleaved over rounds. */
async function latency(seconds: number, connections: number, rounds: number, fractions: number[], fixedRates?: number[]): Promise<void> {
  const backend = await start('backend');
  const paths: Array<{ name: string; port: number; pid?: number; stop: () => Promise<void> }> = [
    { name: 'direct (no proxy)', port: backend.port, pid: backend.proc.pid, stop: () => stop(backend.proc) },
  ];
  try {
    const names = { bare: 'bare Node http proxy (floor)', controller: 'k8ts ingress controller', 'controller-2': 'k8ts ingress controller, 2 processes' };
    for (const kind of ['bare', 'controller', ...(values['two-loops'] ? ['controller-2'] as const : [])] as const) {
      const c = await start(kind, backend.port);
      paths.push({ name: names[kind], port: c.port, pid: c.proc.pid, stop: () => stop(c.proc) });
    }
    const nginx = startNginx(backend.port);
    if (nginx) {
      await new Promise((r) => setTimeout(r, 500));
      paths.push({ name: 'nginx, 1 worker', port: nginx.port, pid: nginxWorker(nginx.proc.pid), stop: async () => {
        await stop(nginx.proc);
        rmSync(nginx.dir, { recursive: true, force: true });
      } });
    }
    // The rates: fractions of what the bare proxy serves flat out, in this run (or as given).
    const bare = paths[1];
    await measure(bare.port, bare.pid, 1, connections);
    const max = (await measure(bare.port, bare.pid, seconds, connections)).rate;
    const rates = fixedRates ?? [...new Set(fractions.map((f) => Math.round((f * max) / 10) * 10))].filter((r) => r > 0);
    const results = new Map<string, Array<OpenLoopResult & { cpuUs: number; added: number }>>();
    for (let round = 0; round < rounds; round++) {
      for (const rate of rates) {
        let directP99 = NaN;
        for (const path of paths) {
          const before = path.pid ? treeCpuSeconds(path.pid) : NaN;
          const r = await openLoop(`http://127.0.0.1:${path.port}/`, { rate, seconds, connections, warmup: 1 });
          // CPU over the warm-up and the measured window, per request sent in both.
          const cpuUs = ((treeCpuSeconds(path.pid ?? 0) - before) / (rate * (seconds + 1))) * 1e6;
          if (path === paths[0]) directP99 = r.p99;
          const key = `${rate}\t${path.name}`;
          results.set(key, [...(results.get(key) ?? []), { ...r, cpuUs, added: r.p99 - directP99 }]);
        }
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    printTable(`Ingress added latency, open loop at fixed rates, ${connections} connections, ${seconds} s per run, median of ${rounds} interleaved rounds (bare proxy's max ${Math.round(max)} req/s by wrk; ${machine()}; load average ${loadavg()[0].toFixed(1)})`,
      ['rate req/s', 'path', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'p99 added ms', 'CPU µs/request', 'errors'],
      [...results.entries()].map(([key, rs]) => {
        const [rate, name] = key.split('\t');
        const m = (f: (r: (typeof rs)[number]) => number) => median(rs.map(f));
        return [Number(rate), name, m((r) => r.p50), m((r) => r.p90), m((r) => r.p99), m((r) => r.p999), name.startsWith('direct') ? '-' : m((r) => r.added), m((r) => r.cpuUs), rs.reduce((a, r) => a + r.errors, 0)];
      }));
    const every = [...results.entries()].map(([key, rs]) => `${key.replace('\t', ' ')}: ${rs.map((r) => r.added.toFixed(2)).join(' / ')}`).join('; ');
    console.log(`\nEvery round's p99 added (ms): ${every}`);
  } finally {
    for (const p of paths.reverse()) await p.stop();
  }
}

async function main(): Promise<void> {
  if (values.serve) return serve(values.serve, Number(values.upstream));
  if (!hasWrk()) {
    console.log('skipped: needs wrk (apt-get install wrk)');
    return;
  }
  if (values.latency) return latency(Number(values.seconds), Number(values.connections), Number(values.rounds), values.fractions.split(',').map(Number), values.rates?.split(',').map(Number));
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const rounds = Number(values.rounds);
  const backend = await start('backend');
  const results = new Map<string, Array<WrkResult & { cpu: number }>>();
  const record = (name: string, r: WrkResult & { cpu: number }) => results.set(name, [...(results.get(name) ?? []), r]);
  let handlerRows: Array<Array<string | number>> = [];
  try {
    // Interleaved rounds: drift in what else the machine runs touches every proxy alike.
    for (let round = 0; round < rounds; round++) {
      record('direct (no proxy)', await measure(backend.port, backend.proc.pid, seconds, connections));
      const bare = await start('bare', backend.port);
      await measure(bare.port, bare.proc.pid, 1, connections);
      record('bare Node http proxy (floor)', await measure(bare.port, bare.proc.pid, seconds, connections));
      await stop(bare.proc);
      const controller = await start('controller', backend.port);
      await measure(controller.port, controller.proc.pid, 1, connections);
      record('k8ts ingress controller', await measure(controller.port, controller.proc.pid, seconds, connections));
      await stop(controller.proc);
      const nginx = startNginx(backend.port);
      if (nginx) {
        await new Promise((r) => setTimeout(r, 500));
        await measure(nginx.port, undefined, 1, connections);
        record('nginx 1 worker (Debian nginx-light)', await measure(nginx.port, nginxWorker(nginx.proc.pid), seconds, connections));
        await stop(nginx.proc);
        rmSync(nginx.dir, { recursive: true, force: true });
      }
    }
    handlerRows = await handlerCost(backend.port, rounds, seconds, connections);
  } finally {
    await stop(backend.proc);
  }
  const best = (name: string) => {
    const rs = results.get(name) ?? [];
    return rs.reduce((a, b) => (b.rate > a.rate ? b : a), rs[0]);
  };
  const direct = best('direct (no proxy)');
  const floor = best('bare Node http proxy (floor)');
  printTable(`Ingress proxying, ${connections} connections, ${seconds} s per run, best of ${rounds} (${machine()})`,
    ['path', 'requests/s', 'vs bare proxy', 'p50 ms', 'p99 ms', 'p99 added ms', 'CPU µs/request', 'CPU vs bare', 'non-2xx'],
    [...results.keys()].map((name) => {
      const r = best(name);
      // CPU per request holds up when other work shares the cores; requests/s does not.
      const perRequest = (x: typeof r) => (x.cpu / (x.rate * seconds)) * 1e6;
      const proxy = !name.startsWith('direct');
      return [name, r.rate, proxy ? `${Math.round((r.rate / floor.rate) * 100)}%` : '-', r.p50, r.p99, proxy ? r.p99 - direct.p99 : '-', perRequest(r),
        proxy && Number.isFinite(r.cpu) ? `${Math.round((perRequest(r) / perRequest(floor)) * 100)}%` : '-', r.errors];
    }));
  printTable(`Handler cost in one process (bare vs the controller's handler, same listener and backend, ${rounds} interleaved rounds; load average ${loadavg()[0].toFixed(1)})`,
    ['handler', 'requests', 'CPU µs/request (median)', 'vs bare'], handlerRows);
  const all = [...results.entries()].map(([name, rs]) => `${name}: ${rs.map((r) => Math.round(r.rate)).join(', ')}`).join('; ');
  console.log(`\nEvery round's requests/s: ${all}`);
}

await main();
