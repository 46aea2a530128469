// A real one-node cluster for the node agent's tests: a `k8ts server` (control plane only) and a
// `k8ts agent` process running its own containerd with its own run dir, bridge, pod CIDR,
// cgroup root and data dirs, pulling test images (built from Debian packages) from a loopback
// registry. Teardown stops the agent, runs `k8ts killall` with the same settings, and checks
// that the host looks as it did before.
import { readKubeconfig } from '../../lib/kubeconfig.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { k8tsProcess } from '../../cli/launch.js';
import { issueCertificate } from '../../lib/pki.js';
import { removeEmptyTrees } from '../../lib/empty-dirs.js';
import { primaryIPv4 } from '../../node-agent/node/host-info.js';
import { networkNameFor } from '../../cni/bridge-conflist.js';
import { networkChains } from '../../cni/network-cleanup.js';
import { saveTable, linkExists, readIpForward, writeIpForward } from '../../cni/host-cleanup.js';
import { buildTestImages, type TestImages } from '../images/images.js';
import { pushImage, startRegistry, type TestRegistry } from '../images/registry.js';
import { cliPath, startCluster, eventually, type TestCluster } from '../lib/cluster.js';
import { acquireHostLock } from '../lib/host-lock.js';
import { UndoStack } from '../lib/undo.js';
import { LeftoverCheck } from '../lib/leftover-check.js';
import { freePort, hostSnapshot, missingPrerequisites, mountsUnder, pidsMentioning, type HostSnapshot } from './cri-harness.js';

export { missingPrerequisites };

const ROUTE_LOCALNET = '/proc/sys/net/ipv4/conf/all/route_localnet';

export interface AgentEnv {
  c: TestCluster;
  id: string;
  nodeName: string;
  /** busybox in the loopback registry. */
  image: string;
  /** busybox in a registry that wants `authUser` / `authPassword`. */
  authImage: string;
  authUser: string;
  authPassword: string;
  tmp: string;
  runDir: string;
  bridge: string;
  network: string;
  podCIDR: string;
  manifests: string;
  agentLog: string;
  images: TestImages;
  registry: TestRegistry;
  /**
   * Starts the agent (again) and waits for its node to be Ready; with `server`, it is pointed at
   * that API server URL instead and nothing is waited for. `args` go after the usual ones (the
   * last of a flag wins), e.g. to restart it in another proxy mode.
   */
  startAgent(opts?: { server?: string; args?: string[] }): Promise<void>;
  /** SIGTERM and wait: pods keep running. */
  stopAgent(): Promise<void>;
  /** PID of the running agent process. */
  agentPid(): number | undefined;
  /** Our containerd's socket. */
  criSocket: string;
  /** `k8ts killall` with this environment's settings. */
  /** `k8ts killall` for this agent; `byDataDir`: only --data-dir, the rest as the agent recorded it. */
  killall(opts?: { byDataDir?: boolean }): Promise<string>;
  /** Runs kubectl; throws with stderr on failure. */
  k(...args: string[]): Promise<string>;
  apply(yaml: string): Promise<void>;
  pod(name: string, namespace?: string): Promise<PodJson>;
  /** Undo everything; resolves with what could not be cleaned. */
  teardown(): Promise<string[]>;
  /** What of the environment is still on the host: after teardown, as read before the host lock went. */
  leftovers(): Promise<string[]>;
  hostBefore: HostSnapshot;
  /** host:port of the service proxy's metrics (kube-proxy's 10249 elsewhere). */
  proxyMetrics: string;
  /** The cluster's service range. */
  serviceCIDR: string;
}

/** The pod fields tests look at. */
export interface PodJson {
  metadata: { name: string; uid: string; annotations?: Record<string, string> };
  status: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string; reason?: string }[];
    containerStatuses?: ContainerStatusJson[];
    initContainerStatuses?: ContainerStatusJson[];
  };
}

export interface ContainerStatusJson {
  name: string;
  ready: boolean;
  restartCount: number;
  containerID?: string;
  state: { running?: { startedAt: string }; waiting?: { reason?: string; message?: string }; terminated?: TerminatedJson };
  lastState: { terminated?: TerminatedJson };
}

/** A container's finished run, as its status reports it (now, or as the last state). */
export interface TerminatedJson {
  exitCode: number;
  reason?: string;
  startedAt?: string;
  finishedAt?: string;
  containerID?: string;
}

