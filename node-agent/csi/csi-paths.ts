// Where CSI lives on a node, laid out as kubelet lays it out under its root (<data-dir>/agent
// here, /var/lib/kubelet there), so drivers packaged for Kubernetes find what they expect.
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export interface CsiPaths {
  /** Registration sockets (`<driver>-reg.sock`) the plugin watcher watches. */
  registry: string;
  /** Drivers' own sockets, `plugins/<driver>/csi.sock`. */
  plugins: string;
  /** Staging dirs: `plugins/kubernetes.io/csi/<driver>/<sha256(volumeHandle)>/globalmount`. */
  global: string;
}

export function csiPaths(dataDir: string): CsiPaths {
  const root = join(dataDir, 'agent');
  return { registry: join(root, 'plugins_registry'), plugins: join(root, 'plugins'), global: join(root, 'plugins', 'kubernetes.io', 'csi') };
}

/** The staging directory of a volume (kubelet ≥ 1.28's hashed layout). */
export function stagingPath(paths: CsiPaths, driver: string, volumeHandle: string): string {
  return join(paths.global, driver, createHash('sha256').update(volumeHandle).digest('hex'), 'globalmount');
}

/** A pod's publish target: `pods/<uid>/volumes/kubernetes.io~csi/<name>/mount`. */
export function publishPath(podDir: string, name: string): string {
  return join(podDir, 'volumes', 'kubernetes.io~csi', name, 'mount');
}

/** kubelet's handle for an inline (ephemeral) volume: csi-<sha256(podUID + volume name)>. */
export function ephemeralVolumeHandle(podUid: string, volumeName: string): string {
  return 'csi-' + createHash('sha256').update(podUid + volumeName).digest('hex');
}
