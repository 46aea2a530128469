// Latency statistics and table printing for benchmarks.

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  return { count: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) ?? NaN };
}

/** Prints rows as an aligned text table (the format docs/benchmarks.md records). */
export function printTable(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: Array<string | number>) => '| ' + r.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  process.stdout.write(`\n### ${title}\n\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${cells.slice(1).map(line).join('\n')}\n`);
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** Resident set size of a process in MiB (from /proc), or its anonymous or file-backed part. */
export function rssMiB(pid: number, part: 'VmRSS' | 'RssAnon' | 'RssFile' = 'VmRSS'): number {
  try {
    const status = require_('fs').readFileSync(`/proc/${pid}/status`, 'utf8') as string;
    const m = new RegExp(`${part}:\\s+(\\d+) kB`).exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user+system) a process has used so far, or one of its threads (`tid`; the main thread's is the pid). */
export function cpuSeconds(pid: number, tid?: number): number {
  try {
    const stat = require_('fs').readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8') as string;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Starts measuring the share of the machine's CPU time the hypervisor took (the `steal` column of
 * /proc/stat); the returned function gives the percentage since. A shared host shows here.
 */
export function stolenCpu(): () => number {
  const read = (): number[] => {
    try {
      const line = (require_('fs').readFileSync('/proc/stat', 'utf8') as string).split('\n')[0];
      return line.trim().split(/\s+/).slice(1, 9).map(Number);
    } catch {
      return [];
    }
  };
  const before = read();
  return () => {
    const after = read();
    if (before.length < 8 || after.length < 8) return NaN;
    const delta = after.map((v, i) => v - before[i]);
    const total = delta.reduce((a, b) => a + b, 0);
    return total > 0 ? (100 * delta[7]) / total : NaN;
  };
}

/**
 * Starts measuring how busy the whole machine is; the returned function gives the CPU seconds
 * every process (and the kernel) used since, from /proc/stat. Minus a server's own CPU, it is
 * what the load generator and the host's other tenants took from the same cores.
 */
export function machineCpuSeconds(): () => number {
  const read = (): number => {
    try {
      const line = (require_('fs').readFileSync('/proc/stat', 'utf8') as string).split('\n')[0];
      const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
      // user nice system idle iowait irq softirq steal: busy is all but idle, iowait and steal.
      return (f[0] + f[1] + f[2] + f[5] + f[6]) / 100;
    } catch {
      return NaN;
    }
  };
  const before = read();
  return () => read() - before;
}

import { createRequire } from 'node:module';
const require_ = createRequire(import.meta.url);

/** Where a benchmark ran, recorded beside its numbers. */
export function machine(): string {
  const os = require_('os') as typeof import('node:os');
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}
