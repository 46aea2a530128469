// The overlay controller, flannel's kube subnet manager in the agent: it watches every Node and
// keeps this host's side of the pod network level with them - flannel.1 (vxlan), the Node's
// flannel annotations, subnet.env, masquerade rules, and one route/neighbour/FDB entry per
// peer. There is one key ("overlay"): the whole host is reconciled from the informer cache and
// the kernel's actual state each time, which is cheap (a few `ip` reads) and restart-safe.
import { logger } from '../../../lib/log.js';
import { execOk, type Exec } from '../../../lib/exec.js';
import { Informer, listWatch, stripManagedFields } from '../../../lib/client/informer.js';
import { runController } from '../../../lib/client/controller.js';
import { WorkQueue } from '../../../lib/client/workqueue.js';
import { resources } from '../../../lib/client/resource-types.js';
import type { KubeClient } from '../../../lib/client/rest-client.js';
import type { Node } from '../../../lib/client/types.js';
import { cidrContains } from '../../../lib/ipv4.js';
import { deleteLink, linkExists } from '../../../cni/host-cleanup.js';
import { flannelAnnotations, hasAnnotations, networkAddress, stableVtepMAC, VXLAN_DEVICE } from './flannel-node.js';
import { desiredState } from './desired.js';
import { stateCommands } from './diff.js';
import { readOverlayState } from './kernel-state.js';
import { findUplink, podMTU } from './uplink.js';
import { ensureVxlanDevice } from './vxlan-device.js';
import { ensureMasquerade } from './masquerade.js';
import { subnetEnvText, writeSubnetEnv } from './subnet-env.js';

const log = logger('flannel');
const KEY = 'overlay';

export interface OverlayOptions {
  client: KubeClient;
  nodeName: string;
  backend: 'vxlan' | 'host-gw';
  clusterCIDR: string;
  /** --flannel-iface; default: the interface holding nodeIP. */
  iface?: string;
  nodeIP?: string;
  subnetEnvPath: string;
  /** Runs ip, bridge and iptables (tests wrap it in `ip netns exec`). */
  exec: Exec;
  /** Full re-check this often even without Node events (someone deleted a route by hand). */
  resyncMs?: number;
}

export interface OverlayStatus {
  podCIDR: string;
  publicIP: string;
  mtu: number;
  vtepMAC?: string;
  peers: number;
}

export class FlannelOverlay {
  readonly nodes: Informer<Node>;
  private readonly queue = new WorkQueue<string>();
  private envText = '';
  private warnedCIDR = '';
  private last: OverlayStatus | undefined;
  private readonly waiters: Array<(s: OverlayStatus) => void> = [];

  constructor(private readonly o: OverlayOptions) {
    this.nodes = new Informer(listWatch(o.client.resource<Node>(resources.nodes)), { name: 'flannel-nodes', transform: stripManagedFields, resyncMs: o.resyncMs ?? 60_000 });
    const kick = () => this.queue.add(KEY);
    this.nodes.on({ add: kick, update: kick, delete: kick });
  }

  /** Runs until the signal aborts. The kernel state stays (pods keep their network); killall removes it. */
  async run(signal: AbortSignal): Promise<void> {
    const informer = this.nodes.run(signal);
    await runController({ name: 'flannel', workers: 1, queue: this.queue, waitFor: [this.nodes], signal, sync: () => this.sync() });
    await informer;
  }

  /** Resolves after the first reconcile that got this node fully set up. */
  ready(): Promise<OverlayStatus> {
    return this.last ? Promise.resolve(this.last) : new Promise((resolve) => this.waiters.push(resolve));
  }

  private async sync(): Promise<void> {
    const { o } = this;
    const self = this.nodes.cache.get(o.nodeName);
    const podCIDR = self?.spec?.podCIDR;
    // As flannel: no route can be published for a node without its subnet.
    if (!podCIDR) throw new Error(`pod cidr not assigned to node ${o.nodeName} yet`);
    if (!cidrContains(o.clusterCIDR, podCIDR.split('/')[0]!) && this.warnedCIDR !== podCIDR && (this.warnedCIDR = podCIDR)) log.warn({ podCIDR, clusterCIDR: o.clusterCIDR }, 'pod CIDR outside --cluster-cidr: its traffic will be masqueraded');
    const uplink = await findUplink(o.exec, { iface: o.iface, nodeIP: o.nodeIP });
    const mtu = podMTU(o.backend, uplink.mtu);
    // subnet.env first: it is also killall's record that this host has overlay state to remove.
    const env = { network: o.clusterCIDR, subnet: podCIDR, mtu, ipMasq: true };
    if (subnetEnvText(env) !== this.envText) {
      await writeSubnetEnv(o.subnetEnvPath, env);
      this.envText = subnetEnvText(env);
    }
    let vtepMAC: string | undefined;
    if (o.backend === 'vxlan') {
      vtepMAC = await ensureVxlanDevice(o.exec, { uplink, mtu, address: `${networkAddress(podCIDR)}/32`, mac: stableVtepMAC(o.nodeName) });
    } else if (await linkExists(VXLAN_DEVICE, o.exec)) {
      await deleteLink(VXLAN_DEVICE, o.exec); // switched from vxlan
    }
    const annotations = flannelAnnotations(o.backend, uplink.ip, vtepMAC);
    if (!hasAnnotations(self, annotations)) {
      await o.client.resource<Node>(resources.nodes).patch('', o.nodeName, { metadata: { annotations } }, 'merge');
      log.info({ node: o.nodeName, publicIP: uplink.ip, vtepMAC, backend: o.backend }, 'node annotated');
    }
    await ensureMasquerade(o.exec, o.clusterCIDR);
    const want = desiredState(o.nodeName, o.backend, this.nodes.cache.list(), uplink.ip);
    const have = await readOverlayState(o.exec, o.backend, o.clusterCIDR, podCIDR);
    const cmds = stateCommands(want, have);
    for (const c of cmds) await execOk(o.exec, c.file, c.args);
    if (cmds.length) log.info({ peers: want.routes.length, changes: cmds.map((c) => `${c.file} ${c.args.slice(0, 3).join(' ')}`) }, 'overlay peers programmed');
    this.last = { podCIDR, publicIP: uplink.ip, mtu, vtepMAC, peers: want.routes.length };
    for (const w of this.waiters.splice(0)) w(this.last);
  }
}
