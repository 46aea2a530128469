// RBAC's guard against privilege escalation, on writes of roles and bindings, as Kubernetes'
// policy-based storage does: a user may write a role only with rules they already hold (or
// with the `escalate` verb), and bind a role only if they hold its rules (or have `bind` on
// it). Members of system:masters may do anything.
import { forbidden, notFound } from '../../api/errors.js';
import type { Binding, PolicyRule, Role, RoleRef } from '../../api/kinds/rbac.js';
import type { KubeObject } from '../../api/object.js';
import type { ApiContext } from '../../registry/api-context.js';
import type { RequestContext, UserInfo } from '../../registry/context.js';
import { uncovered } from './covers.js';
import type { RbacAuthorizer } from './rbac-authorizer.js';

const group = 'rbac.authorization.k8s.io';

/** Go's %q of a []string: ["a" "b"]. */
const goQuoted = (list: readonly string[]) => `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;

/** rbac's CompactString: only the fields a rule sets, in Go's field order. */
export function compactRule(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuoted(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuoted(r.resources)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuoted(r.resourceNames)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoted(r.nonResourceURLs)}`);
  if (r.verbs?.length) parts.push(`Verbs:${goQuoted(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** Atoms that differ only in their verb become one rule (rbac's CompactRules), sorted. */
function compactRules(atoms: readonly PolicyRule[]): PolicyRule[] {
  const merged = new Map<string, PolicyRule>();
  for (const a of atoms) {
    const key = compactRule({ ...a, verbs: [] });
    const m = merged.get(key);
    if (m) m.verbs = [...new Set([...(m.verbs ?? []), ...(a.verbs ?? [])])];
    else merged.set(key, { ...a, verbs: [...(a.verbs ?? [])] });
  }
  return [...merged.values()].sort((a, b) => (compactRule(a) < compactRule(b) ? -1 : compactRule(a) > compactRule(b) ? 1 : 0));
}

const isMaster = (u: UserInfo) => u.groups.includes('system:masters');

export class EscalationGuard {
  constructor(private readonly api: ApiContext, private readonly rbac: RbacAuthorizer) {}

  /** Installs the checks on the four RBAC resources. */
  install(): void {
    const role = (plural: 'roles' | 'clusterroles') => ({
      beforeCreate: (obj: KubeObject, ctx: RequestContext) => this.checkRole(plural, obj as Role, undefined, ctx),
      beforeUpdate: (obj: KubeObject, old: KubeObject, ctx: RequestContext) => this.checkRole(plural, obj as Role, old as Role, ctx),
    });
    const binding = (plural: 'rolebindings' | 'clusterrolebindings') => ({
      beforeCreate: (obj: KubeObject, ctx: RequestContext) => this.checkBinding(plural, obj as Binding, undefined, ctx),
      beforeUpdate: (obj: KubeObject, old: KubeObject, ctx: RequestContext) => this.checkBinding(plural, obj as Binding, old as Binding, ctx),
    });
    this.api.extend(group, 'roles', { hooks: role('roles') });
    this.api.extend(group, 'clusterroles', { hooks: role('clusterroles') });
    this.api.extend(group, 'rolebindings', { hooks: binding('rolebindings') });
    this.api.extend(group, 'clusterrolebindings', { hooks: binding('clusterrolebindings') });
  }

  private may(user: UserInfo, verb: string, resource: string, namespace: string, name: string): boolean {
    return this.rbac.allows(user, namespace, { kind: 'resource', verb, group, resource, subresource: '', name });
  }

  /** Forbidden unless the user holds every rule, in `namespace` ('' = cluster-wide). */
  private confirmNoEscalation(plural: string, name: string, user: UserInfo, namespace: string, rules: readonly PolicyRule[]): void {
    const missing = uncovered(this.rbac.rulesFor(user, namespace), rules);
    if (!missing.length) return;
    const held = compactRules(missing).map(compactRule).join('\n');
    throw forbidden({ group, resource: plural }, name,
      `user ${JSON.stringify(user.name)} (groups=${goQuoted(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${held}`);
  }

  private checkRole(plural: 'roles' | 'clusterroles', role: Role, old: Role | undefined, ctx: RequestContext): void {
    const user = ctx.user;
    if (isMaster(user)) return;
    const namespace = role.metadata.namespace ?? '';
    const name = role.metadata.name ?? '';
    if (this.may(user, 'escalate', plural, namespace, name)) return;
    // Only what grants something is checked: a change of labels or owners grants nothing.
    if (old && JSON.stringify(old.rules ?? []) === JSON.stringify(role.rules ?? []) && JSON.stringify(old.aggregationRule) === JSON.stringify(role.aggregationRule)) return;
    if (plural === 'clusterroles' && role.aggregationRule && JSON.stringify(old?.aggregationRule) !== JSON.stringify(role.aggregationRule)) {
      throw forbidden({ group, resource: plural }, name, 'must have cluster-admin privileges to use the aggregationRule');
    }
    this.confirmNoEscalation(plural, name, user, namespace, role.rules ?? []);
  }

  private checkBinding(plural: 'rolebindings' | 'clusterrolebindings', b: Binding, old: Binding | undefined, ctx: RequestContext): void {
    const user = ctx.user;
    if (isMaster(user)) return;
    if (old && JSON.stringify(old.subjects ?? []) === JSON.stringify(b.subjects ?? []) && JSON.stringify(old.roleRef) === JSON.stringify(b.roleRef)) return;
    const namespace = b.metadata.namespace ?? '';
    const ref = b.roleRef ?? {};
    const refPlural = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
    if (this.may(user, 'bind', refPlural, namespace, ref.name ?? '')) return;
    this.confirmNoEscalation(plural, b.metadata.name ?? '', user, namespace, this.referencedRules(ref, namespace));
  }

  private referencedRules(ref: RoleRef, namespace: string): PolicyRule[] {
    const plural = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
    const rs = this.api.storeFor(group, plural);
    const kv = this.api.store.get(rs.key(plural === 'roles' ? namespace : '', ref.name ?? ''));
    if (!kv) throw notFound({ group, resource: plural }, ref.name ?? '');
    return (JSON.parse(kv.value) as Role).rules ?? [];
  }
}
