// Where the agent's pods come from, merged: pods the API binds to this node (a field-selected
// informer) and static pods from the manifest dir, as kubelet's pod config does. Mirror pods in
// the API are not run - they are kept in line with the static pods - and status for a static
// pod goes to its mirror. Static pods are reported at once; API pods once the API answers.
import { Informer, listWatch } from '../lib/client/informer.js';
import type { ResourceClient } from '../lib/client/rest-client.js';
import type { Pod } from './kube-types.js';
import type { PodWorkers } from './pods/pod-workers.js';
import type { StatusManager, StatusTarget } from './pods/status-manager.js';
import type { PodSource } from './server/index.js';
import { isMirrorPod } from './static-pods/manifest.js';
import { MirrorPods } from './static-pods/mirror-pods.js';
import { StaticPodSource } from './static-pods/static-pod-source.js';

type PodStatus = NonNullable<Pod['status']>;

export interface PodSourcesOptions {
  pods: ResourceClient<Pod>;
  nodeName: string;
  nodeUid(): string | undefined;
}

export class PodSources {
  readonly api: Informer<Pod>;
  /** Set by startStatic (the static-pods component; absent when disabled). */
  private static: StaticPodSource | undefined;
  private readonly mirrors: MirrorPods;
  private staticUids = new Set<string>();
  private workers: PodWorkers | undefined;

  constructor(private readonly opts: PodSourcesOptions) {
    this.api = new Informer(listWatch(opts.pods, { fieldSelector: `spec.nodeName=${opts.nodeName}` }), { name: 'pods' });
    this.mirrors = new MirrorPods({ pods: opts.pods, apiPods: () => this.api.cache.list(), nodeUid: opts.nodeUid });
  }

  /** Feeds the workers API pods as the informer delivers them (once it runs). */
  start(workers: PodWorkers): void {
    this.workers = workers;
    this.api.on({
      add: (p) => (isMirrorPod(p) ? this.reconcileMirrors() : workers.update(p)),
      update: (_, p) => (isMirrorPod(p) ? this.reconcileMirrors() : workers.update(p)),
      delete: (p) => (isMirrorPod(p) ? this.reconcileMirrors() : workers.remove(p.metadata?.uid ?? '')),
    });
  }

  /** Feeds the workers the static pods of `manifestPath` ('' or never called: none), now: no API needed. */
  startStatic(manifestPath: string, signal: AbortSignal): void {
    if (!manifestPath) return;
    this.static = new StaticPodSource(manifestPath, this.opts.nodeName, (pods) => this.onStatic(pods));
    this.static.start(signal);
  }

  /** Static pods read once (at once without static pods). */
  async staticSynced(): Promise<void> {
    await this.static?.waitForSync();
  }

  private onStatic(pods: Map<string, Pod>): void {
    const workers = this.workers;
    if (!workers) return;
    for (const pod of pods.values()) workers.update(pod);
    for (const uid of this.staticUids) if (!pods.has(uid)) workers.remove(uid);
    this.staticUids = new Set(pods.keys());
    void this.mirrors.reconcile([...pods.values()]);
  }

  /** Mirror pods changed (or the node registered): fix them, and let static pods report status. */
  reconcileMirrors(wakeStaticPods = true): void {
    void this.mirrors.reconcile(this.staticPods()).then(() => {
      if (wakeStaticPods) for (const uid of this.staticUids) this.workers?.trigger(uid);
    });
  }

  staticPods(): Pod[] {
    return [...(this.static?.current().values() ?? [])];
  }

  get staticCount(): number {
    return this.staticUids.size;
  }

  isStatic(pod: Pod): boolean {
    return this.staticUids.has(pod.metadata?.uid ?? '') || !!this.static?.current().has(pod.metadata?.uid ?? '');
  }

  /** Where a pod's status goes: itself, or a static pod's current mirror (none yet: nowhere). */
  statusTarget(pod: Pod): StatusTarget | undefined {
    const m = pod.metadata ?? {};
    if (!this.isStatic(pod)) return { namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '' };
    const mirror = this.mirrors.mirrorOf(pod);
    if (mirror) return { namespace: m.namespace ?? '', name: m.name ?? '', uid: mirror.metadata?.uid ?? '' };
    // No mirror yet (the API was away, or a user deleted it): make one. Its arrival in the
    // informer wakes the static pods again; waking them here could spin.
    this.reconcileMirrors(false);
    return undefined;
  }

  /** The status the API shows for a pod (a static pod's mirror's). */
  apiStatus(pod: Pod): PodStatus | undefined {
    if (this.isStatic(pod)) return this.mirrors.mirrorOf(pod)?.status;
    return this.api.cache.get(`${pod.metadata?.namespace}/${pod.metadata?.name}`)?.status ?? pod.status;
  }

  /** Every pod the agent runs, with the status it last computed (for the agent's HTTPS server). */
  podSource(statuses: StatusManager): PodSource {
    const all = () => [...this.api.cache.list().filter((p) => !isMirrorPod(p)), ...this.staticPods()];
    const withStatus = (p: Pod): Pod => ({ ...p, status: statuses.get(p.metadata?.uid ?? '') ?? this.apiStatus(p) ?? p.status });
    return {
      getPod: (namespace, name) => {
        const pod = all().find((p) => p.metadata?.namespace === namespace && p.metadata?.name === name);
        return pod ? withStatus(pod) : undefined;
      },
      listPods: () => all().map(withStatus),
    };
  }
}
