// The world the streaming end-to-end tests run in, without a kubelet: a real `k8ts server`, our
// supervised containerd with busybox from the loopback registry, a pod made directly through
// CRI (sandbox and containers labelled as the kubelet labels them, logs where it puts them),
// the node agent's HTTPS server in this process, and Node and Pod objects that point at both.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { issueCertificate } from '../../lib/pki.js';
import type { Pod } from '../../lib/client/types.js';
import type { ContainerConfig, PodSandboxConfig } from '../../node-agent/cri/index.js';
import { hostCgroupLayout, ResourceCollector } from '../../node-agent/stats/collector.js';
import { KubeletLabels, startAgentServer, type AgentServer } from '../../node-agent/server/index.js';
import { startCluster, type TestCluster } from '../lib/cluster.js';
import { setupCriEnv, type CriEnv } from './cri-harness.js';

export const NODE = 'stream-node';
export const POD = 'web';
export const NS = 'default';

/** What each container of the test pod runs. */
const scripts: Record<string, string[]> = {
  httpd: ['httpd', '-f', '-v', '-p', '8080', '-h', '/var/www'],
  // Known lines, then a late one on stderr, then quiet (so --since can exclude everything).
  logger: ['sh', '-c', 'for i in 1 2 3 4 5; do echo "line $i"; done; sleep 1; echo oops >&2; exec sleep 3600'],
  // Answers every line on its stdin (kubectl attach -i).
  reader: ['sh', '-c', 'while read line; do echo "got:$line"; done; exec sleep 3600'],
};

export interface StreamingFixture {
  cluster: TestCluster;
  env: CriEnv;
  agent: AgentServer;
  podIP: string;
  sandboxId: string;
  containerIds: Record<string, string>;
  /** A node log directory the agent serves under /logs/. */
  nodeLogDir: string;
  /** Starts one more container in the pod (named in the pod spec); returns its ID. */
  startContainer(name: string, command: string[], attempt?: number): Promise<string>;
  /** Sets a container's status as the kubelet would report it (the agent reads logs by it). */
  setContainerStatus(name: string, status: Record<string, unknown>): void;
  teardown(): Promise<void>;
}

