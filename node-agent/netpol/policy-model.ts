// NetworkPolicy semantics as data: which of this node's pods are isolated in which direction,
// by which policies, and what each policy rule lets through (peer addresses × ports). Pure: the
// enforcer feeds it the informers' caches and rules.ts turns the result into iptables rules.
//
// - A pod is isolated for ingress (egress) when a policy of its namespace selects it and has
//   that type; policyTypes defaults to Ingress, plus Egress when the policy has egress rules.
// - What is allowed is the union of the rules of every policy that selects the pod.
// - Peers: podSelector (the policy's namespace), namespaceSelector (every pod there), both in one
//   element (AND), ipBlock with except; no peers at all: every address.
// - Ports: number, range (endPort) or a container port name, resolved against the pod that
//   receives the traffic (the selected pod for ingress, the peer for egress).
import type { NetworkPolicy, Pod } from '../kube-types.js';
import { fromLabelSelectorSpec, nothing, SelectorParseError, type LabelSelector, type LabelSelectorSpec, type Labels } from '../../lib/label-selector.js';

export type Direction = 'ingress' | 'egress';
export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface NamedPort {
  name: string;
  port: number;
  protocol: Protocol;
}

/** A pod as policies see it: where it is, its address, labels and named container ports. */
export interface PodEntry {
  namespace: string;
  name: string;
  ip: string;
  nodeName: string;
  labels: Labels;
  ports: readonly NamedPort[];
}

export interface IpBlock {
  cidr: string;
  except: readonly string[];
}

/** Addresses a rule lets through: every address, or these pods' IPs and blocks. */
export type Peers = 'all' | { ips: readonly string[]; blocks: readonly IpBlock[] };

/** One port match: a protocol, a port or range ("80", "8000:8080"), and for named ports the pod it was resolved on. */
export interface PortMatch {
  protocol: Protocol;
  port?: string;
  /** The destination pod's IP a named port was resolved against. */
  ip?: string;
}

export interface RuleModel {
  /** 'all': the rule names no ports. An empty list: only named ports that no pod has (matches nothing). */
  ports: 'all' | readonly PortMatch[];
  peers: Peers;
}

export interface PolicyModel {
  /** "namespace/name". */
  key: string;
  direction: Direction;
  rules: readonly RuleModel[];
}

/** A local pod isolated in one direction, and the policies (keys) whose rules may let traffic through. */
export interface PodFirewall {
  pod: PodEntry;
  direction: Direction;
  policies: readonly string[];
}

export interface NetpolPlan {
  /** Only policies that select a pod of this node in that direction. */
  policies: readonly PolicyModel[];
  firewalls: readonly PodFirewall[];
}

const protocolOf = (p: string | undefined): Protocol => (p === 'UDP' ? 'udp' : p === 'SCTP' ? 'sctp' : 'tcp');

/**
 * The pods that take part in policies: those with an IPv4 pod IP of their own (not host-network)
 * that still run. A finished pod's IP may already belong to another pod.
 */
export function podEntries(pods: Iterable<Pod>): PodEntry[] {
  const out: PodEntry[] = [];
  for (const p of pods) {
    const ip = p.status?.podIP;
    if (!ip || !/^\d+\.\d+\.\d+\.\d+$/.test(ip) || p.spec?.hostNetwork) continue;
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    const ports: NamedPort[] = [];
    for (const c of [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])]) {
      for (const cp of c.ports ?? []) if (cp.name) ports.push({ name: cp.name, port: cp.containerPort, protocol: protocolOf(cp.protocol) });
    }
    out.push({ namespace: p.metadata?.namespace ?? 'default', name: p.metadata?.name ?? '', ip, nodeName: p.spec?.nodeName ?? '', labels: p.metadata?.labels ?? {}, ports });
  }
  return out;
}

/** The directions a policy isolates its pods in (policyTypes, or its default). */
export function policyDirections(policy: NetworkPolicy): Direction[] {
  const types = policy.spec?.policyTypes;
  if (types && types.length) return types.map((t) => (t === 'Egress' ? 'egress' : 'ingress'));
  return policy.spec?.egress?.length ? ['ingress', 'egress'] : ['ingress'];
}

export const policyKey = (p: NetworkPolicy): string => `${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}`;

// client-node names the wire's `from` `_from`.
type PolicyPeer = NonNullable<NonNullable<NonNullable<NetworkPolicy['spec']>['ingress']>[number]['_from']>[number];
type PolicyPort = NonNullable<NonNullable<NonNullable<NetworkPolicy['spec']>['ingress']>[number]['ports']>[number];

export interface PlanInput {
  policies: Iterable<NetworkPolicy>;
  pods: readonly PodEntry[];
  /** Namespace labels by name (kubernetes.io/metadata.name included, as the API server sets it). */
  namespaces: ReadonlyMap<string, Labels>;
  nodeName: string;
}

