// TypeScript shapes of the CRI v1 messages k8ts uses (proto/cri-api.proto, package runtime.v1).
//
// They mirror how @grpc/proto-loader decodes with
// `{keepCase, longs: String, enums: String, defaults: true, oneofs: true}`:
// - field names keep the proto snake_case;
// - int64/uint64 arrive as decimal strings (nanosecond timestamps overflow JS numbers);
// - enums arrive as their names;
// - `bytes` arrive as Buffers;
// - unset scalars, lists and maps arrive as their defaults, unset messages as `null`.
// Requests are written as `In` types: every field optional, int64 as string or number.

/** int64/uint64 as decoded (decimal string). */
export type Int64 = string;
/** int64/uint64 as accepted in requests. */
export type Int64In = string | number;
export type StringMap = Record<string, string>;

// ---- enums -------------------------------------------------------------------------

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type SupplementalGroupsPolicy = 'Merge' | 'Strict';
export type SecurityProfileType = 'RuntimeDefault' | 'Unconfined' | 'Localhost';
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
/** `SIGNAL_RUNTIME_DEFAULT` or `SIGNAL_SIG<NAME>` (e.g. `SIGNAL_SIGTERM`). */
export type StopSignal = `SIGNAL_${string}`;
export type CgroupDriver = 'SYSTEMD' | 'CGROUPFS';

// ---- shared small messages ---------------------------------------------------------

export interface IDMapping {
  host_id: number;
  container_id: number;
  length: number;
}

export interface Int64Value {
  value: Int64;
}

export interface UInt64Value {
  value: Int64;
}

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface ImageSpec {
  image: string;
  annotations: StringMap;
  user_specified_image: string;
  runtime_handler: string;
  image_ref: string;
}
export type ImageSpecIn = Partial<ImageSpec> & { image: string };

export interface Mount {
  container_path: string;
  host_path: string;
  readonly: boolean;
  selinux_relabel: boolean;
  propagation: MountPropagation;
  uidMappings: IDMapping[];
  gidMappings: IDMapping[];
  recursive_read_only: boolean;
  image: ImageSpec | null;
  image_sub_path: string;
  mount_options: string[];
}
export type MountIn = Partial<Omit<Mount, 'image'>> & { container_path: string; image?: ImageSpecIn };

export interface NamespaceOptionIn {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  target_id?: string;
  userns_options?: { mode?: NamespaceMode; uids?: IDMapping[]; gids?: IDMapping[] };
}

export interface SecurityProfileIn {
  profile_type?: SecurityProfileType;
  localhost_ref?: string;
}

export interface SELinuxOptionIn {
  user?: string;
  role?: string;
  type?: string;
  level?: string;
}

export interface LinuxContainerResources {
  cpu_period: Int64;
  cpu_quota: Int64;
  cpu_shares: Int64;
  memory_limit_in_bytes: Int64;
  oom_score_adj: Int64;
  cpuset_cpus: string;
  cpuset_mems: string;
  hugepage_limits: { page_size: string; limit: Int64 }[];
  unified: StringMap;
  memory_swap_limit_in_bytes: Int64;
}

export interface LinuxContainerResourcesIn {
  cpu_period?: Int64In;
  cpu_quota?: Int64In;
  cpu_shares?: Int64In;
  memory_limit_in_bytes?: Int64In;
  /** Never negative on hosts without CAP_SYS_RESOURCE (see docs/notes on restrict_oom_score_adj). */
  oom_score_adj?: Int64In;
  cpuset_cpus?: string;
  cpuset_mems?: string;
  hugepage_limits?: { page_size: string; limit: Int64In }[];
  unified?: StringMap;
  memory_swap_limit_in_bytes?: Int64In;
}

// ---- pod sandbox ---------------------------------------------------------------------

export interface PortMappingIn {
  protocol?: Protocol;
  container_port: number;
  host_port?: number;
  host_ip?: string;
}

export interface DNSConfigIn {
  servers?: string[];
  searches?: string[];
  options?: string[];
}

