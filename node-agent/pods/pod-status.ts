// The pod status the agent reports, built from the runtime state the way kubelet's
// generateAPIPodStatus does: container statuses (state, lastState, restart counts, waiting
// reasons of failed starts), phase, the kubelet-owned conditions, IPs, QoS class. Pure: the
// caller supplies probe verdicts, waiting reasons and the clock.
import { compareStrings } from '../../lib/go-order.js';
import { rfc3339 } from '../../lib/client/types.js';
import type { Container, ContainerStatus, Pod, PodCondition } from '../kube-types.js';
import type { ContainerState, RuntimePodStatus } from '../runtime/runtime-state.js';
import { shouldContainerBeRestarted } from './pod-actions.js';
import { podQOSClass } from './qos.js';

type PodStatus = NonNullable<Pod['status']>;

/** Why a container is waiting, remembered from the last failed start (kubelet's reasonCache). */
export interface WaitingReason {
  reason: string;
  message: string;
}

export interface StatusInputs {
  runtime: RuntimePodStatus;
  /** The status last reported (status manager), or the API's. */
  previous: PodStatus | undefined;
  waiting(containerName: string): WaitingReason | undefined;
  /** Startup probe verdict: undefined = none yet (no probe, or its worker has not started). */
  started(containerName: string, containerId: string): boolean | undefined;
  /** Readiness verdict: undefined = none yet (no probe, or its worker has not started). */
  ready(containerName: string, containerId: string): boolean | undefined;
  hostIPs: string[];
  /** The pod is being torn down for good (deleted, or done): phase becomes terminal. */
  podIsTerminal: boolean;
  now: number;
}

const KUBELET_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers']);

function time(ms: number): string {
  return rfc3339(ms || 0);
}

function containerId(s: ContainerState): string {
  return `containerd://${s.id}`;
}

