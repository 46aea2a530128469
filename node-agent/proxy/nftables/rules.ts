// The service proxy's ruleset in kube-proxy's nftables layout (pkg/proxy/nftables): one table,
// `ip kube-proxy`, whose base chains hook into netfilter themselves (no jumps from anyone's
// built-in chains), verdict maps from address.protocol.port to each service port's chain, and
// per-port chains that pick an endpoint with `numgen random` and a vmap. Pure: the same
// services give the same text.
import { cidrContains } from '../../../lib/ipv4.js';
import type { ProxyRulesConfig } from '../rules.js';
import { trafficPlan, type ProxyEndpoint, type ProxyServicePort } from '../service-ports.js';
import { nftEndpointNames, nftServiceNames, TABLE } from './names.js';

/** An element of one of the table's maps or sets ("value" only for maps). */
export interface NftElement {
  map: string;
  key: string;
  value?: string;
  comment?: string;
}

export interface NftChain {
  name: string;
  rules: string[];
}

/** What one service port adds to the table. */
export interface NftPortRules {
  elements: NftElement[];
  /** Its own chains, written whole (flushed and refilled) when the port changes. */
  chains: NftChain[];
  /** ClientIP affinity sets, one per endpoint: "name timeoutSeconds". */
  sets: string[];
}

export const maps = {
  serviceIPs: 'service-ips',
  serviceNodePorts: 'service-nodeports',
  noEndpointServices: 'no-endpoint-services',
  noEndpointNodePorts: 'no-endpoint-nodeports',
  firewallIPs: 'firewall-ips',
} as const;
export const CLUSTER_IPS = 'cluster-ips';
const MARK_MASQ = 'mark-for-masquerade';
const REJECT = 'reject-chain';

const ipPortKey = 'ipv4_addr . inet_proto . inet_service : verdict';
const portKey = 'inet_proto . inet_service : verdict';
/** The maps and sets every sync flushes and refills (periodic and full), with their types. */
const containers: ReadonlyArray<{ kind: 'map' | 'set'; name: string; type: string; comment: string }> = [
  { kind: 'map', name: maps.noEndpointServices, type: ipPortKey, comment: 'vmap to drop or reject packets to services with no endpoints' },
  { kind: 'map', name: maps.noEndpointNodePorts, type: portKey, comment: 'vmap to drop or reject packets to service nodeports with no endpoints' },
  { kind: 'map', name: maps.firewallIPs, type: ipPortKey, comment: 'destinations that are subject to LoadBalancerSourceRanges' },
  { kind: 'map', name: maps.serviceIPs, type: ipPortKey, comment: 'ClusterIP, ExternalIP and LoadBalancer IP traffic' },
  { kind: 'map', name: maps.serviceNodePorts, type: portKey, comment: 'NodePort traffic' },
  { kind: 'set', name: CLUSTER_IPS, type: 'ipv4_addr', comment: 'Active ClusterIPs' },
];

/**
 * Base chains: name, type, hook, priority. Filters see addresses before DNAT (dstnat - 10).
 * Numbers, not names: nft before 1.0.7 knows "dstnat" on prerouting only (dstnat = -100, srcnat = 100).
 */
const baseChains: ReadonlyArray<[string, string, string, number]> = [
  ['filter-prerouting', 'filter', 'prerouting', -110],
  ['filter-input', 'filter', 'input', -110],
  ['filter-forward', 'filter', 'forward', -110],
  ['filter-output', 'filter', 'output', -110],
  ['filter-output-post-dnat', 'filter', 'output', -90],
  ['nat-prerouting', 'nat', 'prerouting', -100],
  ['nat-output', 'nat', 'output', -100],
  ['nat-postrouting', 'nat', 'postrouting', 100],
];

