// The interface overlay traffic leaves by (flannel's --iface): the one named by --flannel-iface,
// else the one holding the node IP. Its MTU sizes flannel.1 and the pods' MTU; its IPv4 address
// is the public IP peers send VXLAN packets to.
import { execOk, type Exec } from '../../../lib/exec.js';
import { VXLAN_OVERHEAD, type FlannelBackend } from './flannel-node.js';

export interface Uplink {
  name: string;
  mtu: number;
  /** The address flannel.1 sends from and peers send to. */
  ip: string;
}

interface IpAddrLink { ifname?: string; mtu?: number; addr_info?: { family?: string; local?: string }[] }

/** Picks the uplink from `ip -j -4 addr show` output. Pure. */
export function pickUplink(addrJson: string, opts: { iface?: string; nodeIP?: string }): Uplink {
  const links = JSON.parse(addrJson.trim() || '[]') as IpAddrLink[];
  const v4 = (l: IpAddrLink) => (l.addr_info ?? []).filter((a) => a.family === 'inet' && a.local).map((a) => a.local!);
  const link = opts.iface
    ? links.find((l) => l.ifname === opts.iface)
    : links.find((l) => opts.nodeIP !== undefined && v4(l).includes(opts.nodeIP));
  if (!link) {
    throw new Error(opts.iface
      ? `--flannel-iface ${opts.iface}: no such interface with an IPv4 address`
      : `no interface holds the node IP ${opts.nodeIP ?? '(none)'}: give --flannel-iface or --node-ip`);
  }
  const addrs = v4(link);
  const ip = opts.nodeIP && addrs.includes(opts.nodeIP) ? opts.nodeIP : addrs[0];
  if (!ip) throw new Error(`interface ${link.ifname} has no IPv4 address for the overlay`);
  return { name: link.ifname!, mtu: link.mtu ?? 1500, ip };
}

export async function findUplink(exec: Exec, opts: { iface?: string; nodeIP?: string }): Promise<Uplink> {
  return pickUplink((await execOk(exec, 'ip', ['-j', '-4', 'addr', 'show'])).stdout, opts);
}

/** The pods' MTU on a backend: VXLAN encapsulation takes 50 bytes, host-gw none. */
export function podMTU(backend: FlannelBackend, uplinkMTU: number): number {
  return backend === 'vxlan' ? uplinkMTU - VXLAN_OVERHEAD : uplinkMTU;
}
