// node-ipam-controller: gives every node without one a pod range (spec.podCIDR/podCIDRs) from
// the cluster CIDR, as kube-controller-manager's range allocator does, and takes it back when
// the node is deleted.
import { runController } from '../../lib/client/controller.js';
import { referenceTo } from '../../lib/client/events.js';
import { resources } from '../../lib/client/resource-types.js';
import type { Node } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { CidrSet } from './cidr-set.js';
import type { ControllerDescriptor } from './context.js';

export const nodeIpamController: ControllerDescriptor = {
  name: 'node-ipam-controller',
  setup(ctx) {
    const nodes = ctx.informers.informer<Node>(resources.nodes);
    const nodeApi = ctx.client.resource<Node>(resources.nodes);
    const recorder = ctx.recorder('cidrAllocator');
    const cidrs = new CidrSet(ctx.options.clusterCIDR, ctx.options.nodeCIDRMaskSize);
    const queue = new WorkQueue<string>(ctx.clock);
    const observe = (n: Node) => {
      const cidr = n.spec?.podCIDR;
      if (cidr) cidrs.occupy(cidr);
      else queue.add(n.metadata?.name ?? '');
    };
    nodes.on({
      add: observe,
      update: (_, n) => observe(n),
      delete: (n) => {
        if (n.spec?.podCIDR) cidrs.release(n.spec.podCIDR);
      },
    });

    async function sync(name: string): Promise<void> {
      const node = nodes.cache.get(name);
      if (!node || node.spec?.podCIDR || node.metadata?.deletionTimestamp) return;
      const cidr = cidrs.allocate();
      if (!cidr) {
        recorder.event(referenceTo(node, { apiVersion: 'v1', kind: 'Node' }), 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        throw new Error(`no pod range left in ${ctx.options.clusterCIDR} for node ${name}`);
      }
      try {
        await nodeApi.patch('', name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'strategic');
      } catch (err) {
        cidrs.release(cidr);
        throw err;
      }
    }

    // Workers start once the node cache is full, so every range already assigned is known
    // before the first new one is handed out.
    return { run: (signal) => runController({ name: 'node-ipam-controller', queue, workers: 1, sync, waitFor: [nodes], signal }) };
  },
};
