// Prometheus metrics in the text exposition format (0.0.4), as Kubernetes components serve
// them on /metrics: labelled counters and histograms, and values read at scrape time.

/** Anything that can write its metric families. */
export interface Collector {
  expose(): string;
}

abstract class Vec<T> implements Collector {
  /** Series by label values, each with its values and `name="value"` pairs in name order. */
  private readonly series = new Map<string, { sorted: string[]; labels: string; value: T }>();
  /** Label positions in name order: client_golang writes label pairs sorted by name. */
  private readonly order: number[];

  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[]) {
    this.order = labelNames.map((_, i) => i).sort((a, b) => (labelNames[a] < labelNames[b] ? -1 : 1));
  }

  protected abstract readonly type: string;
  protected abstract fresh(): T;
  protected abstract lines(labels: string, value: T): string[];

  /** The series for these label values (in labelNames' order), made on first use. */
  protected at(labelValues: readonly string[]): T {
    const key = labelValues.join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      const sorted = this.order.map((i) => labelValues[i] ?? '');
      const labels = this.order.map((i, k) => `${this.labelNames[i]}="${escapeLabel(sorted[k])}"`).join(',');
      this.series.set(key, (s = { sorted, labels, value: this.fresh() }));
    }
    return s.value;
  }

  expose(): string {
    const out = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    // Series in the order of their label values (names sorted), as client_golang writes them.
    const all = [...this.series.values()].sort((a, b) => compareValues(a.sorted, b.sorted));
    for (const s of all) out.push(...this.lines(s.labels, s.value));
    return out.join('\n') + '\n';
  }
}

export class CounterVec extends Vec<{ n: number }> {
  protected readonly type = 'counter';
  protected fresh() {
    return { n: 0 };
  }

  inc(labelValues: readonly string[], by = 1): void {
    this.at(labelValues).n += by;
  }

  /** The series for these label values, to count on without looking it up each time (hot paths). */
  with(labelValues: readonly string[]): { inc(by?: number): void } {
    const series = this.at(labelValues);
    return { inc: (by = 1) => void (series.n += by) };
  }

  protected lines(labels: string, v: { n: number }): string[] {
    return [`${this.name}${braces(labels)} ${v.n}`];
  }
}

export class GaugeVec extends Vec<{ n: number }> {
  protected readonly type = 'gauge';
  protected fresh() {
    return { n: 0 };
  }

  set(labelValues: readonly string[], value: number): void {
    this.at(labelValues).n = value;
  }

  add(labelValues: readonly string[], by: number): void {
    this.at(labelValues).n += by;
  }

  protected lines(labels: string, v: { n: number }): string[] {
    return [`${this.name}${braces(labels)} ${v.n}`];
  }
}

interface HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  counts: number[];
  sum: number;
}

export class HistogramVec extends Vec<HistogramSeries> {
  protected readonly type = 'histogram';

  constructor(name: string, help: string, labelNames: readonly string[], readonly buckets: readonly number[]) {
    super(name, help, labelNames);
  }

  protected fresh(): HistogramSeries {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0 };
  }

  observe(labelValues: readonly string[], value: number): void {
    this.record(this.at(labelValues), value);
  }

  /** The series for these label values, to observe into without looking it up each time. */
  with(labelValues: readonly string[]): { observe(value: number): void } {
    const series = this.at(labelValues);
    return { observe: (value) => this.record(series, value) };
  }

  private record(s: HistogramSeries, value: number): void {
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]) i++;
    s.counts[i]++;
    s.sum += value;
  }

  protected lines(labels: string, s: HistogramSeries): string[] {
    const sep = labels ? ',' : '';
    const out: string[] = [];
    let cumulative = 0;
    this.buckets.forEach((le, i) => {
      cumulative += s.counts[i];
      out.push(`${this.name}_bucket{${labels}${sep}le="${le}"} ${cumulative}`);
    });
    cumulative += s.counts[this.buckets.length];
    out.push(`${this.name}_bucket{${labels}${sep}le="+Inf"} ${cumulative}`);
    out.push(`${this.name}_sum${braces(labels)} ${s.sum}`, `${this.name}_count${braces(labels)} ${cumulative}`);
    return out;
  }
}

/** A gauge or counter without labels whose value is read when scraped. */
export class ValueFunc implements Collector {
  constructor(readonly name: string, readonly help: string, private readonly type: 'gauge' | 'counter', private readonly read: () => number) {}

  expose(): string {
    return `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n${this.name} ${this.read()}\n`;
  }
}

export class MetricsRegistry {
  private readonly collectors: Array<Collector & { name: string }> = [];

  register<C extends Collector & { name: string }>(c: C): C {
    this.collectors.push(c);
    return c;
  }

  /** Serves another registry's families too (e.g. the proxy's on the agent's /metrics). */
  include(other: MetricsRegistry): void {
    for (const c of other.collectors) this.register(c);
  }

  /** Every family, by name. */
  expose(): string {
    return [...this.collectors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((c) => c.expose()).join('');
  }
}

/** The process_* series every Kubernetes component exports (start time, RSS, CPU). */
export function registerProcessMetrics(registry: MetricsRegistry): void {
  const started = Date.now() / 1000;
  registry.register(new ValueFunc('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', 'gauge', () => started));
  registry.register(new ValueFunc('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', () => process.memoryUsage.rss()));
  registry.register(new ValueFunc('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', 'counter', () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }));
}

/** The content type of the text format. */
export const metricsContentType = 'text/plain; version=0.0.4; charset=utf-8';

const braces = (labels: string) => (labels ? `{${labels}}` : '');
const escapeHelp = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function compareValues(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}
