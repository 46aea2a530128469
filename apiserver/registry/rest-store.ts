// RestStore is the generic store behind every resource: create, get, list, update, delete and
// watch written once, with each kind's strategy hooks called in a fixed order. Kind-specific
// behaviour lives in the ResourceDef, never in a switch here.
import { randomUUID } from 'node:crypto';
import {
  alreadyExists, badRequest, conflict, invalid, modifiedConflictMessage, notFound,
} from '../api/errors.js';
import { GoValue, invalidValue, path, type FieldError } from '../api/field-errors.js';
import { clone, deepEqual, timestamp, type KubeObject, type ObjectMeta } from '../api/object.js';
import { groupResource, type ResourceDef, type Strategy, type StrategyContext } from '../api/resource.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../api/validation/meta.js';
import { isStorageError, type KV, type Store } from '../storage/interfaces.js';
import { decoded, fresh } from './decoded.js';
import type { Admission, RequestContext } from './context.js';
import { generateNameSuffix } from './names.js';

export interface ResourceHooks {
  /** Runs after validation, before the write; may reserve resources (returns how to release them). */
  beforeCreate?(obj: KubeObject, ctx: RequestContext): Promise<(() => void) | void> | (() => void) | void;
  beforeUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): Promise<(() => void) | void> | (() => void) | void;
  /** Runs once an update is committed (releases what the old object held and the new one does not). */
  afterUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Runs once an object is gone from storage. */
  afterDelete?(obj: KubeObject): void;
  /**
   * For kinds whose deletion waits on more than metadata.finalizers (a namespace waits for its
   * spec.finalizers): marks the object as it should look while deletion is pending (mutating
   * it) and returns whether it must stay.
   */
  pendingDeletion?(obj: KubeObject): boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  object: KubeObject;
  /** False when the object was only marked for deletion (finalizers or grace period). */
  deleted: boolean;
}

/** Records metadata.managedFields on writes (who owns which fields, for server-side apply). */
export interface FieldTracker {
  created(obj: KubeObject, def: ResourceDef, ctx: RequestContext): void;
  updated(old: KubeObject, next: KubeObject, def: ResourceDef, ctx: RequestContext, subresource?: string): void;
}

/** Decides a graceful deletion: how long the object should linger, or 0 to delete now. */
export type GracefulDelete = (obj: KubeObject, requested: number | undefined) => number;

const maxUpdateAttempts = 16;

export class RestStore {
  readonly gr: { group: string; resource: string };

  constructor(
    readonly def: ResourceDef,
    private readonly store: Store,
    private readonly admission: Admission,
    private readonly hooks: ResourceHooks = {},
    private readonly gracefulDelete?: GracefulDelete,
    private readonly fields?: FieldTracker,
  ) {
    this.gr = groupResource(def);
  }

  key(namespace: string, name: string): string {
    return this.def.namespaced ? `${this.def.storagePrefix}${namespace}/${name}` : `${this.def.storagePrefix}${name}`;
  }

  /** The namespace ('' for cluster-scoped kinds) and name a storage key stands for: key()'s inverse. */
  identityOfKey(key: string): { namespace: string; name: string } {
    const path = key.slice(this.def.storagePrefix.length);
    const slash = this.def.namespaced ? path.indexOf('/') : -1;
    return { namespace: slash < 0 ? '' : path.slice(0, slash), name: path.slice(slash + 1) };
  }

  /** Storage prefix for a list: one namespace, or all of them when namespace is ''. */
  prefix(namespace: string): string {
    return this.def.namespaced && namespace ? `${this.def.storagePrefix}${namespace}/` : this.def.storagePrefix;
  }

  get(namespace: string, name: string): KV {
    const kv = this.store.get(this.key(namespace, name));
    if (!kv) throw notFound(this.gr, name);
    return kv;
  }

  private latest(namespace: string, name: string): KV {
    const kv = this.store.getLatest(this.key(namespace, name));
    if (!kv) throw notFound(this.gr, name);
    return kv;
  }

  // ---- create ---------------------------------------------------------------------------

  /**
   * Creates an object; answers with the stored object (shared: never mutate it).
   * `keepManagedFields`: the caller (server-side apply) already set metadata.managedFields.
   */
  async create(namespace: string, input: KubeObject, ctx: RequestContext, opts: { keepManagedFields?: boolean } = {}): Promise<KubeObject> {
    const created = await this.createValue(namespace, input, ctx, opts);
    return created.kv ? decoded(created.kv) : created.dryRun;
  }

