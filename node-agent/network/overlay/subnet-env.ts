// /run/flannel/subnet.env, the file flannel's CNI plugin (and anything written for flannel)
// reads: the cluster network, this node's subnet as its first address, the MTU, and whether
// flannel masquerades (then the plugin asks the bridge for no ipMasq of its own).
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { writeFileAtomic } from '../../../lib/atomic-write.js';
import { cidrRange, formatIPv4 } from '../../../lib/ipv4.js';

export const DEFAULT_SUBNET_ENV = '/run/flannel/subnet.env';

export interface SubnetEnv {
  network: string;
  subnet: string;
  mtu: number;
  ipMasq: boolean;
}

export function subnetEnvText(e: SubnetEnv): string {
  const [, bits] = e.subnet.split('/');
  const first = formatIPv4(cidrRange(e.subnet).network + 1);
  return `FLANNEL_NETWORK=${e.network}\nFLANNEL_SUBNET=${first}/${bits}\nFLANNEL_MTU=${e.mtu}\nFLANNEL_IPMASQ=${e.ipMasq}\n`;
}

/** Parses the file back (killall reads the cluster network from it). */
export function parseSubnetEnv(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').map((l) => l.trim()).filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/**
 * Where the file goes: flannel's path for an agent on the default run dir; under its own run dir
 * otherwise, so several agents on one machine never overwrite each other's.
 */
export function subnetEnvPath(runDir: string | undefined, defaultRunDir: string): string {
  return !runDir || runDir === defaultRunDir ? DEFAULT_SUBNET_ENV : join(runDir, 'flannel', 'subnet.env');
}

export async function writeSubnetEnv(path: string, e: SubnetEnv): Promise<void> {
  await writeFileAtomic(path, subnetEnvText(e));
}

export async function removeSubnetEnv(path: string): Promise<void> {
  await rm(path, { force: true });
}
