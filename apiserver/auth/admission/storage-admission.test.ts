import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import type { AdmissionAttributes } from '../../registry/context.js';
import { defaultClassOf } from '../../api/kinds/storage-class.js';
import { storageObjectInUseProtection } from './storage-object-in-use.js';

const sc = (name: string, created: string, isDefault: boolean): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
  metadata: { name, creationTimestamp: created, annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} },
});

describe('DefaultStorageClass', () => {
  it('picks the newest default class', () => {
    assert.equal(defaultClassOf([sc('a', '2026-01-01T00:00:00Z', true), sc('b', '2026-02-01T00:00:00Z', true), sc('c', '2026-03-01T00:00:00Z', false)])?.metadata.name, 'b');
    assert.equal(defaultClassOf([sc('c', '2026-03-01T00:00:00Z', false)]), undefined);
  });
});

describe('StorageObjectInUseProtection', () => {
  const attrs = (plural: string, operation: 'CREATE' | 'UPDATE', object: KubeObject) =>
    ({ operation, def: { group: '', plural }, namespace: 'ns', name: 'x', object } as unknown as AdmissionAttributes);

  it('adds the protection finalizer to new claims and volumes only', async () => {
    const plugin = storageObjectInUseProtection();
    const claim: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'x', finalizers: ['example.com/keep'] } };
    await plugin.mutate!(attrs('persistentvolumeclaims', 'CREATE', claim));
    assert.deepEqual(claim.metadata.finalizers, ['example.com/keep', 'kubernetes.io/pvc-protection']);
    const volume: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' } };
    await plugin.mutate!(attrs('persistentvolumes', 'CREATE', volume));
    assert.deepEqual(volume.metadata.finalizers, ['kubernetes.io/pv-protection']);
    const updated: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' } };
    await plugin.mutate!(attrs('persistentvolumes', 'UPDATE', updated));
    assert.equal(updated.metadata.finalizers, undefined);
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    await plugin.mutate!(attrs('configmaps', 'CREATE', cm));
    assert.equal(cm.metadata.finalizers, undefined);
  });
});
