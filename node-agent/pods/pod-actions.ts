// What one sync must do to bring a pod's runtime state to its spec - kubelet's
// computePodActions, pure: whether the sandbox must be (re)created, which init container runs
// next, which containers start, and which must be killed (definition changed, probe failures).
import type { Container, Pod } from '../kube-types.js';
import { containerHash } from '../runtime/labels.js';
import { latestContainer, type ContainerState, type RuntimePodStatus } from '../runtime/runtime-state.js';

export interface ContainerToKill {
  id: string;
  name: string;
  /** The Killing event's message (empty: kubelet's default "Stopping container <name>"). */
  message: string;
}

export interface PodActions {
  /** Kill every container and the sandbox(es). */
  killPod: boolean;
  createSandbox: boolean;
  /** The sandbox to use (the ready one, or the one being replaced). */
  sandboxId: string;
  attempt: number;
  /** Index in spec.initContainers to start next. */
  nextInitContainer?: number;
  /** Indexes in spec.containers. */
  containersToStart: number[];
  containersToKill: ContainerToKill[];
}

/** Probe verdicts per container ID that force a restart. */
export interface ProbeVerdicts {
  livenessFailed(name: string, containerId: string): boolean;
  startupFailed(name: string, containerId: string): boolean;
}

export const noProbeFailures: ProbeVerdicts = { livenessFailed: () => false, startupFailed: () => false };

export function shouldRestartOnFailure(pod: Pod): boolean {
  return (pod.spec?.restartPolicy ?? 'Always') !== 'Never';
}

/** kubelet's ShouldContainerBeRestarted. */
export function shouldContainerBeRestarted(container: Container, pod: Pod, status: RuntimePodStatus): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  const s = latestContainer(status, container.name);
  if (!s) return true;
  if (s.state === 'running') return false;
  if (s.state === 'unknown' || s.state === 'created') return true;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && s.exitCode === 0) return false;
  return true;
}

/** Whether the sandbox must be (re)created, with the attempt number and the current sandbox ID. */
export function podSandboxChanged(pod: Pod, status: RuntimePodStatus): { changed: boolean; attempt: number; sandboxId: string } {
  const newest = status.sandboxes[0];
  if (!newest) return { changed: true, attempt: 0, sandboxId: '' };
  const next = { changed: true, attempt: newest.attempt + 1, sandboxId: newest.id };
  if (status.sandboxes.filter((s) => s.state === 'ready').length > 1) return next;
  if (newest.state !== 'ready') return next;
  const hostNetwork = pod.spec?.hostNetwork === true;
  if (newest.hostNetwork !== hostNetwork) return next;
  if (!hostNetwork && newest.ips.length === 0) return next;
  return { changed: false, attempt: newest.attempt, sandboxId: newest.id };
}

function initFailed(s: ContainerState): boolean {
  return (s.state === 'exited' && s.exitCode !== 0) || s.state === 'unknown';
}

/**
 * The next init container to run, the failure to retry, or done (kubelet's init container
 * progress). Init containers run in order, each to success; a sidecar (restartPolicy Always)
 * counts as done once it runs, and is started again whenever it is not running.
 */
export function nextInitContainer(pod: Pod, status: RuntimePodStatus): { failed?: ContainerState; next?: number; done: boolean } {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return { done: true };
  // Any regular container having run means initialization finished earlier; only sidecars may need a restart.
  const initialized = (pod.spec?.containers ?? []).some((c) => latestContainer(status, c.name));
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i] as Container;
    const s = latestContainer(status, c.name);
    if (c.restartPolicy === 'Always') {
      if (s?.state === 'running' || pod.metadata?.deletionTimestamp) continue;
      return { next: i, failed: s?.state === 'exited' ? s : undefined, done: initialized };
    }
    if (initialized) continue;
    if (!s) return { next: i, done: false };
    if (s.state === 'running' || s.state === 'created') return { done: false };
    if (initFailed(s)) return { failed: s, next: i, done: false };
  }
  return { done: true };
}

export function computePodActions(pod: Pod, status: RuntimePodStatus, probes: ProbeVerdicts = noProbeFailures): PodActions {
  const sb = podSandboxChanged(pod, status);
  const actions: PodActions = {
    killPod: sb.changed,
    createSandbox: sb.changed,
    sandboxId: sb.sandboxId,
    attempt: sb.attempt,
    containersToStart: [],
    containersToKill: [],
  };
  const containers = pod.spec?.containers ?? [];
  const inits = pod.spec?.initContainers ?? [];

  if (sb.changed) {
    // A pod that ran and must not restart does not get a new sandbox just to be stopped again.
    if (!shouldRestartOnFailure(pod) && sb.attempt !== 0 && status.containers.length !== 0) {
      actions.createSandbox = false;
      return actions;
    }
    const toStart = containers
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => !(pod.spec?.restartPolicy === 'OnFailure' && succeeded(c, status)))
      .map(({ i }) => i);
    if (toStart.length === 0 && nextInitContainer(pod, status).done) {
      actions.createSandbox = false;
      return actions;
    }
    if (inits.length > 0) {
      actions.nextInitContainer = 0;
      return actions;
    }
    actions.containersToStart = toStart;
    return actions;
  }

  const init = nextInitContainer(pod, status);
  // A sidecar that stopped after initialization: start it again beside the regular containers.
  if (init.done && init.next !== undefined) actions.nextInitContainer = init.next;
  if (!init.done) {
    if (init.next !== undefined) {
      if (init.failed && !shouldRestartOnFailure(pod)) actions.killPod = true;
      else {
        if (init.failed?.state === 'unknown') {
          actions.containersToKill.push({ id: init.failed.id, name: init.failed.name, message: `Init container is in "Unknown" state, try killing it before restart` });
        }
        actions.nextInitContainer = init.next;
      }
    }
    return actions;
  }

  let keep = 0;
  containers.forEach((c, idx) => {
    const s = latestContainer(status, c.name);
    if (!s || s.state !== 'running') {
      if (shouldContainerBeRestarted(c, pod, status)) {
        actions.containersToStart.push(idx);
        if (s?.state === 'unknown') actions.containersToKill.push({ id: s.id, name: c.name, message: `Container is in "Unknown" state, try killing it before restart` });
      }
      return;
    }
    let message = '';
    let restart = shouldRestartOnFailure(pod);
    if (s.hash && s.hash !== containerHash(c)) {
      message = `Container ${c.name} definition changed`;
      restart = true;
    } else if (probes.livenessFailed(c.name, s.id)) {
      message = `Container ${c.name} failed liveness probe`;
    } else if (probes.startupFailed(c.name, s.id)) {
      message = `Container ${c.name} failed startup probe`;
    } else {
      keep++;
      return;
    }
    if (restart) {
      message += ', will be restarted';
      actions.containersToStart.push(idx);
    }
    actions.containersToKill.push({ id: s.id, name: c.name, message });
  });
  if (keep === 0 && actions.containersToStart.length === 0) {
    actions.killPod = true;
    // Sidecars do not keep a finished pod alive.
    actions.nextInitContainer = undefined;
  }
  return actions;
}

function succeeded(c: Container, status: RuntimePodStatus): boolean {
  const s = latestContainer(status, c.name);
  return !!s && s.state === 'exited' && s.exitCode === 0;
}
