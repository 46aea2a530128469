import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregatedRules, sameRules, type ClusterRole } from './clusterrole-aggregation.js';

const role = (name: string, labels: Record<string, string>, rules: ClusterRole['rules'], aggregateFrom?: string): ClusterRole => ({
  metadata: { name, labels },
  rules,
  aggregationRule: aggregateFrom ? { clusterRoleSelectors: [{ matchLabels: { [aggregateFrom]: 'true' } }] } : undefined,
});

const pods = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
const widgets = { verbs: ['get', 'list'], apiGroups: ['example.com'], resources: ['widgets'] };

test('rules of the matching roles, by role name, each rule once, never from itself', () => {
  const view = role('view', { agg: 'true' }, [{ verbs: ['delete'], apiGroups: ['*'], resources: ['*'] }], 'agg');
  const all = [
    view,
    role('z-widgets', { agg: 'true' }, [widgets, pods]),
    role('a-pods', { agg: 'true' }, [pods]),
    role('other', {}, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
  ];
  assert.deepEqual(aggregatedRules(view, all), [pods, widgets]);
});

test('each selector in turn; a role without an aggregationRule is not aggregated', () => {
  const edit: ClusterRole = {
    metadata: { name: 'edit' },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { second: 'true' } }, { matchLabels: { first: 'true' } }] },
  };
  const all = [edit, role('a', { first: 'true' }, [pods]), role('b', { second: 'true' }, [widgets])];
  assert.deepEqual(aggregatedRules(edit, all), [widgets, pods]);
  assert.equal(aggregatedRules(role('plain', {}, [pods]), all), undefined);
  assert.deepEqual(aggregatedRules(role('empty', {}, [], 'nobody'), all), []);
});

test('rules compare as Kubernetes\' semantic equality does: missing and empty lists are equal, order counts', () => {
  assert.equal(sameRules([{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: [] }], [pods]), true);
  assert.equal(sameRules(undefined, []), true);
  assert.equal(sameRules([pods, widgets], [widgets, pods]), false);
  assert.equal(sameRules([{ ...pods, verbs: ['list', 'get'] }], [{ ...pods, verbs: ['get', 'list'] }]), false);
});
