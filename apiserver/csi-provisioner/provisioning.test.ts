import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createVolumeRequest, expansionTarget, provisionedVolume, wantsDeletion, wantsProvisioning, type Claim, type StorageClass, type Volume } from './provisioning.js';

const sc: StorageClass = {
  metadata: { name: 'nfs-csi' }, provisioner: 'nfs.csi.k8s.io', reclaimPolicy: 'Retain', mountOptions: ['nfsvers=4.1'], allowVolumeExpansion: true,
  parameters: { server: 'nfs', share: '/srv', subDir: '${pvc.metadata.name}', 'csi.storage.k8s.io/provisioner-secret-name': 's' },
};
const claim: Claim = {
  metadata: { name: 'data', namespace: 'db', uid: 'u-1', resourceVersion: '7', annotations: { 'volume.kubernetes.io/storage-provisioner': 'nfs.csi.k8s.io' } },
  spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'nfs-csi' },
  status: { phase: 'Pending' },
};

describe('CSI provisioning rules', () => {
  it('provisions pending claims annotated for the driver, and waits for a node under WaitForFirstConsumer', () => {
    assert.equal(wantsProvisioning(claim, sc, 'nfs.csi.k8s.io'), true);
    assert.equal(wantsProvisioning(claim, sc, 'other.csi'), false);
    assert.equal(wantsProvisioning({ ...claim, spec: { ...claim.spec, volumeName: 'pv' } }, sc, 'nfs.csi.k8s.io'), false);
    const wffc = { ...sc, volumeBindingMode: 'WaitForFirstConsumer' };
    assert.equal(wantsProvisioning(claim, wffc, 'nfs.csi.k8s.io'), false);
    const selected = { ...claim, metadata: { ...claim.metadata, annotations: { ...claim.metadata?.annotations, 'volume.kubernetes.io/selected-node': 'n1' } } };
    assert.equal(wantsProvisioning(selected, wffc, 'nfs.csi.k8s.io'), true);
  });

  it('builds CreateVolume from the class and claim, without the reserved parameters, with the claim metadata', () => {
    assert.deepEqual(createVolumeRequest(claim, sc), {
      name: 'pvc-u-1', capacityRange: { requiredBytes: 1073741824 },
      volumeCapabilities: [{ mount: { fsType: '', mountFlags: ['nfsvers=4.1'] }, accessMode: { mode: 'MULTI_NODE_MULTI_WRITER' } }],
      parameters: { server: 'nfs', share: '/srv', subDir: '${pvc.metadata.name}', 'csi.storage.k8s.io/pvc/name': 'data', 'csi.storage.k8s.io/pvc/namespace': 'db', 'csi.storage.k8s.io/pv/name': 'pvc-u-1' },
    });
  });

  it('makes a PV pre-bound to the claim with the class reclaim policy and the driver source', () => {
    const pv = provisionedVolume(claim, sc, { volumeId: 'nfs#srv#data#pvc-u-1', capacityBytes: 0, volumeContext: { server: 'nfs', share: '/srv', subDir: 'data' } });
    assert.equal(pv.metadata?.name, 'pvc-u-1');
    assert.deepEqual(pv.metadata?.annotations, { 'pv.kubernetes.io/provisioned-by': 'nfs.csi.k8s.io' });
    assert.deepEqual(pv.spec?.capacity, { storage: '1Gi' });
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Retain');
    assert.deepEqual(pv.spec?.claimRef, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'db', name: 'data', uid: 'u-1', resourceVersion: '7' });
    assert.equal(pv.spec?.csi?.volumeHandle, 'nfs#srv#data#pvc-u-1');
    assert.equal(pv.spec?.csi?.volumeAttributes?.subDir, 'data');
  });

  it('deletes only released Delete-policy volumes it provisioned; expands only expandable classes', () => {
    const pv: Volume = { metadata: { name: 'p', annotations: { 'pv.kubernetes.io/provisioned-by': 'd' } }, spec: { persistentVolumeReclaimPolicy: 'Delete', csi: { driver: 'd', volumeHandle: 'h' }, capacity: { storage: '1Gi' } }, status: { phase: 'Released' } };
    assert.equal(wantsDeletion(pv, 'd'), true);
    assert.equal(wantsDeletion({ ...pv, status: { phase: 'Bound' } }, 'd'), false);
    assert.equal(wantsDeletion({ ...pv, spec: { ...pv.spec, persistentVolumeReclaimPolicy: 'Retain' } }, 'd'), false);
    const bound: Claim = { ...claim, spec: { ...claim.spec, resources: { requests: { storage: '2Gi' } } }, status: { phase: 'Bound' } };
    assert.equal(expansionTarget(bound, pv, { ...sc, provisioner: 'd' }, 'd'), 2 * 1073741824);
    assert.equal(expansionTarget(bound, pv, { ...sc, allowVolumeExpansion: false }, 'd'), undefined);
    assert.equal(expansionTarget(claim, pv, sc, 'd'), undefined);
  });
});
