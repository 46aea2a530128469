// Drives a loopback HTTPS load with wrk (Debian package `wrk`): a C load generator leaves the
// server almost all of the second core, which a Node client would take for itself.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkResult {
  rate: number;
  p50: number;
  p99: number;
  errors: number;
}

export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/** Runs wrk against a URL with a bearer token; `body` makes it a POST. */
export function wrk(url: string, token: string, connections: number, seconds: number, body?: string): WrkResult {
  return parse(spawnSync('wrk', wrkArgs(url, token, connections, seconds, body), { encoding: 'utf8' }).stdout);
}

/** As wrk(), leaving the caller's event loop free meanwhile (for a client running beside it). */
export function wrkAsync(url: string, token: string, connections: number, seconds: number, body?: string): Promise<WrkResult> {
  const p = spawn('wrk', wrkArgs(url, token, connections, seconds, body), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) => {
    p.once('error', reject);
    p.once('close', () => resolve(parse(out)));
  });
}

function wrkArgs(url: string, token: string, connections: number, seconds: number, body?: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-wrk-'));
  const script = join(dir, 'req.lua');
  writeFileSync(script, [
    body ? 'wrk.method = "POST"' : '',
    body ? `wrk.body = ${JSON.stringify(body)}` : '',
    'wrk.headers["Content-Type"] = "application/json"',
    `wrk.headers["Authorization"] = "Bearer ${token}"`,
  ].join('\n'));
  // One thread drives 64 keep-alive connections at these rates; a second one only competes
  // with the server's event loop for the two vCPUs (gets at 64 clients, 4 interleaved pairs:
  // 12,602-14,026/s with one thread, 10,230-12,536/s with two; creates the same either way).
  return ['-t', '1', '-c', String(connections), '-d', `${seconds}s`, '--latency', '-s', script, url];
}

function parse(out: string): WrkResult {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const ms = (re: RegExp) => {
    const m = re.exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  return {
    rate: num(/Requests\/sec:\s+([\d.]+)/),
    p50: ms(/50%\s+([\d.]+)(us|ms|s)/),
    p99: ms(/99%\s+([\d.]+)(us|ms|s)/),
    errors: num(/Non-2xx or 3xx responses:\s+(\d+)/) || 0,
  };
}
