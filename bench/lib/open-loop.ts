// An open-loop HTTP/1.1 load at a fixed rate over N keep-alive connections (the wrk2 way), for
// latency below saturation. Request i is due at start + i/rate and goes on connection i mod N.
// One that waits behind an unanswered request on its connection counts from when it was due, so
// a server that stalls is charged for the requests queued behind it (no coordinated omission);
// one sent on a free connection counts from when it was sent, so this process's own timer
// lateness (timers fire at most once a millisecond) is not charged to the server. Requests
// are spread evenly in time: h2load's `--rps` fires every connection's request on the same tick,
// 64 at once, which measures a burst's queue, not a request's cost. Runs in its own process
// (`node dist/bench/lib/open-loop.js URL RATE SECONDS CONNECTIONS WARMUP`, JSON on stdout) so
// that its event loop is nobody else's.
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface OpenLoopResult {
  /** Requests per second answered in the measured window. */
  rate: number;
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Answers other than 2xx, and connections that failed. */
  errors: number;
}

interface Conn {
  socket: Socket;
  /** Due times of the requests sent and not yet answered, oldest first (HTTP/1.1 answers in order). */
  inFlight: number[];
  /** Due times of requests waiting for the connection to be free. */
  waiting: number[];
  buffer: Buffer;
}

async function run(url: URL, rate: number, seconds: number, connections: number, warmup: number): Promise<OpenLoopResult> {
  const request = Buffer.from(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: k8ts-open-loop\r\n\r\n`);
  const latencies: number[] = [];
  let errors = 0;
  let start = 0;
  const measureFrom = () => start + warmup * 1000;
  const conns: Conn[] = await Promise.all(Array.from({ length: connections }, () => new Promise<Conn>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) || 80 }, () => resolve(conn));
    socket.setNoDelay(true);
    const conn: Conn = { socket, inFlight: [], waiting: [], buffer: Buffer.alloc(0) };
    socket.once('error', reject);
  })));
  for (const c of conns) {
    c.socket.on('error', () => errors++);
    c.socket.on('data', (chunk: Buffer) => {
      c.buffer = c.buffer.length ? Buffer.concat([c.buffer, chunk]) : chunk;
      // One pipelined request at most per connection, so each answer is whole once its body is in.
      for (;;) {
        const end = c.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = c.buffer.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
        if (!Number.isFinite(length)) throw new Error(`open-loop: an answer without Content-Length: ${head}`);
        if (c.buffer.length < end + 4 + length) return;
        c.buffer = c.buffer.subarray(end + 4 + length);
        const due = c.inFlight.shift()!;
        const now = performance.now();
        if (due >= measureFrom()) {
          latencies.push(now - due);
          if (!/^HTTP\/1\.[01] 2/.test(head)) errors++;
        }
        const next = c.waiting.shift();
        if (next !== undefined) send(c, next);
      }
    });
  }
  const send = (c: Conn, due: number) => {
    c.inFlight.push(due);
    c.socket.write(request);
  };
  start = performance.now();
  const total = Math.floor(rate * (seconds + warmup));
  const interval = 1000 / rate;
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      for (; i < total && start + i * interval <= now; i++) {
        const c = conns[i % connections];
        const due = start + i * interval;
        if (c.inFlight.length === 0) send(c, Math.max(due, performance.now()));
        else c.waiting.push(due);
      }
      if (i < total) setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  // The last requests' answers, then anything unanswered after 5 s counts as an error.
  const deadline = performance.now() + 5_000;
  while (conns.some((c) => c.inFlight.length || c.waiting.length) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  for (const c of conns) {
    errors += c.inFlight.length + c.waiting.length;
    c.socket.destroy();
  }
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return { rate: sorted.length / seconds, count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: sorted.at(-1) ?? NaN, errors };
}

/** Runs the load from a child process and returns its result. */
export function openLoop(url: string, opts: { rate: number; seconds: number; connections: number; warmup?: number }): Promise<OpenLoopResult> {
  const args = [fileURLToPath(import.meta.url), url, String(opts.rate), String(opts.seconds), String(opts.connections), String(opts.warmup ?? 1)];
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) => {
    p.once('error', reject);
    p.once('close', (code) => (code === 0 ? resolve(JSON.parse(out) as OpenLoopResult) : reject(new Error(`open-loop load exited ${code}`))));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url, rate, seconds, connections, warmup] = process.argv.slice(2);
  const result = await run(new URL(url), Number(rate), Number(seconds), Number(connections), Number(warmup));
  process.stdout.write(JSON.stringify(result) + '\n');
}