export interface LinuxSandboxSecurityContextIn {
  namespace_options?: NamespaceOptionIn;
  selinux_options?: SELinuxOptionIn;
  run_as_user?: { value: Int64In };
  run_as_group?: { value: Int64In };
  readonly_rootfs?: boolean;
  supplemental_groups?: Int64In[];
  supplemental_groups_policy?: SupplementalGroupsPolicy;
  privileged?: boolean;
  seccomp?: SecurityProfileIn;
  apparmor?: SecurityProfileIn;
}

export interface LinuxPodSandboxConfigIn {
  cgroup_parent?: string;
  security_context?: LinuxSandboxSecurityContextIn;
  sysctls?: StringMap;
  overhead?: LinuxContainerResourcesIn;
  resources?: LinuxContainerResourcesIn;
}

export interface PodSandboxConfig {
  metadata: Partial<PodSandboxMetadata> & { name: string; uid: string; namespace: string };
  /** Leave empty for host-network pods: runc refuses a hostname without a private UTS namespace. */
  hostname?: string;
  /** Directory for container logs, created by the caller (kubelet does). */
  log_directory?: string;
  dns_config?: DNSConfigIn;
  port_mappings?: PortMappingIn[];
  labels?: StringMap;
  annotations?: StringMap;
  linux?: LinuxPodSandboxConfigIn;
}

export interface PodIP {
  ip: string;
}

export interface PodSandboxNetworkStatus {
  ip: string;
  additional_ips: PodIP[];
}

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  created_at: Int64;
  network: PodSandboxNetworkStatus | null;
  linux: { namespaces: { options: unknown } | null } | null;
  labels: StringMap;
  annotations: StringMap;
  runtime_handler: string;
}

export interface PodSandboxStatusResponse {
  status: PodSandboxStatus | null;
  /** Verbose runtime info (JSON strings), only when requested. */
  info: StringMap;
  containers_statuses: ContainerStatus[];
  timestamp: Int64;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  created_at: Int64;
  labels: StringMap;
  annotations: StringMap;
  runtime_handler: string;
}

export interface PodSandboxFilter {
  id?: string;
  state?: { state: PodSandboxState };
  label_selector?: StringMap;
}

// ---- containers --------------------------------------------------------------------

export interface KeyValueIn {
  key: string;
  /** `bytes` in the proto: a string would be read as base64, so values go as bytes. */
  value: Uint8Array;
}

export interface LinuxContainerSecurityContextIn {
  capabilities?: { add_capabilities?: string[]; drop_capabilities?: string[]; add_ambient_capabilities?: string[] };
  privileged?: boolean;
  namespace_options?: NamespaceOptionIn;
  selinux_options?: SELinuxOptionIn;
  run_as_user?: { value: Int64In };
  run_as_group?: { value: Int64In };
  run_as_username?: string;
  readonly_rootfs?: boolean;
  supplemental_groups?: Int64In[];
  supplemental_groups_policy?: SupplementalGroupsPolicy;
  no_new_privs?: boolean;
  masked_paths?: string[];
  readonly_paths?: string[];
  seccomp?: SecurityProfileIn;
  apparmor?: SecurityProfileIn;
}

export interface DeviceIn {
  container_path: string;
  host_path: string;
  permissions?: string;
}

export interface ContainerConfig {
  metadata: { name: string; attempt?: number };
  image: ImageSpecIn;
  command?: string[];
  args?: string[];
  working_dir?: string;
  envs?: KeyValueIn[];
  mounts?: MountIn[];
  devices?: DeviceIn[];
  labels?: StringMap;
  annotations?: StringMap;
  /** Relative to the sandbox's log_directory. */
  log_path?: string;
  stdin?: boolean;
  stdin_once?: boolean;
  tty?: boolean;
  linux?: { resources?: LinuxContainerResourcesIn; security_context?: LinuxContainerSecurityContextIn };
  CDI_devices?: { name: string }[];
  stop_signal?: StopSignal;
}

export interface Container {
  id: string;
  pod_sandbox_id: string;
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  image_ref: string;
  state: ContainerState;
  created_at: Int64;
  labels: StringMap;
  annotations: StringMap;
  image_id: string;
}