/** The chains that never depend on services, and their rules. */
function fixedChains(cfg: ProxyRulesConfig): NftChain[] {
  const mark = cfg.masqueradeMark ?? '0x4000';
  // As kube-proxy's nftables mode: node ports never answer on 127.0.0.0/8 (no route_localnet).
  const nodePortDest = 'fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport';
  return [
    { name: 'filter-prerouting', rules: ['ct state new jump firewall-check'] },
    // reject is only allowed on input, forward and output.
    { name: 'filter-input', rules: ['ct state new jump service-endpoints-check'] },
    { name: 'filter-forward', rules: ['ct state new jump service-endpoints-check', 'ct state new jump cluster-ips-check'] },
    { name: 'filter-output', rules: ['ct state new jump service-endpoints-check', 'ct state new jump firewall-check'] },
    { name: 'filter-output-post-dnat', rules: ['ct state new jump cluster-ips-check'] },
    { name: 'nat-prerouting', rules: ['jump services'] },
    { name: 'nat-output', rules: ['jump services'] },
    { name: 'nat-postrouting', rules: ['jump masquerading'] },
    { name: MARK_MASQ, rules: [`meta mark set meta mark or ${mark}`] },
    { name: 'masquerading', rules: [`meta mark & ${mark} == 0 return`, `meta mark set meta mark xor ${mark}`, `masquerade${cfg.randomFully ? ' fully-random' : ''}`] },
    { name: 'services', rules: [`ip daddr . meta l4proto . th dport vmap @${maps.serviceIPs}`, `${nodePortDest} vmap @${maps.serviceNodePorts}`] },
    { name: 'service-endpoints-check', rules: [`ip daddr . meta l4proto . th dport vmap @${maps.noEndpointServices}`, `${nodePortDest} vmap @${maps.noEndpointNodePorts}`] },
    { name: 'firewall-check', rules: [`ip daddr . meta l4proto . th dport vmap @${maps.firewallIPs}`] },
    // After DNAT a service's traffic has a pod's address: a cluster IP left is a port no service has.
    { name: 'cluster-ips-check', rules: [`ip daddr @${CLUSTER_IPS} reject comment "Reject traffic to invalid ports of ClusterIPs"`] },
    // TCP gets a reset rather than ICMP: a local client's socket is locked while its SYN is
    // rejected on the same path, and the kernel drops the ICMP (see the iptables mode's rules.ts).
    { name: REJECT, rules: ['meta l4proto tcp reject with tcp reset', 'reject'] },
  ];
}

const q = (s: string) => `"${s}"`;

/** One service port's elements, chains and sets (the nftables twin of the iptables mode's writeServicePort). */
export function nftPortRules(sp: ProxyServicePort, cfg: ProxyRulesConfig): NftPortRules {
  const proto = sp.protocol.toLowerCase();
  const names = nftServiceNames(sp.portName, sp.protocol);
  const { cluster, local, reachable, hasAny, hasInternal, hasExternal, usesExtChain, usesFwChain } = trafficPlan(sp);
  const internalChain = sp.internalPolicyLocal ? names.local : names.svc;
  const externalPolicyChain = sp.externalPolicyLocal ? names.local : names.svc;
  // No endpoints anywhere: refuse at once. Only no local ones (a Local policy): drop.
  const refusal = hasAny ? 'drop' : `goto ${REJECT}`;
  const elements: NftElement[] = [];
  const key = (ip: string) => `${ip} . ${proto} . ${sp.port}`;
  const el = (map: string, k: string, value: string, comment?: string) => elements.push({ map, key: k, value, ...(comment ? { comment } : {}) });

  elements.push({ map: CLUSTER_IPS, key: sp.clusterIP });
  if (hasInternal) el(maps.serviceIPs, key(sp.clusterIP), `goto ${internalChain}`);
  else el(maps.noEndpointServices, key(sp.clusterIP), refusal, sp.portName);
  for (const ip of sp.externalIPs) {
    if (hasAny) el(maps.serviceIPs, key(ip), `goto ${names.ext}`);
    if (!hasExternal) el(maps.noEndpointServices, key(ip), refusal, sp.portName);
  }
  for (const ip of sp.loadBalancerIPs) {
    if (hasAny) el(maps.serviceIPs, key(ip), `goto ${names.ext}`);
    if (usesFwChain) el(maps.firewallIPs, key(ip), `goto ${names.fw}`, sp.portName);
    if (!hasExternal) el(maps.noEndpointServices, key(ip), refusal, sp.portName);
  }
  if (sp.nodePort) {
    if (hasAny) el(maps.serviceNodePorts, `${proto} . ${sp.nodePort}`, `goto ${names.ext}`);
    if (!hasExternal) el(maps.noEndpointNodePorts, `${proto} . ${sp.nodePort}`, refusal, sp.portName);
  }

  const chains = new Map<string, string[]>();
  const rule = (chain: string, r: string) => {
    const list = chains.get(chain);
    if (list) list.push(r);
    else chains.set(chain, [r]);
  };
  // Traffic to the cluster IP from outside the pod network is masqueraded: its answer must come back here.
  if (hasInternal) rule(internalChain, `ip daddr ${sp.clusterIP} ${proto} dport ${sp.port} ip saddr != ${cfg.clusterCIDR} jump ${MARK_MASQ}`);
  if (usesExtChain) {
    if (!sp.externalPolicyLocal) {
      rule(names.ext, `jump ${MARK_MASQ}`);
    } else {
      // Pods and the node itself reach a Local service's external addresses through any endpoint.
      rule(names.ext, `ip saddr ${cfg.clusterCIDR} goto ${names.svc} comment "short-circuit pod traffic"`);
      rule(names.ext, `fib saddr type local jump ${MARK_MASQ} comment "masquerade local traffic"`);
      rule(names.ext, `fib saddr type local goto ${names.svc} comment "short-circuit local traffic"`);
    }
    if (hasExternal) rule(names.ext, `goto ${externalPolicyChain}`);
  }
  if (usesFwChain) {
    const sources = [...sp.loadBalancerSourceRanges];
    if (cfg.nodeIP && sp.loadBalancerSourceRanges.some((c) => cidrContains(c, cfg.nodeIP!))) sources.push(...sp.loadBalancerIPs);
    rule(names.fw, `ip saddr != { ${sources.join(', ')} } drop`);
  }
  const ends = new Map(reachable.map((ep) => [ep, nftEndpointNames(sp.portName, sp.protocol, ep.ip, ep.port)]));
  const sticky = sp.affinitySeconds !== undefined;
  const dispatch = (chain: string, eps: readonly ProxyEndpoint[]) => {
    if (sticky) for (const ep of eps) rule(chain, `ip saddr @${ends.get(ep)!.affinity} goto ${ends.get(ep)!.chain}`);
    rule(chain, `numgen random mod ${eps.length} vmap { ${eps.map((ep, i) => `${i} : goto ${ends.get(ep)!.chain}`).join(', ')} }`);
  };
  // categorizeEndpoints leaves a set empty when no policy of the service uses it.
  if (cluster.length > 0) dispatch(names.svc, cluster);
  if (local.length > 0) dispatch(names.local, local);
  const sets: string[] = [];
  for (const ep of reachable) {
    const n = ends.get(ep)!;
    // Hairpin traffic (a pod reaching itself) is masqueraded, then DNAT.
    rule(n.chain, `ip saddr ${ep.ip} jump ${MARK_MASQ}`);
    if (sticky) {
      sets.push(`${n.affinity} ${sp.affinitySeconds}`);
      rule(n.chain, `update @${n.affinity} { ip saddr }`);
    }
    rule(n.chain, `meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`);
  }
  return { elements, chains: [...chains].map(([name, rules]) => ({ name, rules })), sets };
}

