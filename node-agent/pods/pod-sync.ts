// What a pod worker does for one pod: kubelet's SyncPod (status, volumes, then the actions
// computePodActions decides: kill, sandbox, init containers one at a time, containers with
// CrashLoopBackOff), SyncTerminatingPod (stop everything within the grace period, final
// status), SyncTerminatedPod (volumes, cgroups, removing a deleted pod from the API) and the
// cleanup of pods that are gone.
import { rm } from 'node:fs/promises';
import { logger } from '../../lib/log.js';
import { isConflict, isNotFound } from '../../lib/client/api-error.js';
import type { ResourceClient } from '../../lib/client/rest-client.js';
import type { CgroupDriver } from '../containerd/index.js';
import type { CriClient } from '../cri/index.js';
import type { MountIn } from '../cri/types.js';
import type { ConfigMap, Container, Pod, Secret, Service } from '../kube-types.js';
import { removeCgroup } from '../runtime/cgroups.js';
import { makeEnvironment, type EnvInputs } from '../runtime/env.js';
import { containerReferences } from '../../lib/pod-references.js';
import { StartError } from '../runtime/image-manager.js';
import { containerHash, type ContainerKind } from '../runtime/labels.js';
import { formatPod } from '../runtime/lifecycle-hooks.js';
import { criPropagation, type PodRuntime } from '../runtime/pod-runtime.js';
import { latestContainer, readPodStatus, type RuntimePodStatus } from '../runtime/runtime-state.js';
import { podLogDirectory } from '../runtime/sandbox-config.js';
import { expand } from '../runtime/env.js';
import type { ProbeManager } from '../probes/probe-manager.js';
import { VolumeError } from '../volumes/sources.js';
import type { MountedVolume, VolumeManager } from '../volumes/volume-manager.js';
import { Backoff, CRASH_BACKOFF } from './backoff.js';
import { computePodActions } from './pod-actions.js';
import type { PodEvents } from './pod-events.js';
import { generatePodStatus, type WaitingReason } from './pod-status.js';
import type { StatusManager, StatusTarget } from './status-manager.js';
import type { PodLifecycle, SyncOutcome } from './pod-workers.js';
import { goDuration } from '../runtime/go-duration.js';

const log = logger('pod-sync');

type PodStatus = NonNullable<Pod['status']>;

/** What the syncer reads from the API and the node. */
export interface SyncEnvironment {
  nodeName: string;
  hostIPs(): string[];
  allocatable(): Record<string, string>;
  podLogsDir: string;
  cgroupDriver: CgroupDriver;
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  services(): Service[];
  /** Where the pod's status goes (a static pod's mirror); undefined: nowhere yet. */
  statusTarget(pod: Pod): StatusTarget | undefined;
  /** The API's view of the pod's status (the mirror's for static pods). */
  apiStatus(pod: Pod): PodStatus | undefined;
}

/** Whether a downward API volume of the pod shows its IP (known only once the sandbox runs). */
function showsPodIP(pod: Pod): boolean {
  const items = (pod.spec?.volumes ?? []).flatMap((v) => [
    ...(v.downwardAPI?.items ?? []),
    ...(v.projected?.sources ?? []).flatMap((s) => s.downwardAPI?.items ?? []),
  ]);
  return items.some((i) => i.fieldRef?.fieldPath?.startsWith('status.podIP'));
}

/** A failed sync step is retried after this long (kubelet's workerBackOffPeriod). */
const RETRY_MS = 10_000;

export class PodSyncer implements PodLifecycle {
  private readonly crashBackoff = new Backoff(CRASH_BACKOFF.initialMs, CRASH_BACKOFF.maxMs);
  /** uid -> container name -> why its last start failed. */
  private readonly reasons = new Map<string, Map<string, WaitingReason>>();

  constructor(
    private readonly cri: CriClient,
    private readonly runtime: PodRuntime,
    private readonly volumes: VolumeManager,
    private readonly probes: ProbeManager,
    private readonly statuses: StatusManager,
    private readonly events: PodEvents,
    private readonly pods: ResourceClient<Pod>,
    private readonly env: SyncEnvironment,
  ) {}

