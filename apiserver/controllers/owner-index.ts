// An informer index that answers the two questions a controller asks before claiming: which
// objects does this owner control (by its UID), and which objects in a namespace have no
// controller at all (adoption candidates). Controllers never scan a whole namespace per sync.
import type { Informer } from '../../lib/client/informer.js';
import type { KubeObject } from '../../lib/client/types.js';
import { controllerRefOf } from './pod-helpers.js';

export const ownerIndex = 'controller-uid';

const orphanKey = (namespace: string) => `orphan/${namespace}`;

export function indexByController<T extends KubeObject>(informer: Informer<T>): void {
  informer.cache.addIndex(ownerIndex, (o) => {
    const ref = controllerRefOf(o);
    return [ref ? ref.uid : orphanKey(o.metadata?.namespace ?? '')];
  });
}

/** What an owner controls now, plus the orphans in its namespace it might adopt. */
export function claimCandidates<T extends KubeObject>(informer: Informer<T>, owner: KubeObject): T[] {
  return [
    ...informer.cache.byIndex(ownerIndex, owner.metadata?.uid ?? ''),
    ...informer.cache.byIndex(ownerIndex, orphanKey(owner.metadata?.namespace ?? '')),
  ];
}

/** Objects controlled by the owner with this UID. */
export function controlledBy<T extends KubeObject>(informer: Informer<T>, uid: string): T[] {
  return informer.cache.byIndex(ownerIndex, uid);
}
