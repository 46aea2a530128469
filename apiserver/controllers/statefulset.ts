// statefulset-controller: pods with stable identities, as Kubernetes' StatefulSet controller
// keeps them. Pod <set>-<n> gets hostname and subdomain, the pod-name and pod-index labels and
// its claims <template>-<set>-<n> (created before the pod and kept, or owned by the set or the
// pod as the retention policy says). OrderedReady creates in order, each after its predecessor
// is Running and Ready, and removes in reverse; Parallel does all at once. Rolling updates
// replace pods from the highest ordinal down to the partition. Revisions are ControllerRevisions.
import { isAlreadyExists, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { referenceTo, type EventRecorder, type ObjectRef } from '../../lib/client/events.js';
import type { Informer } from '../../lib/client/informer.js';
import type { ResourceClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import { objectKey, type Pod } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { compileSelector } from '../api/kinds/workload-validation.js';
import type { LabelSelector } from '../api/selectors/labels.js';
import type { ControllerContext, ControllerDescriptor } from './context.js';
import { byRevisionNumber, createRevision, nextRevisionNumber, sameData, templatePatch } from './controller-history.js';
import { claimObjects, liveOwnerCheck } from './controller-ref.js';
import { claimCandidates, indexByController } from './owner-index.js';
import { routePodEvents } from './pod-events.js';
import { availableAt, isPodAvailable, isPodReady, newControllerRef } from './pod-helpers.js';
import {
  claimOwnerRefs, claimsFor, completeRollingUpdate, countPods, identityMatches, inOrdinalRange, isCreated, isHealthy,
  isMemberOf, isRunningAndAvailable, isRunningAndReady, isTerminating, newSetPod, ordinalOf, podRevision, replicasOf,
  revisionForOrdinal, setIdentity, startOrdinal, statusChanged, storageMatches, templateOfRevision, withClaimVolumes,
  type SetStatus,
} from './statefulset-logic.js';
import type { ControllerRevision, PersistentVolumeClaim, StatefulSet } from './workload-types.js';

const workers = 5;
const typeMeta = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

export const statefulSetController: ControllerDescriptor = {
  name: 'statefulset-controller',
  setup: (ctx) => new StatefulSetController(ctx),
};

/** The spec's selector, or undefined when it cannot match anything valid. */
const selectorOf = (set: StatefulSet): LabelSelector | undefined => compileSelector(set.spec?.selector);

class StatefulSetController {
  readonly sets: Informer<StatefulSet>;
  readonly pods: Informer<Pod>;
  readonly claims: Informer<PersistentVolumeClaim>;
  readonly revisions: Informer<ControllerRevision>;
  readonly api: ResourceClient<StatefulSet>;
  readonly podApi: ResourceClient<Pod>;
  readonly claimApi: ResourceClient<PersistentVolumeClaim>;
  readonly revisionApi: ResourceClient<ControllerRevision>;
  readonly recorder: EventRecorder;
  private readonly queue: WorkQueue<string>;

  constructor(readonly ctx: ControllerContext) {
    this.sets = ctx.informers.informer<StatefulSet>(resources.statefulSets);
    this.pods = ctx.informers.informer<Pod>(resources.pods);
    this.claims = ctx.informers.informer<PersistentVolumeClaim>(resources.persistentVolumeClaims);
    this.revisions = ctx.informers.informer<ControllerRevision>(resources.controllerRevisions);
    indexByController(this.pods);
    indexByController(this.revisions);
    this.api = ctx.client.resource<StatefulSet>(resources.statefulSets);
    this.podApi = ctx.client.resource<Pod>(resources.pods);
    this.claimApi = ctx.client.resource<PersistentVolumeClaim>(resources.persistentVolumeClaims);
    this.revisionApi = ctx.client.resource<ControllerRevision>(resources.controllerRevisions);
    this.recorder = ctx.recorder('statefulset-controller');
    this.queue = new WorkQueue<string>(ctx.clock);
    const enqueue = (s: StatefulSet) => this.queue.add(objectKey(s));
    this.sets.on({ add: enqueue, update: (_, s) => enqueue(s), delete: enqueue });
    routePodEvents(this.pods, {
      kind: 'StatefulSet', owners: this.sets, selector: selectorOf, enqueue,
      changed: (s, old, cur) => {
        const minReady = s.spec?.minReadySeconds ?? 0;
        if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.addAfter(objectKey(s), minReady * 1000 + 1);
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'statefulset-controller', queue: this.queue, workers, sync: (key) => this.sync(key),
      waitFor: [this.sets, this.pods, this.claims, this.revisions], signal,
    });
  }

  private async sync(key: string): Promise<void> {
    const set = this.sets.cache.get(key);
    if (!set) return;
    const selector = selectorOf(set);
    if (!selector) return;
    if (selector.empty) {
      this.recorder.event(referenceTo(set, typeMeta), 'Warning', 'SelectingAll', 'This statefulset is selecting all pods. A non-empty selector is required.');
      return;
    }
    const ownerRef = newControllerRef(set, typeMeta.apiVersion, typeMeta.kind);
    const canAdopt = liveOwnerCheck(this.api, set);
    const revisions = await claimObjects({ candidates: claimCandidates(this.revisions, set), owner: set, ownerRef, selector, api: this.revisionApi, canAdopt });
    // Only pods named after the set are its members; others it controls are released.
    const members = claimCandidates(this.pods, set).filter((p) => isMemberOf(set, p));
    const pods = await claimObjects({ candidates: members, owner: set, ownerRef, selector, api: this.podApi, canAdopt });
    const run = new SetSync(this, set, pods, revisions);
    const status = await run.sync();
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status && (status.availableReplicas ?? 0) !== replicasOf(set)) {
      const now = this.ctx.clock.now();
      const next = Math.min(...pods.filter((p) => isPodReady(p) && !isPodAvailable(p, minReady, now)).map((p) => availableAt(p, minReady) ?? Infinity));
      this.queue.addAfter(key, Number.isFinite(next) ? next - now : minReady * 1000);
    }
  }
}

/** One sync of one StatefulSet (defaultStatefulSetControl.UpdateStatefulSet). */
class SetSync {
  private readonly ref: ObjectRef;
  private readonly ownerRef: ReturnType<typeof newControllerRef>;

  constructor(private readonly c: StatefulSetController, private set: StatefulSet, private readonly pods: Pod[], private readonly revisions: ControllerRevision[]) {
    this.ref = referenceTo(set, typeMeta);
    this.ownerRef = newControllerRef(set, typeMeta.apiVersion, typeMeta.kind);
  }

  private now(): number {
    return this.c.ctx.clock.now();
  }

  async sync(): Promise<SetStatus | undefined> {
    const { current, update, collisionCount } = await this.setRevisions();
    let status: SetStatus;
    let failure: unknown;
    try {
      status = await this.updatePods(current, update, collisionCount);
    } catch (err) {
      failure = err;
      status = this.baseStatus(current, update, collisionCount, this.pods);
    }
    completeRollingUpdate(this.set, status);
    if (statusChanged(this.set, status)) {
      try {
        this.set = await this.c.api.updateStatus({ ...this.set, status });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    await this.truncateHistory(current, update);
    if (failure) throw failure;
    return status;
  }

  /** getStatefulSetRevisions: the current revision (from status) and the update revision (the template's). */
  private async setRevisions(): Promise<{ current: ControllerRevision; update: ControllerRevision; collisionCount: number }> {
    const set = this.set;
    const revisions = [...this.revisions].sort(byRevisionNumber);
    const collision = set.status?.collisionCount ?? 0;
    const data = templatePatch(set.spec?.template);
    const nextNumber = nextRevisionNumber(revisions);
    const equal = revisions.filter((r) => sameData(r, data));
    let update: ControllerRevision;
    let collisionCount = collision;
    const last = revisions[revisions.length - 1];
    if (equal.length && last && equal[equal.length - 1].metadata?.name === last.metadata?.name) {
      update = last;
    } else if (equal.length) {
      // Rolling back to an earlier template: that revision becomes the newest.
      update = await this.c.revisionApi.update({ ...equal[equal.length - 1], revision: nextNumber });
    } else {
      const made = await createRevision(this.c.revisionApi, {
        owner: set, ref: this.ownerRef, templateLabels: set.spec?.template?.metadata?.labels, annotations: set.metadata?.annotations, data, revision: nextNumber,
      }, collision);
      update = made.revision;
      collisionCount = made.collisionCount ?? 0;
      this.revisions.push(update);
    }
    const current = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  private baseStatus(current: ControllerRevision, update: ControllerRevision, collisionCount: number, pods: readonly (Pod | undefined)[]): SetStatus {
    const counts = countPods(pods, this.set.spec?.minReadySeconds ?? 0, current.metadata?.name ?? '', update.metadata?.name ?? '', this.now());
    const status: SetStatus = {
      ...counts, observedGeneration: this.set.metadata?.generation, currentRevision: current.metadata?.name,
      updateRevision: update.metadata?.name, collisionCount,
    };
    for (const k of ['readyReplicas', 'availableReplicas', 'currentReplicas', 'updatedReplicas'] as const) if (!status[k]) delete status[k];
    return status;
  }

  private async updatePods(current: ControllerRevision, update: ControllerRevision, collisionCount: number): Promise<SetStatus> {
    const set = this.set;
    const start = startOrdinal(set);
    const count = replicasOf(set);
    const minReady = set.spec?.minReadySeconds ?? 0;
    const replicas: Pod[] = new Array(count);
    const condemned: Pod[] = [];
    for (const p of this.pods) {
      if (inOrdinalRange(p, set)) replicas[ordinalOf(p) - start] = p;
      else if (ordinalOf(p) >= 0) condemned.push(p);
    }
    const currentName = current.metadata?.name ?? '';
    const updateName = update.metadata?.name ?? '';
    const fresh = (ordinal: number) => revisionForOrdinal(set, ordinal) === 'current'
      ? newSetPod(set, templateOfRevision(current.data), this.ownerRef, ordinal, currentName)
      : newSetPod(set, templateOfRevision(update.data), this.ownerRef, ordinal, updateName);
    for (let i = 0; i < count; i++) replicas[i] ??= fresh(start + i);
    condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
    const firstUnhealthy = replicas.find((p) => !isHealthy(p)) ?? [...condemned].reverse().find((p) => !isHealthy(p));
    const status = () => this.baseStatus(current, update, collisionCount, [...replicas, ...condemned]);
    if (set.metadata?.deletionTimestamp) return status();
    const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
    if (await this.forAll(replicas.length, monotonic, (i) => this.processReplica(replicas, i, fresh, monotonic))) return status();
    if (await this.forAll(condemned.length, monotonic, (i) => this.fixClaims(condemned[i]))) return status();
    if (await this.forAll(condemned.length, monotonic, (i) => this.processCondemned(condemned[i], firstUnhealthy, monotonic, minReady))) return status();
    const result = status();
    if (set.spec?.updateStrategy?.type === 'OnDelete') return result;
    // Rolling update: replace the highest ordinal not at the update revision, one at a time.
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (let target = replicas.length - 1; target >= partition; target--) {
      const p = replicas[target];
      if (podRevision(p) !== updateName && !isTerminating(p)) {
        await this.deletePod(p);
        if (result.currentReplicas) result.currentReplicas--;
        return result;
      }
      if (!isHealthy(p)) return result;
    }
    return result;
  }

  /** runForAll: in order, stopping at the first that blocks (OrderedReady), or all at once (Parallel). True: stop. */
  private async forAll(n: number, monotonic: boolean, fn: (i: number) => Promise<boolean>): Promise<boolean> {
    if (monotonic) {
      for (let i = 0; i < n; i++) if (await fn(i)) return true;
      return false;
    }
    const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => fn(i)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return false;
  }

  /** processReplica: recreate finished pods, create missing ones, wait for ordered ones, fix identity and storage. */
  private async processReplica(replicas: Pod[], i: number, fresh: (ordinal: number) => Pod, monotonic: boolean): Promise<boolean> {
    const set = this.set;
    let pod = replicas[i];
    const phase = pod.status?.phase;
    if (phase === 'Failed' || phase === 'Succeeded') {
      if (phase === 'Failed') this.c.recorder.event(this.ref, 'Warning', 'RecreatingFailedPod', `StatefulSet ${set.metadata?.namespace}/${set.metadata?.name} is recreating failed Pod ${pod.metadata?.name}`);
      else this.c.recorder.event(this.ref, 'Normal', 'RecreatingTerminatedPod', `StatefulSet ${set.metadata?.namespace}/${set.metadata?.name} is recreating terminated Pod ${pod.metadata?.name}`);
      await this.deletePod(pod);
      pod = replicas[i] = fresh(startOrdinal(set) + i);
    }
    if (!isCreated(pod)) {
      // A claim still being deleted (left from an earlier pod) must go first.
      if (this.claimIsStale(pod)) return true;
      await this.createPod(pod);
      if (monotonic) return true;
    }
    if (phase === 'Pending') await this.createClaims(pod);
    if (isTerminating(pod) && monotonic) return true;
    if (!isRunningAndReady(pod) && monotonic) return true;
    if (!isRunningAndAvailable(pod, set.spec?.minReadySeconds ?? 0, this.now()) && monotonic) return true;
    if (identityMatches(set, pod) && storageMatches(set, pod) && this.claimsMatchPolicy(pod)) return false;
    await this.updatePod(pod);
    return false;
  }

  private async processCondemned(pod: Pod, firstUnhealthy: Pod | undefined, monotonic: boolean, minReady: number): Promise<boolean> {
    if (isTerminating(pod)) return monotonic;
    if (!isRunningAndReady(pod) && monotonic && pod !== firstUnhealthy) return true;
    if (!isRunningAndAvailable(pod, minReady, this.now()) && monotonic && pod !== firstUnhealthy) return true;
    await this.deletePod(pod);
    return monotonic;
  }

  private async fixClaims(pod: Pod): Promise<boolean> {
    if (!this.claimsMatchPolicy(pod)) await this.updateClaimOwners(pod);
    return false;
  }

  private claimOf(name: string): PersistentVolumeClaim | undefined {
    return this.c.claims.cache.getByName(this.set.metadata?.namespace ?? '', name);
  }

  private claimIsStale(pod: Pod): boolean {
    return claimsFor(this.set, ordinalOf(pod)).some((c) => {
      const cur = this.claimOf(c.claim.metadata?.name ?? '');
      return !!cur?.metadata?.deletionTimestamp;
    });
  }

  private claimsMatchPolicy(pod: Pod): boolean {
    if (!pod.metadata?.uid) return true;
    return claimsFor(this.set, ordinalOf(pod)).every((c) => {
      const cur = this.claimOf(c.claim.metadata?.name ?? '');
      if (!cur) return true;
      const want = claimOwnerRefs(cur.metadata?.ownerReferences, this.set, pod);
      return JSON.stringify(want) === JSON.stringify(cur.metadata?.ownerReferences ?? []);
    });
  }

  private async updateClaimOwners(pod: Pod): Promise<void> {
    for (const c of claimsFor(this.set, ordinalOf(pod))) {
      const cur = this.claimOf(c.claim.metadata?.name ?? '');
      if (!cur) continue;
      const want = claimOwnerRefs(cur.metadata?.ownerReferences, this.set, pod);
      if (JSON.stringify(want) === JSON.stringify(cur.metadata?.ownerReferences ?? [])) continue;
      await this.c.claimApi.patch(cur.metadata?.namespace ?? '', cur.metadata?.name ?? '', {
        metadata: { ownerReferences: want.length ? want : null, resourceVersion: cur.metadata?.resourceVersion },
      }, 'merge');
    }
  }

  /** Creates the pod's missing claims (recording SuccessfulCreate/FailedCreate for each). */
  private async createClaims(pod: Pod): Promise<void> {
    const set = this.set;
    for (const { claim } of claimsFor(set, ordinalOf(pod))) {
      const name = claim.metadata?.name ?? '';
      const cur = this.claimOf(name);
      if (cur) {
        if (cur.metadata?.deletionTimestamp) throw new Error(`pvc ${name} is being deleted`);
        continue;
      }
      const refs = claimOwnerRefs([], set, pod);
      if (refs.length) claim.metadata!.ownerReferences = refs;
      try {
        await this.c.claimApi.create(claim);
        this.c.recorder.event(this.ref, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} success`);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        this.c.recorder.event(this.ref, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} failed error: ${(err as Error).message}`);
        throw err;
      }
    }
  }

  private async createPod(pod: Pod): Promise<void> {
    await this.createClaims(pod);
    try {
      await this.c.podApi.create(pod);
      this.podEvent('create', pod);
    } catch (err) {
      // A pod of that name still exists (being deleted): wait for it.
      if (isAlreadyExists(err)) return;
      this.podEvent('create', pod, err);
      throw err;
    }
  }

  /** UpdateStatefulPod: restores identity and storage of an existing pod. */
  private async updatePod(pod: Pod): Promise<void> {
    const copy = structuredClone(pod);
    const ordinal = ordinalOf(copy);
    if (!identityMatches(this.set, copy)) setIdentity(this.set, copy, ordinal);
    if (!storageMatches(this.set, copy)) {
      withClaimVolumes(this.set, copy, ordinal);
      await this.createClaims(copy);
    }
    if (!this.claimsMatchPolicy(copy)) await this.updateClaimOwners(copy);
    if (identityMatches(this.set, pod) && storageMatches(this.set, pod)) return;
    try {
      await this.c.podApi.update(copy);
      this.podEvent('update', copy);
    } catch (err) {
      this.podEvent('update', copy, err);
      throw err;
    }
  }

  private async deletePod(pod: Pod): Promise<void> {
    try {
      await this.c.podApi.delete(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', { preconditions: { uid: pod.metadata?.uid } });
      this.podEvent('delete', pod);
    } catch (err) {
      if (isNotFound(err)) return;
      this.podEvent('delete', pod, err);
      throw err;
    }
  }

  /** recordPodEvent: "create Pod web-0 in StatefulSet web successful" and its failure form. */
  private podEvent(verb: 'create' | 'update' | 'delete', pod: Pod, err?: unknown): void {
    const title = verb[0].toUpperCase() + verb.slice(1);
    const subject = `${verb} Pod ${pod.metadata?.name} in StatefulSet ${this.set.metadata?.name}`;
    if (err === undefined) this.c.recorder.event(this.ref, 'Normal', `Successful${title}`, `${subject} successful`);
    else this.c.recorder.event(this.ref, 'Warning', `Failed${title}`, `${subject} failed error: ${(err as Error).message}`);
  }

  /** truncateHistory: keep revisionHistoryLimit revisions besides the live ones (current, update, any a pod runs). */
  private async truncateHistory(current: ControllerRevision, update: ControllerRevision): Promise<void> {
    const live = new Set([current.metadata?.name, update.metadata?.name, ...this.pods.map(podRevision)]);
    const history = this.revisions.filter((r) => !live.has(r.metadata?.name)).sort(byRevisionNumber);
    const limit = this.set.spec?.revisionHistoryLimit ?? 10;
    for (const r of history.slice(0, Math.max(0, history.length - limit))) {
      try {
        await this.c.revisionApi.delete(r.metadata?.namespace ?? '', r.metadata?.name ?? '', { preconditions: { uid: r.metadata?.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}
