import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breakdownRule, ruleCovers, uncovered } from './covers.js';

test('a rule breaks down into one verb on one resource (and name) or one URL', () => {
  assert.deepEqual(breakdownRule({ verbs: ['get', 'list'], apiGroups: ['', 'apps'], resources: ['pods'] }), [
    { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['list'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] },
    { verbs: ['list'], apiGroups: ['apps'], resources: ['pods'] },
  ]);
  assert.deepEqual(breakdownRule({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a', 'b'] }), [
    { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] },
    { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['b'] },
  ]);
  assert.deepEqual(breakdownRule({ verbs: ['get'], nonResourceURLs: ['/healthz', '/version'] }), [
    { verbs: ['get'], nonResourceURLs: ['/healthz'] },
    { verbs: ['get'], nonResourceURLs: ['/version'] },
  ]);
});

test('wildcards: * verbs, groups and resources, */subresource, URL prefixes; names narrow', () => {
  const atom = { verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] };
  assert.equal(ruleCovers({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, atom), true);
  assert.equal(ruleCovers({ verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] }, atom), true);
  assert.equal(ruleCovers({ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'] }, atom), false);
  assert.equal(ruleCovers({ verbs: ['list'], apiGroups: ['apps'], resources: ['deployments/scale'] }, atom), false);
  assert.equal(ruleCovers({ verbs: ['get'], nonResourceURLs: ['/apis/*'] }, { verbs: ['get'], nonResourceURLs: ['/apis/apps'] }), true);
  assert.equal(ruleCovers({ verbs: ['get'], nonResourceURLs: ['/apis'] }, { verbs: ['get'], nonResourceURLs: ['/apis/apps'] }), false);
  assert.equal(ruleCovers({ verbs: ['get'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }), false);
  const named = { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] };
  assert.equal(ruleCovers(named, { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }), false, 'a named rule does not grant the whole resource');
  assert.equal(ruleCovers({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }, named), true);
});

test('uncovered: only the atoms no owner rule grants', () => {
  const owner = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }];
  assert.deepEqual(uncovered(owner, [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }]), [
    { verbs: ['watch'], apiGroups: [''], resources: ['pods'] },
  ]);
  assert.deepEqual(uncovered(owner, owner), []);
});
