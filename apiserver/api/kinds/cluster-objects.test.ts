import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { apiServiceStrategy, apiServiceTable } from './apiservice.js';
import { componentStatusTable, healthyComponent } from './component-status.js';
import { csrStatusStrategy, csrStrategy, csrTable } from './csr.js';
import { endpointSliceStrategy, endpointSliceTable } from './endpoint-slice.js';
import { endpointsStrategy, endpointsTable } from './endpoints.js';
import { leaseStrategy, leaseTable } from './lease.js';
import { priorityClassStrategy, priorityClassTable } from './priority-class.js';
import { runtimeClassStrategy, runtimeClassTable } from './runtime-class.js';
import { created, row, updated } from './strategy-testing.js';
import type { KubeObject } from '../object.js';

const obj = (kind: string, extra: Record<string, unknown>, ns = ''): KubeObject => ({ kind, metadata: { name: 'x', ...(ns ? { namespace: ns } : {}) }, ...extra });

function csrPem(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  csr.setSubject([{ name: 'commonName', value: 'alice' }]);
  csr.sign(key, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

test('priority classes: default policy, user range, reserved names, immutable value', () => {
  const pc = created(priorityClassStrategy, obj('PriorityClass', { value: 1000 }));
  assert.deepEqual(pc.errors, []);
  assert.equal(pc.obj.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(created(priorityClassStrategy, obj('PriorityClass', { value: 2000000000 })).errors, ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
  assert.deepEqual(created(priorityClassStrategy, { ...obj('PriorityClass', { value: 1 }), metadata: { name: 'system-x' } }).errors,
    ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-x is not a known system priority class"]);
  assert.deepEqual(updated(priorityClassStrategy, pc.obj, { ...pc.obj, value: 2 }).errors, ['value: Forbidden: may not be changed in an update.']);
  assert.deepEqual(row(priorityClassTable, pc.obj), ['x', 1000, false, '60s', 'PreemptLowerPriority']);
});

test('leases and runtime classes', () => {
  assert.deepEqual(created(leaseStrategy, obj('Lease', { spec: { leaseDurationSeconds: 0 } }, 'default')).errors, ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
  assert.deepEqual(row(leaseTable, obj('Lease', { spec: { holderIdentity: 'node-1' } }, 'default')), ['x', 'node-1', '60s']);
  assert.deepEqual(created(runtimeClassStrategy, obj('RuntimeClass', { handler: 'runc' })).errors, []);
  assert.equal(created(runtimeClassStrategy, obj('RuntimeClass', { handler: 'Bad_Handler' })).errors.length, 1);
  assert.deepEqual(updated(runtimeClassStrategy, obj('RuntimeClass', { handler: 'runc' }), obj('RuntimeClass', { handler: 'kata' })).errors, ['handler: Invalid value: "kata": field is immutable']);
  assert.deepEqual(row(runtimeClassTable, obj('RuntimeClass', { handler: 'runc' })), ['x', 'runc', '60s']);
});

test('APIService names match spec; table shows Local and availability', () => {
  const svc = { ...obj('APIService', { spec: { group: 'metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100, service: { namespace: 'kube-system', name: 'metrics' } } }), metadata: { name: 'v1beta1.metrics.k8s.io' } };
  assert.deepEqual(created(apiServiceStrategy, svc).errors, []);
  assert.deepEqual(created(apiServiceStrategy, { ...svc, metadata: { name: 'wrong' } }).errors, ['metadata.name: Invalid value: "wrong": must be `spec.version+"."+spec.group`: "v1beta1.metrics.k8s.io"']);
  assert.deepEqual(row(apiServiceTable, { ...svc, status: { conditions: [{ type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck' }] } }),
    ['v1beta1.metrics.k8s.io', 'kube-system/metrics', 'False (FailedDiscoveryCheck)', '60s']);
  assert.deepEqual(row(apiServiceTable, { ...obj('APIService', { spec: {} }), status: { conditions: [{ type: 'Available', status: 'True' }] } }).slice(1, 3), ['Local', 'True']);
});

test('CSRs: requester stamped, request checked, approval only through the subresource', () => {
  const request = Buffer.from(csrPem()).toString('base64');
  const spec = { request, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 86400, username: 'mallory' };
  const csr = created(csrStrategy, obj('CertificateSigningRequest', { spec }));
  assert.deepEqual(csr.errors, []);
  assert.equal((csr.obj.spec as { username: string }).username, 'alice');
  assert.deepEqual(csr.obj.status, {});
  const bad = created(csrStrategy, obj('CertificateSigningRequest', { spec: { request: Buffer.from('junk').toString('base64'), signerName: 'nodomain', usages: ['flying'] } }));
  assert.deepEqual(bad.errors, [
    'spec.request: Invalid value: []byte{0x6a, 0x75, 0x6e, 0x6b}: PEM block type must be CERTIFICATE REQUEST',
    'spec.usages[0]: Unsupported value: "flying": supported values: "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment", "decipher only", "digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing", "timestamping"',
    "spec.signerName: Invalid value: \"nodomain\": must be a fully qualified domain and path of the form 'example.com/signer-name'",
  ]);
  const approved = { ...csr.obj, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'OK' }] } };
  assert.deepEqual(updated(csrStatusStrategy, csr.obj, approved, 'status').errors, ['status.conditions: Forbidden: updates may not add a condition of type "Approved"']);
  const viaApproval = updated(csrStrategy, csr.obj, approved, 'approval');
  assert.deepEqual(viaApproval.errors, []);
  assert.deepEqual(row(csrTable, viaApproval.obj), ['x', '60s', 'kubernetes.io/kube-apiserver-client', 'alice', '24h', 'Approved']);
});

test('endpoints: TCP default, IP checks, ENDPOINTS column', () => {
  const ep = created(endpointsStrategy, obj('Endpoints', { subsets: [{ addresses: [{ ip: '10.42.0.5' }], ports: [{ port: 80 }] }] }, 'default'));
  assert.deepEqual(ep.errors, []);
  assert.deepEqual((ep.obj.subsets as Array<{ ports: unknown[] }>)[0].ports, [{ port: 80, protocol: 'TCP' }]);
  assert.deepEqual(created(endpointsStrategy, obj('Endpoints', { subsets: [{ addresses: [{ ip: '127.0.0.1' }] }, {}] }, 'default')).errors, [
    'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    'subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`',
  ]);
  const many = obj('Endpoints', { subsets: [{ addresses: ['1', '2', '3', '4', '5'].map((n) => ({ ip: `10.0.0.${n}` })), ports: [{ port: 80 }] }] }, 'default');
  assert.deepEqual(row(endpointsTable, many), ['x', '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...', '60s']);
  assert.deepEqual(row(endpointsTable, obj('Endpoints', {}, 'default')), ['x', '<none>', '60s']);
});

test('endpoint slices: address type, addresses, ports, table', () => {
  const s = created(endpointSliceStrategy, obj('EndpointSlice', { addressType: 'IPv4', endpoints: [{ addresses: ['10.42.0.5'] }], ports: [{ port: 80 }] }, 'default'));
  assert.deepEqual(s.errors, []);
  assert.deepEqual(s.obj.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
  assert.deepEqual(row(endpointSliceTable, s.obj), ['x', 'IPv4', '80', '10.42.0.5', '60s']);
  assert.deepEqual(created(endpointSliceStrategy, obj('EndpointSlice', { addressType: 'Bogus' }, 'default')).errors,
    ['addressType: Unsupported value: "Bogus": supported values: "FQDN", "IPv4", "IPv6"']);
  assert.deepEqual(created(endpointSliceStrategy, obj('EndpointSlice', { addressType: 'IPv4', endpoints: [{ addresses: ['fd00::1'] }, { addresses: [] }] }, 'default')).errors, [
    'endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address',
    'endpoints[1].addresses: Required value: must contain at least 1 address',
  ]);
  assert.deepEqual(row(endpointSliceTable, obj('EndpointSlice', { addressType: 'IPv4' }, 'default')).slice(2, 4), ['<unset>', '<unset>']);
});

test('component statuses print Healthy with message ok', () => {
  assert.deepEqual(row(componentStatusTable, healthyComponent('etcd-0')), ['etcd-0', 'Healthy', 'ok', '']);
});
