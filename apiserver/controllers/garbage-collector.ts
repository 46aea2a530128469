// garbage-collector-controller: deletes objects whose owners are gone, as Kubernetes' garbage
// collector does. It watches every deletable resource (found through discovery and refreshed
// every 30 s, so custom resources too), keeps an ownership graph, and:
// - deletes a dependent once all its owners are gone (background deletion of the owner);
// - for an owner deleted in the foreground (foregroundDeletion finalizer), deletes its
//   dependents and removes the finalizer once no blockOwnerDeletion dependent is left;
// - for an owner deleted with the orphan policy (orphan finalizer), removes its
//   ownerReferences from the dependents, then the finalizer.
import { logger } from '../../lib/log.js';
import { isConflict, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { discoverResources, type DiscoveredResource } from '../../lib/client/discovery.js';
import { Informer, listWatch } from '../../lib/client/informer.js';
import type { KubeClient, ResourceClient } from '../../lib/client/rest-client.js';
import { apiVersionOf, type ResourceType } from '../../lib/client/resource-types.js';
import type { KubeObject } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import type { ControllerContext, ControllerDescriptor } from './context.js';
import { decideGarbage, OwnershipGraph, type GarbageDecision, type GraphNode, type GraphWork, type OwnerState } from './gc-graph.js';

const log = logger('garbage-collector-controller');
const resyncDiscoveryMs = 30_000;
/** Kubernetes' collector ignores events (they have no owners and churn the most). */
const ignored = new Set(['/events', 'events.k8s.io/events']);

export const garbageCollector: ControllerDescriptor = {
  name: 'garbage-collector-controller',
  setup(ctx) {
    const gc = new GarbageCollector(ctx);
    return { run: (signal) => gc.run(signal) };
  },
};

/** apiVersion/kind -> resource, from discovery (any version of a group/kind maps to the served one). */
class RestMapper {
  private byKind = new Map<string, DiscoveredResource>();

  update(resources: DiscoveredResource[]): void {
    this.byKind = new Map(resources.map((r) => [`${r.group}/${r.kind}`, r]));
  }

  forKind(apiVersion: string, kind: string): DiscoveredResource | undefined {
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    return this.byKind.get(`${group}/${kind}`);
  }
}

class GarbageCollector {
  private readonly graph = new OwnershipGraph();
  private readonly mapper = new RestMapper();
  private readonly monitors = new Map<string, { informer: Informer<KubeObject>; stop: AbortController; done: Promise<void> }>();
  private readonly deleteQueue: WorkQueue<string>;
  private readonly orphanQueue: WorkQueue<string>;
  private readonly client: KubeClient;

  constructor(private readonly ctx: ControllerContext) {
    this.client = ctx.client;
    this.deleteQueue = new WorkQueue<string>(ctx.clock);
    this.orphanQueue = new WorkQueue<string>(ctx.clock);
  }

  async run(signal: AbortSignal): Promise<void> {
    const discovery = (async () => {
      while (!signal.aborted) {
        try {
          await this.syncMonitors(signal);
        } catch (err) {
          if (!signal.aborted) log.warn({ err: (err as Error).message }, 'discovery failed');
        }
        await this.ctx.clock.sleep(resyncDiscoveryMs, signal);
      }
    })();
    // Work starts once every monitor has filled the graph, so nothing looks orphaned by mistake.
    const synced = { waitForSync: async (s: AbortSignal) => {
      while (!s.aborted && this.monitors.size === 0) await this.ctx.clock.sleep(100, s);
      for (const m of this.monitors.values()) if (!(await m.informer.waitForSync(s))) return false;
      return !s.aborted;
    } };
    await Promise.all([
      runController({ name: 'garbage-collector-controller', queue: this.deleteQueue, workers: 10, sync: (uid) => this.attemptToDelete(uid), waitFor: [synced], signal }),
      runController({ name: 'garbage-collector-controller', queue: this.orphanQueue, workers: 5, sync: (uid) => this.attemptToOrphan(uid), waitFor: [synced], signal }),
      discovery,
    ]);
    for (const m of this.monitors.values()) m.stop.abort();
    await Promise.allSettled([...this.monitors.values()].map((m) => m.done));
  }

  /** Watches every resource that can be listed, watched and deleted; stops watching what went away. */
  private async syncMonitors(signal: AbortSignal): Promise<void> {
    const { resources } = await discoverResources(this.client, signal);
    const deletable = resources.filter((r) => ['list', 'watch', 'delete'].every((v) => r.verbs.includes(v)) && !ignored.has(monitorKey(r)));
    this.mapper.update(resources);
    const want = new Set(deletable.map(monitorKey));
    for (const r of deletable) {
      const key = monitorKey(r);
      if (this.monitors.has(key)) continue;
      const stop = new AbortController();
      signal.addEventListener('abort', () => stop.abort(), { once: true });
      // A resource another controller already watches (pods, config maps, ...) is read from that
      // shared informer; everything else gets a metadata-only watch of its own.
      const existing = this.ctx.informers.existing<KubeObject>(r);
      const shared = existing !== undefined;
      const informer = existing ?? new Informer<KubeObject>(listWatch(this.client.resource<KubeObject>(r), {}, true), { name: `gc-${r.resource}`, clock: this.ctx.clock, transform: metadataOnly });
      const typeMeta = { apiVersion: apiVersionOf(r), kind: r.kind };
      const off = informer.on({
        add: (o) => this.enqueue(this.graph.observe(o, typeMeta)),
        update: (_, o) => this.enqueue(this.graph.observe(o, typeMeta)),
        delete: (o) => this.enqueue(this.graph.remove(o.metadata?.uid ?? '')),
      });
      // Leaving a shared informer is dropping this collector's handlers from it.
      stop.signal.addEventListener('abort', off, { once: true });
      if (shared) this.ctx.informers.start(signal);
      const done = shared ? Promise.resolve() : informer.run(stop.signal);
      this.monitors.set(key, { informer, stop, done });
    }
    for (const [key, m] of this.monitors) {
      if (want.has(key)) continue;
      m.stop.abort();
      this.monitors.delete(key);
    }
  }

  private enqueue(work: GraphWork): void {
    for (const n of work.attemptToDelete) this.deleteQueue.add(n.identity.uid);
    for (const n of work.attemptToOrphan) this.orphanQueue.add(n.identity.uid);
  }

  private resourceClient(node: GraphNode): { rc: ResourceClient<KubeObject>; namespace: string } | undefined {
    const r = this.mapper.forKind(node.identity.apiVersion, node.identity.kind);
    if (!r) return undefined;
    return { rc: this.client.resource<KubeObject>(r), namespace: r.namespaced ? node.identity.namespace : '' };
  }

  /** The object as the API has it now, or undefined if it is gone (or was replaced by another with the same name). */
  private async live(node: GraphNode): Promise<{ obj: KubeObject; rc: ResourceClient<KubeObject>; namespace: string } | undefined> {
    const target = this.resourceClient(node);
    if (!target) return undefined;
    try {
      const obj = await target.rc.get(target.namespace, node.identity.name);
      return obj.metadata?.uid === node.identity.uid ? { obj, ...target } : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async attemptToDelete(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    if (node.virtual) {
      // An owner only known from references: if it does not exist, its dependents are garbage.
      if (!this.mapper.forKind(node.identity.apiVersion, node.identity.kind)) return;
      if (!(await this.live(node))) this.enqueue(this.graph.remove(uid));
      return;
    }
    const cur = await this.live(node);
    if (!cur) return;
    const meta = cur.obj.metadata ?? {};
    if (meta.deletionTimestamp) {
      if (node.deletingDependents) await this.processDeletingDependents(node, cur);
      return;
    }
    const owners = await Promise.all((meta.ownerReferences ?? []).map(async (o) => ({ uid: o.uid, state: await this.ownerState(node, o) })));
    const decision = decideGarbage(owners, meta.finalizers ?? [], node.dependents.size > 0);
    await this.apply(decision, node, cur);
  }

  private async ownerState(dependent: GraphNode, ref: { apiVersion: string; kind: string; name: string; uid: string }): Promise<OwnerState> {
    const known = this.graph.get(ref.uid);
    const owner: GraphNode = known ?? {
      identity: { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace: dependent.identity.namespace },
      owners: [], dependents: new Set(), beingDeleted: false, deletingDependents: false, orphaning: false, virtual: true,
    };
    // An owner of a kind the server does not serve cannot be checked: leave the dependent alone.
    if (!this.mapper.forKind(ref.apiVersion, ref.kind)) return 'solid';
    const cur = await this.live({ ...owner, identity: { ...owner.identity, name: ref.name, uid: ref.uid } });
    if (!cur) return 'dangling';
    const m = cur.obj.metadata ?? {};
    return m.deletionTimestamp && (m.finalizers ?? []).includes('foregroundDeletion') ? 'waitingForDependentsDeletion' : 'solid';
  }

  private async apply(decision: GarbageDecision, node: GraphNode, cur: { obj: KubeObject; rc: ResourceClient<KubeObject>; namespace: string }): Promise<void> {
    const name = node.identity.name;
    if (decision.action === 'none') return;
    if (decision.action === 'removeOwnerReferences') {
      const remove = new Set(decision.uids);
      const refs = (cur.obj.metadata?.ownerReferences ?? []).filter((o) => !remove.has(o.uid));
      await cur.rc.patch(cur.namespace, name, { metadata: { ownerReferences: refs, resourceVersion: cur.obj.metadata?.resourceVersion } }, 'merge');
      return;
    }
    if (decision.unblockDependents) {
      // Its own dependents must not block it, or a foreground chain would wait forever.
      await Promise.all(this.graph.blockingDependents(node).map((d) => this.setOwnerRefs(d, (refs) => refs.map((o) => (o.uid === node.identity.uid ? { ...o, blockOwnerDeletion: false } : o)))));
    }
    log.debug({ kind: node.identity.kind, namespace: node.identity.namespace, name, policy: decision.policy }, 'deleting dependent of a deleted owner');
    try {
      await cur.rc.delete(cur.namespace, name, { propagationPolicy: decision.policy, preconditions: { uid: node.identity.uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** A foreground deletion: delete the dependents; drop the finalizer when none blocks any more. */
  private async processDeletingDependents(node: GraphNode, cur: { obj: KubeObject; rc: ResourceClient<KubeObject>; namespace: string }): Promise<void> {
    const blocking = this.graph.blockingDependents(node);
    if (blocking.length === 0) {
      await this.removeFinalizer(node, 'foregroundDeletion');
      return;
    }
    for (const d of blocking) if (!d.beingDeleted) this.deleteQueue.add(d.identity.uid);
    void cur;
  }

  /** An orphaning deletion: take this owner out of every dependent's ownerReferences, then drop the finalizer. */
  private async attemptToOrphan(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node || !node.orphaning) return;
    await Promise.all([...node.dependents].map((d) => this.setOwnerRefs(d, (refs) => refs.filter((o) => o.uid !== uid))));
    await this.removeFinalizer(node, 'orphan');
  }

  private async setOwnerRefs(node: GraphNode, change: (refs: NonNullable<NonNullable<KubeObject['metadata']>['ownerReferences']>) => typeof refs): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await this.live(node);
      if (!cur) return;
      const refs = cur.obj.metadata?.ownerReferences ?? [];
      const next = change(refs);
      if (JSON.stringify(next) === JSON.stringify(refs)) return;
      try {
        await cur.rc.patch(cur.namespace, node.identity.name, { metadata: { ownerReferences: next.length ? next : null, resourceVersion: cur.obj.metadata?.resourceVersion } }, 'merge');
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
      }
    }
  }

  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await this.live(node);
      if (!cur) return;
      const finalizers = cur.obj.metadata?.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return;
      const next = finalizers.filter((f) => f !== finalizer);
      try {
        await cur.rc.patch(cur.namespace, node.identity.name, { metadata: { finalizers: next.length ? next : null, resourceVersion: cur.obj.metadata?.resourceVersion } }, 'merge');
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
      }
    }
  }
}

/** The collector reads only identity and metadata (Kubernetes uses metadata-only informers for it). */
function metadataOnly(obj: KubeObject): KubeObject {
  const { managedFields: _drop, ...metadata } = obj.metadata ?? {};
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata };
}

function monitorKey(r: ResourceType): string {
  return `${r.group}/${r.resource}`;
}