  /**
   * As create, answering with the stored value itself: a response is written from its bytes,
   * without parsing and serializing the object again. A dry run stores nothing: its object.
   */
  async createValue(
    namespace: string, input: KubeObject, ctx: RequestContext, opts: { keepManagedFields?: boolean } = {},
  ): Promise<{ kv: KV; dryRun?: undefined } | { kv?: undefined; dryRun: KubeObject }> {
    const obj = input;
    this.stampTypeMeta(obj);
    const meta = obj.metadata;
    if (this.def.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace || meta.namespace;
    } else {
      delete meta.namespace;
    }
    const generated = !meta.name && !!meta.generateName;
    fillSystemFields(meta, this.def.behaviour.generation);
    const sctx = this.strategyContext(ctx);
    this.def.strategy.default?.(obj);
    // Kubernetes' order: mutating admission, then the strategy (so what admission adds is
    // validated too), then validating admission. The name is generated in between, with the
    // strategy: a mutating plugin's refusal names the generateName prefix (pods "web-" is
    // forbidden), a validating plugin's the generated name, as upstream's attributes do.
    const attrs = { operation: 'CREATE', def: this.def, namespace, name: meta.name || meta.generateName || '', object: obj, ctx } as const;
    await this.admission.mutate(attrs);
    if (generated) meta.name = meta.generateName + generateNameSuffix();
    this.def.strategy.prepareForCreate?.(obj, sctx);
    this.validateCreate(obj, this.def.strategy, sctx);
    this.def.strategy.canonicalize?.(obj);
    await this.admission.validate({ ...attrs, name: meta.name ?? '' });
    if (!opts.keepManagedFields) this.fields?.created(obj, this.def, ctx);
    // A generated name that happens to be taken is drawn again (Kubernetes' RetryGenerateName).
    for (let i = 0; generated && i < 8 && this.store.getLatest(this.key(namespace, meta.name!)); i++) {
      meta.name = meta.generateName + generateNameSuffix();
    }
    // Refuse duplicates before hooks reserve anything (an allocator would report a conflict instead).
    if (this.store.getLatest(this.key(namespace, meta.name!))) throw alreadyExists(this.gr, meta.name!);
    const release = await this.hooks.beforeCreate?.(obj, ctx);
    if (ctx.dryRun) {
      release?.();
      return { dryRun: obj };
    }
    try {
      return { kv: await this.store.create(this.key(namespace, meta.name!), encoder(obj)) };
    } catch (err) {
      release?.();
      if (isStorageError(err, 'KeyExists')) throw alreadyExists(this.gr, meta.name!);
      throw err;
    }
  }

  private validateCreate(obj: KubeObject, strategy: Strategy, sctx: StrategyContext): void {
    const errs: FieldError[] = [
      ...validateObjectMeta(obj.metadata, { namespaced: this.def.namespaced, nameValidator: this.def.behaviour.nameValidator }, path('metadata')),
      ...(strategy.validate?.(obj, sctx) ?? []),
    ];
    if (errs.length) throw invalid({ group: this.def.group, kind: this.def.kind }, obj.metadata.name ?? '', errs);
  }

  // ---- update ---------------------------------------------------------------------------