/** A policy's selector as a matcher; one the server let through with an unknown operator selects nothing. */
export function specSelector(spec: LabelSelectorSpec): LabelSelector {
  try {
    return fromLabelSelectorSpec(spec);
  } catch (err) {
    if (err instanceof SelectorParseError) return nothing;
    throw err;
  }
}

/** The pods one peer element stands for, within `policyNamespace`. */
function peerPods(peer: PolicyPeer, policyNamespace: string, input: PlanInput): PodEntry[] {
  const nsSel = peer.namespaceSelector && specSelector(peer.namespaceSelector);
  const podSel = peer.podSelector && specSelector(peer.podSelector);
  const inNamespace = (p: PodEntry) => (nsSel
    ? nsSel.matches(input.namespaces.get(p.namespace) ?? { 'kubernetes.io/metadata.name': p.namespace })
    : p.namespace === policyNamespace);
  return input.pods.filter((p) => inNamespace(p) && (!podSel || podSel.matches(p.labels)));
}

/** Peer IPs by namespace and selectors: tenants' policies repeat the same few peers. */
type PeerMemo = Map<string, string[]>;

function rulePeers(peers: readonly PolicyPeer[] | undefined, policyNamespace: string, input: PlanInput, memo: PeerMemo): Peers {
  if (!peers || peers.length === 0) return 'all';
  const ips = new Set<string>();
  const blocks: IpBlock[] = [];
  for (const peer of peers) {
    if (peer.ipBlock) {
      blocks.push({ cidr: peer.ipBlock.cidr, except: peer.ipBlock.except ?? [] });
      continue;
    }
    const key = `${peer.namespaceSelector ? '' : policyNamespace}\0${JSON.stringify(peer.namespaceSelector)}\0${JSON.stringify(peer.podSelector)}`;
    let found = memo.get(key);
    if (!found) memo.set(key, found = peerPods(peer, policyNamespace, input).map((p) => p.ip));
    for (const ip of found) ips.add(ip);
  }
  return { ips: [...ips].sort(), blocks };
}

/** A rule's ports; named ones resolved on `receivers` (the pods the traffic goes to). */
function rulePorts(ports: readonly PolicyPort[] | undefined, receivers: readonly PodEntry[]): 'all' | PortMatch[] {
  if (!ports || ports.length === 0) return 'all';
  const out: PortMatch[] = [];
  for (const p of ports) {
    const protocol = protocolOf(p.protocol);
    if (p.port === undefined || p.port === null) {
      out.push({ protocol });
    } else if (typeof p.port === 'number' || /^\d+$/.test(String(p.port))) {
      const port = Number(p.port);
      out.push({ protocol, port: p.endPort && p.endPort > port ? `${port}:${p.endPort}` : String(port) });
    } else {
      for (const r of receivers) {
        const named = r.ports.find((np) => np.name === p.port && np.protocol === protocol);
        if (named) out.push({ protocol, port: String(named.port), ip: r.ip });
      }
    }
  }
  return out;
}

/** Everything this node enforces, from the cluster's policies, pods and namespaces. */
export function planNetworkPolicies(input: PlanInput): NetpolPlan {
  const local = input.pods.filter((p) => p.nodeName === input.nodeName);
  const byPod = new Map<string, { pod: PodEntry; ingress: string[]; egress: string[] }>();
  const policies: PolicyModel[] = [];
  const memo: PeerMemo = new Map();
  const sorted = [...input.policies].sort((a, b) => (policyKey(a) < policyKey(b) ? -1 : 1));
  for (const policy of sorted) {
    const ns = policy.metadata?.namespace ?? 'default';
    const key = policyKey(policy);
    const podSel = specSelector(policy.spec?.podSelector ?? {});
    const selected = local.filter((p) => p.namespace === ns && podSel.matches(p.labels));
    if (selected.length === 0) continue;
    for (const direction of policyDirections(policy)) {
      for (const pod of selected) {
        const entry = byPod.get(pod.ip) ?? { pod, ingress: [], egress: [] };
        entry[direction].push(key);
        byPod.set(pod.ip, entry);
      }
      const specRules = (direction === 'ingress' ? policy.spec?.ingress : policy.spec?.egress) ?? [];
      const rules: RuleModel[] = specRules.map((r) => {
        const peerList = direction === 'ingress' ? (r as { from?: PolicyPeer[] }).from : (r as { to?: PolicyPeer[] }).to;
        // Named ports: on the selected pods for ingress; for egress on any pod (the peer check narrows it).
        return { ports: rulePorts(r.ports, direction === 'ingress' ? selected : input.pods), peers: rulePeers(peerList, ns, input, memo) };
      });
      policies.push({ key, direction, rules });
    }
  }
  const firewalls: PodFirewall[] = [];
  for (const { pod, ingress, egress } of [...byPod.values()].sort((a, b) => (a.pod.ip < b.pod.ip ? -1 : 1))) {
    if (ingress.length) firewalls.push({ pod, direction: 'ingress', policies: ingress });
    if (egress.length) firewalls.push({ pod, direction: 'egress', policies: egress });
  }
  return { policies, firewalls };
}
