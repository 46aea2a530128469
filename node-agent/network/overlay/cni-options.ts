// What the overlay changes in the node's bridge conflist: the pods' MTU leaves room for VXLAN
// headers, and the bridge's own ipMasq goes (it would NAT pod-to-pod traffic across nodes; the
// overlay's FLANNEL-POSTRTG masquerades only traffic leaving the cluster CIDR). Without an
// overlay (`--disable flannel`) the bridge keeps masquerading, or pods would reach nothing outside.
import { hostExec, type Exec } from '../../../lib/exec.js';
import { logger } from '../../../lib/log.js';
import type { FlannelBackend } from './flannel-node.js';
import { findUplink, podMTU } from './uplink.js';

const log = logger('network');

export async function overlayCniOptions(backend: FlannelBackend, uplink: { iface?: string; nodeIP?: string }, exec: Exec = hostExec): Promise<{ mtu?: number; ipMasq: boolean }> {
  if (backend === 'none') return { ipMasq: true };
  try {
    return { mtu: podMTU(backend, (await findUplink(exec, uplink)).mtu), ipMasq: false };
  } catch (err) {
    // Pods still get a network on this node; the overlay itself reports the same error.
    log.warn({ err: (err as Error).message }, 'uplink not found: pod MTU left at the default');
    return { ipMasq: false };
  }
}
