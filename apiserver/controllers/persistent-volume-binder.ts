// persistentvolume-binder-controller: binds claims to volumes and walks volumes through their
// phases, as kube-controller-manager's PersistentVolume controller does. A claim gets the best
// matching volume (volumes/pv-matching.ts) or, with a class, is handed to that class's external
// provisioner through the storage-provisioner annotations; WaitForFirstConsumer claims wait for
// the scheduler's selected-node. A volume whose claim is gone is Released, then kept (Retain)
// or left to its provisioner to delete (Delete); one nobody can delete turns Failed. Binding
// writes in upstream's order (volume claimRef, volume status, claim volumeName, claim status),
// so a crash between steps is finished by the next sync.
import { isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { referenceTo } from '../../lib/client/events.js';
import { objectKey } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { resources } from '../../lib/client/resource-types.js';
import { deepEqual } from '../api/object.js';
import type { Pod } from '../../lib/client/types.js';
import { defaultClassOf } from '../api/kinds/storage-class.js';
import { findMatchingVolume, volumeMismatch } from '../volumes/pv-matching.js';
import {
  annBetaStorageProvisioner, annBindCompleted, annBoundByController, annProvisionedBy, annSelectedNode, annStorageProvisioner,
  claimClass, isWaitForFirstConsumer, podClaimNames, type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from '../volumes/volume-types.js';
import type { ControllerDescriptor } from './context.js';

/** kube-controller-manager's --pvclaimbinder-sync-period. */
const resyncMs = 15_000;
const pvRef = { apiVersion: 'v1', kind: 'PersistentVolume' };
const pvcRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' };

export const persistentVolumeBinderController: ControllerDescriptor = {
  name: 'persistentvolume-binder-controller',
  setup(ctx) {
    const claims = ctx.informers.informer<PersistentVolumeClaim>(resources.persistentVolumeClaims);
    const volumes = ctx.informers.informer<PersistentVolume>(resources.persistentVolumes);
    const classes = ctx.informers.informer<StorageClass>(resources.storageClasses);
    const pods = ctx.informers.informer<Pod>(resources.pods);
    const claimApi = ctx.client.resource<PersistentVolumeClaim>(resources.persistentVolumeClaims);
    const volumeApi = ctx.client.resource<PersistentVolume>(resources.persistentVolumes);
    const recorder = ctx.recorder('persistentvolume-controller');
    const claimQueue = new WorkQueue<string>(ctx.clock);
    const volumeQueue = new WorkQueue<string>(ctx.clock);
    const enqueueClaim = (c: PersistentVolumeClaim) => claimQueue.add(objectKey(c));
    const enqueueVolume = (v: PersistentVolume) => volumeQueue.add(objectKey(v));
    claims.on({
      add: enqueueClaim, update: (_, c) => enqueueClaim(c),
      // A deleted claim releases its volume.
      delete: (c) => { if (c.spec?.volumeName) volumeQueue.add(c.spec.volumeName); },
    });
    volumes.on({
      add: enqueueVolume,
      update: (_, v) => {
        enqueueVolume(v);
        const ref = v.spec?.claimRef;
        if (ref?.name) claimQueue.add(`${ref.namespace}/${ref.name}`);
      },
      delete: (v) => {
        const ref = v.spec?.claimRef;
        if (ref?.name) claimQueue.add(`${ref.namespace}/${ref.name}`);
      },
    });
    // A class created after its claims lets them move on.
    classes.on({ add: () => { for (const c of claims.cache.list()) if (!c.spec?.volumeName) enqueueClaim(c); } });

    const event = (obj: PersistentVolume | PersistentVolumeClaim, type: 'Normal' | 'Warning', reason: string, message: string) =>
      recorder.event(referenceTo(obj, obj.metadata?.namespace ? pvcRef : pvRef), type, reason, message);

    async function setClaimPhase(c: PersistentVolumeClaim, phase: string, volume?: PersistentVolume): Promise<PersistentVolumeClaim> {
      const status = { ...(c.status ?? {}), phase };
      if (volume) {
        status.accessModes = volume.spec?.accessModes;
        status.capacity = volume.spec?.capacity;
      } else if (phase !== 'Bound') {
        delete status.accessModes;
        delete status.capacity;
      }
      if (deepEqual(status, c.status ?? {})) return c;
      return claimApi.updateStatus({ ...c, status });
    }

    async function setVolumePhase(v: PersistentVolume, phase: string, message?: string): Promise<PersistentVolume> {
      if (v.status?.phase === phase && (message === undefined || v.status?.message === message)) return v;
      const status = { ...(v.status ?? {}), phase };
      if (message) status.message = message;
      else delete status.message;
      return volumeApi.updateStatus({ ...v, status });
    }

    /** Binds in upstream's order; each step is skipped when already done. */
    async function bind(v: PersistentVolume, c: PersistentVolumeClaim): Promise<void> {
      const ref = v.spec?.claimRef;
      const ownRef = { kind: 'PersistentVolumeClaim', namespace: c.metadata?.namespace, name: c.metadata?.name, uid: c.metadata?.uid, apiVersion: 'v1', resourceVersion: c.metadata?.resourceVersion };
      if (ref?.uid !== c.metadata?.uid || ref?.name !== c.metadata?.name || ref?.namespace !== c.metadata?.namespace) {
        const annotations = { ...(v.metadata?.annotations ?? {}) };
        // A claimRef the user wrote (pre-binding) is theirs; only an empty one is ours.
        if (!ref) annotations[annBoundByController] = 'yes';
        v = await volumeApi.update({ ...v, metadata: { ...v.metadata, annotations }, spec: { ...v.spec, claimRef: ownRef } });
      }
      v = await setVolumePhase(v, 'Bound');
      if (c.spec?.volumeName !== v.metadata?.name || c.metadata?.annotations?.[annBindCompleted] !== 'yes') {
        const annotations: Record<string, string> = { ...(c.metadata?.annotations ?? {}), [annBindCompleted]: 'yes' };
        if (!c.spec?.volumeName) annotations[annBoundByController] = 'yes';
        c = await claimApi.update({ ...c, metadata: { ...c.metadata, annotations }, spec: { ...c.spec, volumeName: v.metadata?.name } });
      }
      await setClaimPhase(c, 'Bound', v);
    }

    /** A claim nothing can serve yet: say why and wait (or hand it to its class's provisioner). */
    async function waitForVolume(c: PersistentVolumeClaim, delayBinding: boolean): Promise<void> {
      const className = claimClass(c);
      if (delayBinding) {
        // A pod already uses it: say that the pod, not a consumer, is awaited.
        const waiting = pods.cache.list().find((p) => p.metadata?.namespace === c.metadata?.namespace && !p.spec?.nodeName && podClaimNames(p).includes(c.metadata?.name ?? ''));
        if (waiting) event(c, 'Normal', 'WaitForPodScheduled', `waiting for pod ${waiting.metadata?.name} to be scheduled`);
        else event(c, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      } else if (className) {
        const sc = classes.cache.get(className);
        if (!sc) {
          event(c, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
        } else {
          const provisioner = sc.provisioner ?? '';
          const a = c.metadata?.annotations ?? {};
          if (a[annStorageProvisioner] !== provisioner || a[annBetaStorageProvisioner] !== provisioner) {
            c = await claimApi.update({ ...c, metadata: { ...c.metadata, annotations: { ...a, [annStorageProvisioner]: provisioner, [annBetaStorageProvisioner]: provisioner } } });
          }
          event(c, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
        }
      } else {
        event(c, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      }
      await setClaimPhase(c, 'Pending');
    }

    async function syncUnboundClaim(c: PersistentVolumeClaim): Promise<void> {
      const name = c.spec?.volumeName;
      // A claim made before any default class existed gets the default now (retroactive assignment).
      if (!name && (c.spec?.storageClassName === undefined || c.spec?.storageClassName === null) && c.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] === undefined) {
        const found = defaultClassOf(classes.cache.list() as Parameters<typeof defaultClassOf>[0]);
        if (found) {
          await claimApi.update({ ...c, spec: { ...c.spec, storageClassName: found.metadata.name } });
          return;
        }
      }
      if (!name) {
        const sc = classes.cache.get(claimClass(c));
        // Once the scheduler picked a node, the claim binds or provisions like an immediate one.
        const delayBinding = isWaitForFirstConsumer(sc) && !c.metadata?.annotations?.[annSelectedNode];
        const v = findMatchingVolume(c, volumes.cache.list(), { delayBinding });
        if (v) return bind(v, c);
        return waitForVolume(c, delayBinding);
      }
      const v = volumes.cache.get(name);
      if (!v) {
        // The user named a volume that does not exist (yet): wait for it.
        await setClaimPhase(c, 'Pending');
        return;
      }
      const ref = v.spec?.claimRef;
      if (!ref || (ref.name === c.metadata?.name && ref.namespace === c.metadata?.namespace && (!ref.uid || ref.uid === c.metadata?.uid))) {
        const why = volumeMismatch(v, c);
        if (why) {
          event(c, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${name}": ${why}`);
          await setClaimPhase(c, 'Pending');
          return;
        }
        return bind(v, c);
      }
      event(c, 'Warning', 'FailedBinding', `volume "${name}" already bound to a different claim.`);
      await setClaimPhase(c, 'Pending');
    }

    async function syncBoundClaim(c: PersistentVolumeClaim): Promise<void> {
      const name = c.spec?.volumeName;
      if (!name) {
        event(c, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
        await setClaimPhase(c, 'Lost');
        return;
      }
      const v = volumes.cache.get(name);
      if (!v) {
        event(c, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
        await setClaimPhase(c, 'Lost');
        return;
      }
      const ref = v.spec?.claimRef;
      if (!ref || ref.uid === c.metadata?.uid) return bind(v, c);
      event(c, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
      await setClaimPhase(c, 'Lost');
    }

    async function syncClaim(key: string): Promise<void> {
      const c = claims.cache.get(key);
      if (!c) return;
      if (c.metadata?.annotations?.[annBindCompleted] === 'yes') return syncBoundClaim(c);
      return syncUnboundClaim(c);
    }

    /** The volume's claim as the API has it now (the cache may not have seen a new claim yet). */
    async function liveClaim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined> {
      const cached = claims.cache.get(`${namespace}/${name}`);
      if (cached) return cached;
      try {
        return await claimApi.get(namespace, name);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    }

    async function reclaim(v: PersistentVolume): Promise<void> {
      const policy = v.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
      if (policy === 'Retain') return;
      if (policy === 'Delete') {
        const provisioner = v.metadata?.annotations?.[annProvisionedBy];
        // The external provisioner that made it deletes it (and the object); nothing in-tree can.
        if (provisioner) return;
        const message = `error getting deleter volume plugin for volume "${v.metadata?.name}": no deletable volume plugin matched`;
        if (v.status?.phase !== 'Failed') event(v, 'Warning', 'VolumeFailedDelete', message);
        await setVolumePhase(v, 'Failed', message);
        return;
      }
      const message = `No recycler plugin found for the volume!`;
      if (v.status?.phase !== 'Failed') event(v, 'Warning', 'VolumeFailedRecycle', message);
      await setVolumePhase(v, 'Failed', message);
    }

    async function syncVolume(key: string): Promise<void> {
      let v = volumes.cache.get(key);
      if (!v) return;
      const ref = v.spec?.claimRef;
      if (!ref || !ref.uid) {
        // Free, or reserved for a claim that does not exist yet.
        await setVolumePhase(v, 'Available');
        return;
      }
      const c = await liveClaim(ref.namespace ?? '', ref.name ?? '');
      if (c && c.metadata?.uid === ref.uid) {
        if (!c.spec?.volumeName || c.spec.volumeName === v.metadata?.name) {
          await setVolumePhase(v, 'Bound');
          if (!c.spec?.volumeName) claimQueue.add(objectKey(c));
          return;
        }
        // The claim went to another volume: give this one back.
        if (v.metadata?.annotations?.[annBoundByController] === 'yes') {
          const annotations = { ...(v.metadata.annotations ?? {}) };
          delete annotations[annBoundByController];
          const spec = { ...v.spec };
          delete spec.claimRef;
          v = await volumeApi.update({ ...v, metadata: { ...v.metadata, annotations }, spec });
        } else {
          v = await volumeApi.update({ ...v, spec: { ...v.spec, claimRef: { ...ref, uid: undefined } } });
        }
        await setVolumePhase(v, 'Available');
        return;
      }
      // Its claim is gone: the volume is released and reclaimed by its policy.
      if (v.status?.phase !== 'Released' && v.status?.phase !== 'Failed') v = await setVolumePhase(v, 'Released');
      if (v.status?.phase !== 'Failed') await reclaim(v);
    }

    return {
      async run(signal) {
        const timer = setInterval(() => {
          for (const c of claims.cache.list()) enqueueClaim(c);
          for (const v of volumes.cache.list()) enqueueVolume(v);
        }, resyncMs);
        try {
          const waitFor = [claims, volumes, classes, pods];
          await Promise.all([
            runController({ name: 'persistentvolume-binder-controller', queue: claimQueue, workers: 2, sync: syncClaim, waitFor, signal }),
            runController({ name: 'persistentvolume-binder-controller', queue: volumeQueue, workers: 2, sync: syncVolume, waitFor, signal }),
          ]);
        } finally {
          clearInterval(timer);
        }
      },
    };
  },
};