const T = `ip ${TABLE}`;
export const elementText = (e: NftElement) => `${e.key}${e.comment ? ` comment ${q(e.comment)}` : ''}${e.value ? ` : ${e.value}` : ''}`;

/** The batch's pieces, in the order nft needs them (a name must exist before it is referenced). */
export interface NftBatch {
  /** Table, base and fixed chains, and the maps and sets flushed for refilling (periodic and full syncs). */
  fixed?: ProxyRulesConfig;
  /** Chains to create (if new) and flush, then fill with their rules. */
  chains: readonly NftChain[];
  /** Affinity sets to create ("name timeoutSeconds"); those in `dropSets` first go. */
  sets: readonly string[];
  dropSets: readonly string[];
  /** Elements to delete (partial syncs: the maps are not flushed) and to add. */
  delElements: readonly NftElement[];
  addElements: readonly NftElement[];
  /** Chains nothing refers to any more. */
  dropChains: readonly string[];
}

/** One `nft -f` transaction: every line applies, or none. */
export function nftBatchText(b: NftBatch): string {
  const out: string[] = [];
  if (b.fixed) {
    out.push(`add table ${T} { comment "rules for kube-proxy" ; }`);
    for (const [name, type, hook, prio] of baseChains) out.push(`add chain ${T} ${name} { type ${type} hook ${hook} priority ${prio} ; }`);
    const fixed = fixedChains(b.fixed);
    for (const c of fixed) if (!baseChains.some(([n]) => n === c.name)) out.push(`add chain ${T} ${c.name}`);
    for (const c of containers) out.push(`add ${c.kind} ${T} ${c.name} { type ${c.type} ; comment ${q(c.comment)} ; }`, `flush ${c.kind} ${T} ${c.name}`);
    for (const c of fixed) out.push(`flush chain ${T} ${c.name}`);
    for (const c of fixed) for (const r of c.rules) out.push(`add rule ${T} ${c.name} ${r}`);
  }
  // Declared before any rule refers to them; flushed so a changed chain is written whole.
  for (const c of b.chains) out.push(`add chain ${T} ${c.name}`, `flush chain ${T} ${c.name}`);
  for (const c of b.dropChains) out.push(`flush chain ${T} ${c}`);
  for (const e of b.delElements) out.push(`delete element ${T} ${e.map} { ${elementText(e)} }`);
  for (const s of b.dropSets) out.push(`delete set ${T} ${s}`);
  for (const s of b.sets) {
    const [name, timeout] = s.split(' ');
    out.push(`add set ${T} ${name} { type ipv4_addr ; flags dynamic,timeout ; timeout ${timeout}s ; }`);
  }
  for (const c of b.chains) for (const r of c.rules) out.push(`add rule ${T} ${c.name} ${r}`);
  // One line per map: nft parses and commits a list of elements faster than as many commands.
  const byMap = new Map<string, string[]>();
  for (const e of b.addElements) {
    const list = byMap.get(e.map);
    if (list) list.push(elementText(e));
    else byMap.set(e.map, [elementText(e)]);
  }
  for (const [map, els] of byMap) out.push(`add element ${T} ${map} { ${els.join(', ')} }`);
  for (const c of b.dropChains) out.push(`delete chain ${T} ${c}`);
  return out.join('\n') + '\n';
}
