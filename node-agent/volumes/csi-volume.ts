// CSI volumes, as kubelet's csi plugin: inline `csi` volumes of a pod, and claims bound to a PV
// with a `csi` source. NodeStageVolume into the volume's globalmount when the driver stages,
// then NodePublishVolume into the pod's volumes/kubernetes.io~csi/<name>/mount, with a
// vol_data.json beside each (as kubelet writes it) so teardown works after an agent restart.
// Teardown unpublishes, and unstages once no pod on the node publishes the volume any more.
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isNotFound } from '../../lib/client/api-error.js';
import { logger } from '../../lib/log.js';
import type { AccessModeName, VolumeCapability } from '../../csi/types.js';
import type { KubeClient } from '../../lib/client/rest-client.js';
import { csiResources, type CsiDriverObject, type CsiPersistentSource, type PersistentVolume, type PersistentVolumeClaim } from '../csi/csi-resources.js';
import { ephemeralVolumeHandle, publishPath, stagingPath, type CsiPaths } from '../csi/csi-paths.js';
import type { CsiDrivers, RegisteredDriver } from '../csi/drivers.js';
import type { Pod, Secret, Volume } from '../kube-types.js';
import { VolumeError } from './sources.js';
import type { PluginMount, VolumePlugin } from './volume-plugin.js';

const log = logger('csi-volumes');

