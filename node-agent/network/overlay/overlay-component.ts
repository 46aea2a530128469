// The agent's `flannel` component: runs the overlay controller for this node once the pod
// network is configured. Off with `--flannel-backend none` (or `--disable flannel`).
import { hostExec } from '../../../lib/exec.js';
import { logger } from '../../../lib/log.js';
import { nothingToStop, type Component } from '../../../lib/components.js';
import type { AgentConfig } from '../../config.js';
import { apiClientValue, nodeValue } from '../../agent-values.js';
import { DEFAULT_RUN_DIR } from '../../containerd/index.js';
import { FlannelOverlay } from './overlay.js';
import { subnetEnvPath } from './subnet-env.js';

const log = logger('flannel');

export function flannelComponent(cfg: AgentConfig): Component {
  return {
    name: 'flannel',
    requires: ['api-client', 'node', 'node-registration'],
    // The conflist first (its MTU and ipMasq already suit the overlay); without it (--disable
    // network) the overlay still serves a CNI of the user's that reads subnet.env.
    after: ['network'],
    optional: true,
    async start(ctx) {
      if (cfg.flannelBackend === 'none') return nothingToStop;
      const node = ctx.get(nodeValue);
      const overlay = new FlannelOverlay({
        client: ctx.get(apiClientValue), nodeName: cfg.nodeName, backend: cfg.flannelBackend, clusterCIDR: cfg.clusterCIDR,
        iface: cfg.flannelIface, nodeIP: cfg.flannelIface ? cfg.nodeIP : (cfg.nodeIP ?? node.host.internalIP),
        subnetEnvPath: subnetEnvPath(cfg.runDir, DEFAULT_RUN_DIR), exec: hostExec,
      });
      const stopper = new AbortController();
      ctx.signal.addEventListener('abort', () => stopper.abort(), { once: true });
      const running = overlay.run(stopper.signal).catch((err: unknown) => log.error({ err: (err as Error).message }, 'overlay stopped'));
      // Not awaited: a node whose peers are unreachable still runs its own pods.
      void overlay.ready().then((s) => log.info({ node: cfg.nodeName, backend: cfg.flannelBackend, ...s }, 'overlay up'));
      return async () => {
        stopper.abort();
        await running;
      };
    },
  };
}
