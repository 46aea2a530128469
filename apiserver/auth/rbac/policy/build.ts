// The small vocabulary the default policy is written in: rules, roles and bindings carrying the
// label and annotation that mark them as defaults the server keeps up to date.
import { rbacGroup, type Binding, type PolicyRule, type Role, type Subject } from '../../../api/kinds/rbac.js';
import { autoUpdateAnnotation } from '../reconcile.js';

export const read = ['get', 'list', 'watch'];
export const write = ['create', 'update', 'patch', 'delete', 'deletecollection'];
export const readWrite = [...read, ...write];

const bootstrappingLabel = 'kubernetes.io/bootstrapping';
const defaultLabels = { [bootstrappingLabel]: 'rbac-defaults' };
const defaultAnnotations = { [autoUpdateAnnotation]: 'true' };

/** Kubernetes sorts every list of a default rule; `kubectl get -o yaml` shows them so. */
const sorted = (xs: readonly string[]) => [...new Set(xs)].sort();

/** `verbs` on `resources` of `groups` ('' is the core group), optionally only the named objects. */
export function allow(verbs: readonly string[], groups: string | readonly string[], resources: readonly string[], names?: readonly string[]): PolicyRule {
  const rule: PolicyRule = { verbs: sorted(verbs), apiGroups: sorted(typeof groups === 'string' ? [groups] : groups), resources: sorted(resources) };
  if (names?.length) rule.resourceNames = sorted(names);
  return rule;
}

/** `verbs` on non-resource URLs (a trailing `*` matches a prefix). */
export function allowURLs(verbs: readonly string[], urls: readonly string[]): PolicyRule {
  return { verbs: sorted(verbs), nonResourceURLs: sorted(urls) };
}

/** Recording events, through the core and the events.k8s.io APIs. */
export const eventsRule = (): PolicyRule => allow(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']);

export interface RoleOptions {
  labels?: Record<string, string>;
  /** The aggregate-to label (its value "true") whose ClusterRoles this one's rules are made of. */
  aggregateFrom?: string;
}

export function clusterRole(name: string, rules: PolicyRule[], opts: RoleOptions = {}): Role {
  const role: Role = {
    apiVersion: `${rbacGroup}/v1`, kind: 'ClusterRole',
    metadata: { name, labels: { ...defaultLabels, ...opts.labels }, annotations: { ...defaultAnnotations } },
  };
  if (opts.aggregateFrom) role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [opts.aggregateFrom]: 'true' } }] };
  if (rules.length) role.rules = rules;
  return role;
}

export function namespacedRole(namespace: string, name: string, rules: PolicyRule[]): Role {
  return {
    apiVersion: `${rbacGroup}/v1`, kind: 'Role',
    metadata: { name, namespace, labels: { ...defaultLabels }, annotations: { ...defaultAnnotations } }, rules,
  };
}

export const group = (name: string): Subject => ({ kind: 'Group', apiGroup: rbacGroup, name });
export const user = (name: string): Subject => ({ kind: 'User', apiGroup: rbacGroup, name });
export const serviceAccount = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

/** A ClusterRoleBinding named as its ClusterRole (the defaults' convention). */
export function clusterBinding(role: string, subjects: Subject[]): Binding {
  const b: Binding = {
    apiVersion: `${rbacGroup}/v1`, kind: 'ClusterRoleBinding',
    metadata: { name: role, labels: { ...defaultLabels }, annotations: { ...defaultAnnotations } },
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: role },
  };
  if (subjects.length) b.subjects = subjects;
  return b;
}

/** A RoleBinding in `namespace` to the Role `role` there. */
export function roleBinding(namespace: string, name: string, role: string, subjects: Subject[]): Binding {
  return {
    apiVersion: `${rbacGroup}/v1`, kind: 'RoleBinding',
    metadata: { name, namespace, labels: { ...defaultLabels }, annotations: { ...defaultAnnotations } },
    roleRef: { apiGroup: rbacGroup, kind: 'Role', name: role }, subjects,
  };
}
