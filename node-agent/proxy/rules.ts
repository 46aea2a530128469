// The service proxy's whole ruleset, in kube-proxy's iptables layout (pkg/proxy/iptables), as one
// `iptables-restore --noflush` input: the filter and nat tables' KUBE-* chains, written whole so
// that a restore replaces them atomically and leaves every other chain of the host alone.
// Pure: the same services and endpoints always give the same text.
import { cidrContains } from '../../lib/ipv4.js';
import { endpointChain, isServiceChain, serviceChains } from './chain-names.js';
import { trafficPlan, type ProxyEndpoint, type ProxyServicePort } from './service-ports.js';

export interface ProxyRulesConfig {
  /** Pod traffic comes from here; the rest is masqueraded on its way to a Service. */
  clusterCIDR: string;
  /** kube-proxy's masquerade bit 14. */
  masqueradeMark?: string;
  /** NodePorts answer on 127.0.0.1 too (needs net.ipv4.conf.all.route_localnet=1). */
  localhostNodePorts: boolean;
  /** MASQUERADE --random-fully, where the kernel has it. */
  randomFully: boolean;
  /** The node's own address, which loadBalancerSourceRanges may let in. */
  nodeIP?: string;
}

export interface ProxyRules {
  /** The restore input: *filter ... COMMIT, *nat ... COMMIT. */
  text: string;
  /** Every chain the nat table should hold (stale KUBE-SVC/SEP/... ones can then be deleted). */
  natChains: Set<string>;
}

/** A rule as words (quoted where they hold spaces), joined as iptables-restore reads them. */
type Words = Array<string | number>;
const q = (s: string) => `"${s}"`;

