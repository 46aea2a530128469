// The CRD controller inside the server: for every CustomResourceDefinition it checks the
// names, serves the resource once they are accepted (registry, discovery, schemas, OpenAPI),
// reports NamesAccepted and Established in status, and when a CRD is deleted removes its
// objects and then releases the CRD's cleanup finalizer.
import { logger } from '../../lib/log.js';
import { invalid, isStatusError } from '../api/errors.js';
import { clone, timestamp, type KubeObject } from '../api/object.js';
import type { ResourceDef } from '../api/resource.js';
import type { GroupVersionKind } from '../api/schema/schema.js';
import type { ApiContext } from '../registry/api-context.js';
import { systemUser, type RequestContext } from '../registry/context.js';
import { decoded } from '../registry/decoded.js';
import type { StoreEvent, Watcher } from '../storage/interfaces.js';
import { crdSchemas, customResourceDef, type Crd } from './custom-resource.js';
import { validateCrd } from './crd-validation.js';

const log = logger('crd');

export const cleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';
const group = 'apiextensions.k8s.io';
const plural = 'customresourcedefinitions';

interface Served {
  def: ResourceDef;
  /** The spec it was built from, so status-only changes do not rebuild it. */
  spec: string;
  gvks: { gvk: GroupVersionKind; names: string[] }[];
}

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

export class CrdController {
  private readonly served = new Map<string, Served>();
  private watcher?: Watcher;
  private queue: Promise<void> = Promise.resolve();
  private readonly ctx: RequestContext = { user: systemUser, namespace: '', dryRun: false, fieldManager: 'kube-apiserver' };

  constructor(private readonly api: ApiContext) {}

