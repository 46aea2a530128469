// A pod's QoS class as the agent uses it: it picks the cgroup the pod lives in and the OOM score
// of its containers. The API server's status.qosClass when set, else computed the same way.
import { computePodQOS, type QOSClass } from '../../lib/pod-qos.js';
import type { Pod } from '../kube-types.js';

export function podQOSClass(pod: Pod): QOSClass {
  return (pod.status?.qosClass as QOSClass | undefined) || computePodQOS(pod.spec ?? {});
}
