// What cluster DNS reads from the Service and EndpointSlice informer caches, with the indexes
// that make each query a few map lookups: slices by their Service, Services by ClusterIP and
// slices by endpoint address (for PTR). The caches are the agent's shared ones; the indexes
// are added to them, so they follow every change without handlers of our own.
import { namespaceIndex, type ObjectCache } from '../../lib/client/cache.js';
import type { EndpointSlice, Service } from '../kube-types.js';
import { canonicalIP } from './names.js';

export interface ClusterView {
  service(namespace: string, name: string): Service | undefined;
  /** Whether any Service lives in the namespace (names under it exist, as CoreDNS answers). */
  hasServices(namespace: string): boolean;
  /** The EndpointSlices of a Service (label kubernetes.io/service-name). */
  slices(namespace: string, service: string): EndpointSlice[];
  /** Services whose ClusterIPs include `ip` (canonical form). */
  servicesByIP(ip: string): Service[];
  /** Slices with an endpoint address `ip` (canonical form). */
  slicesByIP(ip: string): EndpointSlice[];
}

export const serviceNameLabel = 'kubernetes.io/service-name';
const bySliceService = 'dns-service';
const byClusterIP = 'dns-cluster-ip';
const byEndpointIP = 'dns-endpoint-ip';

function canonicalAll(ips: readonly string[]): string[] {
  const out = new Set<string>();
  for (const ip of ips) {
    const c = canonicalIP(ip);
    if (c) out.add(c);
  }
  return [...out];
}

/** Indexes the caches (once per cache) and reads through them. */
export function cacheView(services: ObjectCache<Service>, slices: ObjectCache<EndpointSlice>): ClusterView {
  services.addIndex(byClusterIP, (s) => canonicalAll(s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : [])));
  slices.addIndex(bySliceService, (s) => {
    const svc = s.metadata?.labels?.[serviceNameLabel];
    return svc ? [`${s.metadata?.namespace ?? ''}/${svc}`] : [];
  });
  slices.addIndex(byEndpointIP, (s) => canonicalAll((s.endpoints ?? []).flatMap((e) => e.addresses ?? [])));
  return {
    service: (namespace, name) => services.getByName(namespace, name),
    hasServices: (namespace) => services.keysByIndex(namespaceIndex, namespace).length > 0,
    slices: (namespace, service) => slices.byIndex(bySliceService, `${namespace}/${service}`),
    servicesByIP: (ip) => services.byIndex(byClusterIP, ip),
    slicesByIP: (ip) => slices.byIndex(byEndpointIP, ip),
  };
}
