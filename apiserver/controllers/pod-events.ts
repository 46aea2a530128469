// How pod changes reach the controllers that own pods (ReplicaSets, DaemonSets, StatefulSets,
// Jobs): a pod with a controller reference wakes that owner (and settles its expectations); an
// orphan wakes every owner whose selector matches it, which may adopt it. The same routing as
// each Kubernetes controller's addPod/updatePod/deletePod, written once.
import type { Informer } from '../../lib/client/informer.js';
import type { KubeObject, OwnerReference, Pod } from '../../lib/client/types.js';
import type { LabelSelector } from '../api/selectors/labels.js';
import { controllerRefOf } from './pod-helpers.js';

export interface PodOwnerRouting<O extends KubeObject> {
  /** The owners' kind (controller references of other kinds are not ours). */
  kind: string;
  owners: Informer<O>;
  selector(owner: O): LabelSelector | undefined;
  enqueue(owner: O): void;
  /** A pod of this owner appeared (expectations: one creation observed). */
  created?(owner: O, pod: Pod): void;
  /** A pod of this owner is being deleted or is gone (expectations: one deletion observed). */
  deleted?(owner: O, pod: Pod): void;
  /** A pod of this owner changed (e.g. became ready: requeue after minReadySeconds). */
  changed?(owner: O, old: Pod, cur: Pod): void;
}

/** The owner a controller reference points at, if it is of this kind and still the same object. */
export function resolveOwner<O extends KubeObject>(owners: Informer<O>, kind: string, namespace: string, ref: OwnerReference | undefined): O | undefined {
  if (!ref || ref.kind !== kind) return undefined;
  const owner = owners.cache.getByName(namespace, ref.name);
  return owner?.metadata?.uid === ref.uid ? owner : undefined;
}

export function routePodEvents<O extends KubeObject>(pods: Informer<Pod>, r: PodOwnerRouting<O>): void {
  const ownerOf = (p: Pod, ref = controllerRefOf(p)) => resolveOwner(r.owners, r.kind, p.metadata?.namespace ?? '', ref);
  const matching = (p: Pod) => {
    const labels = p.metadata?.labels ?? {};
    return r.owners.cache.byIndex('namespace', p.metadata?.namespace ?? '').filter((o) => r.selector(o)?.matches(labels));
  };
  const gone = (p: Pod) => {
    const owner = ownerOf(p);
    if (!owner) return;
    r.deleted?.(owner, p);
    r.enqueue(owner);
  };
  pods.on({
    add(p) {
      if (p.metadata?.deletionTimestamp) return gone(p);
      if (controllerRefOf(p)) {
        const owner = ownerOf(p);
        if (!owner) return;
        r.created?.(owner, p);
        r.enqueue(owner);
        return;
      }
      for (const o of matching(p)) r.enqueue(o);
    },
    update(old, cur) {
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
      if (cur.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) {
        // A graceful deletion: the owner may act now rather than when the pod is gone.
        gone(cur);
        if (labelsChanged) gone(old);
        return;
      }
      const oldRef = controllerRefOf(old);
      const curRef = controllerRefOf(cur);
      if (oldRef && oldRef.uid !== curRef?.uid) {
        const previous = ownerOf(old, oldRef);
        if (previous) r.enqueue(previous);
      }
      if (curRef) {
        const owner = ownerOf(cur, curRef);
        if (!owner) return;
        r.changed?.(owner, old, cur);
        r.enqueue(owner);
        return;
      }
      if (labelsChanged || oldRef) for (const o of matching(cur)) r.enqueue(o);
    },
    delete: gone,
  });
}