export interface ContainerFilter {
  id?: string;
  state?: { state: ContainerState };
  pod_sandbox_id?: string;
  label_selector?: StringMap;
}

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata | null;
  state: ContainerState;
  created_at: Int64;
  started_at: Int64;
  finished_at: Int64;
  exit_code: number;
  image: ImageSpec | null;
  image_ref: string;
  reason: string;
  message: string;
  labels: StringMap;
  annotations: StringMap;
  mounts: Mount[];
  log_path: string;
  resources: { linux: LinuxContainerResources | null } | null;
  image_id: string;
  user: { linux: { uid: Int64; gid: Int64; supplemental_groups: Int64[] } | null } | null;
  stop_signal: StopSignal;
}

export interface ContainerStatusResponse {
  status: ContainerStatus | null;
  info: StringMap;
}

export interface ExecSyncResponse {
  stdout: Buffer;
  stderr: Buffer;
  exit_code: number;
}

export interface ExecRequest {
  container_id: string;
  cmd: string[];
  tty?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

export interface AttachRequest {
  container_id: string;
  stdin?: boolean;
  tty?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

export type ContainerEventType = 'CONTAINER_CREATED_EVENT' | 'CONTAINER_STARTED_EVENT' | 'CONTAINER_STOPPED_EVENT' | 'CONTAINER_DELETED_EVENT';

export interface ContainerEventResponse {
  container_id: string;
  container_event_type: ContainerEventType;
  created_at: Int64;
  pod_sandbox_status: PodSandboxStatus | null;
  containers_statuses: ContainerStatus[];
}

// ---- stats ---------------------------------------------------------------------------

export interface CpuUsage {
  timestamp: Int64;
  usage_core_nano_seconds: UInt64Value | null;
  usage_nano_cores: UInt64Value | null;
}

export interface MemoryUsage {
  timestamp: Int64;
  working_set_bytes: UInt64Value | null;
  available_bytes: UInt64Value | null;
  usage_bytes: UInt64Value | null;
  rss_bytes: UInt64Value | null;
  page_faults: UInt64Value | null;
  major_page_faults: UInt64Value | null;
}

export interface FilesystemUsage {
  timestamp: Int64;
  fs_id: { mountpoint: string } | null;
  used_bytes: UInt64Value | null;
  inodes_used: UInt64Value | null;
}

export interface ContainerStats {
  attributes: { id: string; metadata: ContainerMetadata | null; labels: StringMap; annotations: StringMap } | null;
  cpu: CpuUsage | null;
  memory: MemoryUsage | null;
  writable_layer: FilesystemUsage | null;
}

export interface ContainerStatsFilter {
  id?: string;
  pod_sandbox_id?: string;
  label_selector?: StringMap;
}

export interface PodSandboxStats {
  attributes: { id: string; metadata: PodSandboxMetadata | null; labels: StringMap; annotations: StringMap } | null;
  linux: {
    cpu: CpuUsage | null;
    memory: MemoryUsage | null;
    network: unknown;
    process: { timestamp: Int64; process_count: UInt64Value | null } | null;
    containers: ContainerStats[];
  } | null;
}

// ---- runtime -------------------------------------------------------------------------

export interface VersionResponse {
  version: string;
  runtime_name: string;
  runtime_version: string;
  runtime_api_version: string;
}

export interface RuntimeCondition {
  /** `RuntimeReady` or `NetworkReady` (runtimes may add more). */
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

export interface StatusResponse {
  status: { conditions: RuntimeCondition[] } | null;
  info: StringMap;
  runtime_handlers: { name: string; features: { recursive_read_only_mounts: boolean; user_namespaces: boolean } | null }[];
  features: { supplemental_groups_policy: boolean; user_namespaces_host_network: boolean; mount_options: boolean } | null;
}

export interface RuntimeConfigResponse {
  linux: { cgroup_driver: CgroupDriver } | null;
}

// ---- images --------------------------------------------------------------------------

export interface Image {
  id: string;
  repo_tags: string[];
  repo_digests: string[];
  size: Int64;
  uid: Int64Value | null;
  username: string;
  spec: ImageSpec | null;
  pinned: boolean;
}

export interface ImageStatusResponse {
  /** null when the image is not present (not an error in CRI). */
  image: Image | null;
  info: StringMap;
}

export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  server_address?: string;
  identity_token?: string;
  registry_token?: string;
}

export interface ImageFsInfoResponse {
  image_filesystems: FilesystemUsage[];
  container_filesystems: FilesystemUsage[];
}
