// Pure parsing of what cgroups (v1 and v2) and /proc say about CPU and memory, into the figures
// the kubelet reports: cumulative CPU nanoseconds and cAdvisor's working set (usage minus
// inactive file pages, which the kernel can drop without pressure).

/** Where the hierarchies that carry CPU and memory accounting are mounted. */
export type CgroupLayout =
  | { version: 1; cpuacct: string; memory: string }
  | { version: 2; unified: string };

/** CPU and memory of one cgroup (or of the node), as cAdvisor derives them. */
export interface CgroupUsage {
  /** Cumulative CPU time, nanoseconds. */
  cpuNs: bigint;
  memoryUsageBytes: number;
  workingSetBytes: number;
  rssBytes: number;
  pageFaults: number;
  majorPageFaults: number;
}

/** The layout from /proc/self/mountinfo: v2 when /sys/fs/cgroup (or another cgroup2 mount) is all there is. */
export function cgroupLayoutFromMountinfo(mountinfo: string): CgroupLayout | undefined {
  let cpuacct: string | undefined;
  let memory: string | undefined;
  let unified: string | undefined;
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const mountPoint = pre.split(' ')[4];
    const [fsType, , superOpts = ''] = post.split(' ');
    if (fsType === 'cgroup2') {
      // Hybrid hosts mount an empty cgroup2 at .../unified: only the main one counts.
      if (!unified || mountPoint === '/sys/fs/cgroup') unified = mountPoint;
    } else if (fsType === 'cgroup') {
      const opts = superOpts.split(',');
      if (opts.includes('cpuacct')) cpuacct = mountPoint;
      if (opts.includes('memory')) memory = mountPoint;
    }
  }
  if (cpuacct && memory) return { version: 1, cpuacct, memory };
  if (unified) return { version: 2, unified };
  return undefined;
}

/** "key value" lines (memory.stat, cpu.stat) as a map. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const v = Number(line.slice(sp + 1));
    if (Number.isFinite(v)) out.set(line.slice(0, sp), v);
  }
  return out;
}

const workingSet = (usage: number, inactiveFile: number) => Math.max(0, usage - inactiveFile);

/** v1: cpuacct.usage (ns), memory.usage_in_bytes and memory.stat (the total_* figures include children). */
export function parseV1(cpuacctUsage: string, memoryUsage: string, memoryStat: string): CgroupUsage {
  const stat = parseFlatKeyed(memoryStat);
  const usage = Number(memoryUsage.trim()) || 0;
  const get = (k: string) => stat.get(`total_${k}`) ?? stat.get(k) ?? 0;
  return {
    cpuNs: BigInt(cpuacctUsage.trim() || '0'),
    memoryUsageBytes: usage,
    workingSetBytes: workingSet(usage, get('inactive_file')),
    rssBytes: get('rss'),
    pageFaults: get('pgfault'),
    majorPageFaults: get('pgmajfault'),
  };
}

/** v2: cpu.stat usage_usec, memory.current and memory.stat (hierarchical already). */
export function parseV2(cpuStat: string, memoryCurrent: string, memoryStat: string): CgroupUsage {
  const cpu = parseFlatKeyed(cpuStat);
  const stat = parseFlatKeyed(memoryStat);
  const usage = Number(memoryCurrent.trim()) || 0;
  return {
    cpuNs: BigInt(cpu.get('usage_usec') ?? 0) * 1000n,
    memoryUsageBytes: usage,
    workingSetBytes: workingSet(usage, stat.get('inactive_file') ?? 0),
    rssBytes: stat.get('anon') ?? 0,
    pageFaults: stat.get('pgfault') ?? 0,
    majorPageFaults: stat.get('pgmajfault') ?? 0,
  };
}

/** Busy CPU time from /proc/stat's first line (everything but idle and iowait), in ns. */
export function parseProcStatCpuNs(procStat: string, clockTicksPerSecond = 100): bigint {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return 0n;
  const f = line.trim().split(/\s+/).slice(1).map((x) => BigInt(x));
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const busy = (f[0] ?? 0n) + (f[1] ?? 0n) + (f[2] ?? 0n) + (f[5] ?? 0n) + (f[6] ?? 0n) + (f[7] ?? 0n);
  return (busy * 1_000_000_000n) / BigInt(clockTicksPerSecond);
}

/** /proc/meminfo in bytes. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) out.set(m[1], Number(m[2]) * (line.includes('kB') ? 1024 : 1));
  }
  return out;
}

/**
 * The node's memory where the root cgroup has no usage file (v2): what is in use (total − free)
 * and cAdvisor's working set (in use − inactive file).
 */
export function nodeMemoryFromMeminfo(meminfo: Map<string, number>): Pick<CgroupUsage, 'memoryUsageBytes' | 'workingSetBytes'> & { availableBytes: number } {
  const total = meminfo.get('MemTotal') ?? 0;
  const used = total - (meminfo.get('MemFree') ?? 0);
  return { memoryUsageBytes: used, workingSetBytes: workingSet(used, meminfo.get('Inactive(file)') ?? 0), availableBytes: meminfo.get('MemAvailable') ?? 0 };
}
