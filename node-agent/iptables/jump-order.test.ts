import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insertPosition, isNetpolHook, standsBefore } from './jump-order.js';

const hook = '-A FORWARD -m comment --comment "kube-router netpol - enforce NetworkPolicy for pods of this node" -j KUBE-ROUTER-FORWARD';
const proxy = '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD';
const flannel = '-A FORWARD -m comment --comment "k8ts flannel" -j FLANNEL-FWD';

test('the NetworkPolicy hook goes first and the proxy inserts behind it', () => {
  assert.ok(isNetpolHook(hook) && !isNetpolHook(proxy));
  assert.equal(insertPosition([hook, proxy, flannel], 'service-proxy'), 2);
  assert.equal(insertPosition([hook, proxy], 'network-policy'), 1);
  assert.equal(insertPosition([flannel, hook], 'service-proxy'), 1, 'only the hooks that lead count');
  assert.equal(insertPosition([], 'service-proxy'), 1);
  assert.ok(standsBefore(hook, 'service-proxy') && !standsBefore(hook, 'network-policy') && !standsBefore(flannel, 'service-proxy'));
});
