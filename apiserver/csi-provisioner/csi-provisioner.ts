// The CSI provisioner (external-provisioner and external-resizer in one, in the server): for
// claims whose storage-provisioner annotation names a driver with a controller socket in
// <data-dir>/csi/controllers/<driver>.sock, CreateVolume and a PV pre-bound to the claim; for
// released PVs it provisioned with reclaim policy Delete, DeleteVolume and the PV's deletion; for
// bound claims of classes with allowVolumeExpansion that ask for more, ControllerExpandVolume.
// Drivers are found by their sockets, so the built-in NFS driver and any driver's controller
// (run beside the server) are served alike.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlreadyExists, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import type { EventRecorder } from '../../lib/client/events.js';
import { InformerFactory } from '../../lib/client/informer-factory.js';
import type { KubeClient } from '../../lib/client/rest-client.js';
import type { ResourceType } from '../../lib/client/resource-types.js';
import { objectKey } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { logger } from '../../lib/log.js';
import { CsiClient } from '../../csi/client.js';
import {
  createVolumeRequest, expansionTarget, provisionedVolume, provisionerOf, pvNameFor, wantsDeletion, wantsProvisioning,
  type Claim, type StorageClass, type Volume,
} from './provisioning.js';

const NAME = 'csi-provisioner';
const log = logger(NAME);

export const storageTypes = {
  claims: { group: '', version: 'v1', resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true } as ResourceType,
  volumes: { group: '', version: 'v1', resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false } as ResourceType,
  classes: { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', kind: 'StorageClass', namespaced: false } as ResourceType,
};

/** `<data-dir>/csi/controllers`: one `<driver>.sock` per driver whose controller k8ts calls. */
export function controllersDir(dataDir: string): string {
  return join(dataDir, 'csi', 'controllers');
}

export class CsiProvisioner {
  private readonly clients = new Map<string, CsiClient>();
  private readonly informers: InformerFactory;
  private readonly queue = new WorkQueue<string>();

  constructor(private readonly client: KubeClient, private readonly dir: string, private readonly recorder: EventRecorder) {
    this.informers = new InformerFactory(client, { resyncMs: 60_000 });
  }

  /** The client of `driver`'s controller socket, if it has one. */
  private async driver(name: string | undefined): Promise<CsiClient | undefined> {
    if (!name) return undefined;
    const cached = this.clients.get(name);
    if (cached) return cached;
    const files = await readdir(this.dir).catch(() => [] as string[]);
    if (!files.includes(`${name}.sock`)) return undefined;
    const c = new CsiClient(`unix://${join(this.dir, `${name}.sock`)}`);
    this.clients.set(name, c);
    return c;
  }

  async run(signal: AbortSignal): Promise<void> {
    const claims = this.informers.informer<Claim>(storageTypes.claims);
    const volumes = this.informers.informer<Volume>(storageTypes.volumes);
    const classes = this.informers.informer<StorageClass>(storageTypes.classes);
    claims.on({ add: (c) => this.queue.add(`claim/${objectKey(c)}`), update: (_, c) => this.queue.add(`claim/${objectKey(c)}`) });
    volumes.on({ add: (v) => this.queue.add(`pv/${v.metadata?.name}`), update: (_, v) => this.queue.add(`pv/${v.metadata?.name}`) });
    this.informers.start(signal);
    const sync = async (key: string): Promise<void> => {
      const [kind, rest] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
      if (kind === 'claim') {
        const claim = claims.cache.get(rest);
        if (claim) await this.syncClaim(claim, classes.cache.get(claim.spec?.storageClassName ?? ''), volumes.cache.get(claim.spec?.volumeName ?? ''), (n) => volumes.cache.get(n));
      } else {
        const pv = volumes.cache.get(rest);
        if (pv) await this.syncVolume(pv);
      }
    };
    try {
      await runController({ name: NAME, queue: this.queue, workers: 2, sync, waitFor: [claims, volumes, classes], signal });
    } finally {
      await this.informers.stopped();
      for (const c of this.clients.values()) c.close();
    }
  }

  private async syncClaim(claim: Claim, sc: StorageClass | undefined, pv: Volume | undefined, volumeNamed: (n: string) => Volume | undefined): Promise<void> {
    const name = provisionerOf(claim);
    const csi = await this.driver(name);
    if (!csi || !name) return;
    const ref = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata?.namespace, name: claim.metadata?.name, uid: claim.metadata?.uid, resourceVersion: claim.metadata?.resourceVersion };
    if (wantsProvisioning(claim, sc, name) && sc) {
      if (volumeNamed(pvNameFor(claim))) return;
      const who = `${claim.metadata?.namespace}/${claim.metadata?.name}`;
      this.recorder.event(ref, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${who}"`);
      let volume;
      try {
        volume = await csi.createVolume(createVolumeRequest(claim, sc));
      } catch (err) {
        this.recorder.event(ref, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name}": ${String(err)}`);
        throw err;
      }
      try {
        await this.client.resource<Volume>(storageTypes.volumes).create(provisionedVolume(claim, sc, volume));
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      log.info({ claim: who, pv: pvNameFor(claim), volume: volume.volumeId }, 'volume provisioned');
      this.recorder.event(ref, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvNameFor(claim)}`);
      return;
    }
    const bytes = expansionTarget(claim, pv, sc, name);
    if (bytes === undefined || !pv?.spec?.csi) return;
    this.recorder.event(ref, 'Normal', 'Resizing', `External resizer is resizing volume ${pv.metadata?.name}`);
    try {
      const res = await csi.controllerExpandVolume({ volumeId: pv.spec.csi.volumeHandle, capacityRange: { requiredBytes: bytes } });
      const size = claim.spec?.resources?.requests?.storage ?? String(res.capacityBytes);
      await this.client.resource<Volume>(storageTypes.volumes).patch('', pv.metadata?.name ?? '', { spec: { capacity: { storage: size } } }, 'merge');
      if (!res.nodeExpansionRequired) {
        await this.client.resource<Claim>(storageTypes.claims).patch(claim.metadata?.namespace ?? '', claim.metadata?.name ?? '', { status: { capacity: { storage: size } } }, 'merge', { subresource: 'status' });
      }
      this.recorder.event(ref, 'Normal', 'VolumeResizeSuccessful', 'Resize volume succeeded');
    } catch (err) {
      this.recorder.event(ref, 'Warning', 'VolumeResizeFailed', `resize volume "${pv.metadata?.name}" by resizer "${name}" failed: ${String(err)}`);
      throw err;
    }
  }

  private async syncVolume(pv: Volume): Promise<void> {
    const name = pv.spec?.csi?.driver;
    if (!name || !wantsDeletion(pv, name)) return;
    const csi = await this.driver(name);
    if (!csi) return;
    const ref = { kind: 'PersistentVolume', apiVersion: 'v1', name: pv.metadata?.name, uid: pv.metadata?.uid };
    try {
      await csi.deleteVolume({ volumeId: pv.spec?.csi?.volumeHandle ?? '' });
    } catch (err) {
      this.recorder.event(ref, 'Warning', 'VolumeFailedDelete', String(err));
      throw err;
    }
    await this.client.resource<Volume>(storageTypes.volumes).delete('', pv.metadata?.name ?? '', { preconditions: { uid: pv.metadata?.uid } })
      .catch((err: unknown) => { if (!isNotFound(err)) throw err; });
    log.info({ pv: pv.metadata?.name, volume: pv.spec?.csi?.volumeHandle }, 'volume deleted');
  }
}
