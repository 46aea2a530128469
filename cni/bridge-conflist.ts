// The node's pod network as a CNI conflist: a Linux bridge with host-local IPAM on the
// node's pod CIDR, portmap for hostPorts, loopback last. containerd's CRI plugin reads
// the first conflist in its conf dir (10- sorts early) and watches it for changes.
import { join } from 'node:path';
import { isIP } from 'node:net';
import { writeFileAtomic } from '../lib/atomic-write.js';

export const DEFAULT_POD_CIDR = '10.42.0.0/24';
export const DEFAULT_BRIDGE = 'cni0';
export const NETWORK_NAME = 'k8ts';
export const CONFLIST_FILE = '10-k8ts.conflist';
/** Plugins 1.1.1 (Debian 12) speak CNI spec 1.0.0. */
export const CNI_VERSION = '1.0.0';

export interface BridgeNetworkOptions {
  /** Network name (CNI results, IPAM leases and iptables comments carry it). Default k8ts. */
  name?: string;
  podCidr?: string;
  bridge?: string;
  /** host-local's lease dir; omitted = its default /var/lib/cni/networks/<name>. */
  ipamDataDir?: string;
  mtu?: number;
  /** Masquerade pod traffic leaving the pod CIDR (default true). */
  ipMasq?: boolean;
}

export interface CniPluginConf {
  type: string;
  [key: string]: unknown;
}

export interface CniConfList {
  cniVersion: string;
  name: string;
  plugins: CniPluginConf[];
}

export class CniConfigError extends Error {
  readonly code = 'InvalidCniConfig';
}

/** Validates `a.b.c.d/n` or `x::/n`; returns the address family. */
export function cidrFamily(cidr: string): 4 | 6 {
  const [addr, bits, extra] = cidr.split('/');
  const fam = isIP(addr ?? '');
  const n = Number(bits);
  if (extra !== undefined || (fam !== 4 && fam !== 6) || !/^\d+$/.test(bits ?? '') || n > (fam === 4 ? 32 : 128)) {
    throw new CniConfigError(`invalid pod CIDR ${JSON.stringify(cidr)}`);
  }
  return fam;
}

export function buildBridgeConflist(opts: BridgeNetworkOptions = {}): CniConfList {
  const podCidr = opts.podCidr ?? DEFAULT_POD_CIDR;
  const bridge = opts.bridge ?? DEFAULT_BRIDGE;
  // Linux interface names are at most 15 bytes.
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(bridge)) throw new CniConfigError(`invalid bridge name ${JSON.stringify(bridge)}`);
  const family = cidrFamily(podCidr);
  const ipam: Record<string, unknown> = {
    type: 'host-local',
    ranges: [[{ subnet: podCidr }]],
    routes: [{ dst: family === 4 ? '0.0.0.0/0' : '::/0' }],
  };
  if (opts.ipamDataDir) ipam.dataDir = opts.ipamDataDir;
  const bridgeConf: CniPluginConf = {
    type: 'bridge',
    bridge,
    // The bridge holds the range's first address and is the pods' gateway.
    isGateway: true,
    ipMasq: opts.ipMasq ?? true,
    // Lets a pod reach itself through a Service IP that DNATs back to it.
    hairpinMode: true,
    ipam,
  };
  if (opts.mtu !== undefined) bridgeConf.mtu = opts.mtu;
  return {
    cniVersion: CNI_VERSION,
    name: opts.name ?? NETWORK_NAME,
    plugins: [
      bridgeConf,
      { type: 'portmap', capabilities: { portMappings: true } },
      // Brings up lo in the pod and passes the bridge result through.
      { type: 'loopback' },
    ],
  };
}

/**
 * The network name for a bridge: `k8ts` on the default cni0, `k8ts-<bridge>` otherwise, so a
 * second k8ts network on the same host (a test run) never shares IPAM leases or iptables chains.
 */
export function networkNameFor(bridge: string): string {
  return bridge === DEFAULT_BRIDGE ? NETWORK_NAME : `${NETWORK_NAME}-${bridge}`;
}

/** Writes `<confDir>/10-k8ts.conflist` atomically (containerd may be watching the dir). */
export async function writeBridgeConflist(confDir: string, opts: BridgeNetworkOptions = {}): Promise<string> {
  const path = join(confDir, CONFLIST_FILE);
  await writeFileAtomic(path, JSON.stringify(buildBridgeConflist(opts), null, 2) + '\n');
  return path;
}
