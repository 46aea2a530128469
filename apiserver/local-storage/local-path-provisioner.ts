// The local-path provisioner (rancher.io/local-path, as k3s ships it), external-provisioner
// style: it serves every class naming it. A claim the binder handed to it (storage-provisioner
// annotation) gets, once the scheduler chose a node (selected-node), a hostPath volume of type
// DirectoryOrCreate under that node's path with node affinity to it: the node's agent creates
// the directory when the first pod mounts it, so the server never touches a node's disk. On
// reclaim (a Released volume whose class said Delete), a helper pod on the volume's node
// removes the directory, as k3s' provisioner does, and only then the volume object goes.
import { logger } from '../../lib/log.js';
import { isAlreadyExists, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { apiEventSink, EventRecorder, referenceTo } from '../../lib/client/events.js';
import { Informer, listWatch, stripManagedFields } from '../../lib/client/informer.js';
import type { KubeClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import { objectKey, type ConfigMap, type Pod } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import {
  annBetaStorageProvisioner, annProvisionedBy, annSelectedNode, annStorageProvisioner, claimClass, isWaitForFirstConsumer,
  type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from '../volumes/volume-types.js';
import {
  localPathConfigName, localPathNamespace, localPathProvisionerName, parseLocalPathConfig, volumeDirName, type LocalPathConfig,
} from './local-path-objects.js';

const log = logger('local-path-provisioner');
const supportedModes = ['ReadWriteOnce', 'ReadWriteOncePod'];
/** How often a helper pod's progress is checked. */
const helperPollMs = 500;

/** The PersistentVolume for a claim on `node`, under `base` (pure). */
export function localPathVolume(c: PersistentVolumeClaim, sc: StorageClass, node: string, base: string): PersistentVolume {
  const name = `pvc-${c.metadata?.uid}`;
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name, annotations: { [annProvisionedBy]: localPathProvisionerName, 'local.path.provisioner/selected-node': node } },
    spec: {
      capacity: { storage: c.spec?.resources?.requests?.storage ?? '0' },
      accessModes: c.spec?.accessModes,
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata?.name,
      volumeMode: c.spec?.volumeMode ?? 'Filesystem',
      mountOptions: sc.mountOptions,
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: c.metadata?.namespace, name: c.metadata?.name, uid: c.metadata?.uid, resourceVersion: c.metadata?.resourceVersion },
      hostPath: { path: `${base.replace(/\/+$/, '')}/${volumeDirName(name, c.metadata?.namespace ?? '', c.metadata?.name ?? '')}`, type: 'DirectoryOrCreate' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
    },
  };
}

/** The node a local-path volume lives on. */
export function volumeNode(v: PersistentVolume): string | undefined {
  return v.metadata?.annotations?.['local.path.provisioner/selected-node']
    ?? v.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.find((e) => e.key === 'kubernetes.io/hostname')?.values?.[0];
}

/** The pod that removes a volume's directory on its node (pure). */
export function deleteHelperPod(v: PersistentVolume, node: string, cfg: LocalPathConfig): Pod {
  const dir = v.spec?.hostPath?.path ?? '';
  const parent = dir.slice(0, dir.lastIndexOf('/')) || '/';
  const base = dir.slice(dir.lastIndexOf('/') + 1);
  const template = cfg.helperSpec;
  const container = { ...(template.containers?.[0] ?? {}), name: 'helper-pod' };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `helper-pod-delete-${v.metadata?.name}`, namespace: localPathNamespace, labels: { 'app.kubernetes.io/managed-by': 'local-path-provisioner' } },
    spec: {
      ...template,
      nodeName: node,
      restartPolicy: 'Never',
      tolerations: [...((template.tolerations as unknown[] | undefined) ?? []), { operator: 'Exists' }],
      containers: [{
        ...container, image: String(container.image ?? ''),
        command: ['/bin/sh', '-c', 'rm -rf "$VOL_DIR"'],
        env: [{ name: 'VOL_DIR', value: `/data/${base}` }],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      }],
      volumes: [{ name: 'data', hostPath: { path: parent, type: 'DirectoryOrCreate' } }],
    },
  } as Pod;
}

export class LocalPathProvisioner {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly classes: Informer<StorageClass>;
  private readonly recorder: EventRecorder;
  private readonly claimQueue = new WorkQueue<string>();
  private readonly volumeQueue = new WorkQueue<string>();

  constructor(private readonly client: KubeClient) {
    const informer = <T extends PersistentVolume | PersistentVolumeClaim | StorageClass>(type: typeof resources.persistentVolumes, name: string) =>
      new Informer<T>(listWatch(client.resource<T>(type)), { name, transform: stripManagedFields });
    this.claims = informer<PersistentVolumeClaim>(resources.persistentVolumeClaims, 'local-path-claims');
    this.volumes = informer<PersistentVolume>(resources.persistentVolumes, 'local-path-volumes');
    this.classes = informer<StorageClass>(resources.storageClasses, 'local-path-classes');
    this.recorder = new EventRecorder(apiEventSink(client), { component: `${localPathProvisionerName}_${process.pid}` });
    this.claims.on({ add: (c) => this.claimQueue.add(objectKey(c)), update: (_, c) => this.claimQueue.add(objectKey(c)) });
    this.volumes.on({ add: (v) => this.volumeQueue.add(objectKey(v)), update: (_, v) => this.volumeQueue.add(objectKey(v)) });
  }

