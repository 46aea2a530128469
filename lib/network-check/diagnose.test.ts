import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allPassed, diagnose, formatMatrix, type CheckResults, type NodeFacts } from './diagnose.js';
import { clientCommand, parseClientLog, type ClientResult } from './probe.js';

const node = (name: string, ip: string, over: Partial<NodeFacts> = {}): NodeFacts => ({ name, internalIP: ip, podCIDR: '10.42.0.0/24', backend: 'vxlan', publicIP: ip, hasBackendData: true, ...over });
const ok = (nodes: string[]): ClientResult => ({ pods: nodes.map((n) => ({ node: n, small: true, big: true })), service: true, dns: true });

function results(nodes: NodeFacts[], per: Record<string, ClientResult>): CheckResults {
  return { nodes, results: new Map(Object.entries(per)), notRun: new Map() };
}

test('all green: a matrix of ok, no causes', () => {
  const nodes = [node('a', '192.168.1.1'), node('b', '192.168.1.2')];
  const r = results(nodes, { a: ok(['a', 'b']), b: ok(['a', 'b']) });
  assert.equal(allPassed(r), true);
  assert.deepEqual(diagnose(r), []);
  assert.equal(formatMatrix(r), 'FROM \\ TO   a    b    SERVICE   DNS\na           ok   ok   ok        ok\nb           ok   ok   ok        ok\n');
});

test('cross-node failure with healthy annotations: UDP 8472', () => {
  const nodes = [node('a', '192.168.1.1'), node('b', '192.168.1.2')];
  const cut = (self: string, other: string): ClientResult => ({ pods: [{ node: self, small: true, big: true }, { node: other, small: false, big: false }], service: true, dns: true });
  const r = results(nodes, { a: cut('a', 'b'), b: cut('b', 'a') });
  assert.equal(allPassed(r), false);
  const causes = diagnose(r);
  assert.equal(causes.length, 2);
  assert.match(causes[0]!, /^UDP 8472 blocked: VXLAN packets from a \(192\.168\.1\.1\) do not reach b/);
  assert.match(formatMatrix(r), /^a\s+ok\s+FAIL/m);
});

test('the other causes: wrong interface, missing route, MTU, same node, br_netfilter, DNS', () => {
  const fail = (to: string, big = false) => ({ pods: [{ node: to, small: big, big: false }], service: true, dns: true });
  const wrongIf = diagnose(results([node('a', '1.1.1.1'), node('b', '1.1.1.2', { publicIP: '10.0.0.2' })], { a: fail('b') }));
  assert.match(wrongIf[0]!, /^wrong interface: node b's overlay runs on 10\.0\.0\.2, not its InternalIP 1\.1\.1\.2/);
  assert.match(diagnose(results([node('a', '1'), node('b', '2', { hasBackendData: false })], { a: fail('b') }))[0]!, /^missing route: node b has no flannel backend-data/);
  assert.match(diagnose(results([node('a', '1'), node('b', '2', { podCIDR: undefined })], { a: fail('b') }))[0]!, /^missing route: node b has no spec\.podCIDR/);
  assert.match(diagnose(results([node('a', '1'), node('b', '2')], { a: fail('b', true) }))[0]!, /^MTU: between a and b small packets pass/);
  assert.match(diagnose(results([node('a', '1')], { a: fail('a') }))[0]!, /^pod network on a:/);
  assert.match(diagnose(results([node('a', '1')], { a: { ...ok(['a']), service: false } }))[0]!, /br_netfilter/);
  assert.match(diagnose(results([node('a', '1')], { a: { ...ok(['a']), dns: false } }))[0]!, /^DNS from a:/);
});

test('client output round trip, and names that could break the script are refused', () => {
  const cmd = clientCommand([{ node: 'n1', ip: '10.42.0.5' }], '10.43.0.9', 'check.x.svc.cluster.local');
  assert.equal(cmd[0], 'sh');
  assert.match(cmd[2]!, /http:\/\/10\.42\.0\.5:8080\/big/);
  assert.deepEqual(parseClientLog('pod n1 ok fail\nservice ok\ndns fail\n'), { pods: [{ node: 'n1', small: true, big: false }], service: true, dns: false });
  assert.throws(() => clientCommand([{ node: 'n1; rm -rf /', ip: '1' }], '1', 'x'), /unexpected name/);
});
