// The node's pod network, as a component of the agent: once the node is registered, its pod
// CIDR (assigned by the server's node IPAM, or --pod-cidr when none comes within 10 s) becomes
// the bridge conflist the runtime's CNI reads, and is handed to the runtime. A new CIDR on the
// Node rewrites it. Optional: with `--disable network`, another CNI owns /etc/cni/net.d.
import { logger } from '../../lib/log.js';
import { nothingToStop, type Component } from '../../lib/components.js';
import { networkNameFor, writeBridgeConflist } from '../../cni/bridge-conflist.js';
import type { AgentConfig } from '../config.js';
import { nodeValue, podNetworkValue, runtimeValue } from '../agent-values.js';
import { overlayCniOptions } from './overlay/cni-options.js';

const log = logger('network');

/** How long a new node waits for the server's node IPAM before using its default pod CIDR. */
const POD_CIDR_WAIT_MS = 10_000;

export function podNetworkComponent(cfg: AgentConfig): Component {
  return {
    name: 'network',
    requires: ['node-registration', 'node', 'runtime'],
    optional: true,
    async start(ctx) {
      const node = ctx.get(nodeValue);
      const cri = ctx.get(runtimeValue).cri;
      const write = async (podCIDR: string) => {
        const backend = cfg.disabledComponents.includes('flannel') ? 'none' : cfg.flannelBackend;
        const overlay = await overlayCniOptions(backend, { iface: cfg.flannelIface, nodeIP: cfg.nodeIP ?? node.host.internalIP });
        await writeBridgeConflist(cfg.cniConfDir, { name: networkNameFor(cfg.cniBridge), podCidr: podCIDR, bridge: cfg.cniBridge, ipamDataDir: cfg.cniIpamDataDir, ...overlay });
        await cri.runtime.updateRuntimeConfig(podCIDR).catch(() => undefined);
        log.info({ podCIDR, confDir: cfg.cniConfDir, ...overlay }, 'pod network configured');
      };
      const podCIDR = (await node.waitForPodCIDR(POD_CIDR_WAIT_MS, ctx.signal)) ?? cfg.defaultPodCIDR;
      await write(podCIDR);
      let current = podCIDR;
      node.onPodCIDR((cidr) => {
        if (cidr === current || ctx.signal.aborted) return;
        current = cidr;
        write(cidr).catch((err: unknown) => log.warn({ podCIDR: cidr, err: (err as Error).message }, 'pod network not rewritten'));
      });
      ctx.provide(podNetworkValue, { podCIDR });
      return nothingToStop;
    },
  };
}
