// A complete, disposable CRI environment on the real host: test images built from Debian
// packages, loopback registries, our supervised containerd in temp dirs with its own socket,
// state and runc root, and a bridge CNI network on a dedicated bridge and test-only CIDR.
// Teardown undoes everything it created - pods, containerd, shims, mounts, the bridge, new
// CNI iptables chains, ip_forward, temp dirs - and leaves anything else on the host alone.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostExec } from '../../lib/exec.js';
import { removeEmptyTrees } from '../../lib/empty-dirs.js';
import { mountPointsUnder } from '../../lib/mounts.js';
import { logger } from '../../lib/log.js';
import { networkNameFor, writeBridgeConflist } from '../../cni/bridge-conflist.js';
import { idleHostportChains, networkChains } from '../../cni/network-cleanup.js';
import { acquireHostLock } from '../lib/host-lock.js';
import { UndoStack } from '../lib/undo.js';
import { LeftoverCheck } from '../lib/leftover-check.js';
import {
  cniChains,
  deleteLink,
  isInertTable,
  linkExists,
  presentTables,
  readIpForward,
  removeChains,
  removeEmptyNftTable,
  saveTable,
  writeIpForward,
  type IptablesTable,
} from '../../cni/host-cleanup.js';
import { connectCri, waitForCriReady, type CriClient } from '../../node-agent/cri/index.js';
import { startContainerRuntime, type ContainerRuntime } from '../../node-agent/containerd/index.js';
import { buildTestImages, IMAGE_TOOLS, type TestImages } from '../images/images.js';
import { pushImage, startRegistry, type TestRegistry } from '../images/registry.js';
import { idsUnder, removeTestCgroups, testCgroupParent, topLevelCgroups } from './cri-cgroups.js';

const log = logger('cri-e2e');

/** Dedicated names so a real k8ts node (cni0, 10.42.0.0/24) on the same host is not disturbed. */
export const TEST_BRIDGE = 'k8tse2e0';
/** Our CNI network's name: iptables chains and IPAM carry it, so cleanup touches only ours. */
export const TEST_NETWORK = networkNameFor(TEST_BRIDGE);
/** RFC 2544 benchmarking range: never routed on real networks. */
export const TEST_POD_CIDR = '198.18.42.0/24';
export const REGISTRY_PORT = 5000;
export const AUTH = { username: 'k8ts', password: 'e2e-secret' };

const TOOLS = ['containerd', 'ctr', 'runc', 'iptables-save', 'iptables-restore', 'ip', 'docker-registry', 'perl', ...IMAGE_TOOLS];
const TABLES: IptablesTable[] = ['nat', 'filter'];

export interface CriEnv {
  tmp: string;
  runDir: string;
  dataDir: string;
  /** Pod log dirs go under here. */
  logRoot: string;
  images: TestImages;
  registry: TestRegistry;
  authRegistry: TestRegistry;
  runtime: ContainerRuntime;
  cri: CriClient;
  streamPort: number;
  /** Put test pods here (sandbox linux.cgroup_parent) so teardown can find them. */
  cgroupParent: string;
  /** Host network state before setup, to compare against after teardown. */
  hostBefore: HostSnapshot;
  /** Undo everything; safe to call twice. Resolves with what could not be cleaned. */
  teardown(): Promise<string[]>;
  /** What of ours is still on the host: after teardown, as read before the host lock went. */
  leftovers(): Promise<string[]>;
}

export interface HostSnapshot {
  links: string[];
  cgroups: string[];
  iptables: Record<string, string[]>;
  ipForward: string;
  sharedDirs: Record<string, boolean>;
}

// Host-wide dirs a run may create: libcni's cache, containerd 1.6 shim sockets
// (/run/containerd/s, whatever the state dir), netns, util-linux's /run/mount (umount).
export const SHARED_DIRS = ['/var/lib/cni', '/run/containerd', '/var/run/netns', '/var/lib/containerd', '/opt/containerd', '/run/mount'];

