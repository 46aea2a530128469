// What `k8ts server` decides about its control plane, apart from the code that runs it: the
// main thread reads these without loading the controllers, which run in their own thread.
import { defaultControllerOptions } from './context.js';

/** What `k8ts server` flags decide about the control plane. */
export interface ControlPlaneSettings {
  /** kube-controller-manager's --controllers list ('*' by default). */
  controllers: string[];
  scheduler: boolean;
  leaderElect: boolean;
  nodeMonitorGracePeriodMs: number;
  nodeMonitorPeriodMs: number;
  nodeCIDRMaskSize: number;
  /** kube-controller-manager's --horizontal-pod-autoscaler-sync-period. */
  hpaSyncPeriodMs: number;
}

export const defaultControlPlaneSettings: ControlPlaneSettings = {
  controllers: ['*'],
  scheduler: true,
  leaderElect: true,
  nodeMonitorGracePeriodMs: defaultControllerOptions.nodeMonitorGracePeriodMs,
  nodeMonitorPeriodMs: defaultControllerOptions.nodeMonitorPeriodMs,
  nodeCIDRMaskSize: defaultControllerOptions.nodeCIDRMaskSize,
  hpaSyncPeriodMs: defaultControllerOptions.hpaSyncPeriodMs,
};
