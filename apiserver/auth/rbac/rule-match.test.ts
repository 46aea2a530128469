import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleAllows, type RuleRequest } from './rule-match.js';
import { compactRule } from './escalation.js';

const res = (verb: string, resource: string, over: Partial<Extract<RuleRequest, { kind: 'resource' }>> = {}): RuleRequest =>
  ({ kind: 'resource', verb, group: '', resource, subresource: '', name: '', ...over });

test('verbs, groups and resources match by name or *', () => {
  const r = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };
  assert.ok(ruleAllows(r, res('get', 'pods')));
  assert.ok(!ruleAllows(r, res('delete', 'pods')));
  assert.ok(!ruleAllows(r, res('get', 'pods', { group: 'apps' })));
  assert.ok(!ruleAllows(r, res('get', 'services')));
  assert.ok(ruleAllows({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, res('escalate', 'roles', { group: 'rbac.authorization.k8s.io' })));
});

test('a subresource matches only res/sub or */sub', () => {
  assert.ok(!ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('get', 'pods', { subresource: 'log' })));
  assert.ok(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, res('get', 'pods', { subresource: 'log' })));
  assert.ok(ruleAllows({ verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] }, res('update', 'deployments', { group: 'apps', subresource: 'scale' })));
  assert.ok(!ruleAllows({ verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] }, res('update', 'deployments', { group: 'apps' })));
});

test('resourceNames allow only the named objects, never unnamed requests', () => {
  const r = { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] };
  assert.ok(ruleAllows(r, res('get', 'configmaps', { name: 'a' })));
  assert.ok(!ruleAllows(r, res('get', 'configmaps', { name: 'b' })));
  assert.ok(!ruleAllows(r, res('list', 'configmaps')));
});

test('non-resource URLs match exactly, by *, or by a prefix ending in *', () => {
  const r = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
  assert.ok(ruleAllows(r, { kind: 'nonresource', verb: 'get', path: '/healthz' }));
  assert.ok(!ruleAllows(r, { kind: 'nonresource', verb: 'get', path: '/healthz/etcd' }));
  assert.ok(ruleAllows(r, { kind: 'nonresource', verb: 'get', path: '/apis/apps' }));
  assert.ok(!ruleAllows(r, { kind: 'nonresource', verb: 'post', path: '/healthz' }));
  assert.ok(!ruleAllows({ verbs: ['get'], apiGroups: ['*'], resources: ['*'] }, { kind: 'nonresource', verb: 'get', path: '/healthz' }));
});

test('rules print as rbac CompactString prints them', () => {
  assert.equal(compactRule({ verbs: ['delete', 'get'], apiGroups: [''], resources: ['secrets'] }), '{APIGroups:[""], Resources:["secrets"], Verbs:["delete" "get"]}');
  assert.equal(compactRule({ verbs: ['use'], apiGroups: ['policy'], resources: ['podsecuritypolicies'], resourceNames: ['x'] }),
    '{APIGroups:["policy"], Resources:["podsecuritypolicies"], ResourceNames:["x"], Verbs:["use"]}');
  assert.equal(compactRule({ verbs: ['get'], nonResourceURLs: ['/metrics'] }), '{NonResourceURLs:["/metrics"], Verbs:["get"]}');
});
