// What the runtime says about one pod: its sandboxes and containers, found by the pod UID
// label, converted from CRI shapes into the agent's (kubelet's kubecontainer.PodStatus).
import { readFile } from 'node:fs/promises';
import { isNotFound, type CriClient } from '../cri/index.js';
import type { ContainerStatus as CriContainerStatus, Int64, PodSandboxStatus } from '../cri/types.js';
import { containerIdentity, POD_UID_LABEL, type ContainerKind } from './labels.js';
import { lastLogLines } from '../streaming/cri-log.js';

export type SandboxRunState = 'ready' | 'notready';
export type ContainerRunState = 'created' | 'running' | 'exited' | 'unknown';

export interface SandboxState {
  id: string;
  attempt: number;
  state: SandboxRunState;
  createdAt: number;
  /** Pod IPs (the primary first); empty for host-network sandboxes. */
  ips: string[];
  hostNetwork: boolean;
}

export interface ContainerState {
  id: string;
  name: string;
  kind: ContainerKind;
  hash: string;
  restartCount: number;
  state: ContainerRunState;
  /** Milliseconds since the epoch; 0 = not set. */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  /** The runtime's image reference (repo digest or `sha256:...`): containerStatuses[].imageID. */
  imageRef: string;
  logPath: string;
  /** The pod's terminationGracePeriodSeconds when the container was made (for pods the agent no longer knows). */
  gracePeriodSeconds?: number;
}

export interface RuntimePodStatus {
  uid: string;
  /** Newest first. */
  sandboxes: SandboxState[];
  /** Every container instance, newest first. */
  containers: ContainerState[];
}

/** CRI nanosecond timestamps (decimal strings) to milliseconds. */
export function nsToMs(ns: Int64 | number | undefined): number {
  if (ns === undefined || ns === '' || ns === '0' || ns === 0) return 0;
  return Math.floor(Number(BigInt(ns) / 1_000_000n));
}

export function sandboxState(s: PodSandboxStatus): SandboxState {
  const ips = s.network?.ip ? [s.network.ip, ...(s.network.additional_ips ?? []).map((x) => x.ip)] : [];
  const options = (s.linux?.namespaces?.options ?? {}) as { network?: string };
  return {
    id: s.id,
    attempt: s.metadata?.attempt ?? 0,
    state: s.state === 'SANDBOX_READY' ? 'ready' : 'notready',
    createdAt: nsToMs(s.created_at),
    ips,
    hostNetwork: options.network === 'NODE',
  };
}

const stateNames: Record<string, ContainerRunState> = {
  CONTAINER_CREATED: 'created', CONTAINER_RUNNING: 'running', CONTAINER_EXITED: 'exited',
};

/** One CRI container status in the agent's terms; `terminationMessage` is read by the caller. */
export function containerState(s: CriContainerStatus, terminationMessage = ''): ContainerState {
  const id = containerIdentity(s.labels ?? {}, s.annotations ?? {});
  const state = stateNames[s.state] ?? 'unknown';
  const exited = state === 'exited';
  let message = exited ? s.message : '';
  if (exited && terminationMessage) message = message ? `${message}: ${terminationMessage}` : terminationMessage;
  return {
    id: s.id,
    name: id.name,
    kind: id.kind,
    hash: id.hash,
    restartCount: id.restartCount,
    state,
    createdAt: nsToMs(s.created_at),
    startedAt: state === 'created' ? 0 : nsToMs(s.started_at),
    finishedAt: exited ? nsToMs(s.finished_at) : 0,
    exitCode: exited ? s.exit_code : 0,
    reason: exited ? s.reason : '',
    message,
    image: s.image?.image ?? '',
    imageRef: s.image_ref || s.image_id,
    logPath: s.log_path,
    gracePeriodSeconds: id.terminationGracePeriodSeconds,
  };
}

/** Kubelet caps termination messages at 4096 bytes, and fallback log tails at 80 lines / 2048 bytes. */
const MAX_TERMINATION_MESSAGE = 4096;
const MAX_LOG_LINES = 80;
const MAX_LOG_BYTES = 2048;

/** The message a container left: its termination-log file, or its log tail when the policy says so. */
async function terminationMessage(s: CriContainerStatus): Promise<string> {
  if (s.state !== 'CONTAINER_EXITED') return '';
  const id = containerIdentity(s.labels ?? {}, s.annotations ?? {});
  const fallback = id.terminationMessagePolicy === 'FallbackToLogsOnError' && s.exit_code !== 0 && s.reason !== 'ContainerCannotRun';
  const mount = id.terminationMessagePath ? s.mounts?.find((m) => m.container_path === id.terminationMessagePath) : undefined;
  if (mount) {
    const data = await readFile(mount.host_path).catch(() => undefined);
    if (data && data.length > 0) return data.subarray(0, MAX_TERMINATION_MESSAGE).toString('utf8');
  }
  if (fallback && s.log_path) return lastLogLines(await readFile(s.log_path, 'utf8').catch(() => ''), MAX_LOG_LINES, MAX_LOG_BYTES);
  return '';
}

/** Reads the pod's sandboxes and containers from the runtime. */
export async function readPodStatus(cri: CriClient, uid: string): Promise<RuntimePodStatus> {
  const selector = { label_selector: { [POD_UID_LABEL]: uid } };
  const [sandboxes, containers] = await Promise.all([cri.runtime.listPodSandbox(selector), cri.runtime.listContainers(selector)]);
  const sandboxStates: SandboxState[] = [];
  for (const sb of sandboxes) {
    try {
      const st = await cri.runtime.podSandboxStatus(sb.id);
      if (st.status) sandboxStates.push(sandboxState(st.status));
    } catch (err) {
      // Removed between list and status: as if never listed.
      if (!isNotFound(err)) throw err;
    }
  }
  const containerStates = await Promise.all(containers.map(async (c) => {
    try {
      const st = await cri.runtime.containerStatus(c.id);
      return st.status ? containerState(st.status, await terminationMessage(st.status)) : undefined;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return undefined;
    }
  }));
  return {
    uid,
    sandboxes: sandboxStates.sort((a, b) => b.createdAt - a.createdAt),
    containers: containerStates.filter((c): c is ContainerState => !!c).sort((a, b) => b.createdAt - a.createdAt),
  };
}

/** The newest instance of a named container, if any. */
export function latestContainer(status: RuntimePodStatus, name: string): ContainerState | undefined {
  return status.containers.find((c) => c.name === name);
}
