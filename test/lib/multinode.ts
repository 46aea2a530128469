// A real multi-node cluster on one machine, the way docs/install.md tells users to try one: a
// `k8ts server` on the host (control plane only) and N `k8ts agent`s, each started with
// `ip netns exec hN` in its own network namespace (test/lib/netns-hosts.ts) with its own
// containerd, data dir, run dir, cgroup root and CNI dirs, joined with the server's node-token.
// Pods run on real containerd and talk across nodes over the agents' VXLAN overlay.
// Images come as airgap archives in each agent's data dir: nothing is pulled.
// Reusable: the NetworkPolicy tests use it for cross-node cases.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { k8tsProcess } from '../../cli/launch.js';
import { removeEmptyTrees } from '../../lib/empty-dirs.js';
import { BUSYBOX_IMAGE, buildTestImages } from '../images/images.js';
import { cliPath, eventually, run, startCluster, type TestCluster } from './cluster.js';
import { acquireHostLock } from './host-lock.js';
import { createTopology, leftoverNamespaces, type NetnsHost, type NetnsTopology } from './netns-hosts.js';
import { UndoStack } from './undo.js';

export const MULTINODE_PREFIX = 'k8tsmn-';
/** The root namespace's address on the hosts' switch: where the server is reached. */
export const SERVER_IP = '192.168.77.254';
/** Directories a first run on a fresh host makes; they go again when left empty. */
const SHARED_DIRS = ['/var/lib/cni', '/run/netns', '/var/run/netns', '/run/flannel'];

