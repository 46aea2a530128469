// Cluster DNS metrics under CoreDNS's names and labels (plugin/metrics, plugin/cache,
// plugin/forward), so dashboards and alerts written for CoreDNS work unchanged; served on
// :9153/metrics as CoreDNS's `prometheus :9153`.
import { CounterVec, HistogramVec, MetricsRegistry, ValueFunc } from '../../lib/metrics.js';

/** CoreDNS's request duration buckets: prometheus.ExponentialBuckets(0.00025, 2, 16). */
const durationBuckets = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);

/** The record types CoreDNS labels by name; any other becomes "other" (bounded cardinality). */
const knownTypes = new Set(['A', 'AAAA', 'CNAME', 'HINFO', 'TXT', 'PTR', 'SRV', 'SOA', 'NS', 'MX', 'DS', 'DNSKEY', 'RRSIG', 'NSEC', 'NSEC3', 'IXFR', 'AXFR', 'ANY']);

export function typeLabel(qtype: string): string {
  return knownTypes.has(qtype) ? qtype : 'other';
}

export class DnsMetrics {
  readonly registry = new MetricsRegistry();
  private readonly requests = this.registry.register(new CounterVec('coredns_dns_requests_total', 'Counter of DNS requests made per zone, protocol and family.', ['server', 'zone', 'view', 'proto', 'family', 'type']));
  private readonly responses = this.registry.register(new CounterVec('coredns_dns_responses_total', 'Counter of response status codes.', ['server', 'zone', 'view', 'rcode', 'plugin']));
  private readonly duration = this.registry.register(new HistogramVec('coredns_dns_request_duration_seconds', 'Histogram of the time (in seconds) each request took per zone.', ['server', 'zone', 'view', 'type'], durationBuckets));
  private readonly cacheHits = this.registry.register(new CounterVec('coredns_cache_hits_total', 'The count of cache hits.', ['server', 'type', 'zone', 'view']));
  private readonly cacheMisses = this.registry.register(new CounterVec('coredns_cache_misses_total', 'The count of cache misses. Deprecated, derive misses from cache hits/requests counters.', ['server', 'zone', 'view']));
  private readonly cacheRequests = this.registry.register(new CounterVec('coredns_cache_requests_total', 'The count of cache requests.', ['server', 'zone', 'view']));
  private readonly forwardRequests = this.registry.register(new CounterVec('coredns_forward_requests_total', 'Counter of requests made per upstream.', ['to']));
  private readonly forwardResponses = this.registry.register(new CounterVec('coredns_forward_responses_total', 'Counter of responses received per upstream.', ['rcode', 'to']));

  /** `server` is CoreDNS's "dns://<addr>:<port>"; `zone` the server block's (kubeadm: "."). */
  constructor(private readonly server: string, private readonly zone = '.', cacheSize?: () => number) {
    if (cacheSize) this.registry.register(new ValueFunc('coredns_cache_entries', 'The number of elements in the cache.', 'gauge', cacheSize));
  }

  // Series handles by their varying labels: a query costs three map lookups, not three joins.
  private readonly requestSeries = new Map<string, { inc(): void }>();
  private readonly responseSeries = new Map<string, { inc(): void }>();
  private readonly durationSeries = new Map<string, { observe(v: number): void }>();

  request(proto: 'udp' | 'tcp', family: 4 | 6, qtype: string): void {
    const type = typeLabel(qtype);
    const key = `${proto}${family}${type}`;
    let s = this.requestSeries.get(key);
    if (!s) this.requestSeries.set(key, (s = this.requests.with([this.server, this.zone, '', proto, family === 6 ? '2' : '1', type])));
    s.inc();
  }

  /** `plugin` is the plugin that wrote the response (kubernetes, forward, cache), as CoreDNS labels it. */
  response(rcode: string, plugin: string, qtype: string, seconds: number): void {
    const rkey = `${rcode}/${plugin}`;
    let r = this.responseSeries.get(rkey);
    if (!r) this.responseSeries.set(rkey, (r = this.responses.with([this.server, this.zone, '', rcode, plugin])));
    r.inc();
    const type = typeLabel(qtype);
    let d = this.durationSeries.get(type);
    if (!d) this.durationSeries.set(type, (d = this.duration.with([this.server, this.zone, '', type])));
    d.observe(seconds);
  }

  cacheLookup(hit: 'success' | 'denial' | undefined): void {
    this.cacheRequests.inc([this.server, this.zone, '']);
    if (hit) this.cacheHits.inc([this.server, hit, this.zone, '']);
    else this.cacheMisses.inc([this.server, this.zone, '']);
  }

  forwarded(to: string, rcode: string | undefined): void {
    this.forwardRequests.inc([to]);
    if (rcode) this.forwardResponses.inc([rcode, to]);
  }

  expose(): string {
    return this.registry.expose();
  }
}
