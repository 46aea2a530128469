// Where our own containerd keeps things. Everything lives under the k8ts data dir and a
// k8ts run dir, never under /var/lib/containerd or /run/containerd, so a containerd
// already installed on the host is never touched (k3s does the same).
import { join } from 'node:path';

export interface ContainerdPaths {
  /** containerd `root` (content, snapshots, metadata); also holds config.toml and the log. */
  root: string;
  configFile: string;
  logFile: string;
  /** registry `config_path`: one `<host>/hosts.toml` per configured registry. */
  certsDir: string;
  /** `opt` plugin dir; its default /opt/containerd would be shared with a host containerd. */
  optDir: string;
  /** Image tarballs imported at start (k3s airgap layout). */
  imagesDir: string;
  /** containerd `state` (tmpfs): sockets, shim state, sandbox mounts, netns. */
  state: string;
  socket: string;
  ttrpcSocket: string;
  pidFile: string;
  /** runc's own state root; the default /run/containerd/runc is shared by every containerd. */
  runcRoot: string;
}

export const DEFAULT_RUN_DIR = '/run/k8ts';

export function containerdPaths(dataDir: string, runDir: string = DEFAULT_RUN_DIR): ContainerdPaths {
  const root = join(dataDir, 'agent', 'containerd');
  const state = join(runDir, 'containerd');
  const socket = join(state, 'containerd.sock');
  return {
    root,
    configFile: join(root, 'config.toml'),
    logFile: join(root, 'containerd.log'),
    certsDir: join(root, 'certs.d'),
    optDir: join(root, 'opt'),
    imagesDir: join(dataDir, 'agent', 'images'),
    state,
    socket,
    ttrpcSocket: socket + '.ttrpc',
    pidFile: join(state, 'containerd.pid'),
    runcRoot: join(runDir, 'runc'),
  };
}
