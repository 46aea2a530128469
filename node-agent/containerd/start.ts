// The agent's container runtime: either our own supervised containerd (default, like k3s)
// or an existing CRI endpoint (`--container-runtime-endpoint`). Either way the agent gets
// a ready `CriClient` back.
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { hostExec, type Exec } from '../../lib/exec.js';
import { logger } from '../../lib/log.js';
import { connectCri, waitForCriReady, type CriClient } from '../cri/client.js';
import { writeHostsDir } from './certs-dir.js';
import { renderContainerdConfig } from './config.js';
import { detectHost, type CgroupDriver, type HostFacts } from './host.js';
import { importImageArchives } from './import-images.js';
import { containerdPaths, type ContainerdPaths } from './paths.js';
import { parseRegistriesYaml, registryAuthByHost, renderHostsFiles, type RegistriesConfig } from './registries.js';
import { ContainerdSupervisor } from './supervisor.js';
import { agentMetrics } from '../stats/agent-metrics.js';

const log = logger('container-runtime');

export const DEFAULT_SANDBOX_IMAGE = 'registry.k8s.io/pause:3.10';
export const DEFAULT_STREAM_PORT = 10010;
export const DEFAULT_CNI_CONF_DIR = '/etc/cni/net.d';
export const DEFAULT_REGISTRIES_FILE = '/etc/k8ts/registries.yaml';

export interface ContainerRuntimeOptions {
  dataDir: string;
  /** Stops the runtime we started (an external endpoint is only disconnected). */
  signal: AbortSignal;
  /** Use this CRI endpoint (`unix:///...`) instead of starting containerd. */
  endpoint?: string;
  /** Parent of containerd's state dir, socket and runc root. Default /run/k8ts. */
  runDir?: string;
  sandboxImage?: string;
  streamServerPort?: number;
  cniConfDir?: string;
  /** Default: /opt/cni/bin if it holds `bridge`, else /usr/lib/cni. */
  cniBinDir?: string;
  /** k3s-format registries.yaml; absent file = no registry config. */
  registriesFile?: string;
  /** Default: overlayfs when the kernel has it, else native. */
  snapshotter?: string;
  cgroupDriver?: CgroupDriver;
  containerdBinary?: string;
  ctrBinary?: string;
  readyTimeoutMs?: number;
  exec?: Exec;
}

export interface ContainerRuntime {
  endpoint: string;
  cri: CriClient;
  /** False when attached to an external endpoint. */
  managed: boolean;
  host: HostFacts;
  /** Set when managed. */
  paths?: ContainerdPaths;
  supervisor?: ContainerdSupervisor;
  /** Resolves once the signal aborted and our containerd (if any) has exited. */
  stopped: Promise<void>;
}

async function readRegistries(file: string): Promise<RegistriesConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { mirrors: {}, configs: {} };
    throw err;
  }
  const { config, warnings } = parseRegistriesYaml(text);
  for (const w of warnings) log.warn({ file }, w);
  return config;
}

export async function startContainerRuntime(opts: ContainerRuntimeOptions): Promise<ContainerRuntime> {
  const exec = opts.exec ?? hostExec;
  const host = await detectHost(exec);
  if (opts.endpoint) return attach(opts, host);

  const paths = containerdPaths(opts.dataDir, opts.runDir);
  const cniBinDir = opts.cniBinDir ?? host.cniBinDir;
  if (!cniBinDir) throw new Error('no CNI plugins found (looked for bridge in /opt/cni/bin and /usr/lib/cni); set cniBinDir');
  const snapshotter = opts.snapshotter ?? (host.overlaySupported ? 'overlayfs' : 'native');
  const registries = await readRegistries(opts.registriesFile ?? DEFAULT_REGISTRIES_FILE);

  await mkdir(paths.root, { recursive: true, mode: 0o700 });
  await mkdir(paths.state, { recursive: true, mode: 0o711 });
  await mkdir(paths.imagesDir, { recursive: true });
  await writeHostsDir(paths.certsDir, renderHostsFiles(registries));
  const config = renderContainerdConfig({
    root: paths.root,
    state: paths.state,
    socket: paths.socket,
    ttrpcSocket: paths.ttrpcSocket,
    optDir: paths.optDir,
    sandboxImage: opts.sandboxImage ?? DEFAULT_SANDBOX_IMAGE,
    streamServerAddress: '127.0.0.1',
    streamServerPort: opts.streamServerPort ?? DEFAULT_STREAM_PORT,
    snapshotter,
    cgroupDriver: opts.cgroupDriver ?? host.cgroupDriver,
    runcRoot: paths.runcRoot,
    disableApparmor: !host.apparmorEnabled,
    restrictOomScoreAdj: !host.canLowerOomScoreAdj,
    cniBinDir,
    cniConfDir: opts.cniConfDir ?? DEFAULT_CNI_CONF_DIR,
    registryConfigPath: paths.certsDir,
    registryAuth: registryAuthByHost(registries),
  });
  // 0600: the file may hold registry passwords.
  await writeFileAtomic(paths.configFile, config, 0o600);

  const supervisor = new ContainerdSupervisor({
    configFile: paths.configFile,
    socket: paths.socket,
    logFile: paths.logFile,
    pidFile: paths.pidFile,
    signal: opts.signal,
    binary: opts.containerdBinary,
    readyTimeoutMs: opts.readyTimeoutMs,
  });
  await supervisor.start();
  const endpoint = 'unix://' + paths.socket;
  const cri = connectCri(endpoint, { observe: (m, s, failed) => agentMetrics.runtimeOperation(m, s, failed) });
  const stopped = supervisor.stopped().finally(() => cri.close());
  try {
    await importImageArchives({ socket: paths.socket, dir: paths.imagesDir, snapshotter, ctrBinary: opts.ctrBinary, exec });
  } catch (err) {
    // A bad archive must not keep the node down; the image can still be pulled.
    log.error({ err: (err as Error).message }, 'image archive import failed');
  }
  return { endpoint, cri, managed: true, host, paths, supervisor, stopped };
}

async function attach(opts: ContainerRuntimeOptions, host: HostFacts): Promise<ContainerRuntime> {
  const endpoint = opts.endpoint as string;
  const cri = connectCri(endpoint, { observe: (m, s, failed) => agentMetrics.runtimeOperation(m, s, failed) });
  try {
    await waitForCriReady(cri, { timeoutMs: opts.readyTimeoutMs ?? 30_000, signal: opts.signal });
  } catch (err) {
    cri.close();
    throw err;
  }
  const v = await cri.runtime.version();
  log.info({ endpoint, runtime: v.runtime_name, version: v.runtime_version }, 'using existing container runtime');
  const stopped = new Promise<void>((res) => {
    const done = (): void => {
      cri.close();
      res();
    };
    if (opts.signal.aborted) done();
    else opts.signal.addEventListener('abort', done, { once: true });
  });
  return { endpoint, cri, managed: false, host, stopped };
}
