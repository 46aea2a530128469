// Mirror pods: the API's view of static pods. For every static pod the API gets a copy named
// <name>-<node> marked with kubernetes.io/config.mirror; a stale copy (older manifest, or one
// being deleted by a user) is replaced, and copies of static pods that are gone are removed.
import { logger } from '../../lib/log.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../lib/client/api-error.js';
import type { ResourceClient } from '../../lib/client/rest-client.js';
import type { Pod } from '../kube-types.js';
import { CONFIG_MIRROR_ANNOTATION, isMirrorPod, mirrorPod } from './manifest.js';

const log = logger('mirror-pods');

export interface MirrorDeps {
  pods: ResourceClient<Pod>;
  /** API pods bound to this node (the informer cache). */
  apiPods(): Pod[];
  nodeUid(): string | undefined;
}

export class MirrorPods {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly deps: MirrorDeps) {}

  /** The mirror of a static pod, if the API has a current one. */
  mirrorOf(staticPod: Pod): Pod | undefined {
    const m = this.deps.apiPods().find((p) => p.metadata?.namespace === staticPod.metadata?.namespace && p.metadata?.name === staticPod.metadata?.name);
    if (!m || m.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] !== staticPod.metadata?.uid || m.metadata?.deletionTimestamp) return undefined;
    return m;
  }

  /** Brings the API's mirror pods in line with the static pods (coalesced: one pass at a time). */
  reconcile(staticPods: Pod[]): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass(staticPods);
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async pass(staticPods: Pod[]): Promise<void> {
    const nodeUid = this.deps.nodeUid();
    if (!nodeUid) return;
    const wanted = new Map(staticPods.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
    for (const m of this.deps.apiPods().filter(isMirrorPod)) {
      const key = `${m.metadata?.namespace}/${m.metadata?.name}`;
      const s = wanted.get(key);
      const current = s && m.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] === s.metadata?.uid && !m.metadata?.deletionTimestamp;
      if (!current) await this.delete(m);
    }
    for (const s of staticPods) {
      if (this.mirrorOf(s)) continue;
      const exists = this.deps.apiPods().some((p) => p.metadata?.namespace === s.metadata?.namespace && p.metadata?.name === s.metadata?.name && !p.metadata?.deletionTimestamp);
      if (exists) continue;
      try {
        await this.deps.pods.create(mirrorPod(s, nodeUid));
        log.info({ pod: `${s.metadata?.namespace}/${s.metadata?.name}` }, 'created mirror pod');
      } catch (err) {
        if (!isAlreadyExists(err)) log.warn({ pod: s.metadata?.name, err: (err as Error).message }, 'could not create mirror pod');
      }
    }
  }

  private async delete(m: Pod): Promise<void> {
    try {
      await this.deps.pods.delete(m.metadata?.namespace ?? '', m.metadata?.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: m.metadata?.uid } });
      log.info({ pod: `${m.metadata?.namespace}/${m.metadata?.name}` }, 'deleted mirror pod');
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) log.warn({ pod: m.metadata?.name, err: (err as Error).message }, 'could not delete mirror pod');
    }
  }
}
