// The floor for API requests: what Node's HTTPS server, TLS and the load generator cost on this
// machine before any API work. It runs as a process of its own, started as k8ts is (same Node
// flags and environment), with the API server's serving certificate, and answers every request
// with the object the API server returned for a create of the same body.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { launchEnv, launchNodeFlags } from '../../cli/launch.js';

const entry = fileURLToPath(new URL('./https-floor-server.js', import.meta.url));

export interface HttpsFloor {
  port: number;
  stop(): Promise<void>;
}

/** Starts the floor server with the API server's certificate from `dataDir`, answering `response`. */
export async function startHttpsFloor(dataDir: string, response: string): Promise<HttpsFloor> {
  const bodyFile = join(dataDir, 'floor-response.json');
  writeFileSync(bodyFile, response);
  const args = [...launchNodeFlags, entry, join(dataDir, 'pki/serving.crt'), join(dataDir, 'pki/serving.key'), bodyFile];
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...launchEnv }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((res, rej) => {
    createInterface({ input: proc.stdout! }).once('line', (l) => res(Number(l)));
    proc.once('exit', (c) => rej(new Error(`HTTPS floor exited ${c}`)));
  });
  return {
    port,
    async stop() {
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await done;
    },
  };
}
