// The agent's kuberuntime: runs a pod's sandbox and containers through CRI the way kubelet's
// kubeGenericRuntimeManager does - pull, create, start, postStart; preStop, stop with the grace
// period; stop and remove sandboxes - recording kubelet's events on the way. Decisions about
// *what* to do live in pods/pod-actions.ts; this file only does it.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { logger } from '../../lib/log.js';
import type { CgroupDriver } from '../containerd/index.js';
import { isNotFound, isCriError, type CriClient } from '../cri/index.js';
import type { MountIn, MountPropagation, PodSandboxConfig } from '../cri/types.js';
import type { Container, Pod, Secret } from '../kube-types.js';
import type { PodEvents } from '../pods/pod-events.js';
import { podQOSClass } from '../pods/qos.js';
import { podCgroupParent } from './cgroups.js';
import { containerConfig } from './container-config.js';
import type { ClusterDNS, ResolvConf } from './dns.js';
import { ContainerConfigError, type EnvResult } from './env.js';
import { hostNetworkHostsFile, managedHostsFile, podHostname } from './etc-hosts.js';
import { ImageManager, StartError } from './image-manager.js';
import type { ContainerKind } from './labels.js';
import { formatPod, HookError, runHook } from './lifecycle-hooks.js';
import type { RuntimePodStatus } from './runtime-state.js';
import { podLogDirectory, sandboxConfig } from './sandbox-config.js';

const log = logger('pod-runtime');

/** kubelet never stops a container with less than this grace (minimumGracePeriodInSeconds). */
const MIN_GRACE_SECONDS = 2;

export interface PodRuntimeConfig {
  podLogsDir: string;
  cgroupRoot: string;
  cgroupDriver: CgroupDriver;
  canLowerOomScoreAdj: boolean;
  clusterDNS: ClusterDNS;
  memoryCapacity: number;
  /** The node's resolver (re-read by the caller when it changes). */
  hostResolv(): ResolvConf;
  /** The node's /etc/hosts for host-network pods. */
  nodeHostsFile(): string;
}

export interface MountRequest {
  /** Volume mounts of the container, resolved to host paths. */
  volumeMounts: MountIn[];
  /** `<pods>/<uid>`: where the pod's etc-hosts and termination logs go. */
  podDir: string;
}

export interface StartRequest {
  pod: Pod;
  container: Container;
  kind: ContainerKind;
  sandboxId: string;
  sandboxConfig: PodSandboxConfig;
  status: RuntimePodStatus;
  pullSecrets: Secret[];
  podIPs: string[];
  /** The environment, resolved after the image is there (as kubelet orders it). */
  env(): Promise<EnvResult>;
  mounts: MountRequest;
}

const propagation: Record<string, MountPropagation> = {
  HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER',
  Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
};

export function criPropagation(mode: string | undefined): MountPropagation {
  return propagation[mode ?? ''] ?? 'PROPAGATION_PRIVATE';
}

export class PodRuntime {
  constructor(
    private readonly cri: CriClient,
    readonly images: ImageManager,
    private readonly events: PodEvents,
    private readonly cfg: PodRuntimeConfig,
  ) {}

  cgroupParent(pod: Pod): string {
    return podCgroupParent(this.cfg.cgroupDriver, this.cfg.cgroupRoot, podQOSClass(pod), pod.metadata?.uid ?? '');
  }

