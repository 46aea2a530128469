// CRI RuntimeService, one method per RPC. No policy here: retries, ordering and
// reconciliation belong to the kubelet code that calls these.
import type { CallOptions, CriConnection } from './connection.js';
import type {
  AttachRequest,
  Container,
  ContainerConfig,
  ContainerEventResponse,
  ContainerFilter,
  ContainerStats,
  ContainerStatsFilter,
  ContainerStatusResponse,
  ExecRequest,
  ExecSyncResponse,
  LinuxContainerResourcesIn,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStats,
  PodSandboxStatusResponse,
  RuntimeConfigResponse,
  StatusResponse,
  StringMap,
  VersionResponse,
} from './types.js';

/** Seconds of grace added to ExecSync's own timeout before the gRPC deadline fires. */
const EXEC_SYNC_SLACK_MS = 5_000;

export class RuntimeServiceClient {
  constructor(private readonly conn: CriConnection) {}

  private call<Res>(method: string, req: object, opts?: CallOptions): Promise<Res> {
    return this.conn.unary<Res>('RuntimeService', method, req, opts);
  }

  version(opts?: CallOptions): Promise<VersionResponse> {
    return this.call('Version', { version: 'v1' }, opts);
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = '', opts?: CallOptions): Promise<string> {
    const r = await this.call<{ pod_sandbox_id: string }>(
      'RunPodSandbox',
      { config, runtime_handler: runtimeHandler },
      opts,
    );
    return r.pod_sandbox_id;
  }

