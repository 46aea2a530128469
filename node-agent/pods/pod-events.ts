// Events about pods and their containers, recorded as kubelet records them: source component
// "kubelet" and the node as host, containers referenced by fieldPath spec.containers{name}.
import type { EventRecorder, EventType, ObjectRef } from '../../lib/client/events.js';
import type { Container, Pod } from '../kube-types.js';

export interface PodEvents {
  pod(pod: Pod, type: EventType, reason: string, message: string): void;
  container(pod: Pod, container: Container, type: EventType, reason: string, message: string): void;
}

export function podRef(pod: Pod): ObjectRef {
  const m = pod.metadata ?? {};
  return { apiVersion: 'v1', kind: 'Pod', namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
}

/** `spec.containers{web}` / `spec.initContainers{init}`: how events point into a pod. */
export function containerFieldPath(pod: Pod, container: Container): string {
  const isInit = (pod.spec?.initContainers ?? []).some((c) => c.name === container.name);
  return `spec.${isInit ? 'initContainers' : 'containers'}{${container.name}}`;
}

export function podEvents(recorder: EventRecorder): PodEvents {
  return {
    pod: (pod, type, reason, message) => recorder.event(podRef(pod), type, reason, message),
    container: (pod, container, type, reason, message) =>
      recorder.event({ ...podRef(pod), fieldPath: containerFieldPath(pod, container) }, type, reason, message),
  };
}