  /**
   * Replaces an object (PUT). Returns the stored object and whether it was created.
   * `subresource` 'status' uses the status strategy: only status changes.
   */
  async update(
    namespace: string, name: string, input: KubeObject, ctx: RequestContext, subresource?: string,
  ): Promise<{ object: KubeObject; created: boolean }> {
    this.stampTypeMeta(input);
    const meta = input.metadata;
    if (meta.name && meta.name !== name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    if (this.def.namespaced && meta.namespace && namespace && meta.namespace !== namespace) {
      throw badRequest(`the namespace of the provided object (${meta.namespace}) does not match the namespace sent on the request (${namespace})`);
    }
    meta.name = name;
    if (this.def.namespaced) meta.namespace = namespace;
    const requestedRV = parseResourceVersion(meta.resourceVersion);
    const current = this.store.getLatest(this.key(namespace, name));
    if (!current) {
      if (!this.def.behaviour.allowCreateOnUpdate || subresource) throw notFound(this.gr, name);
      if (requestedRV !== undefined) throw notFound(this.gr, name);
      delete meta.resourceVersion;
      try {
        return { object: await this.create(namespace, input, ctx), created: true };
      } catch (err) {
        // Lost a race with another creator: fall through to a normal update.
        if (!(err instanceof Error && 'reason' in err && (err as { reason?: string }).reason === 'AlreadyExists')) throw err;
      }
    }
    const object = await this.guaranteedUpdate(namespace, name, ctx, (_cur) => clone(input), {
      preconditionFromObject: true, subresource,
    });
    return { object, created: false };
  }

  /**
   * Read-modify-write with conflict retries: `tryUpdate` gets a private copy of the current
   * object and returns the desired one. With `expectedRV`, a stale read is a 409 instead of a retry.
   * With `preconditionFromObject`, the resourceVersion the desired object carries is that
   * precondition, as Kubernetes' Update reads it: PUT and PATCH alike, so a patch that sets or
   * removes metadata.resourceVersion is conditional or not just as a replace would be.
   */
  async guaranteedUpdate(
    namespace: string, name: string, ctx: RequestContext,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: { expectedRV?: number; preconditionFromObject?: boolean; subresource?: string; writesStatus?: boolean; keepManagedFields?: boolean } = {},
  ): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const cur = this.latest(namespace, name);
      if (opts.expectedRV !== undefined && opts.expectedRV !== cur.modRevision) {
        throw conflict(this.gr, name, modifiedConflictMessage);
      }
      const old = decoded(cur);
      const next = await tryUpdate(fresh(cur));
      this.stampTypeMeta(next);
      const expectedRV = opts.preconditionFromObject ? this.carriedPrecondition(next, name) : opts.expectedRV;
      if (expectedRV !== undefined && expectedRV !== cur.modRevision) throw conflict(this.gr, name, modifiedConflictMessage);
      const strategy = opts.subresource === 'status' && this.def.statusStrategy ? this.def.statusStrategy : this.def.strategy;
      const prepared = await this.prepareUpdate(next, old, strategy, ctx, opts.subresource, opts.writesStatus);
      if (!opts.keepManagedFields) this.fields?.updated(old, prepared, this.def, ctx, opts.subresource);
      if (deepEqual(withoutVolatile(prepared), withoutVolatile(old))) return old;
      const release = await this.hooks.beforeUpdate?.(prepared, old, ctx);
      if (ctx.dryRun) {
        release?.();
        return prepared;
      }
      try {
        if (isFinalizedDeletion(prepared) && !this.hooks.pendingDeletion?.(prepared)) return await this.removeFinalized(namespace, name, cur);
        const kv = await this.store.update(cur.key, cur.modRevision, encoder(prepared));
        const stored = decoded(kv);
        this.hooks.afterUpdate?.(stored, old);
        return stored;
      } catch (err) {
        release?.();
        if (isStorageError(err, 'NotFound')) throw notFound(this.gr, name);
        if (isStorageError(err, 'Conflict')) {
          // A precondition read from the object is checked again on the retry: a stale replace is
          // then refused, a patch is applied anew to the newer object, as upstream retries.
          if (opts.expectedRV !== undefined) throw conflict(this.gr, name, modifiedConflictMessage);
          if (attempt < maxUpdateAttempts) continue;
          throw conflict(this.gr, name, modifiedConflictMessage);
        }
        throw err;
      }
    }
  }

  /**
   * The revision an update's object is conditional on; none (or "0") means unconditional, which
   * only kinds that allow it accept (Kubernetes names the resource and shows the value as Go's
   * %#v of a uint64).
   */
  private carriedPrecondition(obj: KubeObject, name: string): number | undefined {
    const rv = parseResourceVersion(obj.metadata.resourceVersion);
    if (rv === undefined && !this.def.behaviour.allowUnconditionalUpdate) {
      throw invalid({ group: this.gr.group, kind: this.gr.resource }, name, [
        invalidValue(path('metadata', 'resourceVersion'), new GoValue('0x0'), 'must be specified for an update'),
      ]);
    }
    return rv;
  }

  private async prepareUpdate(
    obj: KubeObject, old: KubeObject, strategy: Strategy, ctx: RequestContext, subresource?: string, writesStatus = false,
  ): Promise<KubeObject> {
    const meta = obj.metadata;
    const om = old.metadata;
    meta.name = om.name;
    if (this.def.namespaced) meta.namespace = om.namespace;
    // System fields an update may not change.
    meta.uid ||= om.uid;
    meta.creationTimestamp = om.creationTimestamp;
    if (om.generation !== undefined) meta.generation = om.generation;
    if (om.deletionTimestamp) meta.deletionTimestamp = om.deletionTimestamp;
    if (om.deletionGracePeriodSeconds !== undefined && meta.deletionGracePeriodSeconds === undefined) {
      meta.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
    }
    const sctx = this.strategyContext(ctx, subresource);
    this.def.strategy.default?.(obj);
    const attrs = { operation: 'UPDATE', def: this.def, subresource, namespace: om.namespace ?? '', name: om.name ?? '', object: obj, oldObject: old, ctx } as const;
    await this.admission.mutate(attrs);
    if (subresource === 'status') keepAllButStatus(obj, old, strategy.statusResetsMetadata ?? []);
    else if (this.def.statusStrategy && !writesStatus) obj.status = clone(old.status);
    strategy.prepareForUpdate?.(obj, old, sctx);
    if (this.def.behaviour.generation && subresource !== 'status' && specChanged(obj, old)) {
      meta.generation = (om.generation ?? 0) + 1;
    }
    const errs: FieldError[] = [
      ...validateObjectMeta(meta, { namespaced: this.def.namespaced, nameValidator: this.def.behaviour.nameValidator }, path('metadata')),
      ...validateObjectMetaUpdate(meta, om, path('metadata')),
      ...(strategy.validateUpdate?.(obj, old, sctx) ?? strategy.validate?.(obj, sctx) ?? []),
    ];
    if (errs.length) throw invalid({ group: this.def.group, kind: this.def.kind }, om.name ?? '', errs);
    strategy.canonicalize?.(obj);
    await this.admission.validate(attrs);
    return obj;
  }

  /** An update that removed the last finalizer of an object being deleted removes it. */
  private async removeFinalized(namespace: string, name: string, cur: KV): Promise<KubeObject> {
    try {
      const gone = await this.store.delete(cur.key, cur.modRevision);
      const obj = decoded(gone);
      this.hooks.afterDelete?.(obj);
      return obj;
    } catch (err) {
      if (isStorageError(err, 'NotFound')) throw notFound(this.gr, name);
      throw err;
    }
  }

  // ---- delete ---------------------------------------------------------------------------

  async delete(namespace: string, name: string, opts: DeleteOptions, ctx: RequestContext): Promise<DeleteResult> {
    for (let attempt = 0; attempt < maxUpdateAttempts; attempt++) {
      const cur = this.latest(namespace, name);
      const obj = decoded(cur);
      checkPreconditions(this.gr, name, obj, opts.preconditions);
      const attrs = { operation: 'DELETE', def: this.def, namespace, name, oldObject: obj, ctx } as const;
      await this.admission.mutate(attrs);
      await this.admission.validate(attrs);
      const plan = this.planDeletion(obj, opts);
      if (plan.kind === 'mark') {
        if (ctx.dryRun) return { object: plan.next, deleted: false };
        if (deepEqual(plan.next, obj)) return { object: obj, deleted: false };
        try {
          const kv = await this.store.update(cur.key, cur.modRevision, encoder(plan.next));
          return { object: decoded(kv), deleted: false };
        } catch (err) {
          if (isStorageError(err, 'Conflict')) continue;
          if (isStorageError(err, 'NotFound')) throw notFound(this.gr, name);
          throw err;
        }
      }
      if (ctx.dryRun) return { object: obj, deleted: true };
      try {
        const gone = await this.store.delete(cur.key, cur.modRevision);
        const deletedObj = decoded(gone);
        this.hooks.afterDelete?.(deletedObj);
        return { object: deletedObj, deleted: true };
      } catch (err) {
        if (isStorageError(err, 'Conflict')) continue;
        if (isStorageError(err, 'NotFound')) throw notFound(this.gr, name);
        throw err;
      }
    }
    throw conflict(this.gr, name, modifiedConflictMessage);
  }

  /** Whether deleting now removes the object, or only marks it (finalizers, grace period). */
  private planDeletion(obj: KubeObject, opts: DeleteOptions): { kind: 'remove' } | { kind: 'mark'; next: KubeObject } {
    const next = clone(obj);
    const meta = next.metadata;
    const finalizers = new Set(meta.finalizers ?? []);
    const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : undefined);
    if (policy === 'Orphan') {
      finalizers.delete('foregroundDeletion');
      finalizers.add('orphan');
    } else if (policy === 'Foreground') {
      finalizers.delete('orphan');
      finalizers.add('foregroundDeletion');
    } else if (policy === 'Background') {
      finalizers.delete('orphan');
      finalizers.delete('foregroundDeletion');
    }
    const gracePeriod = this.gracefulDelete?.(obj, opts.gracePeriodSeconds) ?? 0;
    const pending = this.hooks.pendingDeletion?.(next) ?? false;
    if (finalizers.size === 0 && gracePeriod <= 0 && !pending) return { kind: 'remove' };
    if (finalizers.size > 0) meta.finalizers = [...finalizers];
    else delete meta.finalizers;
    const now = Date.now();
    if (gracePeriod > 0) {
      const proposed = timestamp(new Date(now + gracePeriod * 1000));
      // A second delete may shorten the grace period, never extend it.
      if (!meta.deletionTimestamp || proposed < meta.deletionTimestamp) {
        meta.deletionTimestamp = proposed;
        meta.deletionGracePeriodSeconds = gracePeriod;
      }
    } else {
      meta.deletionTimestamp ??= timestamp(new Date(now));
      meta.deletionGracePeriodSeconds = 0;
    }
    if (meta.generation !== undefined && !obj.metadata.deletionTimestamp) meta.generation++;
    return { kind: 'mark', next };
  }

  // ---- helpers --------------------------------------------------------------------------

  /** Sets apiVersion/kind to the storage version; a body of another kind was refused earlier. */
  private stampTypeMeta(obj: KubeObject): void {
    obj.apiVersion = this.def.storageApiVersion;
    obj.kind = this.def.kind;
    obj.metadata ??= {};
  }

  private strategyContext(ctx: RequestContext, subresource?: string): StrategyContext {
    return { namespace: ctx.namespace, user: ctx.user, subresource };
  }
}

