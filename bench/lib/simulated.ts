// Simulated nodes for benchmarks: `k8ts agent --simulated --count N` as a child process, and
// waiting until the nodes are Ready with a pod range.
import { spawn, type ChildProcess } from 'node:child_process';
import { k8tsProcess } from '../../cli/launch.js';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { KubeClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import type { Node } from '../../lib/client/types.js';

const cli = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'cli/main.js');

/** Starts `count` simulated nodes named sim-0.. and resolves once the agent reports them. */
export function startSimulatedAgent(kubeconfig: string, count: number): Promise<ChildProcess> {
  const p = k8tsProcess(cli, ['agent', '--simulated', '--kubeconfig', kubeconfig, '--node-name', 'sim', '--count', String(count)]);
  const proc = spawn(p.file, p.args, { env: p.env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    createInterface({ input: proc.stdout! }).on('line', (l) => l.includes('"simulating nodes"') && res(proc));
    proc.once('exit', (c) => rej(new Error(`agent exited ${c}`)));
  });
}

/** SIGTERM and wait for the exit. */
export async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const done = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await done;
}

/** Polls `check` every half second until it holds. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Waits until `n` nodes are Ready and have a pod CIDR (so their pods can get addresses). */
export async function nodesReady(client: KubeClient, n: number): Promise<void> {
  const api = client.resource<Node>(resources.nodes);
  await waitUntil(`${n} nodes with pod ranges`, async () => {
    const list = await api.listAll();
    return list.items.filter((x) => x.spec?.podCIDR && x.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= n;
  });
}