/** What a run could change on the host outside its own temp dirs. */
export async function hostSnapshot(): Promise<HostSnapshot> {
  const links = (await hostExec('ip', ['-o', 'link', 'show'])).stdout
    .split('\n')
    .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '')
    .filter(Boolean)
    .sort();
  const iptables: Record<string, string[]> = {};
  for (const t of await presentTables()) {
    const saved = await saveTable(t as IptablesTable);
    // iptables-nft leaves an inert table behind that only `nft` can delete. Without nft it is
    // counted as no table (it behaves as none); with nft, teardown must delete it.
    if (!isInertTable(saved) || onPath('nft')) iptables[t] = saved.chains.sort();
  }
  const sharedDirs: Record<string, boolean> = {};
  for (const d of SHARED_DIRS) sharedDirs[d] = existsSync(d);
  return { links, cgroups: await topLevelCgroups(), iptables, ipForward: await readIpForward(), sharedDirs };
}

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((d) => existsSync(join(d, bin)));
}

/** Why this host cannot run the real-runtime tests (empty = it can). */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root');
  for (const t of TOOLS) if (!onPath(t)) missing.push(t);
  if (!['/opt/cni/bin/bridge', '/usr/lib/cni/bridge'].some(existsSync)) missing.push('CNI plugins');
  return missing;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

/** Mount points at or below any of `roots`, deepest first. */
export const mountsUnder = mountPointsUnder;

/** PIDs whose command line mentions `needle` (e.g. our containerd socket for shims). */
export async function pidsMentioning(needle: string): Promise<number[]> {
  const out: number[] = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    const cmd = await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '');
    if (cmd.split('\0').some((a) => a.includes(needle))) out.push(Number(d));
  }
  return out;
}

