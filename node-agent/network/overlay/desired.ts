// The kernel state this node wants for its peers, as flannel's kube subnet manager programs it:
// for a vxlan peer one route (via the peer's VTEP address, onlink over flannel.1), one permanent
// neighbour entry (that address -> the peer's VTEP MAC) and one FDB entry (that MAC -> the
// peer's public IP); for a host-gw peer one route via its public IP. Pure: Nodes in, entries out.
import type { Node } from '../../../lib/client/types.js';
import { networkAddress, peerOf, VXLAN_DEVICE, type FlannelBackend } from './flannel-node.js';

export interface RouteEntry {
  dst: string;
  via: string;
  /** vxlan: flannel.1 with onlink; host-gw: unset (the kernel picks the uplink). */
  dev?: string;
}

export interface NeighEntry {
  ip: string;
  mac: string;
}

export interface FdbEntry {
  mac: string;
  dst: string;
}

export interface OverlayState {
  routes: RouteEntry[];
  neighs: NeighEntry[];
  fdbs: FdbEntry[];
}

export const emptyState = (): OverlayState => ({ routes: [], neighs: [], fdbs: [] });

/**
 * Entries for every node but `self` (and others on `selfIP`) that publishes the same backend. A peer on another backend
 * is skipped (flannel needs one backend per cluster); two nodes claiming one podCIDR keep the
 * first by name, so the kernel never gets two routes for one destination.
 */
export function desiredState(selfName: string, backend: FlannelBackend, nodes: readonly Node[], selfIP?: string): OverlayState {
  const out = emptyState();
  if (backend === 'none') return out;
  // A peer on our own address is another agent on this host (tests run several in one network
  // namespace): its pods are on a local bridge already, and a route would replace that one.
  const peers = nodes.map(peerOf).filter((p) => p !== undefined && p.node !== selfName && p.backend === backend && p.publicIP !== selfIP);
  peers.sort((a, b) => (a!.node < b!.node ? -1 : 1));
  const seen = new Set<string>();
  const self = nodes.find((n) => n.metadata?.name === selfName)?.spec?.podCIDR;
  if (self) seen.add(self);
  for (const p of peers) {
    if (!p || seen.has(p.podCIDR)) continue;
    seen.add(p.podCIDR);
    if (p.backend === 'host-gw') {
      out.routes.push({ dst: p.podCIDR, via: p.publicIP });
      continue;
    }
    const vtep = networkAddress(p.podCIDR);
    out.routes.push({ dst: p.podCIDR, via: vtep, dev: VXLAN_DEVICE });
    out.neighs.push({ ip: vtep, mac: p.vtepMAC! });
    out.fdbs.push({ mac: p.vtepMAC!, dst: p.publicIP });
  }
  return out;
}