export async function setupStreamingFixture(extraContainers: string[]): Promise<StreamingFixture> {
  const cluster = await startCluster();
  let env: CriEnv | undefined;
  let agent: AgentServer | undefined;
  const tmp = await mkdtemp(join(tmpdir(), 'k8ts-stream-'));
  const teardown = async (): Promise<void> => {
    await agent?.close();
    await env?.teardown();
    await cluster.destroy();
    await rm(tmp, { recursive: true, force: true });
  };
  try {
    // The harness takes the host lock: runtime tests take turns.
    env = await setupCriEnv();
    const image = `${env.registry.host}/library/busybox:latest`;
    await env.cri.image.pullImage({ image });

    // The Pod first: its UID goes on the runtime's objects, as the kubelet does.
    const names = [...Object.keys(scripts), ...extraContainers];
    const podSpec = {
      nodeName: NODE,
      terminationGracePeriodSeconds: 0,
      containers: names.map((n) => ({
        name: n, image: 'busybox',
        ...(n === 'httpd' ? { ports: [{ containerPort: 8080 }] } : {}),
        ...(n === 'reader' ? { stdin: true } : {}),
      })),
    };
    const created = await cluster.http('POST', `/api/v1/namespaces/${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: POD }, spec: podSpec });
    if (created.status !== 201) throw new Error(`creating the pod: ${created.body}`);
    const uid = created.json<Pod>().metadata?.uid ?? '';

    const podLabels = { [KubeletLabels.podName]: POD, [KubeletLabels.podNamespace]: NS, [KubeletLabels.podUid]: uid };
    const logDir = join(env.logRoot, `${NS}_${POD}_${uid}`);
    const sandbox: PodSandboxConfig = {
      metadata: { name: POD, uid, namespace: NS, attempt: 0 },
      hostname: POD,
      log_directory: logDir,
      labels: podLabels,
      linux: {
        cgroup_parent: env.cgroupParent,
        security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
      },
    };
    await mkdir(logDir, { recursive: true });
    const cri = env.cri;
    const sandboxId = await cri.runtime.runPodSandbox(sandbox);
    const podIP = (await cri.runtime.podSandboxStatus(sandboxId)).status?.network?.ip ?? '';

    const statuses = new Map<string, Record<string, unknown>>();
    const startContainer = async (name: string, command: string[], attempt = 0): Promise<string> => {
      const config: ContainerConfig = {
        metadata: { name, attempt },
        image: { image },
        command,
        labels: { ...podLabels, [KubeletLabels.containerName]: name },
        log_path: `${name}/${attempt}.log`,
        ...(name === 'reader' ? { stdin: true } : {}),
      };
      const id = await cri.runtime.createContainer(sandboxId, config, sandbox);
      await cri.runtime.startContainer(id);
      statuses.set(name, runningStatus(name, id, attempt));
      return id;
    };
    const containerIds: Record<string, string> = {};
    for (const [name, command] of Object.entries(scripts)) containerIds[name] = await startContainer(name, command);

    const pod = (): Pod => ({
      ...created.json<Pod>(),
      status: {
        phase: 'Running', podIP, podIPs: [{ ip: podIP }], hostIP: '127.0.0.1',
        containerStatuses: names.map((n) => (statuses.get(n) ?? { name: n, ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }) as never),
      },
    });
    const status = await cluster.http('PUT', `/api/v1/namespaces/${NS}/pods/${POD}/status`, pod());
    if (status.status !== 200) throw new Error(`setting pod status: ${status.body}`);

    // The agent, with a serving certificate from the cluster's CA, as an agent joining would get.
    const pki = join(cluster.dataDir, 'pki');
    const ca = { cert: await readFile(join(pki, 'ca.crt'), 'utf8'), key: await readFile(join(pki, 'ca.key'), 'utf8') };
    const serving = issueCertificate(ca, { commonName: NODE, ips: ['127.0.0.1'], dnsNames: [NODE], usage: 'server' });
    const nodeLogDir = join(tmp, 'node-logs');
    await mkdir(join(nodeLogDir, 'k8ts'), { recursive: true });
    await writeFile(join(nodeLogDir, 'syslog'), 'node log line\n');
    const pods = {
      getPod: (ns: string, name: string) => (ns === NS && name === POD ? pod() : undefined),
      listPods: () => [pod()],
    };
    const startedAt = new Date();
    const resources = new ResourceCollector({
      cri, nodeName: NODE, nodeStartTime: startedAt, listPods: pods.listPods, layout: await hostCgroupLayout(), cgroupDriver: 'cgroupfs', cgroupRoot: '/k8ts',
    });
    agent = await startAgentServer({
      address: '127.0.0.1', port: 0, tls: { cert: serving.cert, key: serving.key }, clientCA: ca.cert,
      context: { cri, nodeName: NODE, nodeLogDir, startedAt, pods, resources },
    });

    const node = await cluster.http('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } });
    if (node.status !== 201) throw new Error(`creating the node: ${node.body}`);
    const nodeStatus = await cluster.http('PATCH', `/api/v1/nodes/${NODE}/status`, {
      status: {
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: NODE }],
        daemonEndpoints: { kubeletEndpoint: { Port: agent.port } },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'test agent', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
      },
    }, { 'Content-Type': 'application/merge-patch+json' });
    if (nodeStatus.status !== 200) throw new Error(`setting node status: ${nodeStatus.body}`);

    return {
      cluster, env, agent, podIP, sandboxId, containerIds, nodeLogDir, startContainer, teardown,
      setContainerStatus: (name, s) => void statuses.set(name, { name, image: 'busybox', imageID: '', ...s }),
    };
  } catch (err) {
    await teardown().catch(() => undefined);
    throw err;
  }
}

function runningStatus(name: string, id: string, restartCount: number): Record<string, unknown> {
  return {
    name, ready: true, started: true, restartCount, image: 'busybox', imageID: '', containerID: `containerd://${id}`,
    state: { running: { startedAt: new Date().toISOString() } },
  };
}

/** kubectl binaries the tests drive: WebSocket (1.30+) and SPDY-only (1.27). */
export const KUBECTL_WS = process.env.KUBECTL_WS ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
export const KUBECTL_SPDY = process.env.KUBECTL_SPDY ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';

/** A long-running kubectl (follow, port-forward, attach) whose output is watched as it comes. */
export class RunningKubectl {
  readonly proc: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number>;

  constructor(binary: string, cluster: TestCluster, args: string[]) {
    this.proc = spawn(binary, ['--kubeconfig', cluster.kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d: Buffer) => (this.stdout += d));
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, sig) => resolve(code ?? (sig ? 128 : -1))));
  }

  /** Resolves once stdout matches, or rejects after `ms`. */
  async waitFor(re: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = re.exec(this.stdout);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; stdout: ${JSON.stringify(this.stdout)} stderr: ${JSON.stringify(this.stderr)}`);
      if (this.proc.exitCode !== null) throw new Error(`kubectl exited (${this.proc.exitCode}) before ${re}; stdout: ${JSON.stringify(this.stdout)} stderr: ${JSON.stringify(this.stderr)}`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
    await this.exited;
  }
}
