// Pod and container securityContext to CRI's linux security contexts, as kubelet's
// kuberuntime does: the container's settings override the pod's, namespaces follow
// hostNetwork/hostPID/hostIPC/shareProcessNamespace, and unprivileged containers get the
// default masked and read-only /proc paths (containerd replaces its defaults with ours).
import type { Container, Pod, PodSecurityContext, SecurityContext } from '../kube-types.js';
import type {
  LinuxContainerSecurityContextIn, LinuxSandboxSecurityContextIn, NamespaceOptionIn, SecurityProfileIn,
} from '../cri/types.js';
import { ContainerConfigError } from './env.js';

export const DEFAULT_MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** The container's effective security context: its own fields, falling back to the pod's. */
export function effectiveSecurityContext(pod: Pod, container: Container): SecurityContext {
  const p: PodSecurityContext = pod.spec?.securityContext ?? {};
  const c: SecurityContext = container.securityContext ?? {};
  return {
    ...c,
    runAsUser: c.runAsUser ?? p.runAsUser,
    runAsGroup: c.runAsGroup ?? p.runAsGroup,
    runAsNonRoot: c.runAsNonRoot ?? p.runAsNonRoot,
    seLinuxOptions: c.seLinuxOptions ?? p.seLinuxOptions,
    seccompProfile: c.seccompProfile ?? p.seccompProfile,
  };
}

export function namespaceOptions(pod: Pod): NamespaceOptionIn {
  const s = pod.spec ?? { containers: [] };
  return {
    network: s.hostNetwork ? 'NODE' : 'POD',
    pid: s.hostPID ? 'NODE' : s.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: s.hostIPC ? 'NODE' : 'POD',
  };
}

/** Kubelet's default is Unconfined unless the pod or container asks for a profile. */
export function seccompProfile(profile: SecurityContext['seccompProfile']): SecurityProfileIn {
  switch (profile?.type) {
    case 'RuntimeDefault':
      return { profile_type: 'RuntimeDefault' };
    case 'Localhost':
      return { profile_type: 'Localhost', localhost_ref: profile.localhostProfile ?? '' };
    default:
      return { profile_type: 'Unconfined' };
  }
}

function supplementalGroups(pod: Pod): number[] {
  const sc = pod.spec?.securityContext;
  const groups = [...(sc?.supplementalGroups ?? [])];
  if (sc?.fsGroup !== undefined && !groups.includes(sc.fsGroup)) groups.push(sc.fsGroup);
  return groups;
}

export function sandboxSecurityContext(pod: Pod): LinuxSandboxSecurityContextIn {
  const sc = pod.spec?.securityContext ?? {};
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const out: LinuxSandboxSecurityContextIn = {
    namespace_options: namespaceOptions(pod),
    privileged: all.some((c) => c.securityContext?.privileged === true),
    seccomp: seccompProfile(sc.seccompProfile),
    supplemental_groups: supplementalGroups(pod),
  };
  if (sc.runAsUser !== undefined) out.run_as_user = { value: sc.runAsUser };
  if (sc.runAsGroup !== undefined) out.run_as_group = { value: sc.runAsGroup };
  if (sc.seLinuxOptions) out.selinux_options = { ...sc.seLinuxOptions };
  return out;
}

/** What the image says it runs as (CRI ImageStatus uid / username). */
export interface ImageUser {
  uid?: number;
  username?: string;
}

/** Refuses to run a container that could run as root when runAsNonRoot asks otherwise. */
export function verifyRunAsNonRoot(pod: Pod, container: Container, image: ImageUser): void {
  const sc = effectiveSecurityContext(pod, container);
  if (!sc.runAsNonRoot) return;
  const who = `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
  if (sc.runAsUser !== undefined) {
    if (sc.runAsUser === 0) throw new ContainerConfigError(`container's runAsUser breaks non-root policy (pod: "${who}", container: ${container.name})`);
    return;
  }
  if (image.uid !== undefined) {
    if (image.uid === 0) throw new ContainerConfigError(`container has runAsNonRoot and image will run as root (pod: "${who}", container: ${container.name})`);
    return;
  }
  const user = image.username ?? '';
  if (user !== '' && !/^\d+$/.test(user)) {
    throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root (pod: "${who}", container: ${container.name})`);
  }
  // An image without a user runs as root.
  throw new ContainerConfigError(`container has runAsNonRoot and image will run as root (pod: "${who}", container: ${container.name})`);
}

export function containerSecurityContext(pod: Pod, container: Container, image: ImageUser): LinuxContainerSecurityContextIn {
  const sc = effectiveSecurityContext(pod, container);
  const privileged = sc.privileged === true;
  const out: LinuxContainerSecurityContextIn = {
    privileged,
    namespace_options: namespaceOptions(pod),
    seccomp: seccompProfile(sc.seccompProfile),
    supplemental_groups: supplementalGroups(pod),
    readonly_rootfs: sc.readOnlyRootFilesystem === true,
    // Only an explicit allowPrivilegeEscalation: false sets no_new_privs.
    no_new_privs: sc.allowPrivilegeEscalation === false,
  };
  if (sc.capabilities) {
    out.capabilities = { add_capabilities: [...(sc.capabilities.add ?? [])], drop_capabilities: [...(sc.capabilities.drop ?? [])] };
  }
  if (sc.runAsUser !== undefined) out.run_as_user = { value: sc.runAsUser };
  else if (image.username && image.uid === undefined) out.run_as_username = image.username;
  if (sc.runAsGroup !== undefined) out.run_as_group = { value: sc.runAsGroup };
  if (sc.seLinuxOptions) out.selinux_options = { ...sc.seLinuxOptions };
  if (!privileged) {
    const unmasked = sc.procMount === 'Unmasked';
    out.masked_paths = unmasked ? [] : DEFAULT_MASKED_PATHS;
    out.readonly_paths = unmasked ? [] : DEFAULT_READONLY_PATHS;
  }
  return out;
}
