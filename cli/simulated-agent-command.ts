// `k8ts agent --simulated`: simulated nodes for load and scheduling tests, like kwok (the nodes
// are node-agent/simulated/). Without --simulated, cli/main.ts runs the real node agent
// (cli/node-agent-command.ts).
import { hostname } from 'node:os';
import { parseDuration } from '../lib/duration.js';
import { logger, setLogLevel } from '../lib/log.js';
import { KubeClient } from '../lib/client/rest-client.js';
import { serverVersion } from '../lib/version.js';
import { parseFlags } from './flags.js';

const help = `Run a node agent. Without --simulated, the real one (see 'k8ts agent --help').

With --simulated, k8ts plays the kubelet on paper for one or many nodes (a load and test tool,
like kwok): it registers the Node(s), renews their Leases, marks pods bound to them Running with
an IP from the node's pod CIDR, finishes pods with restartPolicy Never/OnFailure, and honours
deletion. No containers run.

Flags:
  --simulated                 simulate the node(s) instead of running containers
  --kubeconfig FILE           kubeconfig to reach the API server (required)
  --node-name NAME            node name (default: this host's name); with --count, the name prefix
  --count N                   simulate N nodes named NAME-0 .. NAME-(N-1) (default 1: just NAME)
  --cpu QUANTITY              CPU capacity per node (default 8)
  --memory QUANTITY           memory capacity per node (default 32Gi)
  --pods N                    pod capacity per node (default 110)
  --node-ip ADDR              InternalIP of a single node (default: a stable fake address)
  --node-labels K=V,...       extra labels for the node(s)
  --pod-run-duration D        how long restartPolicy Never/OnFailure pods run before succeeding (default 5s;
                              per pod: annotation ${'k8ts.io/simulated-run-seconds'})
  --pod-stop-delay D          how long deleted pods take to stop, at most their grace period (default 0s)
  --node-lease-duration-seconds N  the nodes' Lease duration; it is renewed every quarter of it (default 40)
  --log-level LEVEL           trace, debug, info, warn, error (default info)
`;

export async function runSimulatedAgent(argv: string[]): Promise<number> {
  const f = parseFlags(argv, {
    simulated: { type: 'boolean' },
    kubeconfig: { type: 'string' },
    'node-name': { type: 'string' },
    count: { type: 'string' },
    cpu: { type: 'string' },
    memory: { type: 'string' },
    pods: { type: 'string' },
    'node-ip': { type: 'string' },
    'node-labels': { type: 'string' },
    'pod-run-duration': { type: 'string' },
    'pod-stop-delay': { type: 'string' },
    'node-lease-duration-seconds': { type: 'string' },
    'log-level': { type: 'string' },
  }, help);
  if (f['log-level']) setLogLevel(f['log-level']);
  if (!f.kubeconfig) throw new Error('--kubeconfig is required');
  const base = f['node-name'] ?? hostname().toLowerCase();
  const count = f.count === undefined ? undefined : Number(f.count);
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new Error(`invalid --count "${f.count}"`);
  const nodeNames = count === undefined ? [base] : Array.from({ length: count }, (_, i) => `${base}-${i}`);
  const labels = Object.fromEntries((f['node-labels'] ?? '').split(',').filter(Boolean).map((kv) => {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`invalid --node-labels entry "${kv}" (want key=value)`);
    return [kv.slice(0, i), kv.slice(i + 1)];
  }));
  const leaseSeconds = Number(f['node-lease-duration-seconds'] ?? 40);
  if (!Number.isInteger(leaseSeconds) || leaseSeconds < 1) throw new Error(`invalid --node-lease-duration-seconds "${f['node-lease-duration-seconds']}"`);
  // Few connections: a busy server accepts about one new connection per turn of its event loop,
  // so a pool that keeps growing waits seconds for each new socket. With 16 instead of 96, the
  // scheduling bench's cold round went from 89-103 to 97-103 pods/s.
  const client = KubeClient.fromKubeconfig(f.kubeconfig, { userAgent: 'k8ts-simulated-agent', maxSockets: 16 });
  const { SimulatedAgent } = await import('../node-agent/simulated/agent.js');
  const agent = new SimulatedAgent({
    client, nodeNames, nodeIP: f['node-ip'],
    shape: { cpu: f.cpu ?? '8', memory: f.memory ?? '32Gi', pods: f.pods ?? '110', kubeletVersion: serverVersion().gitVersion, labels },
    runMs: parseDuration(f['pod-run-duration'] ?? '5s'),
    terminationMs: parseDuration(f['pod-stop-delay'] ?? '0s'),
    // The kubelet renews its lease every quarter of the lease duration (10 s of 40 s).
    leaseDurationSeconds: leaseSeconds,
    heartbeatMs: leaseSeconds * 250,
  });
  const log = logger('agent');
  await agent.start();
  log.info({ nodes: nodeNames.length, first: nodeNames[0] }, 'simulating nodes');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await agent.stop();
  client.close();
  return 0;
}
