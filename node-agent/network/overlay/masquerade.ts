// Masquerade and forwarding for pod traffic, in chains of our own as flannel keeps them: pod to
// pod anywhere in the cluster CIDR keeps its source address (the bridge plugin's ipMasq would
// NAT everything leaving this node's /24, cross-node pod traffic included, so the overlay turns
// it off); pod traffic to anywhere else but multicast is masqueraded. FLANNEL-FWD accepts the
// cluster CIDR in FORWARD, so a host whose FORWARD policy is DROP (Docker sets it) still
// forwards pods' packets.
import { execOk, type Exec } from '../../../lib/exec.js';
import { removeChains } from '../../../cni/host-cleanup.js';

export const MASQ_CHAIN = 'FLANNEL-POSTRTG';
export const FORWARD_CHAIN = 'FLANNEL-FWD';
const COMMENT = 'k8ts flannel';

/** The chains' whole content, as one iptables-restore --noflush batch (declaring a chain flushes it). Pure. */
export function masqueradeBatch(clusterCIDR: string): string {
  const c = `-m comment --comment "${COMMENT}"`;
  return [
    '*nat',
    `:${MASQ_CHAIN} - [0:0]`,
    `-A ${MASQ_CHAIN} -s ${clusterCIDR} -d ${clusterCIDR} ${c} -j RETURN`,
    `-A ${MASQ_CHAIN} -s ${clusterCIDR} ! -d 224.0.0.0/4 ${c} -j MASQUERADE --random-fully`,
    'COMMIT',
    '*filter',
    `:${FORWARD_CHAIN} - [0:0]`,
    `-A ${FORWARD_CHAIN} -s ${clusterCIDR} ${c} -j ACCEPT`,
    `-A ${FORWARD_CHAIN} -d ${clusterCIDR} ${c} -j ACCEPT`,
    'COMMIT',
    '',
  ].join('\n');
}

/** The jumps into our chains: [table, chain, insert (first) or append]. */
export const jumps = [
  { table: 'nat', chain: 'POSTROUTING', target: MASQ_CHAIN, insert: false },
  // Appended, as the forward policy's last word (a host whose policy is DROP still forwards pod
  // traffic): inserted first, it would accept a pod's packet to a Service without endpoints
  // before the service proxy's REJECT (kube-proxy's jumps go first) and send it off the node.
  { table: 'filter', chain: 'FORWARD', target: FORWARD_CHAIN, insert: false },
] as const;

export async function ensureMasquerade(exec: Exec, clusterCIDR: string): Promise<void> {
  await execOk(exec, 'iptables-restore', ['--noflush'], { stdin: masqueradeBatch(clusterCIDR) });
  for (const j of jumps) {
    const rule = ['-m', 'comment', '--comment', COMMENT, '-j', j.target];
    if ((await exec('iptables', ['-w', '-t', j.table, '-C', j.chain, ...rule])).code === 0) continue;
    await execOk(exec, 'iptables', ['-w', '-t', j.table, j.insert ? '-I' : '-A', j.chain, ...(j.insert ? ['1'] : []), ...rule]);
  }
}

/** Removes both chains and the jumps to them (killall, or a backend switched to none). */
export async function removeMasquerade(exec: Exec): Promise<void> {
  await removeChains('nat', [MASQ_CHAIN], exec);
  await removeChains('filter', [FORWARD_CHAIN], exec);
}