  /** The sandbox config for a pod and attempt (CreateContainer needs it again later). */
  sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
    return sandboxConfig(pod, {
      attempt, cgroupParent: this.cgroupParent(pod), podLogsDir: this.cfg.podLogsDir,
      clusterDNS: this.cfg.clusterDNS, hostResolv: this.cfg.hostResolv(),
    }).config;
  }

  async createSandbox(pod: Pod, attempt: number): Promise<{ id: string; config: PodSandboxConfig }> {
    const { config, warnings } = sandboxConfig(pod, {
      attempt, cgroupParent: this.cgroupParent(pod), podLogsDir: this.cfg.podLogsDir,
      clusterDNS: this.cfg.clusterDNS, hostResolv: this.cfg.hostResolv(),
    });
    for (const w of warnings) this.events.pod(pod, 'Warning', w.reason, w.message);
    await mkdir(config.log_directory as string, { recursive: true, mode: 0o755 });
    try {
      const id = await this.cri.runtime.runPodSandbox(config);
      return { id, config };
    } catch (err) {
      const msg = isCriError(err) ? `rpc error: code = ${err.code} desc = ${err.details}` : (err as Error).message;
      this.events.pod(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${msg}`);
      throw new StartError('CreatePodSandboxError', `Failed to create pod sandbox: ${msg}`);
    }
  }

  /** Pull, create, start, postStart: kubelet's startContainer. Throws StartError with the waiting reason. */
  async startContainer(req: StartRequest): Promise<string> {
    const { pod, container } = req;
    const fail = (reason: string, message: string, event = `Error: ${message}`): never => {
      this.events.container(pod, container, 'Warning', 'Failed', event);
      throw new StartError(reason, message);
    };
    let image;
    try {
      image = await this.images.ensure(pod, container, req.pullSecrets, req.sandboxConfig);
    } catch (err) {
      if (err instanceof StartError) return fail(err.reason, err.message, `Error: ${err.reason}`);
      throw err;
    }
    const previous = req.status.containers.find((c) => c.name === container.name);
    const restartCount = previous ? previous.restartCount + 1 : await this.restartCountFromLogs(pod, container.name);
    let config;
    try {
      const env = await req.env();
      for (const w of env.warnings) this.events.pod(pod, 'Warning', w.reason, w.message);
      const mounts = await this.containerMounts(pod, container, req);
      await mkdir(join(req.sandboxConfig.log_directory as string, container.name), { recursive: true, mode: 0o755 });
      config = containerConfig(pod, container, {
        kind: req.kind, restartCount, imageRef: image.imageRef, imageUser: image.user, env: env.env, mounts,
        resources: { qos: podQOSClass(pod), memoryCapacity: this.cfg.memoryCapacity, canLowerOomScoreAdj: this.cfg.canLowerOomScoreAdj },
      });
    } catch (err) {
      if (err instanceof ContainerConfigError) return fail('CreateContainerConfigError', err.message);
      throw err;
    }
    let id: string;
    try {
      id = await this.cri.runtime.createContainer(req.sandboxId, config, req.sandboxConfig);
    } catch (err) {
      return fail('CreateContainerError', isCriError(err) ? err.details : (err as Error).message);
    }
    this.events.container(pod, container, 'Normal', 'Created', `Created container: ${container.name}`);
    try {
      await this.cri.runtime.startContainer(id);
    } catch (err) {
      return fail('RunContainerError', isCriError(err) ? err.details : (err as Error).message);
    }
    this.events.container(pod, container, 'Normal', 'Started', `Started container ${container.name}`);
    const postStart = container.lifecycle?.postStart;
    if (postStart) {
      try {
        await runHook(this.cri, id, pod, container, postStart, req.podIPs[0] ?? '');
      } catch (err) {
        if (!(err instanceof HookError)) throw err;
        log.info({ pod: formatPod(pod), container: container.name, err: err.message }, 'postStart hook failed');
        // The event leaves the message out: it may hold secrets (as kubelet does).
        this.events.container(pod, container, 'Warning', 'FailedPostStartHook', 'PostStartHook failed');
        await this.killContainer(pod, id, container.name, 'FailedPostStartHook').catch(() => undefined);
        throw new StartError('PostStartHookError', err.message);
      }
    }
    return id;
  }

  /** kubelet's calcRestartCountByLogDir: after the runtime lost its state, continue the log numbering. */
  private async restartCountFromLogs(pod: Pod, name: string): Promise<number> {
    const dir = join(podLogDirectory(this.cfg.podLogsDir, pod), name);
    let max = -1;
    for (const f of await readdir(dir).catch(() => [] as string[])) {
      const m = /^(\d+)\.log$/.exec(f);
      if (m) max = Math.max(max, Number(m[1]));
    }
    return max + 1;
  }

  private async containerMounts(pod: Pod, container: Container, req: StartRequest): Promise<MountIn[]> {
    const mounts = [...req.mounts.volumeMounts];
    const has = (p: string) => mounts.some((m) => m.container_path === p);
    if (req.podIPs.length > 0 && !has('/etc/hosts')) {
      const hostsFile = join(req.mounts.podDir, 'etc-hosts');
      const content = pod.spec?.hostNetwork
        ? hostNetworkHostsFile(this.cfg.nodeHostsFile(), pod.spec.hostAliases)
        : managedHostsFile(req.podIPs, podHostname(pod, this.cfg.clusterDNS.domain), pod.spec?.hostAliases);
      await mkdir(req.mounts.podDir, { recursive: true });
      if ((await readFile(hostsFile, 'utf8').catch(() => '')) !== content) await writeFile(hostsFile, content, { mode: 0o644 });
      mounts.push({ container_path: '/etc/hosts', host_path: hostsFile, readonly: false });
    }
    const termPath = container.terminationMessagePath ?? '/dev/termination-log';
    if (termPath && !has(termPath)) {
      const dir = join(req.mounts.podDir, 'containers', container.name);
      await mkdir(dir, { recursive: true });
      const file = join(dir, randomBytes(4).toString('hex'));
      await writeFile(file, '');
      await chmod(file, 0o666);
      mounts.push({ container_path: termPath, host_path: file, readonly: false });
    }
    return mounts;
  }

  /** Grace period for stopping a container: deletion's, else the pod's (probe overrides for probe kills). */
  gracePeriod(pod: Pod | undefined, fallback?: number): number {
    if (pod?.metadata?.deletionGracePeriodSeconds !== undefined) return pod.metadata.deletionGracePeriodSeconds;
    return pod?.spec?.terminationGracePeriodSeconds ?? fallback ?? 30;
  }

  /** preStop, then StopContainer with what is left of the grace period (at least 2 s). */
  async killContainer(pod: Pod | undefined, id: string, name: string, message = '', graceOverride?: number): Promise<void> {
    const spec = pod ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === name) : undefined;
    let grace = graceOverride ?? this.gracePeriod(pod);
    if (pod && spec) this.events.container(pod, spec, 'Normal', 'Killing', message || `Stopping container ${name}`);
    const preStop = spec?.lifecycle?.preStop;
    if (pod && spec && preStop && grace > 0) {
      const t0 = Date.now();
      const ip = pod.status?.podIP ?? '';
      const hook = runHook(this.cri, id, pod, spec, preStop, ip).catch((err: unknown) => {
        if (err instanceof HookError) {
          log.info({ pod: formatPod(pod), container: name, err: err.message }, 'preStop hook failed');
          this.events.container(pod, spec, 'Warning', 'FailedPreStopHook', 'PreStopHook failed');
        }
      });
      await Promise.race([hook, new Promise((r) => setTimeout(r, grace * 1000).unref())]);
      grace -= Math.floor((Date.now() - t0) / 1000);
    }
    grace = Math.max(grace, MIN_GRACE_SECONDS);
    try {
      await this.cri.runtime.stopContainer(id, grace);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Stops every running container (in parallel), then every sandbox: kubelet's killPodWithSyncResult. */
  async killPod(pod: Pod | undefined, status: RuntimePodStatus, graceOverride?: number): Promise<void> {
    const running = status.containers.filter((c) => c.state === 'running' || c.state === 'created' || c.state === 'unknown');
    // A pod the agent no longer knows stops with the grace period its containers were made with.
    await Promise.all(running.map((c) => this.killContainer(pod, c.id, c.name, '', graceOverride ?? (pod?.spec ? undefined : c.gracePeriodSeconds))));
    for (const sb of status.sandboxes) {
      try {
        await this.cri.runtime.stopPodSandbox(sb.id);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /** Removes the pod's sandboxes (and with them its containers) from the runtime. */
  async removePod(status: RuntimePodStatus): Promise<void> {
    for (const sb of status.sandboxes) {
      await this.cri.runtime.stopPodSandbox(sb.id).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      await this.cri.runtime.removePodSandbox(sb.id);
    }
    // Containers whose sandbox is already gone.
    for (const c of status.containers) await this.cri.runtime.removeContainer(c.id).catch(() => undefined);
  }

  /** Removes every instance of the pod's init containers (a new sandbox reruns them from the start). */
  async removeInitContainers(status: RuntimePodStatus): Promise<void> {
    for (const c of status.containers) if (c.kind === 'init' && c.state !== 'running') await this.removeQuietly(c.id);
  }

  /** Keeps the newest `keep` exited instances per container name (the current and the previous one). */
  async pruneExited(status: RuntimePodStatus, keep = 2): Promise<void> {
    const seen = new Map<string, number>();
    for (const c of status.containers) {
      const n = (seen.get(c.name) ?? 0) + 1;
      seen.set(c.name, n);
      if (n > keep && c.state === 'exited') await this.removeQuietly(c.id);
    }
  }

  private async removeQuietly(id: string): Promise<void> {
    try {
      await this.cri.runtime.removeContainer(id);
    } catch (err) {
      if (!isNotFound(err)) log.warn({ container: id, err: (err as Error).message }, 'could not remove container');
    }
  }
}
