// managedFields: who owns which fields of an object, per manager and operation, and the two
// ways ownership changes (structured-merge-diff's Updater): an update takes the fields it
// changed from everyone else, and an apply owns exactly what it applied, removes what it no
// longer applies, and conflicts with other owners of fields it changes unless forced.
import type { ManagedFieldsEntry } from '../api/object.js';
import { timestamp } from '../api/object.js';
import type { Schema } from '../api/schema/schema.js';
import { FieldSet, pathString } from './fieldset.js';
import type { TypedView } from './typed.js';

export interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource?: string;
  apiVersion: string;
  time?: string;
  set: FieldSet;
}

export interface Conflict {
  /** How the manager is shown: "kubectl" or `"kubectl-client-side-apply" using apps/v1`. */
  manager: string;
  /** Sort key: the manager identifier Kubernetes sorts by. */
  id: string;
  path: string;
}

export class ApplyConflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(conflictMessage(conflicts));
  }
}

/** Kubernetes' wording: one conflict inline, several grouped by manager. */
export function conflictMessage(conflicts: readonly Conflict[]): string {
  if (conflicts.length === 1) return `Apply failed with 1 conflict: conflict with ${conflicts[0].manager}: ${conflicts[0].path}`;
  const byManager = new Map<string, { shown: string; paths: string[] }>();
  for (const c of conflicts) {
    const e = byManager.get(c.id) ?? { shown: c.manager, paths: [] };
    e.paths.push(c.path);
    byManager.set(c.id, e);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const e = byManager.get(id)!;
    lines.push(`conflicts with ${e.shown}:`, ...e.paths.map((p) => `- ${p}`));
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** The identifier Kubernetes keys managers by (appliers without apiVersion). */
function managerId(m: Manager): string {
  const id: Record<string, string> = { manager: m.manager, operation: m.operation };
  if (m.operation === 'Update') id.apiVersion = m.apiVersion;
  if (m.subresource) id.subresource = m.subresource;
  return JSON.stringify(id);
}

const sameManager = (a: Pick<Manager, 'manager' | 'operation' | 'subresource'>, b: Pick<Manager, 'manager' | 'operation' | 'subresource'>) =>
  a.manager === b.manager && a.operation === b.operation && (a.subresource ?? '') === (b.subresource ?? '');

function shown(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

export function decodeManagers(entries: readonly ManagedFieldsEntry[] | undefined): Manager[] {
  return (entries ?? []).filter((e) => e.manager !== undefined && (e.operation === 'Apply' || e.operation === 'Update')).map((e) => ({
    manager: e.manager!, operation: e.operation!, subresource: e.subresource, apiVersion: e.apiVersion ?? '', time: e.time,
    set: FieldSet.fromFieldsV1(e.fieldsV1),
  }));
}

/** managedFields as Kubernetes orders them: appliers first, then by time and name. */
export function encodeManagers(managers: readonly Manager[]): ManagedFieldsEntry[] {
  const sorted = managers.filter((m) => !m.set.isEmpty()).sort((a, b) =>
    a.operation !== b.operation ? (a.operation < b.operation ? -1 : 1)
      : (a.time ?? '') !== (b.time ?? '') ? ((a.time ?? '') < (b.time ?? '') ? -1 : 1)
        : a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0);
  return sorted.map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

export interface Actor {
  manager: string;
  subresource?: string;
  apiVersion: string;
}

/**
 * Which paths a write through this endpoint does not own (system metadata; status or spec by
 * subresource). Everything below an ignored path is ignored too, so walks skip whole subtrees.
 */
export type Ignore = (path: readonly string[]) => boolean;

export class ManagedFields {
  constructor(private readonly view: TypedView) {}

  /** The managers of a new object (as update from {} with no managers): the writer owns what it set. */
  created(obj: Record<string, unknown>, schema: Schema | undefined, actor: Actor, ignore: Ignore): Manager[] {
    const set = this.view.added(obj, schema, ignore);
    if (set.isEmpty()) return [];
    return [{ manager: actor.manager, operation: 'Update', subresource: actor.subresource, apiVersion: actor.apiVersion, time: timestamp(), set }];
  }

  /** The managers after a non-apply write changed `before` into `after`. */
  update(before: unknown, after: unknown, schema: Schema | undefined, managers: Manager[], actor: Actor, ignore: Ignore): Manager[] {
    const cmp = this.view.compare(before, after, schema, ignore);
    // A create changes nothing that was there: the added fields are the whole story.
    const changed = cmp.modified.hasMembers() ? cmp.added.union(cmp.modified) : cmp.added;
    const me: Manager = { manager: actor.manager, operation: 'Update', subresource: actor.subresource, apiVersion: actor.apiVersion, set: new FieldSet() };
    const out: Manager[] = [];
    let mine: Manager | undefined;
    for (const m of managers) {
      if (sameManager(m, me) && m.apiVersion === me.apiVersion) {
        mine = m;
        continue;
      }
      out.push({ ...m, set: m.set.difference(changed).difference(cmp.removed) });
    }
    const next = mine ? mine.set.difference(cmp.removed).union(changed) : changed;
    if (!next.isEmpty()) {
      const same = mine && mine.set.equals(next);
      out.push({ ...me, time: same ? mine!.time : timestamp(), set: next });
    }
    return out.filter((m) => !m.set.isEmpty());
  }

  /**
   * The fields a client-side apply's last-applied configuration still speaks for: those it sets
   * that the live object holds unchanged (structured-merge-diff's view, as Kubernetes' upgrade
   * from client-side to server-side apply computes it).
   */
  lastAppliedFields(live: unknown, lastApplied: unknown, schema: Schema | undefined, ignore: Ignore): FieldSet {
    const cmp = this.view.compare(lastApplied, live, schema, ignore);
    return this.view.toFieldSet(lastApplied, schema, ignore).difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
  }

  /**
   * Applies `config` for `actor` to `live` (an empty object when creating): returns the new
   * object and managers, or throws ApplyConflicts. Conflicts on `forgiven` fields do not count:
   * the apply takes them over as if forced.
   */
  apply(
    live: Record<string, unknown>, config: Record<string, unknown>, schema: Schema | undefined, managers: Manager[], actor: Actor, ignore: Ignore, force: boolean,
    forgiven?: FieldSet,
  ): { object: Record<string, unknown>; managers: Manager[] } {
    const me: Manager = { manager: actor.manager, operation: 'Apply', subresource: actor.subresource, apiVersion: actor.apiVersion, set: this.view.toFieldSet(config, schema, ignore) };
    const last = managers.find((m) => sameManager(m, me));
    const others = managers.filter((m) => !sameManager(m, me));
    let merged = this.view.merge(live, config, schema) as Record<string, unknown>;
    if (last) {
      // Fields this manager applied before and no longer applies go, unless someone still owns
      // them or something below them (this apply included: a map kubectl's client-side-apply
      // upgrade recorded as owned stays while the apply sets its keys).
      const gone = [...last.set.difference(me.set).paths()].filter((p) => !me.set.hasPrefix(p) && !others.some((o) => o.set.hasPrefix(p)));
      merged = this.view.remove(merged, gone.sort((a, b) => a.length - b.length), schema) as Record<string, unknown>;
    }
    const cmp = this.view.compare(live, merged, schema, ignore);
    const changed = cmp.added.union(cmp.modified);
    const conflicts: Conflict[] = [];
    for (const o of others) {
      for (const p of o.set.intersection(changed).paths()) if (!forgiven?.has(p)) conflicts.push({ manager: shown(o), id: managerId(o), path: pathString(p) });
    }
    if (conflicts.length && !force) {
      conflicts.sort((a, b) => (a.id !== b.id ? (a.id < b.id ? -1 : 1) : a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      throw new ApplyConflicts(conflicts);
    }
    const sameAsLast = last && last.set.equals(me.set) && last.apiVersion === me.apiVersion;
    const out: Manager[] = others.map((o) => ({ ...o, set: o.set.difference(changed).difference(cmp.removed) }));
    out.push({ ...me, time: sameAsLast ? last!.time : timestamp() });
    return { object: merged, managers: out.filter((m) => !m.set.isEmpty()) };
  }
}

/** System metadata no manager owns. */
const systemMeta = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'managedFields']);

/** What a write through the main resource or a subresource does not own. */
export function ignoredPaths(subresource: string | undefined, hasStatus: boolean): Ignore {
  return (p) => {
    if (p.length === 0) return false;
    if (p[0] === 'f:apiVersion' || p[0] === 'f:kind') return true;
    if (p[0] === 'f:metadata' && p.length > 1 && systemMeta.has(p[1].slice(2))) return true;
    if (subresource === 'status') return p[0] !== 'f:status' && p[0] !== 'f:metadata';
    return hasStatus && p[0] === 'f:status';
  };
}

/** The manager named by a request, else the client's name from its User-Agent, as Kubernetes does. */
export function managerName(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  const ua = (userAgent ?? '').split('/')[0];
  return ua.slice(0, 128) || 'unknown';
}
