// The labels and annotations kubelet puts on sandboxes and containers. Everything the agent
// knows about what runs is recovered from these, so a restarted agent adopts running pods
// instead of restarting them - the same keys kubelet uses, so `crictl` output reads the same.
import { createHash } from 'node:crypto';
import type { Container, LifecycleHandler, Pod } from '../kube-types.js';
import type { StringMap } from '../cri/types.js';

export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
/** Marks the pause container's label set, as kubelet's dockershim did; containerd sets its own. */
export const CONTAINER_TYPE_LABEL = 'io.kubernetes.container.type';

export const CONTAINER_HASH_ANNOTATION = 'io.kubernetes.container.hash';
export const RESTART_COUNT_ANNOTATION = 'io.kubernetes.container.restartCount';
export const TERMINATION_MESSAGE_PATH_ANNOTATION = 'io.kubernetes.container.terminationMessagePath';
export const TERMINATION_MESSAGE_POLICY_ANNOTATION = 'io.kubernetes.container.terminationMessagePolicy';
export const PRESTOP_ANNOTATION = 'io.kubernetes.container.preStopHandler';
export const POD_DELETION_GRACE_ANNOTATION = 'io.kubernetes.pod.deletionGracePeriod';
export const POD_TERMINATION_GRACE_ANNOTATION = 'io.kubernetes.pod.terminationGracePeriod';
/** Which of the pod's lists the container came from (ours: init containers must be told apart after a restart). */
export const CONTAINER_KIND_ANNOTATION = 'k8ts.io/container-kind';

export type ContainerKind = 'init' | 'regular';

/** Sandbox labels: the pod's own labels plus its identity. */
export function sandboxLabels(pod: Pod): StringMap {
  const m = pod.metadata ?? {};
  return {
    ...(m.labels ?? {}),
    [POD_NAME_LABEL]: m.name ?? '',
    [POD_NAMESPACE_LABEL]: m.namespace ?? '',
    [POD_UID_LABEL]: m.uid ?? '',
  };
}

export function sandboxAnnotations(pod: Pod): StringMap {
  return { ...(pod.metadata?.annotations ?? {}) };
}

export function containerLabels(pod: Pod, container: Container): StringMap {
  const m = pod.metadata ?? {};
  return {
    [POD_NAME_LABEL]: m.name ?? '',
    [POD_NAMESPACE_LABEL]: m.namespace ?? '',
    [POD_UID_LABEL]: m.uid ?? '',
    [CONTAINER_NAME_LABEL]: container.name,
  };
}

export function containerAnnotations(pod: Pod, container: Container, restartCount: number, kind: ContainerKind): StringMap {
  const a: StringMap = {
    [CONTAINER_HASH_ANNOTATION]: containerHash(container),
    [RESTART_COUNT_ANNOTATION]: String(restartCount),
    [TERMINATION_MESSAGE_PATH_ANNOTATION]: container.terminationMessagePath ?? '/dev/termination-log',
    [TERMINATION_MESSAGE_POLICY_ANNOTATION]: container.terminationMessagePolicy ?? 'File',
    [POD_TERMINATION_GRACE_ANNOTATION]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
    [CONTAINER_KIND_ANNOTATION]: kind,
  };
  if (pod.metadata?.deletionGracePeriodSeconds !== undefined) a[POD_DELETION_GRACE_ANNOTATION] = String(pod.metadata.deletionGracePeriodSeconds);
  // Lets a pod deleted while the agent was down still get its preStop hook.
  if (container.lifecycle?.preStop) a[PRESTOP_ANNOTATION] = JSON.stringify(container.lifecycle.preStop);
  return a;
}

/** What a container's labels and annotations say about it. */
export interface ContainerIdentity {
  podUid: string;
  podName: string;
  podNamespace: string;
  name: string;
  hash: string;
  restartCount: number;
  kind: ContainerKind;
  terminationMessagePath: string;
  terminationMessagePolicy: string;
  terminationGracePeriodSeconds?: number;
  preStop?: LifecycleHandler;
}

export function containerIdentity(labels: StringMap, annotations: StringMap): ContainerIdentity {
  const grace = annotations[POD_TERMINATION_GRACE_ANNOTATION];
  let preStop: LifecycleHandler | undefined;
  try {
    preStop = annotations[PRESTOP_ANNOTATION] ? (JSON.parse(annotations[PRESTOP_ANNOTATION]) as LifecycleHandler) : undefined;
  } catch {
    preStop = undefined;
  }
  return {
    podUid: labels[POD_UID_LABEL] ?? '',
    podName: labels[POD_NAME_LABEL] ?? '',
    podNamespace: labels[POD_NAMESPACE_LABEL] ?? '',
    name: labels[CONTAINER_NAME_LABEL] ?? '',
    hash: annotations[CONTAINER_HASH_ANNOTATION] ?? '',
    restartCount: Number(annotations[RESTART_COUNT_ANNOTATION] ?? 0) || 0,
    kind: annotations[CONTAINER_KIND_ANNOTATION] === 'init' ? 'init' : 'regular',
    terminationMessagePath: annotations[TERMINATION_MESSAGE_PATH_ANNOTATION] ?? '',
    terminationMessagePolicy: annotations[TERMINATION_MESSAGE_POLICY_ANNOTATION] ?? 'File',
    terminationGracePeriodSeconds: grace === undefined ? undefined : Number(grace),
    preStop,
  };
}

/**
 * A stable hash of the container spec, minus what may change without a restart (resources,
 * as kubelet's HashContainerWithoutResources). A different hash means "definition changed".
 */
export function containerHash(container: Container): string {
  const { resources: _resources, ...rest } = container;
  return createHash('sha256').update(stableJson(rest)).digest('hex').slice(0, 8);
}

/** JSON with object keys sorted, so equal specs hash equally whatever their key order. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
