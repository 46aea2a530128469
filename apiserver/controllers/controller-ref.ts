// Adoption and orphaning (client-go's ControllerRefManager): a controller claims the objects its
// selector matches that have no controller, and releases the ones it controls that no longer
// match. The decision is a pure function; the patches carry the object's UID so they never
// land on a replacement with the same name.
import { isNotFound } from '../../lib/client/api-error.js';
import type { ResourceClient } from '../../lib/client/rest-client.js';
import type { KubeObject, OwnerReference } from '../../lib/client/types.js';
import type { LabelSelector } from '../api/selectors/labels.js';
import { controllerRefOf } from './pod-helpers.js';

export type ClaimDecision = 'owned' | 'adopt' | 'release' | 'ignore';

/** What a controller should do about one candidate object. */
export function claimDecision(obj: KubeObject, owner: KubeObject, selector: LabelSelector): ClaimDecision {
  const ref = controllerRefOf(obj);
  const ownerDeleting = !!owner.metadata?.deletionTimestamp;
  const matches = selector.matches(obj.metadata?.labels ?? {});
  if (ref) {
    if (ref.uid !== owner.metadata?.uid) return 'ignore';
    if (matches) return 'owned';
    // An owner being deleted keeps what it has: the garbage collector deals with it.
    return ownerDeleting ? 'ignore' : 'release';
  }
  if (ownerDeleting || !matches || obj.metadata?.deletionTimestamp) return 'ignore';
  return 'adopt';
}

/** The owner as it is now, fetched live; adoption stops if it is gone, replaced or being deleted. */
export type OwnerCheck = () => Promise<void>;

export function liveOwnerCheck<T extends KubeObject>(api: ResourceClient<T>, owner: KubeObject): OwnerCheck {
  let checked: Promise<void> | undefined;
  return () => {
    checked ??= (async () => {
      const m = owner.metadata ?? {};
      const fresh = await api.get(m.namespace ?? '', m.name ?? '');
      if (fresh.metadata?.uid !== m.uid) throw new Error(`original ${api.type.kind} ${m.namespace}/${m.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${m.uid}`);
      if (fresh.metadata?.deletionTimestamp) throw new Error(`${api.type.kind} ${m.namespace}/${m.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    })();
    return checked;
  };
}

/**
 * Claims candidates for an owner: returns those it controls afterwards. Adoption and release
 * are strategic merge patches of ownerReferences (merge key uid) with the object's UID.
 */
export async function claimObjects<T extends KubeObject>(opts: {
  candidates: readonly T[];
  owner: KubeObject;
  ownerRef: OwnerReference;
  selector: LabelSelector;
  api: ResourceClient<T>;
  canAdopt: OwnerCheck;
}): Promise<T[]> {
  const claimed: T[] = [];
  const errors: unknown[] = [];
  await Promise.all(opts.candidates.map(async (obj) => {
    const decision = claimDecision(obj, opts.owner, opts.selector);
    const m = obj.metadata ?? {};
    try {
      if (decision === 'owned') claimed.push(obj);
      else if (decision === 'adopt') {
        await opts.canAdopt();
        const patched = await opts.api.patch(m.namespace ?? '', m.name ?? '', { metadata: { ownerReferences: [opts.ownerRef], uid: m.uid } }, 'strategic');
        claimed.push(patched);
      } else if (decision === 'release') {
        await opts.api.patch(m.namespace ?? '', m.name ?? '', { metadata: { ownerReferences: [{ $patch: 'delete', uid: opts.ownerRef.uid }], uid: m.uid } }, 'strategic');
      }
    } catch (err) {
      // Gone already, or changed under us: the next sync sees the new state.
      if (!isNotFound(err) && !isInvalidUid(err)) errors.push(err);
    }
  }));
  if (errors.length) throw errors[0];
  return claimed;
}

function isInvalidUid(err: unknown): boolean {
  return err instanceof Error && /uid/i.test(err.message) && /(Invalid|Precondition|immutable)/.test(err.message);
}
