// The filesystem side of /stats/summary for one collection (fs-stats.ts does the reading):
// the node's and the image filesystem, and per pod its containers' writable layers and logs,
// its volumes and its ephemeral-storage total (writable layers, logs and emptyDir volumes, as
// the kubelet counts it).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResourceSnapshot } from './collector.js';
import { filesystemOf, usageOn, type DirectoryUsageCache, type FsUsage } from './fs-stats.js';

export interface FsPaths {
  /** The agent's data dir: its filesystem is the node's `fs`. */
  rootDir: string;
  /** containerd's root: its filesystem is the runtime's `imageFs`. */
  imageFsDir: string;
  /** <pods dir>/<uid>/volumes/<plugin>/<volume>. */
  podsDir: string;
  /** The log dir of a pod's container. */
  containerLogDir(pod: { namespace: string; name: string; uid: string }, container: string): string;
}

export interface PodFs {
  volumes: Array<FsUsage & { name: string }>;
  containers: Map<string, { rootfs?: FsUsage; logs?: FsUsage }>;
  ephemeralStorage: FsUsage;
}

export interface FsSnapshot {
  nodeFs?: FsUsage;
  imageFs?: FsUsage;
  pods: Map<string, PodFs>;
}

const emptyDirPlugin = 'kubernetes.io~empty-dir';

export async function collectFs(s: ResourceSnapshot, paths: FsPaths, dirs: DirectoryUsageCache): Promise<FsSnapshot> {
  const t = s.timeMs;
  const [nodeFs, imageFs] = await Promise.all([filesystemOf(paths.rootDir, t), filesystemOf(paths.imageFsDir, t)]);
  const pods = new Map<string, PodFs>();
  await Promise.all(s.pods.map(async (p) => {
    const containers = new Map<string, { rootfs?: FsUsage; logs?: FsUsage }>();
    let ephemeralBytes = 0;
    let ephemeralInodes = 0;
    for (const c of p.containers) {
      const rootfs = c.rootfsBytes === undefined ? undefined : usageOn(imageFs, { bytes: c.rootfsBytes, inodes: c.rootfsInodes ?? 0 }, t);
      const logUsage = await dirs.usage(paths.containerLogDir(p, c.name));
      containers.set(c.name, { rootfs, logs: usageOn(nodeFs, logUsage, t) });
      ephemeralBytes += (c.rootfsBytes ?? 0) + (logUsage?.bytes ?? 0);
      ephemeralInodes += (c.rootfsInodes ?? 0) + (logUsage?.inodes ?? 0);
    }
    const volumes: Array<FsUsage & { name: string }> = [];
    const root = join(paths.podsDir, p.uid, 'volumes');
    for (const plugin of await readdir(root).catch(() => [] as string[])) {
      for (const name of await readdir(join(root, plugin)).catch(() => [] as string[])) {
        const used = await dirs.usage(join(root, plugin, name));
        volumes.push({ name, ...usageOn(nodeFs, used, t) });
        if (plugin === emptyDirPlugin) {
          ephemeralBytes += used?.bytes ?? 0;
          ephemeralInodes += used?.inodes ?? 0;
        }
      }
    }
    volumes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    pods.set(p.uid, { volumes, containers, ephemeralStorage: usageOn(nodeFs, { bytes: ephemeralBytes, inodes: ephemeralInodes }, t) });
  }));
  return { nodeFs, imageFs, pods };
}
