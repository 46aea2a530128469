// The node lifecycle controller's decisions, as pure functions: when a node's health signal
// (its Lease renewals, or Ready heartbeats) has gone stale, what its conditions become, which
// taints its conditions call for, and whether the whole cluster is disrupted (then nobody is
// evicted, since the control plane is more likely cut off than every node dead).
import { rfc3339, type Node, type NodeCondition, type Taint } from '../../lib/client/types.js';

export const notReadyTaintKey = 'node.kubernetes.io/not-ready';
export const unreachableTaintKey = 'node.kubernetes.io/unreachable';
export const unschedulableTaintKey = 'node.kubernetes.io/unschedulable';

/** Which NoSchedule taint a condition in a given status calls for. */
const conditionTaints: Record<string, Record<string, string>> = {
  Ready: { False: notReadyTaintKey, Unknown: unreachableTaintKey },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};
const conditionTaintKeys = new Set(Object.values(conditionTaints).flatMap((m) => Object.values(m)));

/** What the controller remembers about a node's health signal, on its own clock. */
export interface HealthRecord {
  /** When a fresh signal (heartbeat or lease renewal) was last seen. */
  probeTimestamp: number;
  heartbeat?: string;
  leaseRenew?: string;
}

/** Updates the record from what the node and its lease say now; a changed signal counts as fresh. */
export function observeHealth(rec: HealthRecord | undefined, node: Node, leaseRenewTime: string | undefined, now: number): HealthRecord {
  const heartbeat = readyCondition(node)?.lastHeartbeatTime;
  if (!rec) return { probeTimestamp: now, heartbeat, leaseRenew: leaseRenewTime };
  const next = { ...rec };
  if (heartbeat !== rec.heartbeat) {
    next.heartbeat = heartbeat;
    next.probeTimestamp = now;
  }
  if (leaseRenewTime && (!rec.leaseRenew || Date.parse(leaseRenewTime) > Date.parse(rec.leaseRenew))) {
    next.leaseRenew = leaseRenewTime;
    next.probeTimestamp = now;
  }
  return next;
}

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

const monitoredConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/**
 * The conditions of a node whose kubelet has gone quiet for longer than the grace period:
 * everything the kubelet reports turns Unknown. Undefined when nothing changes.
 */
export function staleConditions(node: Node, now: number): NodeCondition[] | undefined {
  const ts = rfc3339(now);
  const conditions = [...(node.status?.conditions ?? [])].map((c) => ({ ...c }));
  let changed = false;
  for (const type of monitoredConditions) {
    const cur = conditions.find((c) => c.type === type);
    if (!cur) {
      conditions.push({
        type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: ts,
      });
      changed = true;
    } else if (cur.status !== 'Unknown') {
      cur.status = 'Unknown';
      cur.reason = 'NodeStatusUnknown';
      cur.message = 'Kubelet stopped posting node status.';
      cur.lastTransitionTime = ts;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}

/** The NoSchedule taints a node's conditions (and spec.unschedulable) call for. */
export function conditionNoScheduleTaints(node: Node): Taint[] {
  const out: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = conditionTaints[c.type]?.[c.status];
    if (key) out.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) out.push({ key: unschedulableTaintKey, effect: 'NoSchedule' });
  return out;
}

const sameTaint = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;

/**
 * The node's taints with the controller-owned NoSchedule taints made to match its conditions;
 * undefined when they already do. Other taints are left alone.
 */
export function reconcileNoScheduleTaints(node: Node, now: number): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const want = conditionNoScheduleTaints(node);
  const owned = (t: Taint) => t.effect === 'NoSchedule' && (conditionTaintKeys.has(t.key) || t.key === unschedulableTaintKey);
  const toRemove = current.filter((t) => owned(t) && !want.some((w) => sameTaint(w, t)));
  const toAdd = want.filter((w) => !current.some((t) => sameTaint(w, t)));
  if (!toRemove.length && !toAdd.length) return undefined;
  return [...current.filter((t) => !toRemove.includes(t)), ...toAdd.map((t) => ({ ...t, timeAdded: rfc3339(now) }))];
}

/** The node's taints with the NoExecute not-ready/unreachable taint set for a Ready status ('True': neither). */
export function withNoExecuteTaint(node: Node, readyStatus: string, now: number): Taint[] | undefined {
  const want = readyStatus === 'False' ? notReadyTaintKey : readyStatus === 'Unknown' ? unreachableTaintKey : undefined;
  const current = node.spec?.taints ?? [];
  const isOurs = (t: Taint) => t.effect === 'NoExecute' && (t.key === notReadyTaintKey || t.key === unreachableTaintKey);
  const ours = current.filter(isOurs);
  if (want ? ours.length === 1 && ours[0].key === want : ours.length === 0) return undefined;
  const kept = current.filter((t) => !isOurs(t));
  return want ? [...kept, { key: want, effect: 'NoExecute', timeAdded: rfc3339(now) }] : kept;
}

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

/**
 * Kubernetes' ComputeZoneState: no Ready node at all is full disruption; more than two
 * not-ready nodes making up at least 55% is partial disruption.
 */
export function zoneState(readyStatuses: readonly (string | undefined)[], unhealthyThreshold = 0.55): ZoneState {
  const notReady = readyStatuses.filter((s) => s !== 'True').length;
  const ready = readyStatuses.length - notReady;
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / readyStatuses.length >= unhealthyThreshold) return 'PartialDisruption';
  return 'Normal';
}

/** The zone a node counts in (topology labels), '' when it has none. */
export function zoneOf(node: Node): string {
  const l = node.metadata?.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:\u0000:${zone}` : '';
}
