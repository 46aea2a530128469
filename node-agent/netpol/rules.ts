// The plan (policy-model.ts) as iptables rules in the filter table, in kube-router's layout, so
// `iptables-save | grep KUBE-POD-FW` works as k3s users expect:
//
//   FORWARD -> KUBE-ROUTER-FORWARD      first, so no ACCEPT of another tool bypasses it
//     -s <pod> -> KUBE-POD-FW-<egress of pod>    for each egress-isolated pod of this node
//     -d <pod> -> KUBE-POD-FW-<ingress of pod>   for each ingress-isolated pod of this node
//   KUBE-POD-FW-*: replies and the node itself pass; then one jump per policy selecting the pod;
//     policy rules set mark 0x10000; unmarked packets are rejected; marked ones have the mark
//     cleared (the other direction's check starts afresh) and return.
//   KUBE-NWPLCY-*: one chain per policy and direction (ports), one per rule with peers (addresses),
//     one per ipBlock with exceptions.
//
// Only FORWARD: a pod's traffic to its own node goes through INPUT and the node's to its pods
// through OUTPUT, both always allowed. Pod-to-pod on one bridge goes through FORWARD too
// (br_netfilter), and traffic from other nodes arrives routed: each node checks its own pods,
// whatever host the peer is on.
import { chainHash } from '../iptables/chain-hash.js';
import type { Direction, NetpolPlan, PolicyModel, PortMatch, RuleModel } from './policy-model.js';

export const TOP_CHAIN = 'KUBE-ROUTER-FORWARD';
export const HOOK_COMMENT = 'kube-router netpol - enforce NetworkPolicy for pods of this node';
/** The mark a policy rule sets on traffic it allows (kube-router's). */
export const ALLOW_MARK = '0x10000/0x10000';

const POD_PREFIX = 'KUBE-POD-FW-';
const POLICY_PREFIX = 'KUBE-NWPLCY-';

/** Whether a filter-table chain is one the enforcer makes. */
export function isNetpolChain(chain: string): boolean {
  return chain === TOP_CHAIN || /^KUBE-(POD-FW|NWPLCY)-[A-Z2-7]{16}$/.test(chain);
}

export const podChain = (namespace: string, name: string, direction: Direction): string => `${POD_PREFIX}${chainHash(`${namespace}/${name}/${direction}`)}`;
export const policyChain = (key: string, direction: Direction, ...part: Array<string | number>): string =>
  `${POLICY_PREFIX}${chainHash([key, direction, ...part].join('/'))}`;

const quote = (s: string) => `"${s.replace(/["\\]/g, '')}"`;
const mark = `-j MARK --set-xmark ${ALLOW_MARK}`;

function portMatch(p: PortMatch): string {
  // A named port was resolved on one pod: the port is that pod's, and it receives the traffic.
  const ip = p.ip ? `-d ${p.ip}/32 ` : '';
  return `${ip}-p ${p.protocol}${p.port ? ` -m ${p.protocol} --dport ${p.port}` : ''}`;
}

class Batch {
  readonly chains: string[] = [];
  readonly rules: string[] = [];

  chain(name: string): void {
    this.chains.push(name);
  }

  add(chain: string, rule: string): void {
    this.rules.push(`-A ${chain} ${rule}`);
  }
}

function addRule(b: Batch, policy: PolicyModel, index: number, rule: RuleModel): void {
  const from = policy.direction === 'ingress' ? '-s' : '-d';
  const ports = rule.ports === 'all' ? [''] : rule.ports.map((p) => portMatch(p) + ' ');
  const comment = `-m comment --comment ${quote(`${policy.key} ${policy.direction} rule ${index}`)} `;
  const top = policyChain(policy.key, policy.direction);
  if (rule.peers === 'all') {
    for (const p of ports) b.add(top, `${comment}${p}${mark}`);
    return;
  }
  if (rule.peers.ips.length === 0 && rule.peers.blocks.length === 0) return;
  const peers = policyChain(policy.key, policy.direction, index);
  b.chain(peers);
  for (const p of ports) b.add(top, `${comment}${p}-j ${peers}`);
  for (const ip of rule.peers.ips) b.add(peers, `${from} ${ip}/32 ${mark}`);
  rule.peers.blocks.forEach((block, k) => {
    if (block.except.length === 0) {
      b.add(peers, `${from} ${block.cidr} ${mark}`);
      return;
    }
    // Its own chain, so an exception returns only from this block, not from the rule's other peers.
    const chain = policyChain(policy.key, policy.direction, index, 'block', k);
    b.chain(chain);
    b.add(peers, `${from} ${block.cidr} -j ${chain}`);
    for (const e of block.except) b.add(chain, `${from} ${e} -j RETURN`);
    b.add(chain, mark);
  });
}

/** The enforcer's chains and rules for `plan` (the top chain included), without header or COMMIT. */
export function netpolRules(plan: NetpolPlan): Batch {
  const b = new Batch();
  b.chain(TOP_CHAIN);
  for (const policy of plan.policies) {
    b.chain(policyChain(policy.key, policy.direction));
    policy.rules.forEach((rule, i) => addRule(b, policy, i, rule));
  }
  // Egress first: a packet between two isolated pods of this node needs both checks.
  const ordered = [...plan.firewalls].sort((x, y) => (x.direction === y.direction ? 0 : x.direction === 'egress' ? -1 : 1));
  for (const fw of ordered) {
    const chain = podChain(fw.pod.namespace, fw.pod.name, fw.direction);
    const ip = `${fw.pod.ip}/32`;
    const podName = `${fw.pod.namespace}/${fw.pod.name}`;
    b.chain(chain);
    b.add(TOP_CHAIN, `-m comment --comment ${quote(`${fw.direction} of ${podName}`)} ${fw.direction === 'ingress' ? '-d' : '-s'} ${ip} -j ${chain}`);
    b.add(chain, '-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN');
    // The node itself (traffic routed through FORWARD with a local address) and the pod itself.
    b.add(chain, `-m addrtype ${fw.direction === 'ingress' ? '--src-type' : '--dst-type'} LOCAL -j RETURN`);
    b.add(chain, `-s ${ip} -d ${ip} -j RETURN`);
    for (const key of fw.policies) b.add(chain, `-j ${policyChain(key, fw.direction)}`);
    b.add(chain, `-m comment --comment ${quote(`rejected by the network policies selecting ${podName}`)} -m mark ! --mark ${ALLOW_MARK} -j REJECT`);
    b.add(chain, '-j MARK --set-xmark 0x0/0x10000');
  }
  return b;
}

/**
 * One iptables-restore --noflush input that makes the enforcer's chains exactly `plan`:
 * declaring a chain flushes it, and `stale` chains (made before, wanted no more) are flushed
 * and then deleted once nothing jumps to them any more.
 */
export function netpolRestoreText(plan: NetpolPlan, stale: Iterable<string>): { text: string; chains: Set<string> } {
  const b = netpolRules(plan);
  const chains = new Set(b.chains);
  const gone = [...stale].filter((c) => !chains.has(c) && isNetpolChain(c));
  const lines = ['*filter', ...[...chains, ...gone].map((c) => `:${c} - [0:0]`), ...b.rules, ...gone.map((c) => `-X ${c}`), 'COMMIT', ''];
  return { text: lines.join('\n'), chains };
}
