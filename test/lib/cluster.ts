// Test harness: a real `k8ts server` process on a random port with its own data directory,
// driven by the real kubectl binary ($KUBECTL, default /usr/bin/kubectl) and raw HTTPS calls.
import { spawn, type ChildProcess } from 'node:child_process';
import { k8tsProcess } from '../../cli/launch.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { readKubeconfig, type ClientConfig } from '../../lib/kubeconfig.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const cliPath = join(root, 'dist/cli/main.js');
export const kubectlPath = process.env.KUBECTL ?? '/usr/bin/kubectl';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ClusterOptions {
  /** Extra `k8ts server` flags. */
  args?: string[];
  /** Reuse a data directory (to test restarts). */
  dataDir?: string;
  /** Run the embedded node agent, as `k8ts server` does by default (tests mostly run without). */
  agent?: boolean;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export class TestCluster {
  private proc?: ChildProcess;
  port = 0;
  readonly kubeconfig: string;
  private client?: ClientConfig;
  logs: string[] = [];

  constructor(readonly dataDir: string, private readonly args: string[], private readonly ownsDir: boolean, private readonly agent = false) {
    this.kubeconfig = join(dataDir, 'admin.kubeconfig');
  }

  /** Starts the server and resolves once it serves. */
  async start(): Promise<void> {
    const p = k8tsProcess(cliPath, ['server', '--data-dir', this.dataDir, '--bind-address', '127.0.0.1', '--secure-port', '0', ...(this.agent ? [] : ['--disable-agent']), ...this.args]);
    const proc = spawn(p.file, p.args, { env: p.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    const ready = new Promise<void>((resolveReady, reject) => {
      const onLine = (line: string) => {
        this.logs.push(line);
        try {
          const rec = JSON.parse(line) as { msg?: string; port?: number; component?: string };
          if (rec.msg === 'serving' && rec.component === 'server') {
            this.port = rec.port ?? 0;
            resolveReady();
          }
        } catch {
          // not JSON: keep as a log line
        }
      };
      createInterface({ input: proc.stdout! }).on('line', onLine);
      createInterface({ input: proc.stderr! }).on('line', (l) => this.logs.push(l));
      proc.once('exit', (code) => reject(new Error(`server exited with ${code} before serving:\n${this.logs.slice(-20).join('\n')}`)));
    });
    await ready;
    this.client = readKubeconfig(this.kubeconfig);
  }

  /** Runs kubectl against this cluster. */
  kubectl(args: string[], opts: { stdin?: string; binary?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    return run(opts.binary ?? kubectlPath, ['--kubeconfig', this.kubeconfig, ...args], opts.stdin, opts.timeoutMs);
  }

  /** kubectl that must succeed; returns stdout. */
  async k(...args: string[]): Promise<string> {
    const r = await this.kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  /** A raw HTTPS request as the admin. */
  http(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    const c = this.client!;
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolveHttp, reject) => {
      const req = request({
        host: '127.0.0.1', port: this.port, path, method,
        ca: c.caCert, cert: c.clientCert, key: c.clientKey,
        headers: { ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolveHttp({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) });
        });
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** SIGTERM and wait. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** kill -9: no chance to flush anything. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(sig);
    await exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the server and removes its data. */
  async destroy(): Promise<void> {
    await this.kill9();
    if (this.ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export async function startCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'k8ts-e2e-'));
  const c = new TestCluster(dir, opts.args ?? [], !opts.dataDir, opts.agent);
  await c.start();
  return c;
}

export function run(cmd: string, args: string[], stdin?: string, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolveRun) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d: Buffer) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    p.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code: code ?? -1, stdout, stderr });
    });
    // A command that exits without reading its stdin (ip, curl) makes this write fail with EPIPE:
    // its exit code and output are the result, not the write.
    p.stdin.on('error', () => undefined);
    p.stdin.end(stdin ?? '');
  });
}

/** Polls until `fn` returns a truthy value or the timeout passes. */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