  /** Idempotent in CRI: stopping a stopped sandbox succeeds. */
  async stopPodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    await this.call('StopPodSandbox', { pod_sandbox_id: podSandboxId }, opts);
  }

  /** Idempotent: removing an unknown sandbox succeeds (containerd 1.6 returns OK). */
  async removePodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    await this.call('RemovePodSandbox', { pod_sandbox_id: podSandboxId }, opts);
  }

  podSandboxStatus(podSandboxId: string, verbose = false, opts?: CallOptions): Promise<PodSandboxStatusResponse> {
    return this.call('PodSandboxStatus', { pod_sandbox_id: podSandboxId, verbose }, opts);
  }

  async listPodSandbox(filter?: PodSandboxFilter, opts?: CallOptions): Promise<PodSandbox[]> {
    const r = await this.call<{ items: PodSandbox[] }>('ListPodSandbox', { filter: filter ?? null }, opts);
    return r.items;
  }

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
    opts?: CallOptions,
  ): Promise<string> {
    const r = await this.call<{ container_id: string }>(
      'CreateContainer',
      { pod_sandbox_id: podSandboxId, config, sandbox_config: sandboxConfig },
      opts,
    );
    return r.container_id;
  }

  async startContainer(containerId: string, opts?: CallOptions): Promise<void> {
    await this.call('StartContainer', { container_id: containerId }, opts);
  }

  /** `timeoutSec` is the grace period before SIGKILL; the gRPC deadline is stretched to cover it. */
  async stopContainer(containerId: string, timeoutSec: number, opts?: CallOptions): Promise<void> {
    const o = { ...opts, timeoutMs: opts?.timeoutMs ?? timeoutSec * 1000 + 120_000 };
    await this.call('StopContainer', { container_id: containerId, timeout: timeoutSec }, o);
  }

  async removeContainer(containerId: string, opts?: CallOptions): Promise<void> {
    await this.call('RemoveContainer', { container_id: containerId }, opts);
  }

  async listContainers(filter?: ContainerFilter, opts?: CallOptions): Promise<Container[]> {
    const r = await this.call<{ containers: Container[] }>('ListContainers', { filter: filter ?? null }, opts);
    return r.containers;
  }

  containerStatus(containerId: string, verbose = false, opts?: CallOptions): Promise<ContainerStatusResponse> {
    return this.call('ContainerStatus', { container_id: containerId, verbose }, opts);
  }

  async updateContainerResources(
    containerId: string,
    linux: LinuxContainerResourcesIn,
    annotations: StringMap = {},
    opts?: CallOptions,
  ): Promise<void> {
    await this.call('UpdateContainerResources', { container_id: containerId, linux, annotations }, opts);
  }

  async reopenContainerLog(containerId: string, opts?: CallOptions): Promise<void> {
    await this.call('ReopenContainerLog', { container_id: containerId }, opts);
  }

  /** Runs `cmd` to completion. `timeoutSec` 0 = no runtime-side timeout. */
  execSync(containerId: string, cmd: string[], timeoutSec = 0, opts?: CallOptions): Promise<ExecSyncResponse> {
    const timeoutMs = opts?.timeoutMs ?? (timeoutSec > 0 ? timeoutSec * 1000 + EXEC_SYNC_SLACK_MS : 0);
    return this.call('ExecSync', { container_id: containerId, cmd, timeout: timeoutSec }, { ...opts, timeoutMs });
  }

  /** Returns a single-use streaming URL (the first request consumes the token). */
  async exec(req: ExecRequest, opts?: CallOptions): Promise<string> {
    return (await this.call<{ url: string }>('Exec', req, opts)).url;
  }

  /** Returns a single-use streaming URL. */
  async attach(req: AttachRequest, opts?: CallOptions): Promise<string> {
    return (await this.call<{ url: string }>('Attach', req, opts)).url;
  }

  /** Returns a single-use streaming URL. */
  async portForward(podSandboxId: string, ports: number[], opts?: CallOptions): Promise<string> {
    return (await this.call<{ url: string }>('PortForward', { pod_sandbox_id: podSandboxId, port: ports }, opts)).url;
  }

  async containerStats(containerId: string, opts?: CallOptions): Promise<ContainerStats | null> {
    return (await this.call<{ stats: ContainerStats | null }>('ContainerStats', { container_id: containerId }, opts))
      .stats;
  }

  async listContainerStats(filter?: ContainerStatsFilter, opts?: CallOptions): Promise<ContainerStats[]> {
    return (await this.call<{ stats: ContainerStats[] }>('ListContainerStats', { filter: filter ?? null }, opts)).stats;
  }

  async podSandboxStats(podSandboxId: string, opts?: CallOptions): Promise<PodSandboxStats | null> {
    const r = await this.call<{ stats: PodSandboxStats | null }>('PodSandboxStats', { pod_sandbox_id: podSandboxId }, opts);
    return r.stats;
  }

  async listPodSandboxStats(
    filter?: { id?: string; label_selector?: StringMap },
    opts?: CallOptions,
  ): Promise<PodSandboxStats[]> {
    return (await this.call<{ stats: PodSandboxStats[] }>('ListPodSandboxStats', { filter: filter ?? null }, opts)).stats;
  }

  /** Tells the runtime the node's pod CIDR (kubelet does this once it knows it). */
  async updateRuntimeConfig(podCidr: string, opts?: CallOptions): Promise<void> {
    await this.call('UpdateRuntimeConfig', { runtime_config: { network_config: { pod_cidr: podCidr } } }, opts);
  }

  status(verbose = false, opts?: CallOptions): Promise<StatusResponse> {
    return this.call('Status', { verbose }, opts);
  }

  /**
   * Streams container lifecycle events until the stream ends or `signal` aborts. Rejects with
   * `Unimplemented` on runtimes without them (containerd 1.6): callers relist instead.
   */
  getContainerEvents(onEvent: (ev: ContainerEventResponse) => void, signal: AbortSignal): Promise<void> {
    return this.conn.serverStream<ContainerEventResponse>('RuntimeService', 'GetContainerEvents', {}, onEvent, signal);
  }

  /** Unimplemented in containerd 1.6 (answers `Unimplemented`); the agent then uses its own detection. */
  runtimeConfig(opts?: CallOptions): Promise<RuntimeConfigResponse> {
    return this.call('RuntimeConfig', {}, opts);
  }
}
