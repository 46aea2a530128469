// Reads one cgroup's CPU and memory files (v1 or v2) and the node's root figures. Small reads
// of kernel files: a pod costs three reads per collection.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  nodeMemoryFromMeminfo, parseMeminfo, parseProcStatCpuNs, parseV1, parseV2, type CgroupLayout, type CgroupUsage,
} from './cgroup-parse.js';

/** Reads a file for the collectors; the test fixtures go through the same function. */
export type ReadText = (path: string) => Promise<string>;
/**
 * Kernel pseudo-files (cgroupfs, procfs) are generated in memory and never wait on a disk, so
 * they are read synchronously: an async read costs about ten times the CPU (47 ms against 5 ms
 * for 110 pods' three files, through libuv's thread pool and promises).
 */
export const readText: ReadText = async (p) => readFileSync(p, 'utf8');

/** A cgroup's usage by its path below the hierarchy root ("/k8ts/kubepods/pod<uid>"); undefined when gone. */
export async function readCgroup(layout: CgroupLayout, rel: string, read: ReadText = readText): Promise<CgroupUsage | undefined> {
  try {
    if (layout.version === 1) {
      const [cpu, usage, stat] = await Promise.all([
        read(join(layout.cpuacct, rel, 'cpuacct.usage')), read(join(layout.memory, rel, 'memory.usage_in_bytes')),
        read(join(layout.memory, rel, 'memory.stat')),
      ]);
      return parseV1(cpu, usage, stat);
    }
    const dir = join(layout.unified, rel);
    const [cpu, current, stat] = await Promise.all([read(join(dir, 'cpu.stat')), read(join(dir, 'memory.current')), read(join(dir, 'memory.stat'))]);
    return parseV2(cpu, current, stat);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface NodeUsage extends CgroupUsage {
  availableBytes: number;
}

/**
 * The whole node: the root cgroup on v1 (as cAdvisor), /proc/stat and /proc/meminfo on v2, whose
 * root cgroup has no memory.current.
 */
export async function readNode(layout: CgroupLayout | undefined, read: ReadText = readText): Promise<NodeUsage> {
  const meminfo = parseMeminfo(await read('/proc/meminfo'));
  const fromMeminfo = nodeMemoryFromMeminfo(meminfo);
  if (layout?.version === 1) {
    const root = await readCgroup(layout, '/', read);
    if (root) return { ...root, availableBytes: fromMeminfo.availableBytes };
  }
  const cpuNs = parseProcStatCpuNs(await read('/proc/stat'));
  return { cpuNs, rssBytes: 0, pageFaults: 0, majorPageFaults: 0, ...fromMeminfo };
}
