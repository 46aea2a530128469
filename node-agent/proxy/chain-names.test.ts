import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointChain, isServiceChain, serviceChains, servicePortName } from './chain-names.js';

test('service chains carry the names kube-proxy gives them', () => {
  // Seen in real clusters' iptables-save.
  assert.equal(serviceChains(servicePortName('default', 'kubernetes', 'https'), 'TCP').svc, 'KUBE-SVC-NPX46M4PTMTKRN6Y');
  assert.equal(serviceChains('kube-system/kube-dns:dns', 'UDP').svc, 'KUBE-SVC-TCOU7JCQXEZGVUNU');
  assert.equal(serviceChains('kube-system/kube-dns:dns-tcp', 'TCP').svc, 'KUBE-SVC-ERIFXISQEP7F7OF4');
  assert.equal(serviceChains('kube-system/kube-dns:metrics', 'TCP').ext, 'KUBE-EXT-JD5MR3NA4I4DYORP');
  assert.equal(servicePortName('ns', 'web', ''), 'ns/web');
});

test('endpoint chains hash the endpoint too, and are recognised as ours', () => {
  const a = endpointChain('default/kubernetes:https', 'tcp', '10.0.0.1:6443');
  const b = endpointChain('default/kubernetes:https', 'tcp', '10.0.0.2:6443');
  assert.match(a, /^KUBE-SEP-[A-Z2-7]{16}$/);
  assert.notEqual(a, b);
  assert.ok(isServiceChain(a));
  assert.ok(!isServiceChain('KUBE-SERVICES'));
  assert.ok(!isServiceChain('KUBE-SVC-short'));
});
