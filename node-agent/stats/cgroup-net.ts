// A pod's network counters: read through one of its processes (any container shares the pod's
// network namespace), found in the first child cgroup that has one.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupLayout } from './cgroup-parse.js';
import type { ReadText } from './cgroup-read.js';
import { parseNetDev, type InterfaceStats } from './net-dev.js';

export type ListDir = (path: string) => Promise<string[]>;
// cgroupfs is in memory: listed synchronously, as cgroup-read.ts reads its files.
const listDirs: ListDir = async (p) => readdirSync(p, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

export async function podNetwork(layout: CgroupLayout, rel: string, read: ReadText, list: ListDir = listDirs): Promise<InterfaceStats[] | undefined> {
  const base = join(layout.version === 1 ? layout.memory : layout.unified, rel);
  try {
    for (const child of await list(base)) {
      const pid = (await read(join(base, child, 'cgroup.procs')).catch(() => '')).split('\n').find(Boolean);
      if (pid) return parseNetDev(await read(`/proc/${pid}/net/dev`));
    }
  } catch {
    // The pod went away between listing and reading: no figures this time.
  }
  return undefined;
}
