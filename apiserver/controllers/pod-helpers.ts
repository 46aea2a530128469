// Pod facts every workload controller asks (active, ready, available), controller references,
// and the order in which surplus pods are deleted. Pure functions over wire objects, as
// pkg/controller/controller_utils.go and pkg/api/v1/pod answer them.
import type { KubeObject, OwnerReference, Pod, PodCondition } from '../../lib/client/types.js';

/** Not finished and not being deleted. */
export function isPodActive(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata?.deletionTimestamp;
}

export function isPodTerminal(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function podCondition(p: Pod, type: string): PodCondition | undefined {
  return p.status?.conditions?.find((c) => c.type === type);
}

export function isPodReady(p: Pod): boolean {
  return podCondition(p, 'Ready')?.status === 'True';
}

/** Ready for at least minReadySeconds (ready is enough when minReadySeconds is 0). */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  const c = podCondition(p, 'Ready');
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(c.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 < now;
}

/** When a ready pod becomes available (ms), for requeueing after minReadySeconds. */
export function availableAt(p: Pod, minReadySeconds: number): number | undefined {
  const c = podCondition(p, 'Ready');
  if (c?.status !== 'True' || !minReadySeconds) return undefined;
  const since = Date.parse(c.lastTransitionTime ?? '');
  return Number.isFinite(since) ? since + minReadySeconds * 1000 + 1 : undefined;
}

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** metav1.NewControllerRef: the owner as controller, blocking its foreground deletion. */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
}

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function readySince(p: Pod): number {
  const c = podCondition(p, 'Ready');
  return c?.status === 'True' ? Date.parse(c.lastTransitionTime ?? '') || 0 : 0;
}

function maxRestarts(p: Pod): number {
  return Math.max(0, ...(p.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
}

function deletionCost(p: Pod): number {
  const v = Number(p.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost']);
  return Number.isInteger(v) ? v : 0;
}

/** log2 of the age in nanoseconds, as LogarithmicScaleDown buckets times. */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

/** "a before b" for times where a zero (unknown) time sorts first and newer before older. */
function compareTimes(a: Pod, b: Pod, ta: number, tb: number, now: number): number | undefined {
  if (ta === tb) return undefined;
  if (!ta || !tb) return ta ? 1 : -1;
  const diff = logRank(ta, now) - logRank(tb, now);
  if (diff === 0) return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '') ? -1 : 1;
  return diff < 0 ? -1 : 1;
}

/**
 * ActivePodsWithRanks.Less as a comparator: negative when `a` should be deleted before `b`.
 * `rank` is how many related active pods share the pod's node (doubled-up pods go first).
 */
export function deletionOrder(a: Pod, b: Pod, rankA: number, rankB: number, now: number): number {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (!na || !nb)) return !na ? -1 : 1;
  const pa = phaseOrdinal[a.status?.phase ?? ''] ?? 0;
  const pb = phaseOrdinal[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a);
  if (ra !== isPodReady(b)) return ra ? 1 : -1;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  if (rankA !== rankB) return rankB - rankA;
  if (ra) {
    const byReady = compareTimes(a, b, readySince(a), readySince(b), now);
    if (byReady !== undefined) return byReady;
  }
  const restarts = maxRestarts(b) - maxRestarts(a);
  if (restarts !== 0) return restarts;
  const created = compareTimes(a, b, Date.parse(a.metadata?.creationTimestamp ?? '') || 0, Date.parse(b.metadata?.creationTimestamp ?? '') || 0, now);
  return created ?? 0;
}

/**
 * The `count` pods to delete first (getPodsToDelete): ranked by how many of `related` (pods of
 * the same owner's controller) share their node, then by deletionOrder.
 */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number, now: number): Pod[] {
  if (count >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) perNode.set(p.spec?.nodeName ?? '', (perNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const ranked = pods.map((p) => ({ p, rank: perNode.get(p.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((x, y) => deletionOrder(x.p, y.p, x.rank, y.rank, now));
  return ranked.slice(0, count).map((x) => x.p);
}

/** Oldest first, by creation time then name (controller.ReplicaSetsByCreationTimestamp). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
