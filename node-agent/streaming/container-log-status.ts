// Which container instance `kubectl logs` reads, decided from the pod's status as the kubelet
// decides it (validateContainerLogStatus), with the kubelet's messages when there is none. Pure.

/** The parts of a container status this decision reads. */
export interface LogContainerStatus {
  name: string;
  containerID?: string;
  state?: { running?: object; terminated?: { containerID?: string }; waiting?: { reason?: string } };
  lastState?: { terminated?: { containerID?: string } };
}

export interface LogPodStatus {
  containerStatuses?: LogContainerStatus[];
  initContainerStatuses?: LogContainerStatus[];
  ephemeralContainerStatuses?: LogContainerStatus[];
}

export class ContainerLogError extends Error {
  override readonly name = 'ContainerLogError';
}

/** "containerd://abc" -> "abc": the runtime's own ID. */
export function runtimeContainerId(id: string): string {
  const i = id.indexOf('://');
  return i >= 0 ? id.slice(i + 3) : id;
}

/** The runtime ID of the container instance whose log to read; throws ContainerLogError. */
export function logContainerId(podName: string, status: LogPodStatus | undefined, container: string, previous: boolean): string {
  const all = [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? []), ...(status?.ephemeralContainerStatuses ?? [])];
  const cs = all.find((c) => c.name === container);
  const q = (s: string) => JSON.stringify(s);
  if (!cs) throw new ContainerLogError(`container ${q(container)} in pod ${q(podName)} is not available`);
  const last = cs.lastState?.terminated;
  const { running, terminated, waiting } = cs.state ?? {};
  let id: string | undefined;
  if (previous) {
    if (!last?.containerID) throw new ContainerLogError(`previous terminated container ${q(container)} in pod ${q(podName)} not found`);
    id = last.containerID;
  } else if (running) {
    id = cs.containerID;
  } else if (terminated) {
    // The next instance has not started: its predecessor's log is what there is.
    id = terminated.containerID || last?.containerID;
    if (!id) throw new ContainerLogError(`container ${q(container)} in pod ${q(podName)} is terminated`);
  } else if (last) {
    id = last.containerID;
    if (!id) throw new ContainerLogError(`container ${q(container)} in pod ${q(podName)} is terminated`);
  } else if (waiting) {
    const reason = waiting.reason ?? '';
    if (reason === 'ErrImagePull') throw new ContainerLogError(`container ${q(container)} in pod ${q(podName)} is waiting to start: image can't be pulled`);
    if (reason === 'ImagePullBackOff') throw new ContainerLogError(`container ${q(container)} in pod ${q(podName)} is waiting to start: trying and failing to pull image`);
    throw new ContainerLogError(`container ${q(container)} in pod ${q(podName)} is waiting to start: ${reason}`);
  } else {
    throw new ContainerLogError(`container ${q(container)} in pod ${q(podName)} is waiting to start - no logs yet`);
  }
  if (!id) throw new ContainerLogError(`container ${q(container)} in pod ${q(podName)} is not available`);
  return runtimeContainerId(id);
}
