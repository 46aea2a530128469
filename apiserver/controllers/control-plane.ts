// Starts what runs beside the API server in `k8ts server`: the controller manager and the
// scheduler, each with its own client identity (as kube-controller-manager and kube-scheduler
// have), talking HTTP to the API like any client, over connections made in this process.
// It runs in the control plane's thread (control-plane-worker.ts).
import type { Duplex } from 'node:stream';
import { KubeClient } from '../../lib/client/rest-client.js';
import { startScheduler, type RunningScheduler } from '../scheduler/start.js';
import { allControllers } from './all.js';
import { serviceAccountUser } from './controller-identities.js';
import { ControllerManager, selectControllers } from './manager.js';
import type { ControlPlaneSettings } from './control-plane-settings.js';

export interface ControlPlaneOptions extends ControlPlaneSettings {
  /** https://host:port of this API server (what the clients name as host). */
  server: string;
  /** Opens a connection whose requests the server serves as `user`'s. */
  connect(user: string): Duplex;
  /** The cluster CA's certificate (PEM), which the root-CA publisher puts in every namespace. */
  rootCA: string;
  /** The cluster CA's key (PEM), with which the CSR signer signs; absent: nothing is signed. */
  rootCAKey?: string;
  clusterCIDR: string;
}

export interface RunningControlPlane {
  stop(): Promise<void>;
}

/**
 * Connections for requests per component (watches have their own). 16 in flight already keep
 * the one-threaded server busy (32 and 64 were no faster over TCP).
 */
const requestSockets = 16;

function clientFor(opts: ControlPlaneOptions, name: string, user: string): KubeClient {
  return new KubeClient({ server: opts.server }, { userAgent: name, maxSockets: requestSockets, connect: () => opts.connect(user) });
}

export function startControlPlane(opts: ControlPlaneOptions): RunningControlPlane {
  const controllers = selectControllers(allControllers, opts.controllers);
  const cmClient = clientFor(opts, 'kube-controller-manager', 'system:kube-controller-manager');
  const accountClients = new Map<string, KubeClient>();
  const accountClient = (account: string) => {
    let c = accountClients.get(account);
    if (!c) accountClients.set(account, (c = clientFor(opts, `kube-controller-manager/${account}`, serviceAccountUser(account))));
    return c;
  };
  const manager = new ControllerManager({
    client: cmClient, accountClient, controllers, leaderElect: opts.leaderElect,
    options: {
      clusterCIDR: opts.clusterCIDR, nodeCIDRMaskSize: opts.nodeCIDRMaskSize, rootCA: opts.rootCA, rootCAKey: opts.rootCAKey,
      nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs, nodeMonitorPeriodMs: opts.nodeMonitorPeriodMs,
      hpaSyncPeriodMs: opts.hpaSyncPeriodMs,
    },
  });
  manager.start();
  let scheduler: RunningScheduler | undefined;
  let schedClient: KubeClient | undefined;
  if (opts.scheduler) {
    schedClient = clientFor(opts, 'kube-scheduler', 'system:kube-scheduler');
    scheduler = startScheduler({ client: schedClient, leaderElect: opts.leaderElect });
  }
  return {
    async stop() {
      await Promise.all([manager.stop(), scheduler?.stop()]);
      cmClient.close();
      for (const c of accountClients.values()) c.close();
      schedClient?.close();
    },
  };
}