  private reasonsOf(uid: string): Map<string, WaitingReason> {
    let m = this.reasons.get(uid);
    if (!m) this.reasons.set(uid, (m = new Map()));
    return m;
  }

  /** Builds and reports the pod's status from the runtime state. */
  private report(pod: Pod, runtime: RuntimePodStatus, terminal: boolean): PodStatus {
    const uid = pod.metadata?.uid ?? '';
    const reasons = this.reasonsOf(uid);
    const apiStatus = this.env.apiStatus(pod);
    const status = generatePodStatus({ ...pod, status: apiStatus ?? pod.status }, {
      runtime,
      previous: this.statuses.get(uid) ?? apiStatus,
      waiting: (name) => reasons.get(name),
      started: (name, id) => this.probes.started(uid, name, id),
      ready: (name, id) => this.probes.ready(uid, name, id),
      hostIPs: this.env.hostIPs(),
      podIsTerminal: terminal,
      now: Date.now(),
    });
    const target = this.env.statusTarget(pod);
    if (target) void this.statuses.set(uid, target, status, apiStatus);
    return status;
  }

  async sync(pod: Pod): Promise<SyncOutcome> {
    const uid = pod.metadata?.uid ?? '';
    let runtime = await readPodStatus(this.cri, uid);
    let status = this.report(pod, runtime, false);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') return { terminal: true };

    const podIPs = () => (pod.spec?.hostNetwork ? this.env.hostIPs() : (runtime.sandboxes[0]?.state === 'ready' ? runtime.sandboxes[0].ips : []));
    let mounted: Map<string, MountedVolume>;
    try {
      mounted = await this.volumes.setUp(pod, { podIPs: podIPs(), hostIPs: this.env.hostIPs(), allocatable: this.env.allocatable() });
    } catch (err) {
      if (err instanceof VolumeError) return { requeueMs: 2_000 };
      throw err;
    }
    const pullSecrets = await this.pullSecrets(pod);

    const actions = computePodActions(pod, runtime, {
      livenessFailed: (name, id) => this.probes.livenessFailed(uid, name, id),
      startupFailed: (name, id) => this.probes.startupFailed(uid, name, id),
    });
    let changed = false;
    if (actions.killPod) {
      if (actions.createSandbox && actions.sandboxId) this.events.pod(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      if (runtime.sandboxes.length || runtime.containers.some((c) => c.state === 'running')) {
        await this.runtime.killPod(pod, runtime);
        changed = true;
      }
      if (actions.createSandbox) await this.runtime.removeInitContainers(runtime);
    } else {
      for (const k of actions.containersToKill) {
        await this.runtime.killContainer(pod, k.id, k.name, k.message, this.probeGrace(pod, k.name, k.message));
        changed = true;
      }
    }
    if (changed) runtime = await readPodStatus(this.cri, uid);
    if (actions.killPod && !actions.createSandbox) {
      // Nothing will run again: report it (the phase may now be terminal).
      status = this.report(pod, runtime, false);
      return { terminal: status.phase === 'Succeeded' || status.phase === 'Failed' };
    }

    let sandboxId = actions.sandboxId;
    let sandboxConfig;
    if (actions.createSandbox) {
      try {
        const sb = await this.runtime.createSandbox(pod, actions.attempt);
        sandboxId = sb.id;
        sandboxConfig = sb.config;
      } catch (err) {
        if (err instanceof StartError) {
          this.report(pod, runtime, false);
          return { requeueMs: RETRY_MS };
        }
        throw err;
      }
      runtime = await readPodStatus(this.cri, uid);
      changed = true;
      // The pod IP is known now: rewrite the volumes that show it (downward API status.podIP).
      if (showsPodIP(pod)) {
        mounted = await this.volumes.setUp(pod, { podIPs: podIPs(), hostIPs: this.env.hostIPs(), allocatable: this.env.allocatable() }, true).catch(() => mounted);
      }
    } else {
      sandboxConfig = this.runtime.sandboxConfig(pod, actions.attempt);
    }

    let requeueMs: number | undefined;
    const start = async (c: Container, kind: ContainerKind): Promise<boolean> => {
      const wait = this.inCrashBackoff(pod, c, runtime);
      if (wait > 0) {
        requeueMs = Math.min(requeueMs ?? Infinity, wait + 50);
        // The status must now say CrashLoopBackOff.
        changed = true;
        return false;
      }
      try {
        await this.runtime.startContainer({
          pod, container: c, kind, sandboxId, sandboxConfig, status: runtime, pullSecrets, podIPs: podIPs(),
          env: () => this.environment(pod, c, podIPs()),
          mounts: { volumeMounts: this.volumeMounts(pod, c, mounted), podDir: this.volumes.podDir(uid) },
        });
        this.reasonsOf(uid).delete(c.name);
        return true;
      } catch (err) {
        if (!(err instanceof StartError)) throw err;
        this.reasonsOf(uid).set(c.name, { reason: err.reason, message: err.message });
        requeueMs = Math.min(requeueMs ?? Infinity, RETRY_MS);
        return false;
      } finally {
        changed = true;
      }
    };

    if (actions.nextInitContainer !== undefined) {
      const c = (pod.spec?.initContainers ?? [])[actions.nextInitContainer];
      if (c) await start(c, 'init');
    }
    const containers = pod.spec?.containers ?? [];
    for (const idx of actions.containersToStart) await start(containers[idx] as Container, 'regular');

    if (changed) {
      runtime = await readPodStatus(this.cri, uid);
      status = this.report(pod, runtime, false);
      await this.runtime.pruneExited(runtime);
    }
    this.probes.sync(pod, runtime, status.podIP ?? '');
    return { requeueMs, terminal: status.phase === 'Succeeded' || status.phase === 'Failed' };
  }

  /** Probe failures stop the container with the probe's own terminationGracePeriodSeconds, if it has one. */
  private probeGrace(pod: Pod, name: string, message: string): number | undefined {
    const c = pod.spec?.containers?.find((x) => x.name === name);
    if (message.includes('failed liveness probe')) return c?.livenessProbe?.terminationGracePeriodSeconds ?? undefined;
    if (message.includes('failed startup probe')) return c?.startupProbe?.terminationGracePeriodSeconds ?? undefined;
    return undefined;
  }

  /** kubelet's doBackOff: ms left of the container's restart backoff (0: go ahead, and count this restart). */
  private inCrashBackoff(pod: Pod, c: Container, runtime: RuntimePodStatus): number {
    const last = latestContainer(runtime, c.name);
    if (!last || last.state !== 'exited') return 0;
    const key = `${pod.metadata?.name}_${pod.metadata?.namespace}_${pod.metadata?.uid}_${c.name}_${containerHash(c)}`;
    const finished = last.finishedAt || Date.now();
    if (this.crashBackoff.isInBackOffSince(key, finished)) {
      const wait = goDuration(this.crashBackoff.get(key));
      this.events.container(pod, c, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${formatPod(pod)}`);
      this.reasonsOf(pod.metadata?.uid ?? '').set(c.name, {
        reason: 'CrashLoopBackOff', message: `back-off ${wait} restarting failed container=${c.name} pod=${formatPod(pod)}`,
      });
      return this.crashBackoff.remaining(key, finished);
    }
    this.crashBackoff.next(key, finished);
    return 0;
  }

  private async pullSecrets(pod: Pod): Promise<Secret[]> {
    const ns = pod.metadata?.namespace ?? '';
    const out: Secret[] = [];
    const missing: string[] = [];
    for (const ref of pod.spec?.imagePullSecrets ?? []) {
      if (!ref.name) continue;
      const s = await this.env.secret(ns, ref.name);
      if (s) out.push(s);
      else missing.push(ref.name);
    }
    if (missing.length) {
      this.events.pod(pod, 'Warning', 'FailedToRetrieveImagePullSecret', `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`);
    }
    return out;
  }

  private async environment(pod: Pod, c: Container, podIPs: string[]) {
    const ns = pod.metadata?.namespace ?? '';
    const refs = containerReferences(c);
    const inputs: EnvInputs = {
      configMaps: new Map(), secrets: new Map(), services: this.env.services(), podIPs, hostIPs: this.env.hostIPs(),
      allocatable: this.env.allocatable(),
    };
    await Promise.all([
      ...[...refs.configMaps].map(async (n) => inputs.configMaps.set(n, (await this.env.configMap(ns, n))?.data ?? null)),
      ...[...refs.secrets].map(async (n) => {
        const s = await this.env.secret(ns, n);
        inputs.secrets.set(n, s ? Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : null);
      }),
    ]);
    return makeEnvironment(pod, c, inputs);
  }

  private volumeMounts(pod: Pod, c: Container, mounted: Map<string, MountedVolume>): MountIn[] {
    const out: MountIn[] = [];
    const envMap = new Map((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
    for (const m of c.volumeMounts ?? []) {
      const v = mounted.get(m.name);
      if (!v) continue;
      const sub = m.subPathExpr ? expand(m.subPathExpr, (n) => envMap.get(n)) : m.subPath;
      out.push({
        container_path: m.mountPath,
        host_path: sub ? `${v.hostPath}/${sub}` : v.hostPath,
        readonly: m.readOnly === true || v.readOnly,
        propagation: criPropagation(m.mountPropagation),
      });
    }
    return out;
  }

  async terminate(pod: Pod, gracePeriod: number | undefined): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const runtime = await readPodStatus(this.cri, uid);
    const running = runtime.containers.some((c) => c.state === 'running' || c.state === 'created');
    if (running || runtime.sandboxes.some((s) => s.state === 'ready')) {
      log.info({ pod: formatPod(pod), gracePeriod }, 'stopping pod');
      await this.runtime.killPod(pod, runtime, gracePeriod);
    }
    this.probes.removePod(uid);
    const final = await readPodStatus(this.cri, uid);
    const target = this.env.statusTarget(pod);
    const status = this.report(pod, final, true);
    if (target) await this.statuses.set(uid, target, status, this.env.apiStatus(pod));
  }

  async terminated(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    await this.volumes.tearDown(uid);
    await removeCgroup(this.env.cgroupDriver, this.runtime.cgroupParent(pod)).catch((err: unknown) => {
      log.debug({ pod: formatPod(pod), err: (err as Error).message }, 'pod cgroup not removed yet');
    });
    // A deleted API pod is finished here: remove it for good (the status manager's canBeDeleted).
    if (pod.metadata?.deletionTimestamp && this.env.statusTarget(pod)?.uid === uid) {
      try {
        await this.pods.delete(pod.metadata.namespace ?? '', pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
  }

  async forget(uid: string, pod: Pod | undefined): Promise<void> {
    const runtime = await readPodStatus(this.cri, uid);
    if (runtime.containers.some((c) => c.state === 'running') || runtime.sandboxes.some((s) => s.state === 'ready')) {
      await this.runtime.killPod(pod, runtime, pod?.metadata?.deletionGracePeriodSeconds);
    }
    await this.runtime.removePod(runtime);
    await this.volumes.tearDown(uid);
    if (pod) {
      await rm(podLogDirectory(this.env.podLogsDir, pod), { recursive: true, force: true });
      await removeCgroup(this.env.cgroupDriver, this.runtime.cgroupParent(pod)).catch(() => undefined);
    }
    this.probes.removePod(uid);
    this.statuses.remove(uid);
    this.reasons.delete(uid);
    this.crashBackoff.resetPrefix(`${pod?.metadata?.name}_${pod?.metadata?.namespace}_${uid}_`);
    this.runtime.images.forgetPod(uid);
    log.info({ uid, pod: pod ? formatPod(pod) : undefined }, 'pod removed from node');
  }
}
