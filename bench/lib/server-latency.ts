// Latency as the API server itself measures it, from its /metrics histogram
// apiserver_request_duration_seconds: from receiving a request to the end of its response, the
// definition of Kubernetes' API call latency SLI. Percentiles are interpolated within buckets,
// as Prometheus' histogram_quantile (and clusterloader2, which checks the SLO) computes them.
import type { BenchClient } from './client.js';

/** Cumulative counts by upper bound (seconds; Infinity last), summed over matching series. */
export type Buckets = Map<number, number>;

/** The buckets of every series whose labels include all of `match` (e.g. verb="POST"). */
export async function scrapeBuckets(client: BenchClient, match: Record<string, string>): Promise<Buckets> {
  const res = await client.call('GET', '/metrics');
  if (res.status !== 200) throw new Error(`/metrics: ${res.status} ${res.body.slice(0, 200)}`);
  const wanted = Object.entries(match).map(([k, v]) => `${k}="${v}"`);
  const out: Buckets = new Map();
  for (const line of res.body.split('\n')) {
    if (!line.startsWith('apiserver_request_duration_seconds_bucket{')) continue;
    if (!wanted.every((w) => line.includes(w))) continue;
    const le = /le="([^"]+)"/.exec(line)![1];
    const bound = le === '+Inf' ? Infinity : Number(le);
    out.set(bound, (out.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

/** What was observed between two scrapes. */
export function bucketDelta(before: Buckets, after: Buckets): Buckets {
  return new Map([...after].map(([le, n]) => [le, n - (before.get(le) ?? 0)]));
}

/** The q-quantile in milliseconds, interpolated linearly inside its bucket (NaN when empty). */
export function quantileMs(b: Buckets, q: number): number {
  const bounds = [...b.keys()].sort((x, y) => x - y);
  const total = b.get(Infinity) ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const le of bounds) {
    const cum = b.get(le)!;
    if (cum >= rank) {
      // In the open-ended bucket the answer is its lower bound, as histogram_quantile gives.
      if (le === Infinity) return lower * 1000;
      return (lower + ((le - lower) * (rank - below)) / (cum - below)) * 1000;
    }
    lower = le;
    below = cum;
  }
  return NaN;
}

/** The share (0–1) of observations at or under `ms`, which must be a bucket bound. */
export function shareWithinMs(b: Buckets, ms: number): number {
  const total = b.get(Infinity) ?? 0;
  return total === 0 ? NaN : (b.get(ms / 1000) ?? NaN) / total;
}