  /** Validation and the cleanup finalizer on CRD writes. */
  install(): void {
    const check = (obj: KubeObject) => {
      const errs = validateCrd(obj as Crd);
      if (errs.length) throw invalid({ group, kind: 'CustomResourceDefinition' }, obj.metadata.name ?? '', errs);
    };
    this.api.extend(group, plural, {
      hooks: {
        beforeCreate: (obj) => {
          check(obj);
          obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), cleanupFinalizer])];
        },
        beforeUpdate: (obj) => {
          if (!obj.metadata.deletionTimestamp) check(obj);
        },
      },
    });
  }

  /** Serves every stored CRD now, then follows changes. */
  async start(): Promise<void> {
    const rs = this.api.storeFor(group, plural);
    const list = this.api.store.list(rs.prefix(''));
    for (const kv of list.items) await this.reconcile(decoded(kv).metadata.name ?? '');
    this.watcher = this.api.store.watch(rs.prefix(''), {
      fromRevision: list.revision,
      onEvents: (events: readonly StoreEvent[]) => {
        for (const e of events) {
          const name = (JSON.parse(e.kv.value) as KubeObject).metadata.name ?? '';
          this.queue = this.queue.then(() => this.reconcile(name)).catch((err) => log.error({ err, name }, 'reconcile failed'));
        }
      },
    });
  }

  stop(): void {
    this.watcher?.stop();
  }

  /** Resolves once every queued reconcile has run (for tests and shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async reconcile(name: string): Promise<void> {
    const rs = this.api.storeFor(group, plural);
    const kv = this.api.store.getLatest(rs.key('', name));
    if (!kv) {
      this.unserve(name);
      return;
    }
    const crd = decoded(kv) as Crd;
    if (crd.metadata.deletionTimestamp) {
      await this.cleanup(crd);
      return;
    }
    const conflict = this.nameConflict(crd);
    if (!conflict) this.serve(crd);
    await this.writeStatus(crd, conflict);
  }

  /** Another resource of the group already serving the plural (or kind) makes the names unacceptable. */
  private nameConflict(crd: Crd): string | undefined {
    const { group: g, names } = crd.spec;
    const mine = this.served.get(crd.metadata.name ?? '')?.def;
    for (const def of this.api.registry.all()) {
      if (def.group !== g || def === mine) continue;
      if (def.plural === names.plural) return `"${names.plural}" is already in use`;
      if (def.kind === names.kind) return `"${names.kind}" is already in use`;
    }
    return undefined;
  }

  private serve(crd: Crd): void {
    const name = crd.metadata.name ?? '';
    const spec = JSON.stringify(crd.spec);
    const prev = this.served.get(name);
    if (prev?.spec === spec) return;
    const def = customResourceDef(crd.spec);
    if (prev) this.unserve(name);
    const gvks: Served['gvks'] = [];
    for (const s of crdSchemas(crd.spec)) {
      this.api.schemas.setCustom(s.gvk, s.name, s.schema, new Map([[s.list.name, s.list.schema]]));
      gvks.push({ gvk: s.gvk, names: [s.name, s.list.name] });
    }
    this.api.registry.add(def);
    this.served.set(name, { def, spec, gvks });
    if (!prev) log.info({ crd: name, versions: def.versions.map((v) => v.name) }, 'serving custom resource');
  }

  private unserve(name: string): void {
    const s = this.served.get(name);
    if (!s) return;
    this.api.registry.remove(s.def.group, s.def.plural);
    for (const { gvk, names } of s.gvks) this.api.schemas.removeCustom(gvk, names.slice(1));
    this.served.delete(name);
  }

  private async writeStatus(crd: Crd, conflict: string | undefined): Promise<void> {
    const accepted: Condition = conflict
      ? { type: 'NamesAccepted', status: 'False', reason: 'PluralConflict', message: conflict }
      : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
    const established: Condition = conflict
      ? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }
      : { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };
    const rs = this.api.storeFor(group, plural);
    try {
      await rs.guaranteedUpdate('', crd.metadata.name ?? '', this.ctx, (cur) => {
        const status = (cur.status ?? {}) as { conditions?: Condition[]; acceptedNames?: unknown; storedVersions?: string[] };
        const old = status.conditions ?? [];
        const now = timestamp();
        status.conditions = [accepted, established].map((c) => {
          const was = old.find((o) => o.type === c.type);
          return { ...c, lastTransitionTime: was && was.status === c.status ? was.lastTransitionTime : now };
        });
        for (const o of old) if (o.type !== 'NamesAccepted' && o.type !== 'Established') status.conditions.push(o);
        status.acceptedNames = conflict ? (status.acceptedNames ?? { plural: '', kind: '' }) : clone(acceptedNamesOf(crd));
        const storage = crd.spec.versions.find((v) => v.storage)?.name;
        status.storedVersions = [...new Set([...(status.storedVersions ?? []), ...(storage && !conflict ? [storage] : [])])];
        cur.status = status;
        return cur;
      }, { subresource: 'status' });
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
  }

  /** Deletes every object of a CRD being deleted, then lets the CRD go. */
  private async cleanup(crd: Crd): Promise<void> {
    const name = crd.metadata.name ?? '';
    const s = this.served.get(name);
    if (s) {
      const rs = this.api.restStore(s.def);
      for (const kv of this.api.store.list(rs.prefix('')).items) {
        const o = decoded(kv);
        try {
          await rs.delete(o.metadata.namespace ?? '', o.metadata.name ?? '', { propagationPolicy: 'Background' }, this.ctx);
        } catch (err) {
          if (!isStatusError(err, 'NotFound')) throw err;
        }
      }
      if (this.api.store.count(rs.prefix('')) > 0) return;
      this.unserve(name);
    }
    if (!(crd.metadata.finalizers ?? []).includes(cleanupFinalizer)) return;
    const crds = this.api.storeFor(group, plural);
    try {
      await crds.guaranteedUpdate('', name, this.ctx, (cur) => {
        cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== cleanupFinalizer);
        return cur;
      });
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
    log.info({ crd: name }, 'custom resource definition removed');
  }
}

function acceptedNamesOf(crd: Crd): Record<string, unknown> {
  const n = crd.spec.names;
  const out: Record<string, unknown> = { plural: n.plural, singular: n.singular || n.kind.toLowerCase(), kind: n.kind, listKind: n.listKind ?? `${n.kind}List` };
  if (n.shortNames?.length) out.shortNames = n.shortNames;
  if (n.categories?.length) out.categories = n.categories;
  return out;
}
