// The objects the server keeps for the built-in Ingress controller: the IngressClass `k8ts`
// (the cluster's default) and each served Ingress's status.loadBalancer, which lists the IPs of
// the nodes whose agents serve Ingresses (label k8ts.io/ingress=true). The server writes the
// status, not the agents: one writer, so nodes coming and going never race on it. Pure.
import { defaultClassAnnotation, k8tsIngressClass, k8tsIngressController, type Ingress, type IngressClass } from '../../lib/ingress.js';
import type { Node } from '../../lib/client/types.js';

export function k8tsIngressClassObject(): IngressClass {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
    metadata: { name: k8tsIngressClass, annotations: { [defaultClassAnnotation]: 'true' }, labels: { 'app.kubernetes.io/managed-by': 'k8ts' } },
    spec: { controller: k8tsIngressController },
  };
}

/** A node's address for Ingress status: its ExternalIP, else its InternalIP (IPv4 first). */
function nodeAddress(node: Node): string | undefined {
  const addrs = node.status?.addresses ?? [];
  const pick = (type: string) => addrs.filter((a) => a.type === type).map((a) => a.address).sort((a, b) => Number(b.includes('.')) - Number(a.includes('.')))[0];
  return pick('ExternalIP') ?? pick('InternalIP');
}

/** status.loadBalancer.ingress for the nodes serving Ingresses: their IPs, sorted, without duplicates. */
export function wantedLoadBalancer(nodes: readonly Node[]): Array<{ ip: string }> {
  const ips = [...new Set(nodes.map(nodeAddress).filter((ip): ip is string => !!ip))];
  return ips.sort(compareIPs).map((ip) => ({ ip }));
}

function compareIPs(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4) for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether the Ingress's status already lists exactly these. */
export function loadBalancerUpToDate(ing: Ingress, wanted: ReadonlyArray<{ ip: string }>): boolean {
  const have = ing.status?.loadBalancer?.ingress ?? [];
  return have.length === wanted.length && have.every((h, i) => h.ip === wanted[i].ip && !h.hostname && !h.ports?.length);
}
