// A pod's resolv.conf, per its dnsPolicy, as kubelet builds it (pkg/kubelet/network/dns):
// ClusterFirst -> the cluster DNS with <ns>.svc.<domain> search paths and ndots:5; Default ->
// the host's resolver config; None -> only the pod's dnsConfig, which is appended in every case.
import type { Pod } from '../kube-types.js';
import type { DNSConfigIn } from '../cri/types.js';

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export interface ClusterDNS {
  servers: string[];
  domain: string;
}

export type DNSWarning = { reason: string; message: string };

/** Kubernetes' resolver limits (validation.MaxDNSNameservers, MaxDNSSearchPaths). */
const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;
const MAX_SEARCH_CHARS = 2048;

/** Parses /etc/resolv.conf: nameserver, search/domain (the last one wins) and options lines. */
export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.nameservers.push(fields[0]);
    else if (key === 'search' || key === 'domain') out.searches = fields.map((s) => s.replace(/\.$/, '')).filter(Boolean);
    else if (key === 'options') out.options.push(...fields);
  }
  return out;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Options merge by name ("ndots:2" replaces "ndots:5"); the pod's come last. */
function mergeOptions(base: string[], pod: { name?: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0] ?? o, o);
  for (const o of pod) {
    if (!o.name) continue;
    byName.set(o.name, o.value !== undefined && o.value !== '' ? `${o.name}:${o.value}` : o.name);
  }
  return [...byName.values()];
}

type DNSType = 'cluster' | 'host' | 'none';

function dnsType(pod: Pod): DNSType {
  switch (pod.spec?.dnsPolicy) {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'Default':
      return 'host';
    default:
      // ClusterFirst: host-network pods use the host's resolver (ClusterFirstWithHostNet opts in).
      return pod.spec?.hostNetwork ? 'host' : 'cluster';
  }
}

export interface PodDNSResult {
  config: DNSConfigIn;
  warnings: DNSWarning[];
}

/** The sandbox's DNS config and the events kubelet would record about it. */
export function podDNSConfig(pod: Pod, cluster: ClusterDNS, host: ResolvConf): PodDNSResult {
  const warnings: DNSWarning[] = [];
  let type = dnsType(pod);
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  if (type === 'cluster' && cluster.servers.length === 0) {
    warnings.push({
      reason: 'MissingClusterDNS',
      message: `pod: "${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "${policy}" policy. Falling back to "Default" policy.`,
    });
    type = 'host';
  }
  let cfg: ResolvConf;
  if (type === 'cluster') {
    const ns = pod.metadata?.namespace ?? 'default';
    cfg = {
      nameservers: [...cluster.servers],
      searches: unique([`${ns}.svc.${cluster.domain}`, `svc.${cluster.domain}`, cluster.domain, ...host.searches]),
      options: ['ndots:5'],
    };
  } else if (type === 'host') {
    cfg = { nameservers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
  } else {
    cfg = { nameservers: [], searches: [], options: [] };
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    cfg.nameservers = unique([...cfg.nameservers, ...(extra.nameservers ?? [])]);
    cfg.searches = unique([...cfg.searches, ...(extra.searches ?? [])]);
    cfg.options = mergeOptions(cfg.options, extra.options ?? []);
  }
  if (cfg.nameservers.length > MAX_NAMESERVERS) {
    cfg.nameservers = cfg.nameservers.slice(0, MAX_NAMESERVERS);
    warnings.push({
      reason: 'DNSConfigForming',
      message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${cfg.nameservers.join(' ')}`,
    });
  }
  let searches = cfg.searches.slice(0, MAX_SEARCHES);
  while (searches.join(' ').length > MAX_SEARCH_CHARS) searches = searches.slice(0, -1);
  if (searches.length !== cfg.searches.length) {
    warnings.push({
      reason: 'DNSConfigForming',
      message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${searches.join(' ')}`,
    });
    cfg.searches = searches;
  }
  return { config: { servers: cfg.nameservers, searches: cfg.searches, options: cfg.options }, warnings };
}
