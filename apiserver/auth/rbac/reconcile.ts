// How an existing default role or binding is brought up to date at server start, as Kubernetes
// reconciles its bootstrap policy: what is missing is added (labels, annotations, rules,
// aggregation selectors, subjects) and nothing a cluster's owner added is taken away. An object
// annotated autoupdate=false is left as it is.
import type { AggregationRule, Binding, PolicyRule, Role, Subject } from '../../api/kinds/rbac.js';
import type { LabelSelectorSpec } from '../../api/selectors/labels.js';
import { semanticEqual } from '../../api/kinds/semantic.js';
import { uncovered } from './covers.js';

export const autoUpdateAnnotation = 'rbac.authorization.kubernetes.io/autoupdate';

export type Reconciled<T> =
  | { op: 'create'; object: T }
  | { op: 'update'; object: T }
  /** The roleRef differs and cannot be changed: delete, then create `object`. */
  | { op: 'recreate'; object: T }
  | { op: 'none' }
  /** autoupdate=false: the owner keeps it as it is. */
  | { op: 'protected' };

const isProtected = (o: Role | Binding) => o.metadata.annotations?.[autoUpdateAnnotation] === 'false';

/** `base` with every key of `wanted` it lacks; its own values win. */
function withMissingKeys(wanted: Record<string, string> | undefined, base: Record<string, string> | undefined): Record<string, string> | undefined {
  const missing = Object.entries(wanted ?? {}).filter(([k]) => !(base && k in base));
  return missing.length ? { ...base, ...Object.fromEntries(missing) } : base;
}

/** Copies `existing` with the labels and annotations of `expected` it lacks; reports whether any were. */
function mergeMeta<T extends Role | Binding>(existing: T, expected: T): { object: T; changed: boolean } {
  const meta = existing.metadata;
  const labels = withMissingKeys(expected.metadata.labels, meta.labels);
  const annotations = withMissingKeys(expected.metadata.annotations, meta.annotations);
  const changed = labels !== meta.labels || annotations !== meta.annotations;
  return { object: { ...existing, metadata: { ...meta, labels, annotations } }, changed };
}

/** Selectors of `wanted` that `have` lacks. */
function missingSelectors(have: AggregationRule | null | undefined, wanted: AggregationRule | null | undefined): LabelSelectorSpec[] {
  const own = have?.clusterRoleSelectors ?? [];
  return (wanted?.clusterRoleSelectors ?? []).filter((w) => !own.some((o) => semanticEqual(o, w)));
}

/** What to do with a default Role or ClusterRole given what is stored (undefined: nothing). */
export function reconcileRole(existing: Role | undefined, expected: Role): Reconciled<Role> {
  if (!existing) return { op: 'create', object: expected };
  if (isProtected(existing)) return { op: 'protected' };
  const { object, changed: metaChanged } = mergeMeta(existing, expected);
  let changed = metaChanged;
  const missingRules: PolicyRule[] = uncovered(existing.rules ?? [], expected.rules ?? []);
  if (missingRules.length) {
    object.rules = [...(existing.rules ?? []), ...missingRules];
    changed = true;
  }
  if (!expected.aggregationRule && existing.aggregationRule) {
    // Not an aggregated role by default: the aggregation goes, as Kubernetes removes it.
    object.aggregationRule = undefined;
    changed = true;
  } else {
    const selectors = missingSelectors(existing.aggregationRule, expected.aggregationRule);
    if (selectors.length) {
      object.aggregationRule = { clusterRoleSelectors: [...(existing.aggregationRule?.clusterRoleSelectors ?? []), ...selectors] };
      changed = true;
    }
  }
  return changed ? { op: 'update', object } : { op: 'none' };
}

const sameSubject = (a: Subject, b: Subject) =>
  a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '') && (a.apiGroup ?? '') === (b.apiGroup ?? '');

/** What to do with a default RoleBinding or ClusterRoleBinding given what is stored. */
export function reconcileBinding(existing: Binding | undefined, expected: Binding): Reconciled<Binding> {
  if (!existing) return { op: 'create', object: expected };
  if (isProtected(existing)) return { op: 'protected' };
  const ref = existing.roleRef;
  const want = expected.roleRef;
  // roleRef is immutable: a binding to another role is replaced by the default one.
  if (ref?.apiGroup !== want?.apiGroup || ref?.kind !== want?.kind || ref?.name !== want?.name) return { op: 'recreate', object: expected };
  const { object, changed: metaChanged } = mergeMeta(existing, expected);
  let changed = metaChanged;
  const have = existing.subjects ?? [];
  const missing = (expected.subjects ?? []).filter((s) => !have.some((h) => sameSubject(h, s)));
  if (missing.length) {
    object.subjects = [...have, ...missing];
    changed = true;
  }
  return changed ? { op: 'update', object } : { op: 'none' };
}
