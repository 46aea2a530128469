// The pod statuses a kubelet reports, built on paper: started and ready, or finished. These are
// what `kubectl get/describe pod` shows for pods on simulated nodes.
import { createHash } from 'node:crypto';
import { normalizeImage } from '../../lib/image-name.js';
import { rfc3339, type Container, type ContainerStatus, type Pod, type PodCondition } from '../../lib/client/types.js';

type PodStatus = NonNullable<Pod['status']>;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function imageID(image: string): string {
  const norm = normalizeImage(image);
  const repo = norm.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  return `${repo}@sha256:${sha(norm)}`;
}

const containerID = (pod: Pod, c: Container) => `simulated://${sha(`${pod.metadata?.uid}/${c.name}`)}`;

function condition(type: string, status: string, at: string, reason?: string, existing?: PodCondition[]): PodCondition {
  const cur = existing?.find((c) => c.type === type);
  const keep = cur && cur.status === status;
  return { type, status, lastProbeTime: null as unknown as undefined, lastTransitionTime: keep ? cur.lastTransitionTime : at, ...(reason ? { reason } : {}) };
}

/** Kubernetes' QoS class from the containers' requests and limits. */
export function qosClass(pod: Pod): string {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let anySet = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) anySet = true;
    for (const r of ['cpu', 'memory']) {
      const l = lim[r];
      const q = req[r] ?? l;
      if (!l || q !== l) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export interface RunningInput {
  hostIP: string;
  podIP: string;
  now: number;
}

/** Every container started and ready. */
export function runningStatus(pod: Pod, input: RunningInput): PodStatus {
  const at = rfc3339(input.now);
  const existing = pod.status?.conditions;
  const startTime = pod.status?.startTime ?? at;
  const spec = pod.spec;
  const initStatuses: ContainerStatus[] = (spec?.initContainers ?? []).map((c) => {
    const base = { name: c.name, image: normalizeImage(c.image ?? ''), imageID: imageID(c.image ?? ''), containerID: containerID(pod, c), restartCount: 0, lastState: {} };
    // Sidecars (restartPolicy Always) keep running; other init containers ran to completion.
    if (c.restartPolicy === 'Always') return { ...base, state: { running: { startedAt: startTime } }, ready: true, started: true };
    return { ...base, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: startTime, finishedAt: startTime, containerID: containerID(pod, c) } }, ready: true, started: false };
  });
  const statuses: ContainerStatus[] = (spec?.containers ?? []).map((c) => ({
    name: c.name, state: { running: { startedAt: startTime } }, lastState: {}, ready: true, restartCount: 0,
    image: normalizeImage(c.image ?? ''), imageID: imageID(c.image ?? ''), containerID: containerID(pod, c), started: true,
  }));
  return {
    ...pod.status,
    phase: 'Running',
    conditions: [
      condition('PodReadyToStartContainers', 'True', at, undefined, existing),
      condition('Initialized', 'True', at, undefined, existing),
      condition('Ready', 'True', at, undefined, existing),
      condition('ContainersReady', 'True', at, undefined, existing),
      condition('PodScheduled', 'True', at, undefined, existing),
    ],
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    podIP: input.podIP,
    podIPs: [{ ip: input.podIP }],
    startTime,
    qosClass: pod.status?.qosClass ?? qosClass(pod),
    ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
  };
}

/** Every container exited: Succeeded with exit code 0, Failed otherwise. */
export function finishedStatus(pod: Pod, exitCode: number, now: number): PodStatus {
  const at = rfc3339(now);
  const existing = pod.status?.conditions;
  const succeeded = exitCode === 0;
  const reason = succeeded ? 'PodCompleted' : 'PodFailed';
  const startedAt = pod.status?.startTime ?? at;
  const statuses: ContainerStatus[] = (pod.spec?.containers ?? []).map((c) => {
    const prev = pod.status?.containerStatuses?.find((s) => s.name === c.name);
    const id = prev?.containerID ?? containerID(pod, c);
    return {
      name: c.name, ready: false, started: false, restartCount: prev?.restartCount ?? 0, lastState: {},
      image: normalizeImage(c.image ?? ''), imageID: imageID(c.image ?? ''), containerID: id,
      state: { terminated: { exitCode, reason: succeeded ? 'Completed' : 'Error', startedAt: prev?.state?.running?.startedAt ?? startedAt, finishedAt: at, containerID: id } },
    };
  });
  return {
    ...pod.status,
    phase: succeeded ? 'Succeeded' : 'Failed',
    conditions: [
      condition('PodReadyToStartContainers', 'False', at, undefined, existing),
      condition('Initialized', 'True', at, undefined, existing),
      condition('Ready', 'False', at, reason, existing),
      condition('ContainersReady', 'False', at, reason, existing),
      condition('PodScheduled', 'True', at, undefined, existing),
    ],
    containerStatuses: statuses,
  };
}
