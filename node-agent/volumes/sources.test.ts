import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VolumeError, volumeNeeds, volumePayload, type SourceData } from './sources.js';
import type { Pod, Volume } from '../kube-types.js';

const pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { b: '2', a: '1' } }, spec: { serviceAccountName: 'default', containers: [{ name: 'c', resources: { limits: { memory: '64Mi' } } }] } } as Pod;
const data = (over: Partial<SourceData> = {}): SourceData => ({
  configMaps: new Map([['cm', { data: { 'game.properties': 'lives=3', ui: 'dark' }, binaryData: { bin: Buffer.from([0, 1]).toString('base64') } }]]),
  secrets: new Map([['sec', { data: { password: Buffer.from('s3cret').toString('base64') } }]]),
  tokens: new Map([['token', 'eyJ...']]),
  podIPs: ['10.42.0.9'],
  hostIPs: ['192.0.2.2'],
  allocatable: { memory: '8Gi' },
  ...over,
});
const files = (v: Volume, d = data()) => Object.fromEntries([...volumePayload(pod, v, d)].map(([k, f]) => [k, [f.data.toString('utf8'), f.mode.toString(8)]]));

test('configMap: every key, or the listed items with their modes', () => {
  assert.deepEqual(files({ name: 'v', configMap: { name: 'cm' } }), { 'game.properties': ['lives=3', '644'], ui: ['dark', '644'], bin: ['\u0000\u0001', '644'] });
  assert.deepEqual(files({ name: 'v', configMap: { name: 'cm', defaultMode: 0o600, items: [{ key: 'ui', path: 'conf/ui', mode: 0o400 }, { key: 'game.properties', path: 'g' }] } }), { 'conf/ui': ['dark', '400'], g: ['lives=3', '600'] });
});

test('missing sources fail with kubelet wording unless optional', () => {
  assert.throws(() => volumePayload(pod, { name: 'v', configMap: { name: 'nope' } }, data()), new VolumeError('configmap "nope" not found'));
  assert.equal(volumePayload(pod, { name: 'v', configMap: { name: 'nope', optional: true } }, data()).size, 0);
  assert.throws(() => volumePayload(pod, { name: 'v', configMap: { name: 'cm', items: [{ key: 'zz', path: 'z' }] } }, data()), new VolumeError('configmap references non-existent config key: zz'));
  assert.throws(() => volumePayload(pod, { name: 'v', secret: { secretName: 'gone' } }, data()), new VolumeError('secret "gone" not found'));
});

test('secret values are decoded; downward API renders fields and resources', () => {
  assert.deepEqual(files({ name: 'v', secret: { secretName: 'sec' } }), { password: ['s3cret', '644'] });
  assert.deepEqual(files({ name: 'v', downwardAPI: { items: [
    { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
    { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
    { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
  ] } }), { labels: ['a="1"\nb="2"', '644'], name: ['p', '644'], mem: ['64', '644'] });
});

test('projected: token, CA configMap and namespace in one volume (the kube-api-access layout)', () => {
  const v: Volume = { name: 'kube-api-access-x', projected: { defaultMode: 420, sources: [
    { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
  ] } };
  assert.deepEqual(volumeNeeds(v), { configMaps: ['kube-root-ca.crt'], secrets: [], tokens: [{ path: 'token', audience: undefined, expirationSeconds: 3607 }] });
  const d = data({ configMaps: new Map([['kube-root-ca.crt', { data: { 'ca.crt': 'PEM' } }]]) });
  assert.deepEqual(files(v, d), { token: ['eyJ...', '644'], 'ca.crt': ['PEM', '644'], namespace: ['ns', '644'] });
});
