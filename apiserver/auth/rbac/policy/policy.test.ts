import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterRoleBindingStrategy, clusterRoleStrategy, roleBindingStrategy, roleStrategy } from '../../../api/kinds/rbac.js';
import type { Strategy } from '../../../api/resource.js';
import { bootstrapPolicy } from './index.js';

test('every default object is valid, named once, and bound to a default role', () => {
  const p = bootstrapPolicy();
  const check = (strategy: Strategy, objs: Array<{ metadata: { name?: string; namespace?: string } }>) => {
    const keys = objs.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    assert.equal(new Set(keys).size, keys.length, 'names are unique');
    for (const o of objs) assert.deepEqual(strategy.validate?.(structuredClone(o) as never, {} as never) ?? [], [], String(o.metadata.name));
  };
  check(clusterRoleStrategy, p.clusterRoles);
  check(clusterRoleBindingStrategy, p.clusterRoleBindings);
  check(roleStrategy, p.roles);
  check(roleBindingStrategy, p.roleBindings);
  const clusterRoles = new Set(p.clusterRoles.map((r) => r.metadata.name));
  for (const b of p.clusterRoleBindings) assert.ok(clusterRoles.has(b.roleRef?.name), `${b.metadata.name} binds a default ClusterRole`);
  const roles = new Set(p.roles.map((r) => `${r.metadata.namespace}/${r.metadata.name}`));
  for (const b of p.roleBindings) assert.ok(roles.has(`${b.metadata.namespace}/${b.roleRef?.name}`), `${b.metadata.name} binds a default Role`);
  for (const o of [...p.clusterRoles, ...p.clusterRoleBindings, ...p.roles, ...p.roleBindings]) {
    assert.equal(o.metadata.labels?.['kubernetes.io/bootstrapping'], 'rbac-defaults');
    assert.equal(o.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], 'true');
  }
});

test('view reads pods but never secrets; cluster-admin is bound to system:masters', () => {
  const p = bootstrapPolicy();
  const view = p.clusterRoles.find((r) => r.metadata.name === 'system:aggregate-to-view')!;
  const grants = (res: string) => view.rules!.some((r) => r.apiGroups?.includes('') && r.resources?.includes(res) && r.verbs?.includes('get'));
  assert.equal(grants('pods'), true);
  assert.equal(grants('secrets'), false);
  const admin = p.clusterRoleBindings.find((b) => b.metadata.name === 'cluster-admin')!;
  assert.deepEqual(admin.subjects, [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters' }]);
});
