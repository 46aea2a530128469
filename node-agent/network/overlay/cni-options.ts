// What the overlay changes in the node's bridge conflist: the pods' MTU leaves room for VXLAN
// headers, and the bridge's own ipMasq goes (it would NAT pod-to-pod traffic across nodes; the
// overlay's FLANNEL-POSTRTG masquerades only traffic leaving the cluster CIDR).
import { hostExec, type Exec } from '../../../lib/exec.js';
import type { FlannelBackend } from './flannel-node.js';
import { findUplink, podMTU } from './uplink.js';

export async function overlayCniOptions(backend: FlannelBackend, uplink: { iface?: string; nodeIP?: string }, exec: Exec = hostExec): Promise<{ mtu?: number; ipMasq: boolean }> {
  if (backend === 'none') return { ipMasq: true };
  const link = await findUplink(exec, uplink);
  return { mtu: podMTU(backend, link.mtu), ipMasq: false };
}
