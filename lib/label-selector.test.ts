import { test } from 'node:test';
import assert from 'node:assert/strict';
import { everything, fromLabelSelectorSpec, fromMapSelector, nothing, selectorOf, SelectorParseError } from './label-selector.js';

const labels = { app: 'web', tier: 'front', replicas: '3' };

test('spec selectors: matchLabels and matchExpressions are ANDed; empty selects all, missing selects none', () => {
  assert.ok(fromLabelSelectorSpec({}).matches(labels));
  assert.ok(!fromLabelSelectorSpec(undefined).matches(labels));
  assert.ok(fromLabelSelectorSpec({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] }).matches(labels));
  assert.ok(!fromLabelSelectorSpec({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }).matches(labels));
  assert.ok(fromLabelSelectorSpec({ matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['a'] }, { key: 'x', operator: 'DoesNotExist' }] }).matches(labels));
  assert.ok(!fromLabelSelectorSpec({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }).matches(labels));
  assert.ok(!fromLabelSelectorSpec({ matchExpressions: [{ key: 'x', operator: 'Exists' }] }).matches(undefined));
  assert.throws(() => fromLabelSelectorSpec({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), SelectorParseError);
});

test('requirements: gt/lt compare integers; a map selector that is empty selects nothing', () => {
  assert.ok(selectorOf([{ key: 'replicas', op: 'gt', values: ['2'] }]).matches(labels));
  assert.ok(!selectorOf([{ key: 'replicas', op: 'lt', values: ['3'] }]).matches(labels));
  assert.ok(!selectorOf([{ key: 'app', op: 'gt', values: ['1'] }]).matches(labels));
  assert.equal(selectorOf([{ key: 'b', op: '=', values: ['1'] }, { key: 'a', op: 'exists', values: [] }]).toString(), 'a,b=1');
  assert.ok(everything.matches(undefined) && !nothing.matches(labels));
  assert.ok(!fromMapSelector({}).matches(labels));
  assert.ok(fromMapSelector({ app: 'web' }).matches(labels));
});
