// The /etc/hosts kubelet writes for each pod and mounts into its containers, and the pod's
// hostname and domain (spec.hostname/subdomain), as pkg/kubelet does.
import type { Pod, HostAlias } from '../kube-types.js';

const MAX_HOSTNAME = 63;

export interface PodHostname {
  hostname: string;
  /** `<subdomain>.<ns>.svc.<cluster domain>`, or empty. */
  domain: string;
}

/** Pod name truncated to a valid hostname: at most 63 bytes, no trailing '-' or '.'. */
function truncate(name: string): string {
  if (name.length <= MAX_HOSTNAME) return name;
  return name.slice(0, MAX_HOSTNAME).replace(/[-.]+$/, '');
}

export function podHostname(pod: Pod, clusterDomain: string): PodHostname {
  const hostname = truncate(pod.spec?.hostname || pod.metadata?.name || '');
  const sub = pod.spec?.subdomain;
  const domain = sub ? `${sub}.${pod.metadata?.namespace}.svc.${clusterDomain}` : '';
  return { hostname, domain };
}

/** The hostname the sandbox gets: the FQDN when setHostnameAsFQDN asks for it. */
export function sandboxHostname(pod: Pod, clusterDomain: string): string {
  const { hostname, domain } = podHostname(pod, clusterDomain);
  if (pod.spec?.setHostnameAsFQDN && domain) {
    const fqdn = `${hostname}.${domain}`;
    if (fqdn.length > 64) throw new Error(`failed to construct FQDN from pod hostname and cluster domain, FQDN ${fqdn} is too long (64 characters is the max, ${fqdn.length} characters requested)`);
    return fqdn;
  }
  return hostname;
}

function aliasEntries(aliases: HostAlias[] | undefined): string {
  if (!aliases?.length) return '';
  let out = '\n# Entries added by HostAliases.\n';
  for (const a of aliases) out += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  return out;
}

/** The managed hosts file of a pod on the pod network. */
export function managedHostsFile(podIPs: string[], names: PodHostname, aliases: HostAlias[] | undefined): string {
  let out = '# Kubernetes-managed hosts file.\n';
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) {
    out += names.domain ? `${ip}\t${names.hostname}.${names.domain}\t${names.hostname}\n` : `${ip}\t${names.hostname}\n`;
  }
  return out + aliasEntries(aliases);
}

/** Host-network pods see the node's hosts file, plus their aliases. */
export function hostNetworkHostsFile(nodeHosts: string, aliases: HostAlias[] | undefined): string {
  return '# Kubernetes-managed hosts file (host network).\n' + nodeHosts + aliasEntries(aliases);
}
