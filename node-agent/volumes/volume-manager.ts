// Sets up a pod's volumes before its containers start and keeps API-fed ones current, like
// kubelet's volume manager: directories under <pods>/<uid>/volumes/<plugin>/<name>, tmpfs for
// Memory emptyDirs, secrets and projected volumes, the atomic writer for configMap, secret,
// downwardAPI and projected data (service account tokens via TokenRequest, renewed at 80% of
// their life), hostPath checks; and tears it all down when the pod is gone.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseQuantity, quantityValue } from '../../lib/quantity.js';
import { logger } from '../../lib/log.js';
import type { Exec } from '../../lib/exec.js';
import type { ConfigMap, Pod, Secret, Volume } from '../kube-types.js';
import type { PodEvents } from '../pods/pod-events.js';
import { writeAtomic } from './atomic-writer.js';
import { checkHostPath } from './host-path.js';
import { setUpClaim, type ClaimReads } from './persistent-claim.js';
import { isMountPoint, mountPointsUnder, mountTmpfs, unmount } from './mounts.js';
import { VolumeError, isDataVolume, volumeNeeds, volumePayload, type SourceData } from './sources.js';
import type { VolumePlugin } from './volume-plugin.js';

const log = logger('volumes');

export interface IssuedToken {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** What volumes read from the API. Absent objects resolve to undefined. */
export interface VolumeApi extends ClaimReads {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  token(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<IssuedToken>;
}

export interface MountedVolume {
  hostPath: string;
  /** Data volumes are always mounted read-only, as kubelet does. */
  readOnly: boolean;
}

export interface PodNetworkFacts {
  podIPs: string[];
  hostIPs: string[];
  allocatable: Record<string, string>;
}

const PLUGIN_DIRS: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};

function pluginOf(v: Volume): string | undefined {
  return Object.keys(PLUGIN_DIRS).find((k) => (v as Record<string, unknown>)[k] !== undefined);
}

/** Secrets and tokens never touch the disk: those volumes (and Memory emptyDirs) are tmpfs. */
function memoryBacked(v: Volume): boolean {
  return !!(v.secret || v.projected || v.emptyDir?.medium === 'Memory');
}

function sizeLimit(v: Volume): number {
  const s = v.emptyDir?.sizeLimit;
  if (!s) return 0;
  try {
    return Math.ceil(quantityValue(parseQuantity(s)));
  } catch {
    return 0;
  }
}

export class VolumeManager {
  private readonly tokens = new Map<string, { token: string; issuedAt: number; expiresAt: number }>();
  /** Memory-backed dirs we know are mounted (saves a mountinfo read per sync). */
  private readonly mounted = new Set<string>();
  /** Directories known to exist (saves a mkdir per volume per sync). */
  private readonly made = new Set<string>();
  /** When each data volume was last written from its sources. */
  private readonly refreshed = new Map<string, number>();
  /** Asked first, in the order they were added. */
  private readonly plugins: VolumePlugin[] = [];