  async run(signal: AbortSignal): Promise<void> {
    const waitFor = [this.claims, this.volumes, this.classes];
    const runs = waitFor.map((i) => (i as Informer<PersistentVolume>).run(signal));
    try {
      await Promise.all([
        runController({ name: 'local-path-provisioner', queue: this.claimQueue, workers: 2, sync: (k) => this.syncClaim(k), waitFor, signal }),
        runController({ name: 'local-path-provisioner', queue: this.volumeQueue, workers: 2, sync: (k) => this.syncVolume(k), waitFor, signal }),
      ]);
    } finally {
      await Promise.allSettled(runs);
      this.recorder.close();
    }
  }

  private async config(): Promise<LocalPathConfig> {
    const cm = await this.client.resource<ConfigMap>(resources.configMaps).get(localPathNamespace, localPathConfigName);
    return parseLocalPathConfig(cm.data);
  }

  private classFor(c: PersistentVolumeClaim): StorageClass | undefined {
    const sc = this.classes.cache.get(claimClass(c));
    return sc?.provisioner === localPathProvisionerName ? sc : undefined;
  }

  private async syncClaim(key: string): Promise<void> {
    const c = this.claims.cache.get(key);
    if (!c || c.spec?.volumeName || c.metadata?.deletionTimestamp) return;
    const a = c.metadata?.annotations ?? {};
    if ((a[annStorageProvisioner] ?? a[annBetaStorageProvisioner]) !== localPathProvisionerName) return;
    const sc = this.classFor(c);
    if (!sc) return;
    const pvName = `pvc-${c.metadata?.uid}`;
    if (this.volumes.cache.get(pvName)) return;
    const ref = referenceTo(c, { apiVersion: 'v1', kind: 'PersistentVolumeClaim' });
    const failed = (message: string) => this.recorder.event(ref, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name}": ${message}`);
    const node = a[annSelectedNode];
    if (!node) {
      // WaitForFirstConsumer: the scheduler has not chosen yet. Immediate: there is no node to put it on.
      if (!isWaitForFirstConsumer(sc)) failed('configuration error, no node was specified');
      return;
    }
    const modes = c.spec?.accessModes ?? [];
    if (!modes.every((m) => supportedModes.includes(m))) {
      failed('NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes');
      return;
    }
    this.recorder.event(ref, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`);
    const base = (await this.config()).pathFor(node);
    if (!base) {
      failed(`no local path is configured for node ${node}`);
      return;
    }
    try {
      await this.client.resource<PersistentVolume>(resources.persistentVolumes).create(localPathVolume(c, sc, node, base));
    } catch (err) {
      if (!isAlreadyExists(err)) {
        failed((err as Error).message);
        throw err;
      }
    }
    log.info({ claim: key, volume: pvName, node }, 'provisioned');
    this.recorder.event(ref, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  private async syncVolume(key: string): Promise<void> {
    const v = this.volumes.cache.get(key);
    if (!v || v.metadata?.annotations?.[annProvisionedBy] !== localPathProvisionerName) return;
    if (v.status?.phase !== 'Released' || v.spec?.persistentVolumeReclaimPolicy !== 'Delete' || v.metadata?.deletionTimestamp) return;
    const node = volumeNode(v);
    if (!node || !v.spec?.hostPath?.path) return;
    const pods = this.client.resource<Pod>(resources.pods);
    const helper = deleteHelperPod(v, node, await this.config());
    const helperName = helper.metadata?.name ?? '';
    let pod: Pod;
    try {
      pod = await pods.get(localPathNamespace, helperName);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      pod = await pods.create(helper);
    }
    const phase = pod.status?.phase;
    if (phase !== 'Succeeded' && phase !== 'Failed') {
      this.volumeQueue.addAfter(key, helperPollMs);
      return;
    }
    await pods.delete(localPathNamespace, helperName).catch((err: unknown) => { if (!isNotFound(err)) throw err; });
    const ref = referenceTo(v, { apiVersion: 'v1', kind: 'PersistentVolume' });
    if (phase === 'Failed') {
      this.recorder.event(ref, 'Warning', 'VolumeFailedDelete', `failed to delete volume ${key}: helper pod ${helperName} failed on node ${node}`);
      this.volumeQueue.addAfter(key, 10_000);
      return;
    }
    await this.client.resource<PersistentVolume>(resources.persistentVolumes).delete('', key).catch((err: unknown) => { if (!isNotFound(err)) throw err; });
    log.info({ volume: key, node, path: v.spec.hostPath.path }, 'deleted');
  }
}
