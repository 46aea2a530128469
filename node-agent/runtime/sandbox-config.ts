// A pod's CRI PodSandboxConfig (kubelet's generatePodSandboxConfig): identity and attempt,
// hostname (none for host-network pods: runc refuses it without a UTS namespace), log dir,
// DNS, hostPort mappings, labels, and the Linux part (cgroup parent, namespaces, sysctls).
import { join } from 'node:path';
import type { Pod } from '../kube-types.js';
import type { PodSandboxConfig, PortMappingIn, Protocol } from '../cri/types.js';
import { podDNSConfig, type ClusterDNS, type DNSWarning, type ResolvConf } from './dns.js';
import { sandboxHostname } from './etc-hosts.js';
import { sandboxAnnotations, sandboxLabels } from './labels.js';
import { sandboxSecurityContext } from './security-context.js';

export interface SandboxInputs {
  attempt: number;
  cgroupParent: string;
  /** kubelet's /var/log/pods. */
  podLogsDir: string;
  clusterDNS: ClusterDNS;
  hostResolv: ResolvConf;
}

/** `<logs>/<ns>_<name>_<uid>`: where the pod's container logs go. */
export function podLogDirectory(podLogsDir: string, pod: Pod): string {
  const m = pod.metadata ?? {};
  return join(podLogsDir, `${m.namespace}_${m.name}_${m.uid}`);
}

export function portMappings(pod: Pod): PortMappingIn[] {
  const out: PortMappingIn[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ protocol: (p.protocol ?? 'TCP') as Protocol, container_port: p.containerPort, host_port: p.hostPort, host_ip: p.hostIP ?? '' });
    }
  }
  return out;
}

export function sandboxConfig(pod: Pod, inputs: SandboxInputs): { config: PodSandboxConfig; warnings: DNSWarning[] } {
  const m = pod.metadata ?? {};
  const hostNetwork = pod.spec?.hostNetwork === true;
  const dns = podDNSConfig(pod, inputs.clusterDNS, inputs.hostResolv);
  const sysctls: Record<string, string> = {};
  for (const s of pod.spec?.securityContext?.sysctls ?? []) sysctls[s.name] = s.value;
  const config: PodSandboxConfig = {
    metadata: { name: m.name ?? '', uid: m.uid ?? '', namespace: m.namespace ?? '', attempt: inputs.attempt },
    hostname: hostNetwork ? '' : sandboxHostname(pod, inputs.clusterDNS.domain),
    log_directory: podLogDirectory(inputs.podLogsDir, pod),
    dns_config: dns.config,
    port_mappings: portMappings(pod),
    labels: sandboxLabels(pod),
    annotations: sandboxAnnotations(pod),
    linux: {
      cgroup_parent: inputs.cgroupParent,
      security_context: sandboxSecurityContext(pod),
      sysctls,
    },
  };
  return { config, warnings: dns.warnings };
}