  constructor(
    private readonly podsDir: string,
    private readonly api: VolumeApi,
    private readonly events: PodEvents,
    private readonly exec: Exec,
    /** Data volumes are re-read from their sources at most this often (the sync frequency). */
    private readonly refreshMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  addPlugin(plugin: VolumePlugin): void {
    this.plugins.push(plugin);
  }

  podDir(uid: string): string {
    return join(this.podsDir, uid);
  }

  volumeDir(uid: string, v: Volume): string {
    return join(this.podDir(uid), 'volumes', PLUGIN_DIRS[pluginOf(v) ?? ''] ?? 'unsupported', v.name);
  }

  /**
   * Makes every volume of the pod ready and current. Throws VolumeError after recording a
   * FailedMount event for the first volume that cannot be set up.
   */
  async setUp(pod: Pod, facts: PodNetworkFacts, force = false): Promise<Map<string, MountedVolume>> {
    const uid = pod.metadata?.uid ?? '';
    const out = new Map<string, MountedVolume>();
    for (const v of pod.spec?.volumes ?? []) {
      try {
        out.set(v.name, await this.setUpVolume(pod, v, facts, force));
      } catch (err) {
        const msg = (err as Error).message;
        const where = err instanceof VolumeError ? err.where : {};
        this.events.pod(pod, 'Warning', 'FailedMount', `${where.operation ?? 'MountVolume.SetUp'} failed for volume "${where.volume ?? v.name}" : ${msg}`);
        log.info({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, volume: v.name, err: msg }, 'volume setup failed');
        throw err instanceof VolumeError ? err : new VolumeError(msg);
      }
    }
    await this.ensureDir(join(this.podDir(uid), 'containers'), 0o750);
    return out;
  }

  private async ensureDir(dir: string, mode: number): Promise<void> {
    if (this.made.has(dir)) return;
    await mkdir(dir, { recursive: true, mode });
    this.made.add(dir);
  }

  private async setUpVolume(pod: Pod, v: Volume, facts: PodNetworkFacts, force: boolean): Promise<MountedVolume> {
    for (const plugin of this.plugins) {
      const mounted = await plugin.setUp(pod, v);
      if (mounted) return mounted;
    }
    if (v.hostPath) {
      await checkHostPath(v.hostPath.path, v.hostPath.type);
      return { hostPath: v.hostPath.path, readOnly: false };
    }
    if (v.persistentVolumeClaim) return setUpClaim(pod, v, this.api);
    if (!pluginOf(v)) throw new VolumeError(`volume type is not supported on this node (only emptyDir, hostPath, persistentVolumeClaim, configMap, secret, downwardAPI and projected are)`);
    const uid = pod.metadata?.uid ?? '';
    const dir = this.volumeDir(uid, v);
    await this.ensureDir(dir, 0o750);
    if (memoryBacked(v) && !this.mounted.has(dir)) {
      if (!(await isMountPoint(dir))) await mountTmpfs(this.exec, dir, sizeLimit(v));
      this.mounted.add(dir);
    }
    if (isDataVolume(v)) {
      const last = this.refreshed.get(dir);
      if (force || last === undefined || this.now() - last >= this.refreshMs) {
        const data = await this.fetch(pod, v, facts);
        await writeAtomic(dir, volumePayload(pod, v, data));
        this.refreshed.set(dir, this.now());
      }
      return { hostPath: dir, readOnly: true };
    }
    return { hostPath: dir, readOnly: false };
  }

  private async fetch(pod: Pod, v: Volume, facts: PodNetworkFacts): Promise<SourceData> {
    const ns = pod.metadata?.namespace ?? '';
    const needs = volumeNeeds(v);
    const data: SourceData = {
      configMaps: new Map(), secrets: new Map(), tokens: new Map(),
      podIPs: facts.podIPs, hostIPs: facts.hostIPs, allocatable: facts.allocatable,
      fsGroup: pod.spec?.securityContext?.fsGroup,
    };
    await Promise.all([
      ...needs.configMaps.map(async (n) => data.configMaps.set(n, (await this.api.configMap(ns, n)) ?? null)),
      ...needs.secrets.map(async (n) => data.secrets.set(n, (await this.api.secret(ns, n)) ?? null)),
      ...needs.tokens.map(async (t) => data.tokens.set(t.path, await this.token(pod, v.name, t))),
    ]);
    return data;
  }

  private async token(pod: Pod, volume: string, t: { path: string; audience?: string; expirationSeconds: number }): Promise<string> {
    const key = `${pod.metadata?.uid}/${volume}/${t.path}`;
    const cur = this.tokens.get(key);
    const now = this.now();
    // kubelet renews at 80% of the token's life, or after 24 h.
    if (cur && now < cur.issuedAt + 0.8 * (cur.expiresAt - cur.issuedAt) && now - cur.issuedAt < 86_400_000) return cur.token;
    try {
      const issued = await this.api.token(pod, t.audience, t.expirationSeconds);
      this.tokens.set(key, { token: issued.token, issuedAt: now, expiresAt: issued.expiresAt });
      return issued.token;
    } catch (err) {
      throw new VolumeError(`failed to fetch token: ${(err as Error).message}`);
    }
  }

  /** Unmounts and removes everything of a pod (its containers must be gone). */
  async tearDown(uid: string): Promise<void> {
    const dir = this.podDir(uid);
    for (const plugin of this.plugins) await plugin.tearDown(dir);
    for (const m of await mountPointsUnder([dir])) {
      await unmount(this.exec, m);
      this.mounted.delete(m);
    }
    for (const k of [...this.tokens.keys()]) if (k.startsWith(`${uid}/`)) this.tokens.delete(k);
    for (const d of [...this.made]) if (d.startsWith(dir + '/')) this.made.delete(d);
    for (const d of [...this.refreshed.keys()]) if (d.startsWith(dir + '/')) this.refreshed.delete(d);
    // Never recurse into something still mounted: check again before removing.
    if ((await mountPointsUnder([dir])).length) throw new Error(`pod directory ${dir} still has mounts`);
    await rm(dir, { recursive: true, force: true });
  }

  /** UIDs with a pod directory on disk (to clean up after pods that vanished while we were down). */
  async podsOnDisk(): Promise<string[]> {
    return readdir(this.podsDir).catch(() => [] as string[]);
  }
}
