// The storage object in-use protection controllers, as kube-controller-manager's: every claim
// carries kubernetes.io/pvc-protection and every volume kubernetes.io/pv-protection, so deleting
// one only marks it; the finalizer goes when no pod that is not finished uses the claim, or
// when the volume is no longer Bound. The claim's pods are checked live before letting go,
// since a cache that has not seen a new pod yet would lose the data under it.
import { isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { objectKey, type Pod } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { resources } from '../../lib/client/resource-types.js';
import {
  podClaimNames, pvcProtectionFinalizer, pvProtectionFinalizer, type PersistentVolume, type PersistentVolumeClaim,
} from '../volumes/volume-types.js';
import type { ControllerDescriptor } from './context.js';

type Protected = PersistentVolume | PersistentVolumeClaim;

/** The object with the finalizer added or removed, or undefined when nothing changes. */
export function withFinalizer<T extends Protected>(obj: T, finalizer: string, want: boolean): T | undefined {
  const list = obj.metadata?.finalizers ?? [];
  if (list.includes(finalizer) === want) return undefined;
  const finalizers = want ? [...list, finalizer] : list.filter((f) => f !== finalizer);
  return { ...obj, metadata: { ...obj.metadata, finalizers } };
}

function podUsesClaim(pod: Pod, claim: string): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  return podClaimNames(pod).includes(claim);
}

export const pvcProtectionController: ControllerDescriptor = {
  name: 'persistentvolumeclaim-protection-controller',
  setup(ctx) {
    const claims = ctx.informers.informer<PersistentVolumeClaim>(resources.persistentVolumeClaims);
    const pods = ctx.informers.informer<Pod>(resources.pods);
    const claimApi = ctx.client.resource<PersistentVolumeClaim>(resources.persistentVolumeClaims);
    const podApi = ctx.client.resource<Pod>(resources.pods);
    const queue = new WorkQueue<string>(ctx.clock);
    const enqueue = (c: PersistentVolumeClaim) => queue.add(objectKey(c));
    claims.on({ add: enqueue, update: (_, c) => enqueue(c) });
    // A pod that stops using its claims may let a deleted claim go.
    const podChanged = (p: Pod) => {
      for (const name of podClaimNames(p)) queue.add(`${p.metadata?.namespace}/${name}`);
    };
    pods.on({ update: (_, p) => podChanged(p), delete: podChanged });

    async function inUse(c: PersistentVolumeClaim): Promise<boolean> {
      const ns = c.metadata?.namespace ?? '';
      const name = c.metadata?.name ?? '';
      if (pods.cache.list().some((p) => p.metadata?.namespace === ns && podUsesClaim(p, name))) return true;
      const live = await podApi.list(ns);
      return live.items.some((p) => podUsesClaim(p, name));
    }

    async function sync(key: string): Promise<void> {
      const c = claims.cache.get(key);
      if (!c) return;
      const deleting = !!c.metadata?.deletionTimestamp;
      if (!deleting) {
        const next = withFinalizer(c, pvcProtectionFinalizer, true);
        if (next) await claimApi.update(next);
        return;
      }
      if (!(c.metadata?.finalizers ?? []).includes(pvcProtectionFinalizer) || (await inUse(c))) return;
      try {
        await claimApi.update(withFinalizer(c, pvcProtectionFinalizer, false)!);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return { run: (signal) => runController({ name: 'persistentvolumeclaim-protection-controller', queue, workers: 2, sync, waitFor: [claims, pods], signal }) };
  },
};

export const pvProtectionController: ControllerDescriptor = {
  name: 'persistentvolume-protection-controller',
  setup(ctx) {
    const volumes = ctx.informers.informer<PersistentVolume>(resources.persistentVolumes);
    const volumeApi = ctx.client.resource<PersistentVolume>(resources.persistentVolumes);
    const queue = new WorkQueue<string>(ctx.clock);
    const enqueue = (v: PersistentVolume) => queue.add(objectKey(v));
    volumes.on({ add: enqueue, update: (_, v) => enqueue(v) });

    async function sync(key: string): Promise<void> {
      const v = volumes.cache.get(key);
      if (!v) return;
      const deleting = !!v.metadata?.deletionTimestamp;
      if (deleting && !(v.metadata?.finalizers ?? []).includes(pvProtectionFinalizer)) return;
      // A volume is in use while Bound to a claim.
      const next = withFinalizer(v, pvProtectionFinalizer, !deleting || v.status?.phase === 'Bound');
      if (!next) return;
      try {
        await volumeApi.update(next);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return { run: (signal) => runController({ name: 'persistentvolume-protection-controller', queue, workers: 2, sync, waitFor: [volumes], signal }) };
  },
};

