// The API server's /metrics: request counts and latencies under Kubernetes' names and labels
// (apiserver_request_total, apiserver_request_duration_seconds, the series its API call latency
// SLO is measured from), and the process metrics every Kubernetes component exports.
import type { IncomingMessage } from 'node:http';
import { CounterVec, GaugeVec, HistogramVec, MetricsRegistry, registerProcessMetrics } from '../../lib/metrics.js';
import { AdmissionChain } from '../auth/admission/chain.js';
import type { ApiContext } from '../registry/api-context.js';
import { inputFormat } from './negotiate.js';
import type { ResourceRequest } from './request-info.js';
import { dryRunQuery } from './resource-handler.js';

/** Kubernetes' buckets for apiserver_request_duration_seconds. */
const durationBuckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

const labels = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'];

export class RequestMetrics {
  readonly registry = new MetricsRegistry();
  private readonly total = this.registry.register(new CounterVec('apiserver_request_total',
    'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    [...labels, 'code']));
  private readonly duration = this.registry.register(new HistogramVec('apiserver_request_duration_seconds',
    'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
    labels, durationBuckets));

  private readonly longRunningRequests = this.registry.register(new GaugeVec('apiserver_longrunning_requests',
    'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
    ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component']));

  constructor(api: ApiContext) {
    this.registry.register(storageObjects(api));
    if (api.admission instanceof AdmissionChain) {
      this.registry.register(api.admission.metrics.controller);
      this.registry.register(api.admission.metrics.step);
    }
    registerProcessMetrics(this.registry);
  }

  /** Counts a watch or connect request as open until the returned function is called; other verbs are not long-running. */
  longRunning(info: ResourceRequest): (() => void) | undefined {
    if (info.verb !== 'watch' && info.verb !== 'connect') return undefined;
    const values = [info.verb === 'watch' ? 'WATCH' : 'CONNECT', info.group, info.version, info.resource, info.subresource, scope(info), 'apiserver'];
    this.longRunningRequests.add(values, 1);
    return () => this.longRunningRequests.add(values, -1);
  }

  /** Records one finished resource request: from receiving it to the end of its response. */
  observe(info: ResourceRequest, req: IncomingMessage, url: URL, code: number, seconds: number): void {
    const values = [reportedVerb(info, req), dryRun(url), info.group, info.version, info.resource, info.subresource, scope(info), 'apiserver'];
    this.total.inc([...values, String(code)]);
    this.duration.observe(values, seconds);
  }
}

/** apiserver_storage_objects{resource}: objects stored per resource, counted when scraped. */
function storageObjects(api: ApiContext) {
  const gauge = new GaugeVec('apiserver_storage_objects', 'Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.', ['resource']);
  return {
    name: gauge.name,
    expose(): string {
      const seen = new Set<string>();
      for (const def of api.registry.all()) {
        if (!def.verbs.includes('list') || api.virtualRead(def)) continue;
        const prefix = api.restStore(def).prefix('');
        // events.k8s.io Events share the core ones' storage: counted once, as "events".
        if (seen.has(prefix)) continue;
        seen.add(prefix);
        gauge.set([def.group ? `${def.plural}.${def.group}` : def.plural], api.store.count(prefix));
      }
      return gauge.expose();
    },
  };
}

/** The verb Kubernetes reports: the HTTP method, except LIST, WATCH, APPLY and the collection verbs. */
function reportedVerb(info: ResourceRequest, req: IncomingMessage): string {
  switch (info.verb) {
    case 'get': return 'GET';
    case 'list': return 'LIST';
    case 'watch': return 'WATCH';
    case 'create': return 'POST';
    case 'update': return 'PUT';
    case 'patch': return inputFormat(req.headers['content-type']) === 'apply-patch' ? 'APPLY' : 'PATCH';
    case 'delete': return 'DELETE';
    case 'deletecollection': return 'DELETECOLLECTION';
    case 'connect': return 'CONNECT';
  }
}

/** resource for one named object, namespace or cluster for collections. */
function scope(info: ResourceRequest): string {
  if (info.name) return 'resource';
  return info.namespace ? 'namespace' : 'cluster';
}

/** 'All' for a dry run, '' for none, 'invalid' for values Kubernetes refuses (which would otherwise name new series). */
function dryRun(url: URL): string {
  const q = dryRunQuery(url);
  if (q.unsupported !== undefined) return 'invalid';
  return q.dryRun ? 'All' : '';
}
