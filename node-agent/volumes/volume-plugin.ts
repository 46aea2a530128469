// A volume plugin the volume manager asks before its built-in kinds (emptyDir, configMap, ...):
// CSI today (csi-volume.ts). Plugins are added by the components that own them, once those are
// up, so a pod synced earlier gets a FailedMount and is retried, as kubelet does before a driver
// registers.
import type { Pod, Volume } from '../kube-types.js';

export interface PluginMount {
  hostPath: string;
  readOnly: boolean;
}

export interface VolumePlugin {
  readonly name: string;
  /** Makes `v` ready for the pod, or returns undefined when `v` is not this plugin's. Idempotent. */
  setUp(pod: Pod, v: Volume): Promise<PluginMount | undefined>;
  /** Undoes setUp for every volume of the pod whose directory is `podDir` (its containers are gone). */
  tearDown(podDir: string): Promise<void>;
}
