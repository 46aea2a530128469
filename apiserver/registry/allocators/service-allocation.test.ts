import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceAllocation } from './service-allocation.js';
import { isStatusError, type StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { RequestContext } from '../context.js';

const ctx: RequestContext = { user: { name: 'admin', groups: [] }, namespace: 'default', dryRun: false };
const svc = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
  spec: { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP' }], ...spec },
});
const spec = (o: KubeObject) => o.spec as { clusterIP?: string; clusterIPs?: string[]; ipFamilies?: string[]; ipFamilyPolicy?: string; ports: Array<{ nodePort?: number }>; healthCheckNodePort?: number };

function setup() {
  const a = new ServiceAllocation('10.43.0.0/16', [30000, 32767]);
  const h = a.hooks();
  const create = async (o: KubeObject) => { await h.beforeCreate!(o, ctx); return o; };
  const update = async (o: KubeObject, old: KubeObject) => { await h.beforeUpdate!(o, old, ctx); h.afterUpdate!(o, old); return o; };
  const remove = (o: KubeObject) => h.afterDelete!(o);
  return { a, h, create, update, remove };
}

async function invalidMessages(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    assert.ok(isStatusError(err, 'Invalid'), String(err));
    return ((err as StatusError).status.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);
  }
  assert.fail('expected an Invalid error');
}

test('a random IP from the range, single-stack IPv4 families', async () => {
  const { create } = setup();
  const s = spec(await create(svc('a', {})));
  assert.match(s.clusterIP!, /^10\.43\.\d+\.\d+$/);
  assert.deepEqual(s.clusterIPs, [s.clusterIP]);
  assert.deepEqual(s.ipFamilies, ['IPv4']);
  assert.equal(s.ipFamilyPolicy, 'SingleStack');
});

test('requested IPs: in range is granted, out of range and taken are refused as Kubernetes words it', async () => {
  const { create } = setup();
  assert.equal(spec(await create(svc('a', { clusterIP: '10.43.0.10', clusterIPs: ['10.43.0.10'] }))).clusterIP, '10.43.0.10');
  assert.deepEqual(await invalidMessages(create(svc('b', { clusterIP: '10.43.0.10', clusterIPs: ['10.43.0.10'] }))),
    ['spec.clusterIPs: Invalid value: []string{"10.43.0.10"}: failed to allocate IP 10.43.0.10: provided IP is already allocated']);
  assert.deepEqual(await invalidMessages(create(svc('c', { clusterIP: '10.99.0.1', clusterIPs: ['10.99.0.1'] }))),
    ['spec.clusterIPs: Invalid value: []string{"10.99.0.1"}: failed to allocate IP 10.99.0.1: the provided IP (10.99.0.1) is not in the valid range. The range of valid IPs is 10.43.0.0/16']);
});

test('node ports: allocated, requested, conflicting and out of range', async () => {
  const { create } = setup();
  const np = spec(await create(svc('a', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP', nodePort: 30443 }] })));
  assert.ok(np.ports[0].nodePort! >= 30000 && np.ports[0].nodePort! <= 32767);
  assert.equal(np.ports[1].nodePort, 30443);
  assert.deepEqual(await invalidMessages(create(svc('b', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30443 }] }))),
    ['spec.ports[0].nodePort: Invalid value: 30443: provided port is already allocated']);
  assert.deepEqual(await invalidMessages(create(svc('c', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 8080 }] }))),
    ['spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767']);
});

test('TCP and UDP of one port share a node port', async () => {
  const { create } = setup();
  const s = spec(await create(svc('dns', { type: 'NodePort', ports: [{ name: 'udp', port: 53, protocol: 'UDP' }, { name: 'tcp', port: 53, protocol: 'TCP' }] })));
  assert.equal(s.ports[0].nodePort, s.ports[1].nodePort);
});

test('a failed create reserves nothing; delete releases for reuse', async () => {
  const { a, create, remove } = setup();
  await assert.rejects(create(svc('x', { clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'], type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 1 }] })));
  assert.equal(a.ips.has('10.43.0.20'), false);
  const s = await create(svc('y', { clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'], type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30100 }] }));
  remove(s);
  assert.equal(a.ips.has('10.43.0.20'), false);
  assert.equal(a.ports.has(30100), false);
  await create(svc('z', { clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'], type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30100 }] }));
});

test('the old allocation is released only after the update commits', async () => {
  const { a, h, create } = setup();
  const old = await create(svc('a', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30200 }] }));
  const next = svc('a', { type: 'ClusterIP', clusterIP: spec(old).clusterIP, clusterIPs: spec(old).clusterIPs, ports: [{ port: 80, protocol: 'TCP' }] });
  const undo = await h.beforeUpdate!(next, old, ctx);
  assert.equal(a.ports.has(30200), true, 'still held while the write is in flight');
  if (typeof undo === 'function') undo();
  assert.equal(a.ports.has(30200), true, 'a failed write keeps the old allocation');
  await h.beforeUpdate!(next, old, ctx);
  h.afterUpdate!(next, old);
  assert.equal(a.ports.has(30200), false);
  assert.equal(a.ips.has(spec(old).clusterIP!), true, 'the cluster IP is kept');
});

test('ClusterIP -> NodePort allocates ports; ExternalName drops the IP', async () => {
  const { a, create, update } = setup();
  const old = await create(svc('a', {}));
  const ip = spec(old).clusterIP!;
  const np = await update(svc('a', { type: 'NodePort', clusterIP: ip, clusterIPs: [ip], ports: [{ port: 80, protocol: 'TCP' }] }), old);
  assert.ok(spec(np).ports[0].nodePort);
  const ext = await update(svc('a', { type: 'ExternalName', externalName: 'x.example.com', ports: [{ port: 80, protocol: 'TCP' }] }), np);
  assert.equal(a.ips.has(ip), false);
  assert.equal(spec(ext).ipFamilies, undefined);
});

test('headless services get families but no IP; without a selector they require dual-stack', async () => {
  const { create } = setup();
  const withSel = spec(await create(svc('h', { clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'x' } })));
  assert.deepEqual([withSel.clusterIPs, withSel.ipFamilies, withSel.ipFamilyPolicy], [['None'], ['IPv4'], 'SingleStack']);
  const noSel = spec(await create(svc('h2', { clusterIP: 'None', clusterIPs: ['None'] })));
  assert.equal(noSel.ipFamilyPolicy, 'RequireDualStack');
});

test('dual-stack and IPv6 requests are refused on this IPv4 cluster', async () => {
  const { create } = setup();
  assert.deepEqual(await invalidMessages(create(svc('a', { ipFamilyPolicy: 'RequireDualStack' }))),
    ['spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services']);
  assert.deepEqual(await invalidMessages(create(svc('b', { ipFamilies: ['IPv6'] }))),
    ['spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster']);
});

test('state is rebuilt from stored services', async () => {
  const { create } = setup();
  const s = await create(svc('a', { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30300 }] }));
  const fresh = new ServiceAllocation('10.43.0.0/16', [30000, 32767]);
  fresh.restore(s);
  assert.equal(fresh.ips.has(spec(s).clusterIP!), true);
  assert.equal(fresh.ports.has(30300), true);
});

test('LoadBalancer with Local traffic gets a health check node port', async () => {
  const { create } = setup();
  const s = spec(await create(svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', allocateLoadBalancerNodePorts: true })));
  assert.ok(s.healthCheckNodePort! >= 30000);
  const noPorts = spec(await create(svc('lb2', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false })));
  assert.equal(noPorts.ports[0].nodePort, undefined);
});
