// What every controller gets from the controller manager, and the shape a controller has:
// setup() registers informers and handlers (synchronously, before informers start), run()
// works until the signal aborts.
import type { Clock } from '../../lib/client/clock.js';
import type { EventRecorder } from '../../lib/client/events.js';
import type { InformerFactory } from '../../lib/client/informer-factory.js';
import type { KubeClient } from '../../lib/client/rest-client.js';

export interface ControllerOptions {
  /** Pod IP range split into per-node ranges by node IPAM (default 10.42.0.0/16). */
  clusterCIDR: string;
  /** Size of each node's range (default 24). */
  nodeCIDRMaskSize: number;
  /** A node whose lease is not renewed for this long turns Unknown (default 40 s). */
  nodeMonitorGracePeriodMs: number;
  /** How often node health is checked (default 5 s). */
  nodeMonitorPeriodMs: number;
  /** How often every HorizontalPodAutoscaler is evaluated (default 15 s). */
  hpaSyncPeriodMs: number;
  /** The cluster CA, published to every namespace as kube-root-ca.crt. */
  rootCA: string;
  /** The cluster CA's key: the CSR signer signs with it (absent: it signs nothing). */
  rootCAKey?: string;
  /** The longest certificate the CSR signer issues (kube-controller-manager's --cluster-signing-duration, 1 year). */
  clusterSigningSeconds?: number;
}

export const defaultControllerOptions: Omit<ControllerOptions, 'rootCA'> = {
  clusterCIDR: '10.42.0.0/16',
  nodeCIDRMaskSize: 24,
  nodeMonitorGracePeriodMs: 40_000,
  nodeMonitorPeriodMs: 5_000,
  hpaSyncPeriodMs: 15_000,
};

export interface ControllerContext {
  client: KubeClient;
  /** Shared informers: ask for what you watch in setup(); they start after every setup ran. */
  informers: InformerFactory;
  clock: Clock;
  /** A legacy-style event recorder whose events name `component` as their source. */
  recorder(component: string): EventRecorder;
  options: ControllerOptions;
}

export interface Controller {
  run(signal: AbortSignal): Promise<void>;
}

export interface ControllerDescriptor {
  /** The name kube-controller-manager's --controllers flag uses ("namespace-controller"). */
  name: string;
  setup(ctx: ControllerContext): Controller;
}