export interface MultinodeNode {
  host: NetnsHost;
  name: string;
  dataDir: string;
  runDir: string;
  cgroupRoot: string;
  log: string;
  /** Starts the agent (again) and waits for its Node to be Ready. */
  start(): Promise<void>;
  /** SIGTERM and wait; pods keep running. */
  stop(): Promise<void>;
  /** `ip netns exec hN k8ts killall --data-dir D`. */
  killall(): Promise<string>;
  /** Runs a program inside the node's network namespace. */
  exec(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

export interface Multinode {
  c: TestCluster;
  topo: NetnsTopology;
  nodes: MultinodeNode[];
  /** busybox, already in every node's containerd (use imagePullPolicy IfNotPresent). */
  image: string;
  tmp: string;
  k(...args: string[]): Promise<string>;
  apply(yaml: string): Promise<void>;
  /** Undoes everything; resolves with what could not be cleaned. */
  teardown(): Promise<string[]>;
}

export interface MultinodeOptions {
  nodes?: number;
  /** More flags for every agent. */
  agentArgs?: string[];
  /** More flags for the server. */
  serverArgs?: string[];
}

export async function setupMultinode(opts: MultinodeOptions = {}): Promise<Multinode> {
  const undo = new UndoStack();
  undo.push({ what: 'host lock', fn: await acquireHostLock() });
  const onSignal = (): void => void undo.teardown().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  undo.push({ what: 'signal handlers', fn: async () => { process.removeListener('SIGINT', onSignal); process.removeListener('SIGTERM', onSignal); } });
  try {
    return await build(undo, opts);
  } catch (err) {
    await undo.teardown();
    throw err;
  }
}

async function build(undo: UndoStack, opts: MultinodeOptions): Promise<Multinode> {
  const stale = await leftoverNamespaces(MULTINODE_PREFIX);
  if (stale.length) throw new Error(`namespaces of an earlier run are still there: ${stale.join(', ')} (ip netns del them)`);
  const fresh = SHARED_DIRS.filter((d) => !existsSync(d));
  undo.push({ what: 'shared dirs', fn: async () => void (await removeEmptyTrees(fresh)) });
  const tmp = await mkdtemp('/tmp/k8ts-multinode-');
  undo.push({ what: 'temp dir', fn: () => rm(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }) });
  const images = await buildTestImages(join(tmp, 'images'));

  const topo = await createTopology(opts.nodes ?? 2, { prefix: MULTINODE_PREFIX, pods: false, hostLink: SERVER_IP });
  undo.push({ what: 'namespaces', fn: () => topo.destroy() });

  // 0.0.0.0: kubectl here uses 127.0.0.1, the agents SERVER_IP; pods reach it as 10.43.0.1.
  const c = await startCluster({
    args: ['--bind-address', '0.0.0.0', '--advertise-address', SERVER_IP, '--tls-san', SERVER_IP, '--cluster-cidr', '10.42.0.0/16', '--node-cidr-mask-size', '24', ...(opts.serverArgs ?? [])],
  });
  undo.push({ what: 'server', fn: () => c.destroy() });
  const token = (await readFile(join(c.dataDir, 'node-token'), 'utf8')).trim();

  const nodes: MultinodeNode[] = [];
  for (const host of topo.hosts) {
    const node = await makeNode(host, topo, tmp, token, `https://${SERVER_IP}:${c.port}`, opts.agentArgs ?? []);
    await copyFile(images.pauseArchive, join(node.dataDir, 'agent', 'images', 'pause.tar'));
    await copyFile(images.busyboxArchive, join(node.dataDir, 'agent', 'images', 'busybox.tar'));
    // Before the namespaces go: the agent stops, then its killall cleans what it left.
    undo.push({ what: `agent ${node.name}`, fn: async () => { await node.stop(); await node.killall(); } });
    nodes.push(node);
  }
  await Promise.all(nodes.map((n) => n.start()));

  return {
    c, topo, nodes, image: BUSYBOX_IMAGE, tmp, teardown: undo.teardown,
    k: (...args) => c.k(...args),
    async apply(yaml) {
      const r = await c.kubectl(['apply', '-f', '-'], { stdin: yaml });
      if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
    },
  };
}

async function makeNode(host: NetnsHost, topo: NetnsTopology, tmp: string, token: string, server: string, extra: string[]): Promise<MultinodeNode> {
  const name = `mn-${topo.id}-h${host.n}`;
  const dir = join(tmp, `h${host.n}`);
  const dataDir = join(dir, 'data');
  const runDir = `/run/k8ts-mn-${topo.id}-h${host.n}`;
  const cgroupRoot = `/k8ts-mn-${topo.id}-h${host.n}`;
  const log = join(dir, 'agent.log');
  await mkdir(join(dataDir, 'agent', 'images'), { recursive: true });
  const args = [
    'agent', '--server', server, '--token', token, '--node-name', name, '--node-ip', host.ip, '--data-dir', dataDir,
    '--run-dir', runDir, '--cgroup-root', cgroupRoot, '--cni-conf-dir', join(dir, 'cni', 'net.d'), '--cni-ipam-dir', join(dir, 'cni', 'ipam'),
    '--pod-logs-dir', join(dir, 'logs'), '--pod-manifest-path', join(dir, 'manifests'), '--sync-frequency', '5s', '--cluster-cidr', '10.42.0.0/16',
    ...extra,
  ];
  let agent: ChildProcess | undefined;
  const inNetns = (file: string, a: string[]) => run('ip', ['netns', 'exec', host.ns, file, ...a], undefined, 120_000);
  const node: MultinodeNode = {
    host, name, dataDir, runDir, cgroupRoot, log,
    async start() {
      const launch = k8tsProcess(cliPath, args);
      const fd = openSync(log, 'a');
      const p = spawn('ip', ['netns', 'exec', host.ns, launch.file, ...launch.args], { stdio: ['ignore', fd, fd], env: launch.env });
      closeSync(fd);
      agent = p;
      const from = (await readFile(log, 'utf8')).length;
      const tail = async () => (await readFile(log, 'utf8')).split('\n').slice(-15).join('\n');
      await eventually(async () => {
        if (p.exitCode !== null) throw new Error(`agent ${name} exited ${p.exitCode}:\n${await tail()}`);
        return (await readFile(log, 'utf8')).slice(from).includes('"agent running"');
      }, 180_000, 250).catch(async (err: unknown) => {
        throw new Error(`${(err as Error).message}\nagent ${name} did not come up; its last lines:\n${await tail()}`);
      });
    },
    async stop() {
      const p = agent;
      agent = undefined;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      await Promise.race([exited, sleep(30_000)]);
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      await exited;
    },
    async killall() {
      const r = await inNetns(process.execPath, [cliPath, 'killall', '--data-dir', dataDir]);
      if (r.code !== 0) throw new Error(`killall of ${name} failed (${r.code}): ${r.stderr}`);
      await rm(runDir, { recursive: true, force: true });
      return r.stdout;
    },
    exec: inNetns,
  };
  return node;
}
