// The kube-system/kube-dns Service and its EndpointSlice as k8ts' built-in cluster DNS wants
// them. The Service has the shape of the one kubeadm and k3s install for CoreDNS (same name,
// labels, port names, annotations), but no selector: its endpoints are nodes, whose agents run
// the DNS server on the node's IP, listed in a slice that k8ts manages (the endpointslice
// controller leaves slices of other managers alone). Pure: objects in, objects out.
import { DNS_METRICS_PORT, DNS_PORT } from '../../lib/kube-dns.js';
import type { Node } from '../../lib/client/types.js';
import type { EndpointSlice, Service } from '../controllers/workload-types.js';

export const kubeDnsNamespace = 'kube-system';
export const kubeDnsName = 'kube-dns';
/** endpointslice.kubernetes.io/managed-by of our slice: not the endpointslice controller's. */
export const kubeDnsManager = 'cluster-dns.k8ts.io';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const serviceNameLabel = 'kubernetes.io/service-name';

const serviceLabels = { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' };
const servicePorts = [
  { name: 'dns', port: DNS_PORT, protocol: 'UDP', targetPort: DNS_PORT },
  { name: 'dns-tcp', port: DNS_PORT, protocol: 'TCP', targetPort: DNS_PORT },
  { name: 'metrics', port: DNS_METRICS_PORT, protocol: 'TCP', targetPort: DNS_METRICS_PORT },
];

export function kubeDnsService(clusterIP: string): Service {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: {
      name: kubeDnsName, namespace: kubeDnsNamespace, labels: { ...serviceLabels },
      annotations: { 'prometheus.io/port': String(DNS_METRICS_PORT), 'prometheus.io/scrape': 'true' },
    },
    spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ports: servicePorts.map((p) => ({ ...p })), sessionAffinity: 'None' },
  };
}

/**
 * The merge patch that brings an existing kube-dns Service to our shape (labels, ports, no
 * selector), or undefined when it has it. The ClusterIP cannot change in place: a mismatch is
 * reported in `clusterIPMismatch` for the caller to log.
 */
export function serviceDrift(existing: Service, clusterIP: string): { patch?: Record<string, unknown>; clusterIPMismatch?: string } {
  const out: { patch?: Record<string, unknown>; clusterIPMismatch?: string } = {};
  if (existing.spec?.clusterIP !== clusterIP) out.clusterIPMismatch = existing.spec?.clusterIP ?? '';
  const labels = existing.metadata?.labels ?? {};
  const wrongLabels = Object.entries(serviceLabels).some(([k, v]) => labels[k] !== v);
  const ports = (existing.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort }));
  const wrongPorts = JSON.stringify(ports) !== JSON.stringify(servicePorts);
  const selector = existing.spec?.selector && Object.keys(existing.spec.selector).length > 0;
  const wrongType = existing.spec?.type !== undefined && existing.spec.type !== 'ClusterIP';
  if (!wrongLabels && !wrongPorts && !selector && !wrongType) return out;
  out.patch = {
    metadata: { labels: serviceLabels },
    spec: { type: 'ClusterIP', ports: servicePorts, selector: null },
  };
  return out;
}

/** A node's address for the slice: its first IPv4 InternalIP (the address its DNS listens on). */
function nodeIPv4(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP' && /^\d+\.\d+\.\d+\.\d+$/.test(a.address))?.address;
}

function nodeReady(node: Node): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** The endpoints and ports kube-dns's slice should have for `nodes` (those running DNS). */
export function wantedSlice(nodes: readonly Node[]): Pick<EndpointSlice, 'addressType' | 'endpoints' | 'ports'> {
  const endpoints = [...nodes]
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
    .flatMap((node) => {
      const ip = nodeIPv4(node);
      if (!ip) return [];
      // An unready node stays listed but not ready, as the endpointslice controller lists pods.
      const ready = nodeReady(node);
      const zone = node.metadata?.labels?.['topology.kubernetes.io/zone'];
      return [{
        addresses: [ip], conditions: { ready, serving: ready, terminating: false }, nodeName: node.metadata?.name,
        ...(zone ? { zone } : {}),
      }];
    });
  return { addressType: 'IPv4', endpoints, ports: servicePorts.map(({ name, port, protocol }) => ({ name, port, protocol })) };
}

/** The whole slice, owned by the Service (so it goes when the Service goes). */
export function kubeDnsSlice(service: Service, nodes: readonly Node[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      name: kubeDnsName, namespace: kubeDnsNamespace,
      labels: { [serviceNameLabel]: kubeDnsName, [managedByLabel]: kubeDnsManager, ...serviceLabels },
      ownerReferences: service.metadata?.uid ? [{ apiVersion: 'v1', kind: 'Service', name: kubeDnsName, uid: service.metadata.uid, controller: true, blockOwnerDeletion: true }] : undefined,
    },
    ...wantedSlice(nodes),
  };
}

/** Whether a slice already has what `wanted` says (labels included). */
export function sliceUpToDate(current: EndpointSlice, wanted: EndpointSlice): boolean {
  // Compared field by field: the server may write keys in another order or add defaults.
  const eps = (s: EndpointSlice) => JSON.stringify((s.endpoints ?? []).map((e) => [
    e.addresses ?? [], e.conditions?.ready ?? null, e.conditions?.serving ?? null, e.conditions?.terminating ?? null, e.nodeName ?? '', e.zone ?? '',
  ]));
  const ports = (s: EndpointSlice) => JSON.stringify((s.ports ?? []).map((p) => [p.name ?? '', p.port ?? 0, p.protocol ?? 'TCP']));
  const labels = current.metadata?.labels ?? {};
  return eps(current) === eps(wanted) && ports(current) === ports(wanted)
    && current.addressType === wanted.addressType
    && Object.entries(wanted.metadata?.labels ?? {}).every(([k, v]) => labels[k] === v);
}
