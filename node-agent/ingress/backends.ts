// The endpoints behind each Ingress backend: its Service port (by number or name) resolved to the
// ready endpoints of that Service's EndpointSlices, with the service proxy's own model and its
// choice of endpoints (ready ones; serving-but-terminating ones only when none is ready, so
// connections drain instead of failing). Indexed once per change, looked up per request. Pure.
import { categorizeEndpoints, servicePortsOf } from '../proxy/service-ports.js';
import type { EndpointSlice, Service } from '../kube-types.js';
import type { Backend } from './route-table.js';

export interface Upstream {
  ip: string;
  port: number;
  /** "ip:port", for logs and the failure memory. */
  address: string;
}

/** `ns/service#80` or `ns/service@http`: how a backend names its Service port. */
export function backendKey(b: Pick<Backend, 'namespace' | 'service' | 'port'>): string {
  return b.port.name ? `${b.namespace}/${b.service}@${b.port.name}` : `${b.namespace}/${b.service}#${b.port.number ?? 0}`;
}

/** Every TCP Service port's usable endpoints, under both names a backend may use. */
export function indexUpstreams(services: readonly Service[], slices: readonly EndpointSlice[], nodeName: string): Map<string, Upstream[]> {
  const index = new Map<string, Upstream[]>();
  const portNames = new Map<string, string | undefined>();
  for (const svc of services) for (const p of svc.spec?.ports ?? []) portNames.set(`${svc.metadata?.namespace}/${svc.metadata?.name}#${p.port}`, p.name);
  for (const sp of servicePortsOf(services, slices, nodeName)) {
    if (sp.protocol !== 'TCP') continue;
    const upstreams = categorizeEndpoints(sp).cluster.map((e) => ({ ip: e.ip, port: e.port, address: `${e.ip}:${e.port}` }));
    // portName is "ns/name:portname" (or "ns/name" for an unnamed port).
    const colon = sp.portName.indexOf(':');
    const svc = colon < 0 ? sp.portName : sp.portName.slice(0, colon);
    index.set(`${svc}#${sp.port}`, upstreams);
    const name = portNames.get(`${svc}#${sp.port}`);
    if (name) index.set(`${svc}@${name}`, upstreams);
  }
  return index;
}
