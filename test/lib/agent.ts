// Simulated nodes for end-to-end tests: `k8ts agent --simulated` processes against a test
// cluster, one per call (so a test can stop one node and keep the others).
import { spawn, type ChildProcess } from 'node:child_process';
import { k8tsProcess } from '../../cli/launch.js';
import { createInterface } from 'node:readline';
import { cliPath, type TestCluster } from './cluster.js';

export class SimulatedNodes {
  logs: string[] = [];

  constructor(private readonly proc: ChildProcess) {}

  /** SIGKILL: the nodes stop renewing their leases at once, as a crashed kubelet does. */
  async kill(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill('SIGKILL');
    await exited;
  }
}

/** Starts simulated nodes and resolves once they are registered. */
export async function startSimulatedNodes(c: TestCluster, nodeName: string, args: string[] = []): Promise<SimulatedNodes> {
  const p = k8tsProcess(cliPath, ['agent', '--simulated', '--kubeconfig', c.kubeconfig, '--node-name', nodeName, ...args]);
  const proc = spawn(p.file, p.args, { env: p.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const nodes = new SimulatedNodes(proc);
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      nodes.logs.push(line);
      if (line.includes('"simulating nodes"')) resolve();
    });
    createInterface({ input: proc.stderr! }).on('line', (line) => nodes.logs.push(line));
    proc.once('exit', (code) => reject(new Error(`agent exited with ${code}:\n${nodes.logs.slice(-20).join('\n')}`)));
  });
  return nodes;
}
