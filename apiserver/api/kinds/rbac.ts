// RBAC (rbac.authorization.k8s.io/v1): rules need verbs and, for resources, groups and
// resources; bindings name a Role or ClusterRole they can never switch, and known subjects.
import { GoValue, goStrings, invalidEach, invalidValue, notSupported, path, required, type FieldError, type FieldPath } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { validateLabelSelector } from '../validation/label-selector.js';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../validation/names.js';
import type { LabelSelectorSpec } from '../selectors/labels.js';

export const rbacGroup = 'rbac.authorization.k8s.io';

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface RoleRef {
  apiGroup?: string;
  kind?: string;
  name?: string;
}

export interface Subject {
  kind?: string;
  apiGroup?: string;
  name?: string;
  namespace?: string;
}

export interface AggregationRule {
  clusterRoleSelectors?: LabelSelectorSpec[];
}

/** A Role or ClusterRole. */
export type Role = KubeObject & { rules?: PolicyRule[] | null; aggregationRule?: AggregationRule | null };
/** A RoleBinding or ClusterRoleBinding. */
export type Binding = KubeObject & { roleRef?: RoleRef; subjects?: Subject[] | null };

/** RBAC names only need to be usable as a path segment. */
export const rbacNameValidator = (): string[] => [];

function validateRule(rule: PolicyRule, namespaced: boolean, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!(rule.verbs ?? []).length) errs.push(required(p.child('verbs'), 'verbs must contain at least one value'));
  if ((rule.nonResourceURLs ?? []).length) {
    if (namespaced) errs.push(invalidValue(p.child('nonResourceURLs'), goStrings(rule.nonResourceURLs), 'namespaced rules cannot apply to non-resource URLs'));
    if ((rule.apiGroups ?? []).length || (rule.resources ?? []).length || (rule.resourceNames ?? []).length) {
      errs.push(invalidValue(p.child('nonResourceURLs'), goStrings(rule.nonResourceURLs), 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!(rule.apiGroups ?? []).length) errs.push(required(p.child('apiGroups'), 'resource rules must supply at least one api group'));
  if (!(rule.resources ?? []).length) errs.push(required(p.child('resources'), 'resource rules must supply at least one resource'));
  return errs;
}

function validateRole(role: Role, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (role.rules ?? []).forEach((r, i) => errs.push(...validateRule(r, namespaced, path('rules').index(i))));
  if (!namespaced && role.aggregationRule) {
    const sels = role.aggregationRule.clusterRoleSelectors ?? [];
    const sp = path('aggregationRule', 'clusterRoleSelectors');
    if (!sels.length) errs.push(required(sp, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    sels.forEach((s, i) => errs.push(...validateLabelSelector(s, sp.index(i))));
  }
  return errs;
}

function validateSubject(s: Subject, namespaced: boolean, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(required(p.child('name')));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) errs.push(...invalidEach(p.child('name'), s.name, isDNS1123Subdomain(s.name)));
      if (s.apiGroup) errs.push(notSupported(p.child('apiGroup'), s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(p.child('namespace')));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== rbacGroup) errs.push(notSupported(p.child('apiGroup'), s.apiGroup ?? '', [rbacGroup]));
      break;
    default:
      errs.push(notSupported(p.child('kind'), s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(b: Binding, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = b.roleRef ?? {};
  if (ref.apiGroup !== rbacGroup) errs.push(notSupported(path('roleRef', 'apiGroup'), ref.apiGroup ?? '', [rbacGroup]));
  if (namespaced) {
    if (ref.kind !== 'Role' && ref.kind !== 'ClusterRole') errs.push(notSupported(path('roleRef', 'kind'), ref.kind ?? '', ['Role', 'ClusterRole']));
  } else if (ref.kind !== 'ClusterRole') {
    errs.push(notSupported(path('roleRef', 'kind'), ref.kind ?? '', ['ClusterRole']));
  }
  if (!ref.name) errs.push(required(path('roleRef', 'name')));
  else errs.push(...invalidEach(path('roleRef', 'name'), ref.name, isValidPathSegmentName(ref.name)));
  (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, path('subjects').index(i))));
  return errs;
}

/** The roleRef as Go prints the internal struct in "cannot change roleRef". */
const roleRefValue = (r: RoleRef | undefined) =>
  new GoValue(`rbac.RoleRef{APIGroup:${JSON.stringify(r?.apiGroup ?? '')}, Kind:${JSON.stringify(r?.kind ?? '')}, Name:${JSON.stringify(r?.name ?? '')}}`);

function bindingStrategy(namespaced: boolean): Strategy {
  return {
    default(obj) {
      const b = obj as Binding;
      b.roleRef ??= {};
      b.roleRef.apiGroup ||= rbacGroup;
      for (const s of b.subjects ?? []) {
        if (!s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = rbacGroup;
      }
    },
    validate: (obj) => validateBinding(obj as Binding, namespaced),
    validateUpdate(obj, old) {
      const errs = validateBinding(obj as Binding, namespaced);
      const now = (obj as Binding).roleRef;
      const before = (old as Binding).roleRef;
      if (now?.apiGroup !== before?.apiGroup || now?.kind !== before?.kind || now?.name !== before?.name) {
        errs.push(invalidValue(path('roleRef'), roleRefValue(now), 'cannot change roleRef'));
      }
      return errs;
    },
  };
}

export const roleStrategy: Strategy = { validate: (obj) => validateRole(obj as Role, true) };
export const clusterRoleStrategy: Strategy = { validate: (obj) => validateRole(obj as Role, false) };
export const roleBindingStrategy = bindingStrategy(true);
export const clusterRoleBindingStrategy = bindingStrategy(false);

/** Users, groups and service accounts ("ns/name") of a binding. */
export function subjectsText(subjects: Subject[] | null | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name ?? ''}`);
    else if (s.kind === 'User') users.push(s.name ?? '');
    else if (s.kind === 'Group') groups.push(s.name ?? '');
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingTable(what: string): TableDef {
  return {
    columns: [
      col('Role', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
      ageColumn,
      col('Users', `Users in the ${what}`, 1),
      col('Groups', `Groups in the ${what}`, 1),
      col('ServiceAccounts', `ServiceAccounts in the ${what}`, 1),
    ],
    cells(o, now) {
      const b = o as Binding;
      return [`${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, age(o, now), ...subjectsText(b.subjects)];
    },
  };
}

export const roleBindingTable = bindingTable('roleBinding');
export const clusterRoleBindingTable = bindingTable('clusterRoleBinding');
