// Finding a pod's sandbox and containers in the runtime by the labels the kubelet puts on them.
import type { CriClient } from '../cri/index.js';

/** Labels the kubelet sets on every sandbox and container it creates. */
export const KubeletLabels = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUid: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
} as const;

export interface PodRef {
  namespace: string;
  name: string;
  /** Narrows to one incarnation of the pod when known. */
  uid?: string;
}

function podSelector(p: PodRef): Record<string, string> {
  const s: Record<string, string> = { [KubeletLabels.podNamespace]: p.namespace, [KubeletLabels.podName]: p.name };
  if (p.uid) s[KubeletLabels.podUid] = p.uid;
  return s;
}

/** The newest running instance of a container of the pod, or undefined. */
export async function findRunningContainer(cri: CriClient, pod: PodRef, container: string): Promise<string | undefined> {
  const found = await cri.runtime.listContainers({
    state: { state: 'CONTAINER_RUNNING' },
    label_selector: { ...podSelector(pod), [KubeletLabels.containerName]: container },
  });
  found.sort((a, b) => (BigInt(b.created_at) > BigInt(a.created_at) ? 1 : -1));
  return found[0]?.id;
}

/** The newest ready sandbox of the pod, or undefined. */
export async function findReadySandbox(cri: CriClient, pod: PodRef): Promise<string | undefined> {
  const found = await cri.runtime.listPodSandbox({ state: { state: 'SANDBOX_READY' }, label_selector: podSelector(pod) });
  found.sort((a, b) => (BigInt(b.created_at) > BigInt(a.created_at) ? 1 : -1));
  return found[0]?.id;
}

/** Whether the runtime reports the container running (follows end once it is not). */
export async function isContainerRunning(cri: CriClient, id: string): Promise<boolean> {
  try {
    return (await cri.runtime.containerStatus(id)).status?.state === 'CONTAINER_RUNNING';
  } catch {
    return false;
  }
}
