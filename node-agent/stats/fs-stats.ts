// The Summary API's filesystem and volume figures, as the kubelet reports them: the node's
// filesystem (where the agent keeps its data) and the runtime's image filesystem from statfs;
// per container its writable layer (from CRI) and its log files; per pod the volumes it
// mounts from the node (emptyDir, configMap, secret, projected, downward API, hostPath-free) and
// its ephemeral-storage total. Walking a directory costs, so, like the kubelet's volume
// stats (calculated every minute), each directory's usage is cached for a while.
import { statfs } from 'node:fs/promises';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface FsUsage {
  time: string;
  availableBytes?: number;
  capacityBytes?: number;
  usedBytes?: number;
  inodesFree?: number;
  inodes?: number;
  inodesUsed?: number;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The filesystem holding `path` (statfs); undefined when it cannot be read. */
export async function filesystemOf(path: string, timeMs: number): Promise<FsUsage | undefined> {
  try {
    const s = await statfs(path);
    return {
      time: rfc3339(timeMs), availableBytes: s.bavail * s.bsize, capacityBytes: s.blocks * s.bsize, usedBytes: (s.blocks - s.bfree) * s.bsize,
      inodesFree: s.ffree, inodes: s.files, inodesUsed: s.files - s.ffree,
    };
  } catch {
    return undefined;
  }
}

/** Bytes on disk and inodes under `dir` (du's count: allocated blocks, not apparent sizes). */
export async function directoryUsage(dir: string): Promise<{ bytes: number; inodes: number } | undefined> {
  let bytes = 0;
  let inodes = 0;
  const walk = async (d: string): Promise<void> => {
    const st = await lstat(d);
    bytes += st.blocks * 512;
    inodes++;
    if (!st.isDirectory()) return;
    for (const name of await readdir(d).catch(() => [] as string[])) await walk(join(d, name)).catch(() => undefined);
  };
  try {
    await walk(dir);
    return { bytes, inodes };
  } catch {
    return undefined;
  }
}

/** directoryUsage, each directory measured at most once per `maxAgeMs`. */
export class DirectoryUsageCache {
  private readonly cache = new Map<string, { atMs: number; usage: Promise<{ bytes: number; inodes: number } | undefined> }>();

  constructor(private readonly maxAgeMs = 60_000, private readonly now: () => number = Date.now) {}

  usage(dir: string): Promise<{ bytes: number; inodes: number } | undefined> {
    const hit = this.cache.get(dir);
    if (hit && this.now() - hit.atMs < this.maxAgeMs) return hit.usage;
    const usage = directoryUsage(dir);
    this.cache.set(dir, { atMs: this.now(), usage });
    // Pods come and go: entries not asked for in a while are dropped with the next miss.
    for (const [d, e] of this.cache) if (this.now() - e.atMs > 10 * this.maxAgeMs) this.cache.delete(d);
    return usage;
  }
}

/** A directory's usage inside its filesystem's figures, as the Summary API gives a volume or log dir. */
export function usageOn(fs: FsUsage | undefined, used: { bytes: number; inodes: number } | undefined, timeMs: number): FsUsage {
  return {
    time: rfc3339(timeMs), availableBytes: fs?.availableBytes, capacityBytes: fs?.capacityBytes,
    usedBytes: used?.bytes, inodesFree: fs?.inodesFree, inodes: fs?.inodes, inodesUsed: used?.inodes,
  };
}