export interface AgentEnvOptions {
  /** The agent's --sync-frequency (tests use 5s so volume updates show quickly). */
  syncFrequency?: string;
  /** NODE_OPTIONS for the agent process. */
  nodeOptions?: string;
  /** Extra node arguments for the agent process (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /**
   * The agent runs inside `k8ts server`, as a user's first command runs it: starting and
   * stopping the agent starts and stops the server.
   */
  embedded?: boolean;
  /** The agent joins with the server's node-token (its own certificates) instead of the admin kubeconfig. */
  join?: boolean;
  /** More agent flags (e.g. a shorter --iptables-sync-period). */
  agentArgs?: string[];
  /** Extra `k8ts server` flags (e.g. a shorter --metric-resolution). */
  serverArgs?: string[];
}

export async function setupAgentEnv(opts: AgentEnvOptions = {}): Promise<AgentEnv> {
  const release = await acquireHostLock();
  const undo = new UndoStack();
  const check = new LeftoverCheck(agentLeftovers);
  undo.push(check.lockStep(release));
  const onSignal = (): void => {
    void undo.teardown().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  undo.push({ what: 'signal handlers', fn: async () => { process.removeListener('SIGINT', onSignal); process.removeListener('SIGTERM', onSignal); } });
  try {
    const env = await build(undo, opts, () => check.result());
    check.env = env;
    return env;
  } catch (err) {
    await undo.teardown();
    throw err;
  }
}

async function build(undo: UndoStack, opts: AgentEnvOptions, leftovers: () => Promise<string[]>): Promise<AgentEnv> {
  const hostBefore = await hostSnapshot();
  const ipForward = hostBefore.ipForward;
  // The service proxy turns route_localnet on (NodePorts on 127.0.0.1); a test host gets its own value back.
  const routeLocalnet = await readFile(ROUTE_LOCALNET, 'utf8');
  const id = randomBytes(2).toString('hex');
  const bridge = `k8tsag${id}`;
  const network = networkNameFor(bridge);
  const podNet = 96 + (parseInt(id, 16) % 32);
  const clusterCIDR = `198.18.${podNet}.0/24`;
  const tmp = await mkdtemp('/tmp/k8ts-agent-e2e-');
  const runDir = `/run/k8ts-ag-${id}`;
  const cgroupRoot = `/k8ts-ag-${id}`;
  const nodeName = `agent-e2e-${id}`;
  const dataDir = join(tmp, 'data');
  const manifests = join(tmp, 'manifests');
  const agentLog = join(tmp, 'agent.log');
  await mkdir(join(dataDir, 'agent', 'images'), { recursive: true });
  await mkdir(manifests, { recursive: true });
  undo.push({
    what: 'host state',
    fn: async () => {
      if ((await readIpForward()) !== ipForward) await writeIpForward(ipForward);
      if ((await readFile(ROUTE_LOCALNET, 'utf8')) !== routeLocalnet) await writeFile(ROUTE_LOCALNET, routeLocalnet);
      // Host-wide dirs this run created (libcni's cache, containerd's shim sockets) go when empty.
      await removeEmptyTrees(Object.entries(hostBefore.sharedDirs).filter(([, existed]) => !existed).map(([d]) => d));
    },
  });
  undo.push({ what: 'temp dirs', fn: async () => { await rm(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }); await rm(runDir, { recursive: true, force: true }); } });

  const images = await buildTestImages(join(tmp, 'images'));
  await copyFile(images.pauseArchive, join(dataDir, 'agent', 'images', 'pause.tar'));
  const registry = await startRegistry({ dir: join(tmp, 'registry'), port: await freePort() });
  undo.push({ what: 'registry', fn: () => registry.stop() });
  await pushImage(images.layout, 'busybox', `${registry.host}/library/busybox:latest`);
  const auth = { username: 'puller', password: `pw-${id}` };
  const authRegistry = await startRegistry({ dir: join(tmp, 'registry-auth'), port: await freePort(), auth });
  undo.push({ what: 'auth registry', fn: () => authRegistry.stop() });
  await pushImage(images.layout, 'busybox', `${authRegistry.host}/private/busybox:1.0`, { creds: auth });
  const registries = join(tmp, 'registries.yaml');
  const mirror = (host: string) => `  "${host}":\n    endpoint: ["http://${host}"]\n`;
  await writeFile(registries, `mirrors:\n${mirror(registry.host)}${mirror(authRegistry.host)}`);

  const proxyMetrics = `127.0.0.1:${await freePort()}`;
  const hostFlags = [
    '--node-name', nodeName, '--run-dir', runDir,
    '--cni-conf-dir', join(tmp, 'cni', 'net.d'), '--cni-bridge', bridge, '--cni-ipam-dir', join(tmp, 'cni', 'ipam'), '--cgroup-root', cgroupRoot,
  ];
  const flags = ['--data-dir', dataDir, ...hostFlags];
  const podFlags = [
    '--pod-logs-dir', join(tmp, 'logs'), '--pod-manifest-path', manifests, '--kubelet-port', '0', '--stream-server-port', String(await freePort()),
    '--private-registry', registries, '--sync-frequency', opts.syncFrequency ?? '5s',
    '--cluster-cidr', clusterCIDR, '--proxy-metrics-address', proxyMetrics,
    // Not the host's 80 and 443: a test's own ports (agentArgs may name them: the last one wins).
    '--ingress-http-port', String(await freePort()), '--ingress-https-port', String(await freePort()), ...(opts.agentArgs ?? []),
  ];
  const clusterFlags = ['--cluster-cidr', clusterCIDR, '--node-cidr-mask-size', '24', ...(opts.serverArgs ?? [])];
  // Embedded: the server's data dir is the agent's (its serving certificate comes from the CA there).
  const c = await startCluster(opts.embedded
    ? { args: [...clusterFlags, ...hostFlags, ...podFlags], dataDir, agent: true }
    : { args: clusterFlags });
  undo.push({ what: 'cluster', fn: () => c.destroy() });
  // The separate agent's serving certificate, from the cluster CA the API server verifies it with.
  const ca = { cert: await readFile(join(c.dataDir, 'pki', 'ca.crt'), 'utf8'), key: await readFile(join(c.dataDir, 'pki', 'ca.key'), 'utf8') };
  const serving = issueCertificate(ca, { commonName: nodeName, dnsNames: [nodeName], ips: [primaryIPv4(), '127.0.0.1'], usage: 'server' });
  await writeFile(join(tmp, 'kubelet.crt'), serving.cert);
  await writeFile(join(tmp, 'kubelet.key'), serving.key, { mode: 0o600 });
  const agentArgs = opts.join
    ? ['agent', '--server', readKubeconfig(c.kubeconfig).server, '--token', (await readFile(join(c.dataDir, 'node-token'), 'utf8')).trim(), ...flags, ...podFlags, '--cluster-cidr', clusterCIDR]
    : [
      'agent', '--kubeconfig', c.kubeconfig, ...flags, ...podFlags, '--cluster-cidr', clusterCIDR,
      '--tls-cert-file', join(tmp, 'kubelet.crt'), '--tls-private-key-file', join(tmp, 'kubelet.key'),
    ];
  let agent: ChildProcess | undefined;
  const stopAgent = async (): Promise<void> => {
    const p = agent;
    agent = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await exited;
  };
  const waitForNode = (isUp: () => Promise<boolean>) => eventually(async () => {
    const out = await c.kubectl(['get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    return out.stdout === 'True' && (await isUp());
  }, 120_000, 250);
  const embeddedAgentUp = (logsFrom: number) => async () => c.logs.slice(logsFrom).some((l) => l.includes('"agent running"'));
  const startEmbedded = async (): Promise<void> => {
    const from = c.logs.length;
    await c.start();
    await waitForNode(embeddedAgentUp(from));
  };
  const startAgent = async (start: { server?: string; args?: string[] } = {}): Promise<void> => {
    const fd = openSync(agentLog, 'a');
    const launch = k8tsProcess(cliPath, [...agentArgs, ...(start.server ? ['--server', start.server] : []), ...(start.args ?? [])], opts.nodeArgs, { ...process.env, ...(opts.nodeOptions ? { NODE_OPTIONS: opts.nodeOptions } : {}) });
    const p = spawn(launch.file, launch.args, { stdio: ['ignore', fd, fd], env: launch.env });
    closeSync(fd);
    agent = p;
    if (start.server) return;
    const logStart = (await readFile(agentLog, 'utf8')).length;
    const tail = async () => (await readFile(agentLog, 'utf8')).split('\n').slice(-15).join('\n');
    await waitForNode(async () => {
      if (p.exitCode !== null) throw new Error(`agent exited ${p.exitCode}:\n${await tail()}`);
      return (await readFile(agentLog, 'utf8')).slice(logStart).includes('"agent running"');
    }).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}: the node did not turn Ready; the agent's last lines:\n${await tail()}`);
    });
  };
  const killall = async (k: { byDataDir?: boolean } = {}): Promise<string> => {
    const { run } = await import('../lib/cluster.js');
    const where = k.byDataDir ? [] : ['--run-dir', runDir, '--cni-bridge', bridge, '--cni-ipam-dir', join(tmp, 'cni', 'ipam'), '--cgroup-root', cgroupRoot];
    const r = await run(process.execPath, [cliPath, 'killall', '--data-dir', dataDir, ...where], undefined, 120_000);
    if (r.code !== 0) throw new Error(`killall failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  // Whatever a test left: stop the agent, then killall cleans the host.
  const stop = opts.embedded ? () => c.stop() : stopAgent;
  undo.push({ what: 'agent and pods', fn: async () => { await stop(); await killall(); } });
  if (opts.embedded) await waitForNode(embeddedAgentUp(0));
  else await startAgent();

  const k = async (...args: string[]): Promise<string> => c.k(...args);
  const env: AgentEnv = {
    c, id, nodeName, image: `${registry.host}/library/busybox:latest`, tmp,
    authImage: `${authRegistry.host}/private/busybox:1.0`, authUser: auth.username, authPassword: auth.password, runDir, bridge, network, podCIDR: clusterCIDR, manifests,
    agentLog, images, registry, startAgent: opts.embedded ? startEmbedded : startAgent, stopAgent: stop, killall, k, hostBefore, teardown: undo.teardown, leftovers,
    proxyMetrics, serviceCIDR: '10.43.0.0/16',
    agentPid: () => agent?.pid, criSocket: join(runDir, 'containerd', 'containerd.sock'),
    async apply(yaml) {
      const r = await c.kubectl(['apply', '--validate=false', '-f', '-'], { stdin: yaml });
      if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
    },
    async pod(name, namespace = 'default') {
      return JSON.parse(await c.k('get', 'pod', name, '-n', namespace, '-o', 'json')) as PodJson;
    },
  };
  return env;
}

/** What of the environment is still on the host (after teardown: nothing). */
async function agentLeftovers(env: AgentEnv): Promise<string[]> {
  const left: string[] = [];
  if (await linkExists(env.bridge)) left.push(`link ${env.bridge}`);
  for (const t of ['nat', 'filter'] as const) {
    const chains = networkChains(await saveTable(t), env.network);
    if (chains.length) left.push(`iptables ${t}: ${chains.join(', ')}`);
  }
  const mounts = await mountsUnder([env.tmp, env.runDir]);
  if (mounts.length) left.push(`mounts: ${mounts.join(', ')}`);
  if ((await pidsMentioning(env.runDir)).length) left.push(`processes using ${env.runDir}`);
  if (existsSync(env.tmp)) left.push(env.tmp);
  if (existsSync(env.runDir)) left.push(env.runDir);
  const now = await hostSnapshot();
  for (const key of ['links', 'cgroups', 'iptables', 'ipForward', 'sharedDirs'] as const) {
    if (JSON.stringify(now[key]) !== JSON.stringify(env.hostBefore[key])) left.push(`host ${key} changed: ${JSON.stringify(env.hostBefore[key])} -> ${JSON.stringify(now[key])}`);
  }
  return left;
}

/** Polls a pod until `check` accepts it. */
export async function waitForPod(env: AgentEnv, name: string, check: (p: PodJson) => boolean, timeoutMs = 60_000): Promise<PodJson> {
  let last: PodJson | undefined;
  try {
    return await eventually(async () => {
      const p = await env.pod(name).catch(() => undefined);
      last = p ?? last;
      return p && check(p) ? p : undefined;
    }, timeoutMs, 200);
  } catch (err) {
    const events = await env.k('get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}').catch(() => '');
    throw new Error(`pod ${name}: ${(err as Error).message}\nstatus: ${JSON.stringify(last?.status)}\nevents:\n${events}`);
  }
}

/** A Deployment `web` of busybox httpd pods on port 8080, Ready once the server answers. */
export function httpdDeployment(image: string, replicas: number, command = '[httpd, -f, -p, "8080", -h, /var/www]'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: httpd
        image: ${image}
        command: ${command}
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1}
`;
}

export function cond(p: PodJson, type: string): string | undefined {
  return p.status.conditions?.find((c) => c.type === type)?.status;
}
