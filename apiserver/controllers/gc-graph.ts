// The garbage collector's ownership graph: every object with its owners and dependents, built
// from watch events. Pure: feeding it a change says which objects the collector should look at
// (attemptToDelete: maybe garbage, or an owner that may finish a foreground deletion;
// attemptToOrphan: an owner deleted with the orphan policy).
import type { KubeObject, OwnerReference } from '../../lib/client/types.js';

export interface Identity {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

export interface GraphNode {
  identity: Identity;
  owners: OwnerReference[];
  dependents: Set<GraphNode>;
  /** metadata.deletionTimestamp is set. */
  beingDeleted: boolean;
  /** Being deleted with the foregroundDeletion finalizer: waits for blocking dependents. */
  deletingDependents: boolean;
  /** Being deleted with the orphan finalizer. */
  orphaning: boolean;
  /** Known only as someone's owner, not yet seen in a watch. */
  virtual: boolean;
}

export interface GraphWork {
  attemptToDelete: GraphNode[];
  attemptToOrphan: GraphNode[];
}

const none = (): GraphWork => ({ attemptToDelete: [], attemptToOrphan: [] });

export class OwnershipGraph {
  readonly nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /**
   * An object was added or changed. Its type comes from the resource watched: an object read
   * metadata-only says PartialObjectMetadata.
   */
  observe(obj: KubeObject, typeMeta: { apiVersion: string; kind: string }): GraphWork {
    const m = obj.metadata ?? {};
    const uid = m.uid ?? '';
    const work = none();
    const identity: Identity = { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, namespace: m.namespace ?? '', name: m.name ?? '', uid };
    const owners = m.ownerReferences ?? [];
    const finalizers = m.finalizers ?? [];
    const beingDeleted = !!m.deletionTimestamp;
    let node = this.nodes.get(uid);
    const previousOwners = node && !node.virtual ? node.owners : [];
    if (!node) {
      node = { identity, owners, dependents: new Set(), beingDeleted: false, deletingDependents: false, orphaning: false, virtual: false };
      this.nodes.set(uid, node);
    } else {
      node.identity = identity;
      node.virtual = false;
      node.owners = owners;
    }
    // Edges: owners added or removed since last time.
    const before = new Set(previousOwners.map((o) => o.uid));
    const after = new Set(owners.map((o) => o.uid));
    for (const o of owners) {
      if (before.has(o.uid)) continue;
      let owner = this.nodes.get(o.uid);
      if (!owner) {
        owner = {
          identity: { apiVersion: o.apiVersion, kind: o.kind, namespace: identity.namespace, name: o.name, uid: o.uid },
          owners: [], dependents: new Set(), beingDeleted: false, deletingDependents: false, orphaning: false, virtual: true,
        };
        this.nodes.set(o.uid, owner);
        // An owner nobody has seen must be checked: if it does not exist, this object is garbage.
        work.attemptToDelete.push(owner);
      }
      owner.dependents.add(node);
    }
    for (const o of previousOwners) {
      if (after.has(o.uid)) continue;
      const owner = this.nodes.get(o.uid);
      if (!owner) continue;
      owner.dependents.delete(node);
      // A foreground deletion may have been waiting on this dependent.
      if (owner.deletingDependents) work.attemptToDelete.push(owner);
    }
    const wasDeletingDependents = node.deletingDependents;
    node.beingDeleted = beingDeleted;
    node.deletingDependents = beingDeleted && finalizers.includes('foregroundDeletion');
    node.orphaning = beingDeleted && finalizers.includes('orphan');
    if (node.deletingDependents && !wasDeletingDependents) work.attemptToDelete.push(node, ...node.dependents);
    else if (node.deletingDependents) work.attemptToDelete.push(node);
    if (node.orphaning) work.attemptToOrphan.push(node);
    // A dependent that started deleting may unblock an owner's foreground deletion.
    if (beingDeleted) for (const o of owners) {
      const owner = this.nodes.get(o.uid);
      if (owner?.deletingDependents) work.attemptToDelete.push(owner);
    }
    return work;
  }

  /** An object is gone: its dependents may now be garbage; owners waiting on it may finish. */
  remove(uid: string): GraphWork {
    const work = none();
    const node = this.nodes.get(uid);
    if (!node) return work;
    this.nodes.delete(uid);
    for (const d of node.dependents) work.attemptToDelete.push(d);
    for (const o of node.owners) {
      const owner = this.nodes.get(o.uid);
      if (!owner) continue;
      owner.dependents.delete(node);
      if (owner.deletingDependents) work.attemptToDelete.push(owner);
      // A virtual owner nobody else depends on is forgotten.
      if (owner.virtual && owner.dependents.size === 0) this.nodes.delete(owner.identity.uid);
    }
    return work;
  }

  /** Dependents whose reference to this owner has blockOwnerDeletion: true. */
  blockingDependents(owner: GraphNode): GraphNode[] {
    return [...owner.dependents].filter((d) => d.owners.some((o) => o.uid === owner.identity.uid && o.blockOwnerDeletion));
  }
}

export type OwnerState = 'solid' | 'dangling' | 'waitingForDependentsDeletion';

export type GarbageDecision =
  | { action: 'none' }
  /** Some owners remain: drop the references to the ones that are gone or being deleted. */
  | { action: 'removeOwnerReferences'; uids: string[] }
  /** Every owner is gone or being deleted: delete the object with this propagation. */
  | { action: 'delete'; policy: 'Orphan' | 'Foreground' | 'Background'; unblockDependents: boolean };

/** attemptToDeleteItem's decision for an object that is not being deleted, given its owners' states. */
export function decideGarbage(owners: ReadonlyArray<{ uid: string; state: OwnerState }>, finalizers: readonly string[], hasDependents: boolean): GarbageDecision {
  if (owners.length === 0) return { action: 'none' };
  const solid = owners.filter((o) => o.state === 'solid');
  const gone = owners.filter((o) => o.state !== 'solid');
  if (solid.length) return gone.length ? { action: 'removeOwnerReferences', uids: gone.map((o) => o.uid) } : { action: 'none' };
  const waiting = owners.some((o) => o.state === 'waitingForDependentsDeletion');
  if (waiting && hasDependents) return { action: 'delete', policy: 'Foreground', unblockDependents: true };
  const policy = finalizers.includes('orphan') ? 'Orphan' : finalizers.includes('foregroundDeletion') ? 'Foreground' : 'Background';
  return { action: 'delete', policy, unblockDependents: false };
}