/** What the plugin reads from the API (absent objects are undefined). */
export interface CsiVolumeApi {
  claim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  volume(name: string): Promise<PersistentVolume | undefined>;
  driver(name: string): Promise<CsiDriverObject | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

/** kubelet's vol_data.json, plus the staging path we used. */
interface VolData {
  driverName: string;
  volumeHandle: string;
  specVolID: string;
  volumeLifecycleMode: 'Persistent' | 'Ephemeral';
  stagingPath?: string;
}

/** What one pod volume resolves to. */
interface Resolved {
  name: string;
  source: CsiPersistentSource;
  mode: VolData['volumeLifecycleMode'];
  readOnly: boolean;
  accessMode: AccessModeName;
  mountOptions: string[];
}

const ACCESS_MODES: Record<string, AccessModeName> = {
  ReadWriteOnce: 'SINGLE_NODE_WRITER', ReadOnlyMany: 'MULTI_NODE_READER_ONLY', ReadWriteMany: 'MULTI_NODE_MULTI_WRITER', ReadWriteOncePod: 'SINGLE_NODE_SINGLE_WRITER',
};

/** The CSI access mode for a PV's modes, as kubelet picks it (the widest the PV allows). */
export function accessModeOf(modes: readonly string[] | undefined): AccessModeName {
  for (const m of ['ReadWriteMany', 'ReadOnlyMany', 'ReadWriteOnce', 'ReadWriteOncePod']) if (modes?.includes(m)) return ACCESS_MODES[m];
  return 'SINGLE_NODE_WRITER';
}

const decode = (data: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

export class CsiVolumePlugin implements VolumePlugin {
  readonly name = 'kubernetes.io/csi';
  /** Volumes published by this process, by `<pod uid>/<volume>`: a resync reads nothing and calls no driver. */
  private readonly published = new Map<string, PluginMount>();

  constructor(
    /** The agent's pods directory (`<data>/agent/pods`). */
    private readonly podsDir: string,
    private readonly paths: CsiPaths,
    private readonly drivers: CsiDrivers,
    private readonly api: CsiVolumeApi,
  ) {}

  async setUp(pod: Pod, v: Volume): Promise<PluginMount | undefined> {
    const key = `${pod.metadata?.uid}/${v.name}`;
    const done = this.published.get(key);
    if (done) return done;
    const resolved = await this.resolve(pod, v);
    if (!resolved) return undefined;
    const target = publishPath(join(this.podsDir, pod.metadata?.uid ?? ''), resolved.name);
    const { source } = resolved;
    const driver = this.driver(source.driver);
    const capability: VolumeCapability = { mount: { fsType: source.fsType ?? '', mountFlags: resolved.mountOptions }, accessMode: { mode: resolved.accessMode } };
    const driverObj = await this.api.driver(source.driver);
    if (resolved.mode === 'Ephemeral' && driverObj && !(driverObj.spec?.volumeLifecycleModes ?? ['Persistent']).includes('Ephemeral')) {
      throw new VolumeError(`kubernetes.io/csi: mounter.SetupAt failed to check volume lifecycle mode: volume mode "Ephemeral" not supported by driver ${source.driver} (only supports ["Persistent"])`);
    }
    const context = { ...(source.volumeAttributes ?? {}) };
    if (driverObj?.spec?.podInfoOnMount) {
      Object.assign(context, {
        'csi.storage.k8s.io/pod.name': pod.metadata?.name ?? '', 'csi.storage.k8s.io/pod.namespace': pod.metadata?.namespace ?? '',
        'csi.storage.k8s.io/pod.uid': pod.metadata?.uid ?? '', 'csi.storage.k8s.io/serviceAccount.name': pod.spec?.serviceAccountName ?? 'default',
        'csi.storage.k8s.io/ephemeral': String(resolved.mode === 'Ephemeral'),
      });
    }
    const data: VolData = { driverName: source.driver, volumeHandle: source.volumeHandle, specVolID: resolved.name, volumeLifecycleMode: resolved.mode };
    // kubelet stages only persistent volumes, and only for drivers that stage.
    if (resolved.mode === 'Persistent' && driver.nodeCapabilities.includes('STAGE_UNSTAGE_VOLUME')) {
      data.stagingPath = stagingPath(this.paths, source.driver, source.volumeHandle);
      await mkdir(data.stagingPath, { recursive: true, mode: 0o750 });
      await writeFile(join(dirname(data.stagingPath), 'vol_data.json'), JSON.stringify(data));
      await driver.client.nodeStageVolume({
        volumeId: source.volumeHandle, stagingTargetPath: data.stagingPath, volumeCapability: capability, volumeContext: context,
        secrets: await this.secrets(source.nodeStageSecretRef),
      }).catch((err: unknown) => { throw new VolumeError(String(err), { volume: resolved.name, operation: 'MountVolume.MountDevice' }); });
    }
    await mkdir(dirname(target), { recursive: true, mode: 0o750 });
    await writeFile(join(dirname(target), 'vol_data.json'), JSON.stringify(data));
    await driver.client.nodePublishVolume({
      volumeId: source.volumeHandle, stagingTargetPath: data.stagingPath ?? '', targetPath: target, volumeCapability: capability,
      readonly: resolved.readOnly, volumeContext: context, secrets: await this.secrets(source.nodePublishSecretRef, pod.metadata?.namespace),
    }).catch((err: unknown) => { throw new VolumeError(String(err), { volume: resolved.name }); });
    this.published.set(key, { hostPath: target, readOnly: resolved.readOnly });
    log.info({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, volume: resolved.name, driver: source.driver, target }, 'CSI volume published');
    return { hostPath: target, readOnly: resolved.readOnly };
  }

  private driver(name: string): RegisteredDriver {
    try {
      return this.drivers.get(name);
    } catch (err) {
      throw new VolumeError(`kubernetes.io/csi: mounter.SetUpAt failed to get CSI client: ${(err as Error).message}`);
    }
  }

  private async secrets(ref: { name?: string; namespace?: string } | undefined, defaultNs = ''): Promise<Record<string, string>> {
    if (!ref?.name) return {};
    const s = await this.api.secret(ref.namespace ?? defaultNs, ref.name);
    if (!s) throw new VolumeError(`fetching NodePublishSecretRef ${ref.namespace ?? defaultNs}/${ref.name} failed: secrets "${ref.name}" not found`);
    return decode(s.data);
  }

  private async resolve(pod: Pod, v: Volume): Promise<Resolved | undefined> {
    if (v.csi) {
      const c = v.csi;
      return {
        name: v.name, mode: 'Ephemeral', readOnly: !!c.readOnly, accessMode: 'SINGLE_NODE_WRITER', mountOptions: [],
        source: {
          driver: c.driver, volumeHandle: ephemeralVolumeHandle(pod.metadata?.uid ?? '', v.name), fsType: c.fsType,
          volumeAttributes: c.volumeAttributes, nodePublishSecretRef: c.nodePublishSecretRef?.name ? { name: c.nodePublishSecretRef.name, namespace: pod.metadata?.namespace } : undefined,
        },
      };
    }
    const claimRef = v.persistentVolumeClaim;
    if (!claimRef) return undefined;
    const ns = pod.metadata?.namespace ?? '';
    const claim = await this.api.claim(ns, claimRef.claimName);
    const pvName = claim?.spec?.volumeName;
    // Unbound claims and non-CSI volumes are for the other plugins to report.
    if (!pvName || claim?.status?.phase !== 'Bound') return undefined;
    const pv = await this.api.volume(pvName);
    const source = pv?.spec?.csi;
    if (!pv || !source) return undefined;
    return {
      name: pvName, source, mode: 'Persistent', readOnly: !!(claimRef.readOnly || source.readOnly),
      accessMode: accessModeOf(pv.spec?.accessModes), mountOptions: pv.spec?.mountOptions ?? [],
    };
  }

  async tearDown(podDir: string): Promise<void> {
    const uid = basename(podDir);
    for (const k of [...this.published.keys()]) if (k.startsWith(`${uid}/`)) this.published.delete(k);
    const base = join(podDir, 'volumes', 'kubernetes.io~csi');
    for (const name of await readdir(base).catch(() => [] as string[])) {
      const dir = join(base, name);
      const data = await readVolData(join(dir, 'vol_data.json'));
      const target = join(dir, 'mount');
      if (data) {
        const driver = this.drivers.get(data.driverName);
        await driver.client.nodeUnpublishVolume({ volumeId: data.volumeHandle, targetPath: target })
          .catch((err: unknown) => { throw new VolumeError(`UnmountVolume.TearDown failed for volume "${name}": ${String(err)}`); });
        if (data.stagingPath && !(await this.publishedElsewhere(data.volumeHandle, podDir))) {
          await driver.client.nodeUnstageVolume({ volumeId: data.volumeHandle, stagingTargetPath: data.stagingPath })
            .catch((err: unknown) => { throw new VolumeError(`UnmountDevice failed for volume "${name}": ${String(err)}`); });
          await rm(dirname(data.stagingPath), { recursive: true, force: true });
        }
        log.info({ volume: name, driver: data.driverName, target }, 'CSI volume unpublished');
      }
      await rmdir(target).catch(() => undefined);
      await rm(join(dir, 'vol_data.json'), { force: true });
      await rmdir(dir).catch(() => undefined);
    }
  }

  /** Whether another pod's directory still publishes `handle` (then the staging stays). */
  private async publishedElsewhere(handle: string, podDir: string): Promise<boolean> {
    for (const uid of await readdir(this.podsDir).catch(() => [] as string[])) {
      const other = join(this.podsDir, uid);
      if (other === podDir) continue;
      const base = join(other, 'volumes', 'kubernetes.io~csi');
      for (const name of await readdir(base).catch(() => [] as string[])) {
        if ((await readVolData(join(base, name, 'vol_data.json')))?.volumeHandle === handle) return true;
      }
    }
    return false;
  }
}

async function readVolData(file: string): Promise<VolData | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as VolData;
  } catch {
    return undefined;
  }
}

/** The plugin's API reads through the agent's client. */
export function csiVolumeApi(client: KubeClient, secret: CsiVolumeApi['secret']): CsiVolumeApi {
  const orUndefined = async <T>(p: Promise<T>): Promise<T | undefined> => p.catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
  return {
    claim: (ns, name) => orUndefined(client.resource<PersistentVolumeClaim>(csiResources.persistentVolumeClaims).get(ns, name)),
    volume: (name) => orUndefined(client.resource<PersistentVolume>(csiResources.persistentVolumes).get('', name)),
    driver: (name) => orUndefined(client.resource<CsiDriverObject>(csiResources.csiDrivers).get('', name)),
    secret,
  };
}