function toApiState(s: ContainerState, old: ContainerStatus | undefined): { status: ContainerStatus; bumpRestart: boolean } {
  const cid = containerId(s);
  const status: ContainerStatus = {
    name: s.name, restartCount: s.restartCount, image: s.image, imageID: s.imageRef, containerID: cid, ready: false, state: {},
  };
  if (s.state === 'running') status.state = { running: { startedAt: time(s.startedAt) } };
  else if (s.state === 'created') status.state = { waiting: {} };
  else if (s.state === 'exited') {
    status.state = {
      terminated: {
        exitCode: s.exitCode, reason: s.reason || undefined, message: s.message || undefined,
        startedAt: time(s.startedAt), finishedAt: time(s.finishedAt), containerID: cid,
      },
    };
  } else if (old?.state?.running) {
    status.state = { terminated: { reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', exitCode: 137 } };
    status.restartCount = (old.restartCount ?? 0) + 1;
  } else status.state = { waiting: {} };
  return { status, bumpRestart: false };
}

/** kubelet's convertToAPIContainerStatuses for one list (init or regular containers). */
function containerStatuses(pod: Pod, containers: Container[], previous: ContainerStatus[] | undefined, inputs: StatusInputs, isInit: boolean): ContainerStatus[] {
  const hasInit = (pod.spec?.initContainers ?? []).length > 0;
  const oldByName = new Map((previous ?? []).map((s) => [s.name, s]));
  const defaultWaiting = { waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } };
  const statuses = new Map<string, ContainerStatus>();
  for (const c of containers) {
    let st: ContainerStatus = {
      name: c.name, image: c.image ?? '', imageID: '', state: defaultWaiting, lastState: {}, ready: false, restartCount: 0,
    };
    st.volumeMounts = volumeMountStatuses(c);
    const old = oldByName.get(c.name);
    if (old) {
      if (old.state?.terminated) st = { ...old, volumeMounts: st.volumeMounts };
      else {
        st.restartCount = old.restartCount ?? 0;
        st.lastState = old.lastState ?? {};
      }
    }
    statuses.set(c.name, st);
  }

  // A container that was running and vanished from the runtime ended somehow: say so.
  const inRuntime = new Set(inputs.runtime.containers.map((c) => c.name));
  for (const c of containers) {
    if (inRuntime.has(c.name)) continue;
    const old = oldByName.get(c.name);
    const st = statuses.get(c.name) as ContainerStatus;
    if (!old || old.state?.terminated || !old.state?.running) continue;
    if (st.state?.waiting?.reason !== defaultWaiting.waiting.reason || st.lastState?.terminated) continue;
    st.lastState = { terminated: { reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was deleted.  The container used to be Running', exitCode: 137 } };
    if (!pod.metadata?.deletionTimestamp) st.restartCount = (st.restartCount ?? 0) + 1;
  }

  // Newest instance becomes the state, the one before it the lastState.
  const seen = new Map<string, number>();
  for (const s of inputs.runtime.containers) {
    if (!statuses.has(s.name)) continue;
    const n = seen.get(s.name) ?? 0;
    if (n >= 2) continue;
    const { status } = toApiState(s, oldByName.get(s.name));
    if (n === 0) statuses.set(s.name, { ...status, lastState: {}, volumeMounts: statuses.get(s.name)?.volumeMounts });
    else (statuses.get(s.name) as ContainerStatus).lastState = status.state;
    seen.set(s.name, n + 1);
  }

  // Containers whose last start failed wait with that reason (ErrImagePull, CrashLoopBackOff, ...).
  for (const c of containers) {
    const latest = inputs.runtime.containers.find((s) => s.name === c.name);
    if (isInit && latest?.state === 'exited' && latest.exitCode === 0) continue;
    if (!shouldContainerBeRestarted(c, pod, inputs.runtime)) continue;
    const reason = inputs.waiting(c.name);
    if (!reason) continue;
    const st = statuses.get(c.name) as ContainerStatus;
    if (st.state?.terminated) st.lastState = st.state;
    st.state = { waiting: { reason: reason.reason, message: reason.message || undefined } };
  }

  // Probe verdicts: started and ready.
  for (const c of containers) {
    const st = statuses.get(c.name) as ContainerStatus;
    const id = (st.containerID ?? '').replace(/^containerd:\/\//, '');
    const running = !!st.state?.running;
    if (isInit && c.restartPolicy !== 'Always') {
      st.started = running;
      st.ready = !!st.state?.terminated && st.state.terminated.exitCode === 0;
      continue;
    }
    // Without a verdict, a probed container is not started or ready yet (the probe's initial
    // result): the first status after a start is written before the probe workers exist.
    const started = running && (inputs.started(c.name, id) ?? !c.startupProbe);
    st.started = started;
    st.ready = started && (inputs.ready(c.name, id) ?? !c.readinessProbe);
  }

  const out = containers.map((c) => statuses.get(c.name) as ContainerStatus);
  return isInit ? out : out.sort((a, b) => compareStrings(a.name, b.name));
}

function volumeMountStatuses(c: Container): ContainerStatus['volumeMounts'] {
  if (!c.volumeMounts?.length) return undefined;
  return c.volumeMounts.map((m) => ({
    name: m.name, mountPath: m.mountPath, ...(m.readOnly ? { readOnly: true, recursiveReadOnly: 'Disabled' } : {}),
  }));
}

/** kubelet's getPhase. */
export function podPhase(pod: Pod, all: ContainerStatus[], podIsTerminal: boolean): string {
  const spec = pod.spec ?? { containers: [] };
  const find = (name: string) => all.find((s) => s.name === name);
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of spec.initContainers ?? []) {
    if (c.restartPolicy === 'Always') continue;
    const s = find(c.name);
    if (!s) {
      pendingInit++;
      continue;
    }
    if (s.state?.running) pendingInit++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.initContainers ?? []) {
    if (c.restartPolicy !== 'Always') continue;
    const s = find(c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if (s.state?.running) {
      if (!s.started) pendingInit++;
      running++;
    } else if (s.state?.waiting && !s.lastState?.terminated) {
      pendingInit++;
      waiting++;
    } else if (!s.state?.terminated && !s.state?.waiting) {
      pendingInit++;
      unknown++;
    }
  }
  for (const c of spec.containers) {
    const s = find(c.name);
    if (!s) {
      unknown++;
      continue;
    }
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInit > 0 && spec.restartPolicy === 'Never') return 'Failed';
  const anyRegularStarted = spec.containers.some((c) => {
    const s = find(c.name);
    return !!(s?.state?.running || s?.state?.terminated);
  });
  if ((pendingInit > 0 && !anyRegularStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    const isStatic = pod.metadata?.annotations?.['kubernetes.io/config.source'] !== undefined
      && pod.metadata.annotations['kubernetes.io/config.source'] !== 'api';
    if (podIsTerminal && !isStatic) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (spec.restartPolicy === 'Always' || spec.restartPolicy === undefined) return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (spec.restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function cond(type: string, status: string, reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/** Go's %s of a []string: "[a b]". */
function goList(xs: string[]): string {
  return `[${xs.join(' ')}]`;
}

export function containersReadyCondition(pod: Pod, statuses: ContainerStatus[], phase: string): PodCondition {
  const unknown: string[] = [];
  const unready: string[] = [];
  const consider = [...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])];
  for (const c of consider) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return cond('ContainersReady', 'False', 'PodCompleted');
  if (phase === 'Failed') return cond('ContainersReady', 'False', 'PodFailed');
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length) msgs.push(`containers with unready status: ${goList(unready)}`);
  if (msgs.length) return cond('ContainersReady', 'False', 'ContainersNotReady', msgs.join(', '));
  return cond('ContainersReady', 'True');
}

export function podReadyCondition(pod: Pod, conditions: PodCondition[], containersReady: PodCondition): PodCondition {
  if (containersReady.status !== 'True') return cond('Ready', containersReady.status, containersReady.reason, containersReady.message);
  const msgs: string[] = [];
  for (const g of pod.spec?.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === g.conditionType);
    if (!c) msgs.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
    else if (c.status !== 'True') msgs.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
  }
  if (msgs.length) return cond('Ready', 'False', 'ReadinessGatesNotReady', msgs.join(', '));
  return cond('Ready', 'True');
}

export function initializedCondition(pod: Pod, statuses: ContainerStatus[], phase: string): PodCondition {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return cond('Initialized', 'True');
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of inits) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) {
      unknown.push(c.name);
      continue;
    }
    if (c.restartPolicy === 'Always') {
      if (!s.started) incomplete.push(c.name);
    } else if (!s.state?.terminated || s.state.terminated.exitCode !== 0) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return cond('Initialized', 'True', 'PodCompleted');
  const anyStarted = (pod.spec?.containers ?? []).some((c) => {
    const s = statuses.find((x) => x.name === c.name);
    return !!(s?.state?.running || s?.state?.terminated);
  });
  if (anyStarted) return cond('Initialized', 'True');
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length) msgs.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (msgs.length) return cond('Initialized', 'False', 'ContainersNotInitialized', msgs.join(', '));
  return cond('Initialized', 'True');
}

/** Keeps each condition's lastTransitionTime while its status stays the same. */
function withTransitionTimes(conds: PodCondition[], old: PodCondition[] | undefined, now: number): PodCondition[] {
  return conds.map((c) => {
    const prev = old?.find((o) => o.type === c.type);
    const lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : time(now);
    return { ...c, lastProbeTime: null as unknown as undefined, lastTransitionTime };
  });
}

export function generatePodStatus(pod: Pod, inputs: StatusInputs): PodStatus {
  const prev = inputs.previous ?? pod.status ?? {};
  const spec = pod.spec ?? { containers: [] };
  const newest = inputs.runtime.sandboxes[0];
  let podIPs = newest?.state === 'ready' ? newest.ips : [];
  // A stopped sandbox has no address any more; the pod keeps reporting the one it had.
  if (podIPs.length === 0 && prev.podIPs?.length) podIPs = prev.podIPs.map((p) => p.ip);
  const hostNetwork = spec.hostNetwork === true;
  if (hostNetwork && podIPs.length === 0) podIPs = inputs.hostIPs.slice(0, 1);

  const containers = containerStatuses(pod, spec.containers, prev.containerStatuses, inputs, false);
  const inits = containerStatuses(pod, spec.initContainers ?? [], prev.initContainerStatuses, inputs, true);
  let phase = podPhase(pod, [...containers, ...inits], inputs.podIsTerminal);
  const terminal = (p: string | undefined) => p === 'Succeeded' || p === 'Failed';
  // Terminal phases stick: the reported one, then the API's.
  if (!terminal(phase)) {
    if (terminal(prev.phase)) phase = prev.phase as string;
    else if (terminal(pod.status?.phase)) phase = pod.status?.phase as string;
  }
  if (terminal(pod.status?.phase) && phase !== pod.status?.phase) phase = pod.status?.phase as string;

  const status: PodStatus = { phase };
  if (phase === prev.phase) {
    if (prev.reason ?? pod.status?.reason) status.reason = prev.reason ?? pod.status?.reason;
    if (prev.message ?? pod.status?.message) status.message = prev.message ?? pod.status?.message;
  }
  const others = (pod.status?.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const readyToStart = newest?.state === 'ready' ? 'True' : 'False';
  const all = [...inits, ...containers];
  const containersReady = containersReadyCondition(pod, all, phase);
  const kubelet = [
    cond('PodReadyToStartContainers', readyToStart),
    initializedCondition(pod, all, phase),
    podReadyCondition(pod, [...others], containersReady),
    containersReady,
    cond('PodScheduled', 'True'),
  ];
  const oldConds = [...(prev.conditions ?? []), ...(pod.status?.conditions ?? [])];
  status.conditions = [...others, ...withTransitionTimes(kubelet, oldConds, inputs.now)];
  if (inputs.hostIPs.length) {
    status.hostIP = inputs.hostIPs[0];
    status.hostIPs = inputs.hostIPs.map((ip) => ({ ip }));
  }
  if (podIPs.length) {
    status.podIP = podIPs[0];
    status.podIPs = podIPs.map((ip) => ({ ip }));
  }
  status.startTime = prev.startTime ?? pod.status?.startTime ?? time(inputs.now);
  if (inits.length) status.initContainerStatuses = inits;
  status.containerStatuses = containers;
  status.qosClass = podQOSClass(pod);
  return status;
}
