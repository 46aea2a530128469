// From the probes' results and what the Node objects say, the likely cause of each failure, in
// the words a user can act on: UDP 8472 blocked, the wrong interface, the MTU, a missing route,
// br_netfilter, DNS. Pure: tested without a cluster.
import type { ClientResult } from './probe.js';

export interface NodeFacts {
  name: string;
  internalIP?: string;
  podCIDR?: string;
  /** flannel.alpha.coreos.com/backend-type */
  backend?: string;
  /** flannel.alpha.coreos.com/public-ip */
  publicIP?: string;
  /** Whether flannel's backend-data (the VTEP MAC) is there. */
  hasBackendData: boolean;
}

export interface CheckResults {
  nodes: NodeFacts[];
  /** By client node; undefined when its pods did not run. */
  results: Map<string, ClientResult | undefined>;
  /** Why a node's pods did not run, when they did not. */
  notRun: Map<string, string>;
}

function crossNodeCause(from: NodeFacts, to: NodeFacts): string {
  for (const n of [to, from]) {
    if (!n.podCIDR) return `missing route: node ${n.name} has no spec.podCIDR, so no node routes its pods (does the server allocate node CIDRs?)`;
    if (n.backend && n.backend !== 'host-gw' && !n.hasBackendData) return `missing route: node ${n.name} has no flannel backend-data annotation (is its agent's flannel component running?), so no node programs a route to ${n.podCIDR}`;
    if (n.publicIP && n.internalIP && n.publicIP !== n.internalIP) return `wrong interface: node ${n.name}'s overlay runs on ${n.publicIP}, not its InternalIP ${n.internalIP}: check its --flannel-iface / --node-ip`;
  }
  if (to.backend === 'host-gw' || from.backend === 'host-gw') return `missing route: host-gw routes ${to.podCIDR} via ${to.internalIP}, which needs ${from.name} and ${to.name} on one L2 network`;
  return `UDP 8472 blocked: VXLAN packets from ${from.name} (${from.internalIP ?? '?'}) do not reach ${to.name} (${to.internalIP ?? '?'}) or back; allow UDP 8472 between the nodes (firewall, security group)`;
}

/** One sentence per failure, deduplicated, in node order. */
export function diagnose(c: CheckResults): string[] {
  const causes: string[] = [];
  const add = (s: string) => { if (!causes.includes(s)) causes.push(s); };
  const byName = new Map(c.nodes.map((n) => [n.name, n]));
  for (const [node, why] of c.notRun) add(`node ${node}: the check's pods did not run (${why})`);
  for (const from of c.nodes) {
    const r = c.results.get(from.name);
    if (!r) continue;
    let podsOk = true;
    for (const p of r.pods) {
      const to = byName.get(p.node);
      if (p.small && p.big) continue;
      podsOk = false;
      if (p.small && !p.big) add(`MTU: between ${from.name} and ${p.node} small packets pass but full-size ones do not; the pods' MTU must be the uplink's minus 50 (VXLAN overhead)`);
      else if (p.node === from.name) add(`pod network on ${from.name}: pods on the same node do not reach each other (CNI bridge, or iptables FORWARD policy DROP without the agent's rules)`);
      else if (to) add(crossNodeCause(from, to));
    }
    if (r.service === false) {
      add(podsOk
        ? `Service traffic from ${from.name}: pods answer by IP but not through the ClusterIP; the service proxy's rules are missing there, or br_netfilter is not loaded (modprobe br_netfilter; sysctl net.bridge.bridge-nf-call-iptables=1)`
        : `Service traffic from ${from.name} fails too: fix pod-to-pod first`);
    }
    if (r.dns === false && r.service !== false) add(`DNS from ${from.name}: the Service answers but its name does not resolve; check kube-dns's endpoints (kubectl -n kube-system get endpointslices) and UDP 53 to them`);
  }
  return causes;
}

/** The matrix: one row per client node, a column per server node, then SERVICE and DNS. */
export function formatMatrix(c: CheckResults): string {
  const names = c.nodes.map((n) => n.name);
  const cell = (ok: boolean | undefined, big?: boolean) => (ok === undefined ? '-' : ok && big !== false ? 'ok' : ok ? 'MTU' : 'FAIL');
  const rows: string[][] = [['FROM \\ TO', ...names, 'SERVICE', 'DNS']];
  for (const from of names) {
    const r = c.results.get(from);
    const pods = names.map((to) => {
      const p = r?.pods.find((x) => x.node === to);
      return p ? cell(p.small, p.big) : '-';
    });
    rows.push([from, ...pods, cell(r?.service), cell(r?.dns)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((v, i) => v.padEnd(widths[i]! + 3)).join('').trimEnd()).join('\n') + '\n';
}

/** Whether everything passed. */
export function allPassed(c: CheckResults): boolean {
  if (c.notRun.size) return false;
  for (const n of c.nodes) {
    const r = c.results.get(n.name);
    if (!r || r.service !== true || r.dns !== true || r.pods.length !== c.nodes.length || r.pods.some((p) => !p.small || !p.big)) return false;
  }
  return true;
}
