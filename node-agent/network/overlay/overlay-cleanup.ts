// `k8ts killall`'s part for the overlay: flannel.1 (its routes, neighbours and FDB entries go
// with it), host-gw routes, the FLANNEL-* chains and subnet.env. Only when our subnet.env is
// there: that file is the record that this agent set the overlay up, and holds the cluster
// network the host-gw routes were in.
import { readFile, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execOk, hostExec, type Exec } from '../../../lib/exec.js';
import { cidrRange, formatIPv4 } from '../../../lib/ipv4.js';
import { deleteLink } from '../../../cni/host-cleanup.js';
import { VXLAN_DEVICE } from './flannel-node.js';
import { parseHostGwRoutes } from './kernel-state.js';
import { removeMasquerade } from './masquerade.js';
import { parseSubnetEnv, removeSubnetEnv } from './subnet-env.js';
import { routeDel } from './diff.js';

export async function removeOverlay(subnetEnv: string, exec: Exec = hostExec): Promise<string[]> {
  const text = await readFile(subnetEnv, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const env = parseSubnetEnv(text);
  const removed: string[] = [];
  if (await deleteLink(VXLAN_DEVICE, exec)) removed.push(`link ${VXLAN_DEVICE}`);
  const network = env.FLANNEL_NETWORK;
  const subnet = env.FLANNEL_SUBNET;
  if (network && subnet) {
    const own = `${formatIPv4(cidrRange(subnet).network)}/${subnet.split('/')[1]}`;
    const routes = parseHostGwRoutes((await execOk(exec, 'ip', ['-j', '-4', 'route', 'show'])).stdout, network, own);
    for (const r of routes) {
      await execOk(exec, routeDel(r).file, routeDel(r).args);
      removed.push(`route ${r.dst} via ${r.via}`);
    }
  }
  await removeMasquerade(exec);
  await removeSubnetEnv(subnetEnv);
  removed.push(subnetEnv);
  await rmdir(dirname(subnetEnv)).catch(() => undefined);
  return removed;
}