/** The jumps from the built-in chains into ours, as kube-proxy installs them (prepended, once). */
export const jumpRules: ReadonlyArray<{ table: 'filter' | 'nat'; from: string; to: string; comment: string; extra: string[] }> = [
  { table: 'filter', from: 'INPUT', to: 'KUBE-EXTERNAL-SERVICES', comment: 'kubernetes externally-visible service portals', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-EXTERNAL-SERVICES', comment: 'kubernetes externally-visible service portals', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'filter', from: 'INPUT', to: 'KUBE-NODEPORTS', comment: 'kubernetes health check service ports', extra: [] },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-SERVICES', comment: 'kubernetes service portals', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'filter', from: 'OUTPUT', to: 'KUBE-SERVICES', comment: 'kubernetes service portals', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-FORWARD', comment: 'kubernetes forwarding rules', extra: [] },
  { table: 'filter', from: 'INPUT', to: 'KUBE-PROXY-FIREWALL', comment: 'kubernetes load balancer firewall', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'filter', from: 'OUTPUT', to: 'KUBE-PROXY-FIREWALL', comment: 'kubernetes load balancer firewall', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-PROXY-FIREWALL', comment: 'kubernetes load balancer firewall', extra: ['-m', 'conntrack', '--ctstate', 'NEW'] },
  { table: 'filter', from: 'INPUT', to: 'KUBE-FIREWALL', comment: 'kubernetes firewall for dropping marked packets', extra: [] },
  { table: 'filter', from: 'OUTPUT', to: 'KUBE-FIREWALL', comment: 'kubernetes firewall for dropping marked packets', extra: [] },
  { table: 'nat', from: 'OUTPUT', to: 'KUBE-SERVICES', comment: 'kubernetes service portals', extra: [] },
  { table: 'nat', from: 'PREROUTING', to: 'KUBE-SERVICES', comment: 'kubernetes service portals', extra: [] },
  { table: 'nat', from: 'POSTROUTING', to: 'KUBE-POSTROUTING', comment: 'kubernetes postrouting rules', extra: [] },
];

class Lines {
  readonly chainSet = new Set<string>();
  readonly rules: string[] = [];

  chain(name: string): void {
    this.chainSet.add(name);
  }

  add(...words: Words): void {
    this.rules.push(words.join(' '));
  }
}

/** kube-proxy's 1/(n-i) with ten decimals. */
const probability = (n: number) => (1 / n).toFixed(10);

/** The chains every sync declares: shared by all services (written whole when declared). */
export const sharedChains = {
  filter: ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL'],
  nat: ['KUBE-SERVICES', 'KUBE-NODEPORTS'],
} as const;
/** Chains whose rules never depend on services: written at full syncs only. */
export const fixedChains = {
  filter: ['KUBE-FORWARD', 'KUBE-FIREWALL', 'KUBE-PROXY-CANARY'],
  nat: ['KUBE-POSTROUTING', 'KUBE-MARK-MASQ', 'KUBE-PROXY-CANARY'],
} as const;

/** What one service port adds to the tables. */
export interface PortRules {
  /** `-A <shared chain> ...` lines of the filter table. */
  filter: string[];
  /** `-A <shared chain> ...` lines of the nat table. */
  nat: string[];
  /** Its own nat chains (SVC, SVL, EXT, FW, SEP), declared before `rules`. */
  chains: string[];
  rules: string[];
}

/** One service port's rules on their own, so a sync can reuse those of unchanged ports. */
export function servicePortRules(sp: ProxyServicePort, cfg: ProxyRulesConfig): PortRules {
  const filter = new Lines();
  const nat = new Lines();
  const own = new Lines();
  writeServicePort(sp, cfg, filter, nat, own);
  return { filter: filter.rules, nat: nat.rules, chains: [...own.chainSet], rules: own.rules };
}

/** The rules of the chains that never depend on services (fixedChains), by table. */
export function fixedRules(cfg: ProxyRulesConfig): { filter: string[]; nat: string[] } {
  const mark = cfg.masqueradeMark ?? '0x4000';
  const filter = new Lines();
  const nat = new Lines();
  nat.add('-A KUBE-POSTROUTING -m mark !', '--mark', `${mark}/${mark}`, '-j RETURN');
  nat.add('-A KUBE-POSTROUTING -j MARK --xor-mark', mark);
  nat.add('-A KUBE-POSTROUTING -m comment --comment', q('kubernetes service traffic requiring SNAT'), '-j MASQUERADE', ...(cfg.randomFully ? ['--random-fully'] : []));
  nat.add('-A KUBE-MARK-MASQ -j MARK --or-mark', mark);
  if (cfg.localhostNodePorts) {
    // route_localnet opens 127/8 to the network; only what conntrack already knows may use it.
    filter.add('-A KUBE-FIREWALL -m comment --comment', q('block incoming localnet connections'), '-d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP');
  }
  filter.add('-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP');
  filter.add('-A KUBE-FORWARD -m comment --comment', q('kubernetes forwarding rules'), '-m mark --mark', `${mark}/${mark}`, '-j ACCEPT');
  filter.add('-A KUBE-FORWARD -m comment --comment', q('kubernetes forwarding conntrack rule'), '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  return { filter: filter.rules, nat: nat.rules };
}

/** The last rule of nat KUBE-SERVICES: node ports on every local address. */
export function nodePortsCatchAll(cfg: ProxyRulesConfig): string {
  return ['-A KUBE-SERVICES -m comment --comment', q('kubernetes service nodeports; NOTE: this must be the last rule in this chain'),
    '-m addrtype --dst-type LOCAL', ...(cfg.localhostNodePorts ? [] : ['! -d 127.0.0.0/8']), '-j KUBE-NODEPORTS'].join(' ');
}

/**
 * The ruleset as a restore input. Without `changed` it is complete (a full sync); with it, only
 * the service ports named there get their own chains written (a partial sync): the shared
 * chains are always written whole, as kube-proxy writes them.
 */
export function buildProxyRules(ports: readonly ProxyServicePort[], cfg: ProxyRulesConfig, changed?: ReadonlySet<string>): ProxyRules {
  const byPort = ports.map((sp) => ({ sp, rules: servicePortRules(sp, cfg) }));
  const natChains = new Set<string>([...sharedChains.nat, ...fixedChains.nat]);
  for (const { rules } of byPort) for (const c of rules.chains) natChains.add(c);
  const write = byPort.filter(({ sp }) => !changed || changed.has(sp.portName)).map(({ rules }) => rules);
  const text = restoreText({
    fixed: fixedRules(cfg), shared: byPort.map(({ rules }) => rules), own: write, catchAll: nodePortsCatchAll(cfg),
  });
  return { text, natChains };
}

export interface RestoreInput {
  /** Fixed chains to write (a full sync); left alone without. */
  fixed?: { filter: string[]; nat: string[] };
  /** Every port's rules, when the shared chains are written whole. */
  shared?: readonly PortRules[];
  /** Shared-chain rules to delete and add one by one (instead of `shared`). */
  edits?: { filter: { del: string[]; add: string[] }; nat: { del: string[]; add: string[] } };
  /** Ports whose own chains are written. */
  own: readonly PortRules[];
  catchAll: string;
  /** Own chains to flush and delete (no rule left may jump to them). */
  stale?: readonly string[];
}

/**
 * One restore input from the pieces of a sync. A declared chain is flushed and rewritten; the
 * rest keep their rules through --noflush. Rules added to nat KUBE-SERVICES go first, so the
 * node-port catch-all stays last.
 */
export function restoreText(r: RestoreInput): string {
  const out: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    out.push(`*${table}`);
    const declared = new Set<string>();
    const declare = (c: string) => {
      if (!declared.has(c)) out.push(`:${c} - [0:0]`);
      declared.add(c);
    };
    if (r.fixed) for (const c of fixedChains[table]) declare(c);
    if (r.shared) for (const c of sharedChains[table]) declare(c);
    if (table === 'nat') {
      for (const p of r.own) for (const c of p.chains) declare(c);
      for (const c of r.stale ?? []) declare(c);
    }
    if (r.fixed) out.push(...r.fixed[table]);
    if (r.shared) {
      for (const p of r.shared) out.push(...p[table]);
      if (table === 'nat') out.push(r.catchAll);
    } else if (r.edits) {
      out.push(...r.edits[table].del.map((l) => '-D' + l.slice(2)));
      const first = table === 'nat' ? (l: string) => (l.startsWith('-A KUBE-SERVICES ') ? '-I KUBE-SERVICES 1 ' + l.slice('-A KUBE-SERVICES '.length) : l) : (l: string) => l;
      out.push(...r.edits[table].add.map(first));
    }
    if (table === 'nat') {
      for (const p of r.own) out.push(...p.rules);
      for (const c of r.stale ?? []) out.push(`-X ${c}`);
    }
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

/**
 * One service port's rules: its entries in the shared chains go to `filter` and `nat`, its own
 * chains (SVC, SVL, EXT, FW, SEP) to `own`.
 */
function writeServicePort(sp: ProxyServicePort, cfg: ProxyRulesConfig, filter: Lines, nat: Lines, own: Lines): void {
  const proto = sp.protocol.toLowerCase();
  const name = sp.portName;
  const chains = serviceChains(name, sp.protocol);
  const { cluster, local, reachable, hasAny, hasInternal, hasExternal, usesExtChain, usesFwChain } = trafficPlan(sp);
  const internalChain = sp.internalPolicyLocal ? chains.svl : chains.svc;
  const externalPolicyChain = sp.externalPolicyLocal ? chains.svl : chains.svc;
  const lbChain = usesFwChain ? chains.fw : chains.ext;
  const noEndpoints = q(`${name} has no endpoints`);
  const noLocal = q(`${name} has no local endpoints`);
  // No endpoints anywhere: refuse at once. Only no local ones (a Local policy): drop.
  // TCP is refused with a reset rather than kube-proxy's ICMP port-unreachable: a client on this
  // node has its socket locked while its SYN is rejected on the same path, so the kernel drops the
  // ICMP (TcpExtLockDroppedIcmps) and the client learns only from its SYN retransmit, 1 s later.
  // A reset is queued to the socket's backlog instead: refused in milliseconds.
  const reject = sp.protocol === 'TCP' ? 'REJECT --reject-with tcp-reset' : 'REJECT';
  const refusal = !hasAny ? { target: reject, comment: noEndpoints } : { target: 'DROP', comment: noLocal };
  const match = (ip: string, port: number) => ['-m', proto, '-p', proto, '-d', ip, '--dport', port];

  // The cluster IP.
  if (hasInternal) nat.add('-A KUBE-SERVICES -m comment --comment', q(`${name} cluster IP`), ...match(sp.clusterIP, sp.port), '-j', internalChain);
  else filter.add('-A KUBE-SERVICES -m comment --comment', refusal.comment, ...match(sp.clusterIP, sp.port), '-j', refusal.target);
  // External IPs.
  for (const ip of sp.externalIPs) {
    if (hasAny) nat.add('-A KUBE-SERVICES -m comment --comment', q(`${name} external IP`), ...match(ip, sp.port), '-j', chains.ext);
    if (!hasExternal) filter.add('-A KUBE-EXTERNAL-SERVICES -m comment --comment', refusal.comment, ...match(ip, sp.port), '-j', refusal.target);
  }
  // Load balancer IPs.
  for (const ip of sp.loadBalancerIPs) {
    if (hasAny) nat.add('-A KUBE-SERVICES -m comment --comment', q(`${name} loadbalancer IP`), ...match(ip, sp.port), '-j', lbChain);
    if (usesFwChain) filter.add('-A KUBE-PROXY-FIREWALL -m comment --comment', q(`${name} traffic not accepted by ${chains.fw}`), ...match(ip, sp.port), '-j DROP');
  }
  if (!hasExternal) {
    for (const ip of sp.loadBalancerIPs) filter.add('-A KUBE-EXTERNAL-SERVICES -m comment --comment', refusal.comment, ...match(ip, sp.port), '-j', refusal.target);
  }
  // The node port.
  if (sp.nodePort) {
    if (hasAny) nat.add('-A KUBE-NODEPORTS -m comment --comment', name, '-m', proto, '-p', proto, '--dport', sp.nodePort, '-j', chains.ext);
    if (!hasExternal) {
      filter.add('-A KUBE-EXTERNAL-SERVICES -m comment --comment', refusal.comment, '-m addrtype --dst-type LOCAL', '-m', proto, '-p', proto, '--dport', sp.nodePort, '-j', refusal.target);
    }
  }
  if (sp.healthCheckNodePort) {
    filter.add('-A KUBE-NODEPORTS -m comment --comment', q(`${name} health check node port`), '-m tcp -p tcp --dport', sp.healthCheckNodePort, '-j ACCEPT');
  }

  // Traffic to the cluster IP from outside the pod network is masqueraded: its answer must come back here.
  if (hasInternal) {
    own.chain(internalChain);
    own.add('-A', internalChain, '-m comment --comment', q(`${name} cluster IP`), ...match(sp.clusterIP, sp.port), '!', '-s', cfg.clusterCIDR, '-j KUBE-MARK-MASQ');
  }
  if (usesExtChain) {
    own.chain(chains.ext);
    if (!sp.externalPolicyLocal) {
      own.add('-A', chains.ext, '-m comment --comment', q(`masquerade traffic for ${name} external destinations`), '-j KUBE-MARK-MASQ');
    } else {
      // Pods and the node itself reach a Local service's external addresses through any endpoint.
      own.add('-A', chains.ext, '-m comment --comment', q(`pod traffic for ${name} external destinations`), '-s', cfg.clusterCIDR, '-j', chains.svc);
      own.add('-A', chains.ext, '-m comment --comment', q(`masquerade LOCAL traffic for ${name} external destinations`), '-m addrtype --src-type LOCAL -j KUBE-MARK-MASQ');
      own.add('-A', chains.ext, '-m comment --comment', q(`route LOCAL traffic for ${name} external destinations`), '-m addrtype --src-type LOCAL', '-j', chains.svc);
    }
    if (hasExternal) own.add('-A', chains.ext, '-j', externalPolicyChain);
  }
  if (usesFwChain) {
    own.chain(chains.fw);
    const lead = ['-A', chains.fw, '-m comment --comment', q(`${name} loadbalancer IP`)];
    let allowFromNode = false;
    for (const cidr of sp.loadBalancerSourceRanges) {
      own.add(...lead, '-s', cidr, '-j', chains.ext);
      if (cfg.nodeIP && cidrContains(cidr, cfg.nodeIP)) allowFromNode = true;
    }
    if (allowFromNode) for (const ip of sp.loadBalancerIPs) own.add(...lead, '-s', ip, '-j', chains.ext);
    own.add('-A', chains.fw, '-m comment --comment', q(`other traffic to ${name} will be dropped by KUBE-PROXY-FIREWALL`));
  }
  // categorizeEndpoints leaves a set empty when no policy of the service uses it.
  // Each endpoint's chain name is a SHA-256: made once, used by every rule that names it.
  const sepOf = new Map(reachable.map((ep) => [ep, endpointChain(name, sp.protocol, `${ep.ip}:${ep.port}`)]));
  const sep = (ep: ProxyEndpoint) => sepOf.get(ep)!;
  if (cluster.length > 0) endpointDispatch(own, chains.svc, sp, cluster, sep);
  if (local.length > 0) endpointDispatch(own, chains.svl, sp, local, sep);

  // One chain per endpoint: hairpin traffic (a pod reaching itself) is masqueraded, then DNAT.
  for (const ep of reachable) {
    const chain = sep(ep);
    own.chain(chain);
    own.add('-A', chain, '-m comment --comment', name, '-s', ep.ip, '-j KUBE-MARK-MASQ');
    const affinity = sp.affinitySeconds !== undefined ? ['-m recent --name', chain, '--set'] : [];
    own.add('-A', chain, '-m comment --comment', name, ...affinity, '-m', proto, '-p', proto, '-j DNAT --to-destination', `${ep.ip}:${ep.port}`);
  }
}

/** A policy chain: sticky clients back to their endpoint first, then a random pick among them all. */
function endpointDispatch(nat: Lines, chain: string, sp: ProxyServicePort, eps: readonly ProxyEndpoint[], sep: (ep: ProxyEndpoint) => string): void {
  nat.chain(chain);
  if (sp.affinitySeconds !== undefined) {
    for (const ep of eps) {
      nat.add('-A', chain, '-m comment --comment', q(`${sp.portName} -> ${ep.ip}:${ep.port}`), '-m recent --name', sep(ep), '--rcheck --seconds', sp.affinitySeconds, '--reap -j', sep(ep));
    }
  }
  eps.forEach((ep, i) => {
    const pick = i < eps.length - 1 ? ['-m statistic --mode random --probability', probability(eps.length - i)] : [];
    nat.add('-A', chain, '-m comment --comment', q(`${sp.portName} -> ${ep.ip}:${ep.port}`), ...pick, '-j', sep(ep));
  });
}


/**
 * The restore input with the service and endpoint chains the nat table holds but no service
 * wants any more deleted (declared, which flushes them, then -X), as kube-proxy cleans up.
 */
export function withStaleChainsDeleted(rules: ProxyRules, existingNatChains: Iterable<string>): string {
  const stale = [...existingNatChains].filter((c) => isServiceChain(c) && !rules.natChains.has(c)).sort();
  if (stale.length === 0) return rules.text;
  const end = rules.text.lastIndexOf('COMMIT\n');
  const natStart = rules.text.indexOf('*nat\n') + '*nat\n'.length;
  return rules.text.slice(0, natStart) + stale.map((c) => `:${c} - [0:0]\n`).join('') + rules.text.slice(natStart, end) + stale.map((c) => `-X ${c}\n`).join('') + rules.text.slice(end);
}
