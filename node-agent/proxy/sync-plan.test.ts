import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planSync } from './sync-plan.js';
import { entries, fixtureConfig as cfg, lines, service, slice } from './test-fixtures.js';

const a = service('a', '10.43.0.20');
const b = service('b', '10.43.0.21');
const before = entries([a, b], [slice('a', ['10.42.0.5']), slice('b', ['10.42.0.6'])]);

test('a partial sync writes only the changed port\'s chains and edits the shared ones by rule', () => {
  const after = entries([a, b], [slice('a', ['10.42.0.5']), slice('b', ['10.42.0.7'])]);
  const plan = planSync('partial', before, after, cfg);
  assert.deepEqual(plan.changed, ['default/b:http']);
  // No shared chain is declared (that would flush it), and the service's cluster IP rule is unchanged.
  assert.deepEqual(lines(plan.text, /^:KUBE-(SERVICES|NODEPORTS|POSTROUTING)/), []);
  assert.deepEqual(lines(plan.text, /^-[ADI] KUBE-SERVICES/), []);
  assert.ok(plan.text.includes('-> 10.42.0.7:8080'));
  assert.ok(!plan.text.includes('10.42.0.5'), 'the unchanged service is not written');
  // The old endpoint's chain is flushed and deleted.
  const oldSep = before.get('default/b:http')!.rules.chains.find((c) => c.startsWith('KUBE-SEP-'))!;
  assert.match(plan.text, new RegExp(`^:${oldSep} - \\[0:0\\]$`, 'm'));
  assert.match(plan.text, new RegExp(`^-X ${oldSep}$`, 'm'));
});

test('losing the last endpoint moves the service from nat to a filter REJECT, rule by rule; the catch-all stays last', () => {
  const after = entries([a, b], [slice('a', ['10.42.0.5'])]);
  const { text } = planSync('partial', before, after, cfg);
  assert.deepEqual(lines(text, /^-D KUBE-SERVICES/).map((l) => /comment "([^"]+)"/.exec(l)![1]), ['default/b:http cluster IP']);
  assert.match(text, /^-A KUBE-SERVICES -m comment --comment "default\/b:http has no endpoints" .* -j REJECT --reject-with tcp-reset$/m);
  // Back again: the nat rule is inserted at the top, never after the node-port catch-all.
  const { text: back } = planSync('partial', after, before, cfg);
  assert.match(back, /^-I KUBE-SERVICES 1 -m comment --comment "default\/b:http cluster IP" /m);
  assert.match(back, /^-D KUBE-SERVICES -m comment --comment "default\/b:http has no endpoints"/m);
});

test('nothing changed: a partial sync has nothing to write', () => {
  assert.deepEqual(planSync('partial', before, entries([a, b], [slice('a', ['10.42.0.5']), slice('b', ['10.42.0.6'])]), cfg).changed, []);
});

test('a periodic sync rewrites the shared and fixed chains whole, with the canary', () => {
  const { text } = planSync('periodic', before, before, cfg);
  for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-PROXY-CANARY']) assert.match(text, new RegExp(`^:${c} - \\[0:0\\]$`, 'm'));
  assert.equal(lines(text, /^-A KUBE-SERVICES .*cluster IP/).length, 2);
  assert.deepEqual(lines(text, /^:KUBE-SVC-/), [], 'own chains of unchanged ports are left alone');
});

test('a full sync writes everything and deletes service chains no service wants', () => {
  const { text } = planSync('full', new Map(), before, cfg, ['KUBE-SERVICES', 'KUBE-SVC-AAAAAAAAAAAAAAAA', 'CNI-xyz']);
  assert.equal(lines(text, /^:KUBE-SVC-/).length, 3);
  assert.match(text, /^-X KUBE-SVC-AAAAAAAAAAAAAAAA$/m);
  assert.doesNotMatch(text, /CNI-xyz/);
});