export async function setupCriEnv(): Promise<CriEnv> {
  // Runtime tests (this one, the agent's) take turns on the host.
  const release = await acquireHostLock();
  if (await linkExists(TEST_BRIDGE)) {
    await release();
    throw new Error(`link ${TEST_BRIDGE} already exists; another test run is active?`);
  }
  const undo = new UndoStack((step, err) => log.error({ step, err: err.message }, 'teardown step failed'));
  const check = new LeftoverCheck(leftovers);
  undo.push(check.lockStep(release));
  const teardown = undo.teardown;

  // Ctrl-C or SIGTERM mid-run still cleans the host: stop setup where it is, then tear down.
  const setupAbort = new AbortController();
  let setupSettled: Promise<unknown> = Promise.resolve();
  const onSignal = (sig: NodeJS.Signals): void => {
    setupAbort.abort();
    void setupSettled
      .catch(() => {})
      .then(teardown)
      .finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  undo.push({
    what: 'signal handlers',
    fn: async () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  });

  const work = build(setupAbort.signal, undo, () => check.result());
  setupSettled = work;
  try {
    const env = await work;
    check.env = env;
    return env;
  } catch (err) {
    const left = await teardown();
    if (left.length) log.error({ left }, 'teardown after failed setup was incomplete');
    throw err;
  }
}

async function build(signal: AbortSignal, undo: UndoStack, leftovers: () => Promise<string[]>): Promise<CriEnv> {
  const { problems, teardown } = undo;
  // Host state we may change, recorded first so it is restored last.
  const hostBefore = await hostSnapshot();
  const chainsBefore = new Map<IptablesTable, string[]>();
  for (const t of TABLES) chainsBefore.set(t, await cniChains(t));
  const sharedDirs = SHARED_DIRS.filter((d) => !hostBefore.sharedDirs[d]);
  // Separate steps, so one that fails does not leave the others' state behind.
  undo.push({
    what: 'host-wide dirs',
    // Only if this run created them and left nothing but empty dirs.
    fn: async () => void (await removeEmptyTrees(sharedDirs)),
  });
  undo.push({
    what: 'ip_forward',
    fn: async () => {
      if ((await readIpForward()) !== hostBefore.ipForward) await writeIpForward(hostBefore.ipForward);
    },
  });
  undo.push({
    what: 'host network state',
    fn: async () => {
      await deleteLink(TEST_BRIDGE);
      for (const t of TABLES) {
        const saved = await saveTable(t);
        const ours = networkChains(saved, TEST_NETWORK);
        const hostport = idleHostportChains(saved, ours).filter((c) => !chainsBefore.get(t)?.includes(c));
        await removeChains(t, [...ours, ...hostport]);
      }
      for (const t of TABLES) if (!(t in hostBefore.iptables)) await removeEmptyNftTable(t);
    },
  });

  const tmp = await mkdtemp('/tmp/k8ts-cri-e2e-');
  // Short, so unix socket paths stay under 108 bytes.
  const runDir = await mkdtemp('/run/k8ts-cri-');
  undo.push({
    what: 'temp dirs',
    fn: async () => {
      for (const m of await mountsUnder([tmp, runDir])) {
        const r = await hostExec('umount', [m]);
        if (r.code !== 0) await hostExec('umount', ['-l', m]);
        problems.push(`had to unmount leftover ${m}`);
      }
      // Retries cover a child (image build) still writing when a signal cut setup short.
      const opts = { recursive: true, force: true, maxRetries: 10, retryDelay: 100 };
      await Promise.all([rm(tmp, opts), rm(runDir, opts)]);
    },
  });
  const dataDir = join(tmp, 'data');
  const logRoot = join(tmp, 'pod-logs');
  const cniConfDir = join(tmp, 'cni', 'net.d');
  await mkdir(logRoot, { recursive: true });

  const t0 = performance.now();
  const images = await buildTestImages(join(tmp, 'images'), signal);
  log.info({ ms: Math.round(performance.now() - t0) }, 'test images built');

  signal.throwIfAborted();
  const registry = await startRegistry({ dir: join(tmp, 'registry'), port: REGISTRY_PORT });
  undo.push({ what: 'registry', fn: () => registry.stop() });
  signal.throwIfAborted();
  const authRegistry = await startRegistry({ dir: join(tmp, 'registry-auth'), port: await freePort(), auth: AUTH });
  undo.push({ what: 'auth registry', fn: () => authRegistry.stop() });
  await pushImage(images.layout, 'busybox', `${registry.host}/library/busybox:latest`, { signal });
  await pushImage(images.layout, 'busybox', `${authRegistry.host}/library/busybox:latest`, { creds: AUTH, signal });

  // Airgap path: the sandbox image is imported at start, never pulled.
  await mkdir(join(dataDir, 'agent', 'images'), { recursive: true });
  await copyFile(images.pauseArchive, join(dataDir, 'agent', 'images', 'pause.tar'));
  const registriesFile = join(tmp, 'registries.yaml');
  await writeFile(
    registriesFile,
    [
      'mirrors:',
      `  "${registry.host}":`,
      `    endpoint: ["http://${registry.host}"]`,
      `  "${authRegistry.host}":`,
      `    endpoint: ["http://${authRegistry.host}"]`,
      'configs:',
      `  "${authRegistry.host}":`,
      '    auth:',
      `      username: ${AUTH.username}`,
      `      password: ${AUTH.password}`,
      '',
    ].join('\n'),
  );
  await writeBridgeConflist(cniConfDir, { name: TEST_NETWORK, podCidr: TEST_POD_CIDR, bridge: TEST_BRIDGE, ipamDataDir: join(tmp, 'cni', 'ipam') });

  signal.throwIfAborted();
  const streamPort = await freePort();
  const stop = new AbortController();
  // An aborted setup also stops a containerd that is still starting.
  const stopOnAbort = (): void => stop.abort();
  signal.addEventListener('abort', stopOnAbort, { once: true });
  const runtime = await startContainerRuntime({
    dataDir,
    runDir,
    signal: stop.signal,
    cniConfDir,
    registriesFile,
    streamServerPort: streamPort,
  }).finally(() => signal.removeEventListener('abort', stopOnAbort));
  const socket = runtime.paths?.socket ?? '';
  const driver = runtime.host.cgroupDriver;
  const cgroupParent = testCgroupParent(driver);
  undo.push({
    what: 'containerd',
    fn: async () => {
      stop.abort();
      await runtime.stopped;
      // Last resort after a crash: pods' processes live in our cgroup, shims name our socket,
      // and libcni's cache (a host-wide dir) has files named after our sandbox IDs.
      const ids = await idsUnder(cgroupParent);
      const killed = await removeTestCgroups(cgroupParent, driver);
      if (killed) problems.push(`killed ${killed} leftover pod process(es)`);
      // Shims of removed pods exit on their own shortly after; give them a moment.
      let shims = await pidsMentioning(socket);
      for (let i = 0; i < 100 && shims.length; i++) {
        await sleep(50);
        shims = await pidsMentioning(socket);
      }
      for (const pid of shims) process.kill(pid, 'SIGKILL');
      if (shims.length) problems.push(`killed ${shims.length} leftover shim(s)`);
      const results = '/var/lib/cni/results';
      for (const f of await readdir(results).catch(() => [] as string[])) {
        if (ids.some((id) => f.includes(id))) await rm(join(results, f), { force: true });
      }
    },
  });
  undo.push({
    what: 'pods',
    fn: async () => {
      // Tests may still be running (signal): cut them off the runtime, clean with our own client.
      runtime.cri.close();
      const cri = connectCri(runtime.endpoint, { defaultTimeoutMs: 60_000 });
      try {
        let failure: unknown;
        for (let attempt = 0; attempt < 3; attempt++) {
          failure = undefined;
          try {
            // containerd may be between restarts (supervisor backoff).
            await waitForCriReady(cri, { timeoutMs: 30_000 });
            for (const s of await cri.runtime.listPodSandbox()) {
              await cri.runtime.stopPodSandbox(s.id);
              await cri.runtime.removePodSandbox(s.id);
            }
            return;
          } catch (err) {
            failure = err;
          }
        }
        throw failure;
      } finally {
        cri.close();
      }
    },
  });
  log.info({ tmp, runDir, socket, streamPort, cgroupParent }, 'CRI test environment ready');
  return {
    tmp,
    runDir,
    dataDir,
    logRoot,
    images,
    registry,
    authRegistry,
    runtime,
    cri: runtime.cri,
    streamPort,
    cgroupParent,
    hostBefore,
    teardown,
    leftovers,
  };
}

/** For a test that asserts cleanliness: what of ours is still on the host. */
async function leftovers(env: CriEnv): Promise<string[]> {
  const left: string[] = [];
  if (await linkExists(TEST_BRIDGE)) left.push(`link ${TEST_BRIDGE}`);
  if (existsSync(env.tmp)) left.push(env.tmp);
  if (existsSync(env.runDir)) left.push(env.runDir);
  const socket = env.runtime.paths?.socket;
  if (socket && (await pidsMentioning(socket)).length) left.push('processes using our containerd socket');
  const mounts = await mountsUnder([env.tmp, env.runDir]);
  if (mounts.length) left.push(`mounts: ${mounts.join(', ')}`);
  const configFile = env.runtime.paths?.configFile;
  if (configFile && (await pidsMentioning(configFile)).length) left.push('containerd still running');
  const now = await hostSnapshot();
  for (const k of Object.keys(now) as (keyof HostSnapshot)[]) {
    if (JSON.stringify(now[k]) !== JSON.stringify(env.hostBefore[k])) {
      left.push(`host ${k} changed: ${JSON.stringify(env.hostBefore[k])} -> ${JSON.stringify(now[k])}`);
    }
  }
  return left;
}

