// The controller's Prometheus metrics, on the agent's /metrics: requests by Ingress, Service and
// status code, and their latency (request start to the end of the response), by Ingress and
// Service. Series are looked up once per backend and code, not per request.
import { CounterVec, HistogramVec, MetricsRegistry } from '../../lib/metrics.js';
import type { Backend } from './route-table.js';

// Request latencies: 1 ms to ~33 s.
const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Series {
  duration: { observe(v: number): void };
  byCode: Map<number, { inc(by?: number): void }>;
}

export class IngressMetrics {
  readonly registry = new MetricsRegistry();
  private readonly requests = this.registry.register(new CounterVec('k8ts_ingress_requests_total', 'HTTP requests the ingress controller answered, by Ingress, Service and status code', ['namespace', 'ingress', 'service', 'code']));
  private readonly duration = this.registry.register(new HistogramVec('k8ts_ingress_request_duration_seconds', 'Time from a request\'s arrival to the end of its response, by Ingress and Service', ['namespace', 'ingress', 'service'], buckets));
  private readonly series = new WeakMap<Backend, Series>();
  private readonly unmatched: Series = this.seriesFor('', '', '');

  private seriesFor(namespace: string, ingress: string, service: string): Series {
    return { duration: this.duration.with([namespace, ingress, service]), byCode: new Map() };
  }

  /** One answered request; `backend` undefined for a 404 no rule matched. */
  observe(backend: Backend | undefined, code: number, seconds: number): void {
    let s = this.unmatched;
    if (backend) {
      s = this.series.get(backend) as Series;
      if (!s) {
        const slash = backend.ingress.indexOf('/');
        this.series.set(backend, (s = this.seriesFor(backend.namespace, backend.ingress.slice(slash + 1), backend.service)));
      }
    }
    let counter = s.byCode.get(code);
    if (!counter) {
      const labels = backend ? [backend.namespace, backend.ingress.slice(backend.ingress.indexOf('/') + 1), backend.service] : ['', '', ''];
      s.byCode.set(code, (counter = this.requests.with([...labels, String(code)])));
    }
    counter.inc();
    s.duration.observe(seconds);
  }
}
