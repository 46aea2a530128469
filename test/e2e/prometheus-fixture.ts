// A real Prometheus (Debian's 2.42 package, unpacked) scraping k8ts with the static example from
// docs/prometheus/, for the metrics tests. Found at $PROMETHEUS, /opt/prometheus-2.42 (where
// .ci/run unpacks it) or on PATH.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../lib/package-root.js';

export function prometheusBinary(): string | undefined {
  const candidates = [process.env.PROMETHEUS, '/opt/prometheus-2.42/usr/bin/prometheus'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  const which = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

export interface StaticExample {
  apiServer: string;
  nodes: string[];
  podTargets: string[];
  caFile: string;
  tokenFile: string;
  scrapeInterval: string;
}

/** docs/prometheus/prometheus-static.yml with its placeholders filled in. */
export async function staticConfig(o: StaticExample): Promise<string> {
  const text = await readFile(join(packageRoot(), 'docs', 'prometheus', 'prometheus-static.yml'), 'utf8');
  return text
    .replaceAll('[NODE_NAMES]', JSON.stringify(o.nodes))
    .replaceAll('[POD_TARGETS]', JSON.stringify(o.podTargets))
    .replaceAll('API_SERVER', o.apiServer)
    .replaceAll('/etc/prometheus/k8ts-ca.crt', o.caFile)
    .replaceAll('/etc/prometheus/k8ts-token', o.tokenFile)
    .replace('scrape_interval: 15s', `scrape_interval: ${o.scrapeInterval}`);
}

export interface RunningPrometheus {
  query(q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

export async function startPrometheus(binary: string, dir: string, config: string, port: number): Promise<RunningPrometheus> {
  await mkdir(join(dir, 'data'), { recursive: true });
  await writeFile(join(dir, 'prometheus.yml'), config);
  const child: ChildProcess = spawn(binary, [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    async query(q) {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`).catch((err: Error) => {
        throw new Error(`prometheus not answering (${err.message}); its log: ${log}`);
      });
      const body = await res.json() as { data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      return body.data?.result ?? [];
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
