// Desired vs actual overlay state, as the commands that turn one into the other. Pure, so the
// reconcile (restart-safe: it starts from whatever the kernel has) is unit-tested without a host.
// Additions go neighbour and FDB first, so a route never points at an unresolvable VTEP;
// removals go route first for the same reason.
import { VXLAN_DEVICE } from './flannel-node.js';
import type { FdbEntry, NeighEntry, OverlayState, RouteEntry } from './desired.js';

/** One program invocation: `ip ...` or `bridge ...`. */
export interface Command {
  file: 'ip' | 'bridge';
  args: string[];
}

const routeKey = (r: RouteEntry) => `${r.dst} ${r.via} ${r.dev ?? ''}`;
const neighKey = (n: NeighEntry) => `${n.ip} ${n.mac}`;
const fdbKey = (f: FdbEntry) => `${f.mac} ${f.dst}`;

function missing<T>(from: readonly T[], other: readonly T[], key: (t: T) => string): T[] {
  const keys = new Set(other.map(key));
  return from.filter((t) => !keys.has(key(t)));
}

export function routeAdd(r: RouteEntry): Command {
  return { file: 'ip', args: ['route', 'replace', r.dst, 'via', r.via, ...(r.dev ? ['dev', r.dev, 'onlink'] : [])] };
}

export function routeDel(r: RouteEntry): Command {
  return { file: 'ip', args: ['route', 'del', r.dst, 'via', r.via, ...(r.dev ? ['dev', r.dev] : [])] };
}

export function stateCommands(want: OverlayState, have: OverlayState): Command[] {
  const dev = VXLAN_DEVICE;
  const out: Command[] = [];
  for (const r of missing(have.routes, want.routes, routeKey)) out.push(routeDel(r));
  for (const n of missing(have.neighs, want.neighs, neighKey)) out.push({ file: 'ip', args: ['neigh', 'del', n.ip, 'dev', dev] });
  for (const f of missing(have.fdbs, want.fdbs, fdbKey)) out.push({ file: 'bridge', args: ['fdb', 'del', f.mac, 'dev', dev, 'dst', f.dst] });
  for (const n of missing(want.neighs, have.neighs, neighKey)) out.push({ file: 'ip', args: ['neigh', 'replace', n.ip, 'lladdr', n.mac, 'dev', dev, 'nud', 'permanent'] });
  // `append`: a MAC that moved to a new public IP gets its old entry removed above.
  for (const f of missing(want.fdbs, have.fdbs, fdbKey)) out.push({ file: 'bridge', args: ['fdb', 'append', f.mac, 'dev', dev, 'dst', f.dst, 'self', 'permanent'] });
  for (const r of missing(want.routes, have.routes, routeKey)) out.push(routeAdd(r));
  return out;
}