/** Serializes with the revision the store assigns as resourceVersion. */
export function encoder(obj: KubeObject): (rev: number) => string {
  return (rev) => {
    obj.metadata.resourceVersion = String(rev);
    return JSON.stringify(obj);
  };
}

function fillSystemFields(meta: ObjectMeta, generation: boolean): void {
  meta.uid = randomUUID();
  meta.creationTimestamp = timestamp();
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (generation) meta.generation = 1;
  else delete meta.generation;
}

/**
 * The resourceVersion an update is conditional on. "0", like no value, means unconditional, as
 * Kubernetes' update reads it: objects saved from a fresh template often say "0".
 */
export function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  return Number(rv) === 0 ? undefined : Number(rv);
}

function checkPreconditions(
  gr: { group: string; resource: string }, name: string, obj: KubeObject, pre: DeleteOptions['preconditions'],
): void {
  if (pre?.uid && pre.uid !== obj.metadata.uid) {
    throw conflict(gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
  }
}

/**
 * A write through /status changes status and, unless the strategy resets it, metadata: every
 * other field (spec, data, ...) is the stored object's.
 */
function keepAllButStatus(obj: KubeObject, old: KubeObject, resets: NonNullable<Strategy['statusResetsMetadata']>): void {
  const status = obj.status;
  const meta = obj.metadata;
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, clone(old));
  if (resets !== 'all') {
    // obj.metadata is now a copy of the stored metadata: take the reset fields from it.
    for (const field of resets) {
      if (obj.metadata[field] === undefined) delete meta[field];
      else meta[field] = obj.metadata[field] as never;
    }
    obj.metadata = meta;
  }
  obj.metadata.resourceVersion = meta.resourceVersion;
  if (status === undefined) delete obj.status;
  else obj.status = status;
}

/** Whether anything outside metadata and status changed (what bumps metadata.generation). */
function specChanged(obj: KubeObject, old: KubeObject): boolean {
  const keys = new Set([...Object.keys(obj), ...Object.keys(old)]);
  for (const k of keys) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!deepEqual(obj[k], old[k])) return true;
  }
  return false;
}

/**
 * The object without what differs on every write (to detect no-op updates): the resourceVersion
 * and the times in managedFields (a change of ownership alone is a change).
 */
function withoutVolatile(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, managedFields, ...meta } = obj.metadata;
  const owners = managedFields?.map(({ time: _t, ...rest }) => rest);
  return { ...obj, metadata: owners?.length ? { ...meta, managedFields: owners } : meta };
}

function isFinalizedDeletion(obj: KubeObject): boolean {
  const m = obj.metadata;
  return !!m.deletionTimestamp && (m.finalizers ?? []).length === 0 && (m.deletionGracePeriodSeconds ?? 0) === 0;
}
