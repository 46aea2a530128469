// Reading the overlay's actual kernel state through iproute2's JSON output (`ip -j`, `bridge -j`),
// so the reconcile starts from what is there (after a restart, or someone's `ip route del`), not
// from what it remembers. The parsers are pure; the readers run the commands through an Exec.
import { execOk, type Exec } from '../../../lib/exec.js';
import { cidrContains } from '../../../lib/ipv4.js';
import { VXLAN_DEVICE, type FlannelBackend } from './flannel-node.js';
import { emptyState, type OverlayState, type RouteEntry } from './desired.js';

interface IpRoute { dst?: string; gateway?: string; dev?: string; flags?: string[] }
interface IpNeigh { dst?: string; lladdr?: string; state?: string[] }
interface BridgeFdb { mac?: string; dst?: string; flags?: string[]; state?: string }

function json<T>(text: string): T[] {
  const t = text.trim();
  return t ? (JSON.parse(t) as T[]) : [];
}

/** A route's destination as `a.b.c.d/n` (iproute2 prints host routes without /32). */
const withPrefix = (dst: string) => (dst.includes('/') ? dst : `${dst}/32`);

/** vxlan: routes on flannel.1 with a gateway are ours (the device is ours alone). */
export function parseVxlanRoutes(text: string): RouteEntry[] {
  return json<IpRoute>(text)
    .filter((r) => r.dst && r.gateway && r.dev === VXLAN_DEVICE)
    .map((r) => ({ dst: withPrefix(r.dst!), via: r.gateway!, dev: VXLAN_DEVICE }));
}

/**
 * host-gw: routes through a gateway to a subnet of the cluster CIDR other than our own pod CIDR
 * (which lives on the CNI bridge). They are what host-gw programs; nothing else routes pod subnets.
 */
export function parseHostGwRoutes(text: string, clusterCIDR: string, ownPodCIDR: string): RouteEntry[] {
  return json<IpRoute>(text)
    .filter((r) => r.dst && /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(r.dst) && r.gateway && r.dev !== VXLAN_DEVICE
      && withPrefix(r.dst) !== ownPodCIDR && cidrContains(clusterCIDR, r.dst.split('/')[0]!))
    .map((r) => ({ dst: withPrefix(r.dst!), via: r.gateway! }));
}

/** Permanent neighbour entries on flannel.1 (the ones we program; anything else is stale). */
export function parseNeighs(text: string): OverlayState['neighs'] {
  return json<IpNeigh>(text)
    .filter((n) => n.dst && n.lladdr)
    .map((n) => ({ ip: n.dst!, mac: n.lladdr!.toLowerCase() }));
}

/** Unicast FDB entries with a remote dst on flannel.1. */
export function parseFdbs(text: string): OverlayState['fdbs'] {
  return json<BridgeFdb>(text)
    .filter((f) => f.mac && f.dst && f.mac !== '00:00:00:00:00:00')
    .map((f) => ({ mac: f.mac!.toLowerCase(), dst: f.dst! }));
}

export async function readOverlayState(exec: Exec, backend: FlannelBackend, clusterCIDR: string, ownPodCIDR: string): Promise<OverlayState> {
  if (backend === 'none') return emptyState();
  const routes = (await execOk(exec, 'ip', ['-j', '-4', 'route', 'show'])).stdout;
  if (backend === 'host-gw') return { ...emptyState(), routes: parseHostGwRoutes(routes, clusterCIDR, ownPodCIDR) };
  return {
    // host-gw routes left from before a switch to vxlan are stale: listed, so the diff removes them.
    routes: [...parseVxlanRoutes(routes), ...parseHostGwRoutes(routes, clusterCIDR, ownPodCIDR)],
    neighs: parseNeighs((await execOk(exec, 'ip', ['-j', '-4', 'neigh', 'show', 'dev', VXLAN_DEVICE])).stdout),
    fdbs: parseFdbs((await execOk(exec, 'bridge', ['-j', 'fdb', 'show', 'dev', VXLAN_DEVICE])).stdout),
  };
}
