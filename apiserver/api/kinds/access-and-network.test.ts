import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ingressStrategy, ingressTable } from './ingress.js';
import { ingressClassStrategy, ingressClassTable } from './ingress-class.js';
import { networkPolicyStrategy, networkPolicyTable } from './network-policy.js';
import { clusterRoleBindingStrategy, clusterRoleStrategy, roleBindingStrategy, roleBindingTable, roleStrategy } from './rbac.js';
import { created, row, updated } from './strategy-testing.js';
import type { KubeObject } from '../object.js';

const obj = (kind: string, extra: Record<string, unknown>, ns = 'default'): KubeObject => ({ kind, metadata: { name: 'x', namespace: ns }, ...extra });

test('RBAC rules need verbs, groups and resources', () => {
  assert.deepEqual(created(roleStrategy, obj('Role', { rules: [{}] })).errors, [
    'rules[0].verbs: Required value: verbs must contain at least one value',
    'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    'rules[0].resources: Required value: resource rules must supply at least one resource',
  ]);
  assert.deepEqual(created(roleStrategy, obj('Role', { rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] })).errors,
    ['rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs']);
  assert.deepEqual(created(clusterRoleStrategy, obj('ClusterRole', { rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }, '')).errors, []);
});

test('bindings: roleRef defaults, kinds and subjects; roleRef never changes', () => {
  const rb = created(roleBindingStrategy, obj('RoleBinding', { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'alice' }] }));
  assert.deepEqual(rb.errors, []);
  assert.deepEqual(rb.obj.roleRef, { kind: 'Role', name: 'r', apiGroup: 'rbac.authorization.k8s.io' });
  assert.deepEqual((rb.obj.subjects as unknown[])[0], { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' });
  assert.deepEqual(created(roleBindingStrategy, obj('RoleBinding', { roleRef: { kind: 'Foo' }, subjects: [{ kind: 'Robot', name: 'r' }] })).errors, [
    'roleRef.kind: Unsupported value: "Foo": supported values: "Role", "ClusterRole"',
    'roleRef.name: Required value',
    'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
  ]);
  assert.deepEqual(created(clusterRoleBindingStrategy, obj('ClusterRoleBinding', { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] }, '')).errors, [
    'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    'subjects[0].namespace: Required value',
  ]);
  assert.deepEqual(updated(roleBindingStrategy, rb.obj, { ...rb.obj, roleRef: { kind: 'Role', name: 'other', apiGroup: 'rbac.authorization.k8s.io' } }).errors,
    ['roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"other"}: cannot change roleRef']);
});

test('binding table: ROLE and, wide, subjects by kind', () => {
  const rb = obj('RoleBinding', {
    roleRef: { kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'User', name: 'alice' }, { kind: 'User', name: 'bob' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'default', namespace: 'ci' }],
  });
  assert.deepEqual(row(roleBindingTable, rb), ['x', 'ClusterRole/view', '60s', 'alice, bob', 'devs', 'ci/default']);
});

test('ingress paths need a pathType and a backend', () => {
  const ing = (paths: unknown[]) => obj('Ingress', { spec: { rules: [{ host: 'a.example.com', http: { paths } }] } });
  assert.deepEqual(created(ingressStrategy, ing([{ path: '/', backend: { service: { name: 'web', port: { number: 80 } } } }])).errors,
    ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']);
  assert.deepEqual(created(ingressStrategy, ing([{ path: 'x', pathType: 'Prefix', backend: { service: { name: 'web' } } }])).errors, [
    'spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path',
    'spec.rules[0].http.paths[0].backend: Required value: port name or number is required',
  ]);
  assert.deepEqual(created(ingressStrategy, ing([{ path: '/', pathType: 'Wrong', backend: {} }])).errors, [
    'spec.rules[0].http.paths[0].pathType: Unsupported value: "Wrong": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    'spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required',
  ]);
  assert.deepEqual(created(ingressStrategy, obj('Ingress', { spec: {} })).errors, ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']);
});

test('ingress and ingress class tables', () => {
  const ing = obj('Ingress', {
    spec: { ingressClassName: 'nginx', tls: [{ hosts: ['a.example.com'] }], rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }] },
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
  });
  assert.deepEqual(row(ingressTable, ing), ['x', 'nginx', 'a.example.com,b.example.com', '192.0.2.1', '80, 443', '60s']);
  assert.deepEqual(row(ingressTable, obj('Ingress', { spec: { defaultBackend: {} } })), ['x', '<none>', '*', '', '80', '60s']);
  const ic = created(ingressClassStrategy, obj('IngressClass', { spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } }, ''));
  assert.deepEqual(ic.errors, []);
  assert.equal((ic.obj.spec as { parameters: { scope: string } }).parameters.scope, 'Cluster');
  assert.deepEqual(row(ingressClassTable, ic.obj), ['x', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/p', '60s']);
  assert.deepEqual(created(ingressClassStrategy, obj('IngressClass', { spec: { controller: 'nginx' } }, '')).errors,
    ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")']);
});

test('network policies: defaults, peers, ports, table', () => {
  const np = created(networkPolicyStrategy, obj('NetworkPolicy', { spec: { egress: [{ ports: [{ port: 53 }] }] } }));
  assert.deepEqual(np.errors, []);
  assert.deepEqual(np.obj.spec, { egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }], podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  assert.deepEqual(row(networkPolicyTable, np.obj), ['x', '<none>', '60s']);
  assert.deepEqual(created(networkPolicyStrategy, obj('NetworkPolicy', { spec: { ingress: [{ from: [{}], ports: [{ port: 'x', endPort: 9 }] }] } })).errors, [
    'spec.ingress[0].ports[0].endPort: Invalid value: 9: may not be specified when `port` is non-numeric',
    'spec.ingress[0].from[0]: Required value: must specify a peer',
  ]);
  assert.deepEqual(created(networkPolicyStrategy, obj('NetworkPolicy', { spec: { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] } }] }] } })).errors,
    ['spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "11.0.0.0/16": must be a strict subset of `cidr`']);
  assert.deepEqual(created(networkPolicyStrategy, obj('NetworkPolicy', { spec: { ingress: [{ from: [{ ipBlock: { cidr: 'fd00::/64', except: ['fd00::/96', 'fd01::/96', '10.0.0.0/8'] } }] }] } })).errors, [
    'spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: "fd01::/96": must be a strict subset of `cidr`',
    'spec.ingress[0].from[0].ipBlock.except[2]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`',
  ]);
  assert.deepEqual(row(networkPolicyTable, obj('NetworkPolicy', { spec: { podSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] } } })).slice(1, 2),
    ['app=web,tier in (be,fe)']);
});
