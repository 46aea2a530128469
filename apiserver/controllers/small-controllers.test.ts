import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet } from './cidr-set.js';
import { namespaceConditions } from './namespace-conditions.js';
import { evictionTime } from './taint-eviction.js';
import { selectControllers } from './manager.js';
import { allControllers } from './all.js';
import { controllerNames, controllerSpec } from './controller-names.js';
import { terminatedOverThreshold } from './pod-gc.js';
import type { ControllerDescriptor } from './context.js';

test('node ranges: /24s in order, reused after release, none past the end', () => {
  const set = new CidrSet('10.42.0.0/22', 24);
  assert.equal(set.occupy('10.42.1.0/24'), true);
  assert.deepEqual([set.allocate(), set.allocate(), set.allocate(), set.allocate()], ['10.42.0.0/24', '10.42.2.0/24', '10.42.3.0/24', undefined]);
  set.release('10.42.2.0/24');
  assert.equal(set.allocate(), '10.42.2.0/24');
  assert.equal(set.occupy('192.168.0.0/24'), false);
});

test('namespace conditions say what remains, in Kubernetes words', () => {
  const conds = namespaceConditions(undefined, {
    discoveryFailures: new Map(), deleteErrors: [],
    remaining: new Map([['pods.', 2], ['widgets.example.com', 1]]), finalizers: new Map([['example.com/keep', 1]]),
  }, Date.UTC(2025, 0, 1));
  assert.deepEqual(conds.map((c) => [c.type, c.status, c.reason]), [
    ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
    ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
    ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
    ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain'],
    ['NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain'],
  ]);
  assert.equal(conds[3].message, 'Some resources are remaining: pods. has 2 resource instances, widgets.example.com has 1 resource instances');
  assert.equal(conds[4].message, 'Some content in the namespace has finalizers remaining: example.com/keep in 1 resource instances');
  const later = namespaceConditions(conds, { discoveryFailures: new Map(), deleteErrors: [], remaining: new Map(), finalizers: new Map() }, Date.UTC(2025, 0, 2));
  assert.equal(later[0].lastTransitionTime, conds[0].lastTransitionTime, 'unchanged conditions keep their time');
  assert.equal(later[3].message, 'All content successfully removed');
});

test('eviction time: untolerated now, tolerated for N seconds after the taint, tolerated forever never', () => {
  const now = Date.UTC(2025, 0, 1, 0, 0, 10);
  const taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2025-01-01T00:00:00Z' };
  assert.equal(evictionTime({ spec: { containers: [] } }, [taint], now), now);
  assert.equal(evictionTime({ spec: { containers: [], tolerations: [{ key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] } }, [taint], now), Date.UTC(2025, 0, 1, 0, 5, 0));
  assert.equal(evictionTime({ spec: { containers: [], tolerations: [{ operator: 'Exists' }] } }, [taint], now), undefined);
  assert.equal(evictionTime({ spec: { containers: [] } }, [], now), undefined);
});

test('--controllers selects like kube-controller-manager', () => {
  const all = ['a', 'b', 'c'].map((name) => ({ name, setup: () => ({ run: async () => {} }) })) as ControllerDescriptor[];
  const names = (spec: string[]) => selectControllers(all, spec).map((d) => d.name);
  assert.deepEqual(names([]), ['a', 'b', 'c']);
  assert.deepEqual(names(['*,-b']), ['a', 'c']);
  assert.deepEqual(names(['a']), ['a']);
  assert.throws(() => names(['nope']), /"nope" is not in the list of known controllers/);
});

test('the names the server checks --controllers against are the controllers it runs', () => {
  assert.deepEqual(allControllers.map((d) => d.name), controllerNames);
  assert.throws(() => controllerSpec(['-resourcequota']), /^Error: "resourcequota" is not in the list of known controllers$/);
  assert.deepEqual(controllerSpec(['*,-resourcequota-controller']), ['*', '-resourcequota-controller']);
});

test('PodGC deletes the oldest finished pods beyond the threshold', () => {
  const pod = (name: string, phase: string, created: string) => ({ metadata: { name, creationTimestamp: created }, spec: { containers: [] }, status: { phase } });
  const pods = [pod('new', 'Succeeded', '2025-01-03T00:00:00Z'), pod('old', 'Failed', '2025-01-01T00:00:00Z'), pod('mid', 'Succeeded', '2025-01-02T00:00:00Z'), pod('run', 'Running', '2024-01-01T00:00:00Z')];
  assert.deepEqual(terminatedOverThreshold(pods, 1).map((p) => p.metadata?.name), ['old', 'mid']);
  assert.deepEqual(terminatedOverThreshold(pods, 3), []);
});
