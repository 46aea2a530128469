// Starts a `k8ts server` process for a benchmark, on a random port with a temp data dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { k8tsProcess } from '../../cli/launch.js';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const cli = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'cli/main.js');

export interface BenchServer {
  pid: number;
  port: number;
  kubeconfig: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** The bearer token every bench server accepts (as a system:masters user). */
export const benchToken = 'k8ts-bench-token';

/**
 * BENCH_SERVER_NODE_OPTIONS passes V8/Node flags to the server process (e.g. heap settings);
 * BENCH_SERVER_LOG names a file that gets the server's stdout (e.g. with --trace-gc).
 */
export async function startBenchServer(extraArgs: string[] = []): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-'));
  const tokens = join(dataDir, 'tokens.csv');
  writeFileSync(tokens, `${benchToken},bench,bench,"system:masters"\n`);
  const nodeFlags = (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const log = process.env.BENCH_SERVER_LOG;
  const p = k8tsProcess(cli, ['server', '--data-dir', dataDir, '--bind-address', '127.0.0.1', '--secure-port', '0', '--disable-agent', '--token-auth-file', tokens, ...extraArgs], nodeFlags);
  const proc: ChildProcess = spawn(p.file, p.args, { env: p.env, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((res, rej) => {
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      if (log) appendFileSync(log, l + '\n');
      try {
        const rec = JSON.parse(l) as { msg?: string; port?: number };
        if (rec.msg === 'serving' && rec.port) res(rec.port);
      } catch { /* ignore */ }
    });
    proc.once('exit', (c) => rej(new Error(`server exited ${c}`)));
  });
  return {
    pid: proc.pid!, port, kubeconfig: join(dataDir, 'admin.kubeconfig'), dataDir,
    async stop() {
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await done;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
