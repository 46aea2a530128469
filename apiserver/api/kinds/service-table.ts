// `kubectl get services`: TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S), AGE and, wide, SELECTOR.
import { age, ageColumn, type TableDef } from '../table.js';
import { col, labelsText } from '../table-helpers.js';
import type { Service, ServicePort, ServiceSpec, ServiceStatus } from './service-types.js';

/** Load-balancer ingress addresses; Kubernetes clips them to 16 characters outside wide output. */
function loadBalancerAddresses(status: ServiceStatus | undefined): string {
  const set = new Set<string>();
  for (const ing of status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  return [...set].sort().join(',');
}

export function externalIP(spec: ServiceSpec, status: ServiceStatus | undefined): string {
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(status);
      if (external.length) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** "80:30080/TCP,443/TCP". */
export function portsText(ports: ServicePort[] | undefined): string {
  const text = (ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',');
  return text || '<none>';
}

export const serviceTable: TableDef = {
  columns: [
    col('Type', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'The list of ports that are exposed by this service.'),
    ageColumn,
    col('Selector', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  cells(o, now) {
    const svc = o as Service;
    const spec = svc.spec ?? {};
    return [
      spec.type ?? '',
      spec.clusterIPs?.[0] ?? '<none>',
      externalIP(spec, svc.status),
      portsText(spec.ports),
      age(o, now),
      labelsText(spec.selector ?? undefined),
    ];
  },
};
