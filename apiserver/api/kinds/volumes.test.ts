import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csiDriverStrategy, csiDriverTable, csiNodeTable } from './csi.js';
import { persistentVolumeStrategy, persistentVolumeTable } from './persistent-volume.js';
import { persistentVolumeClaimStrategy, persistentVolumeClaimTable } from './persistent-volume-claim.js';
import { storageClassStrategy, storageClassTable } from './storage-class.js';
import { volumeAttachmentStrategy, volumeAttachmentTable } from './volume-attachment.js';
import { created, row, updated } from './strategy-testing.js';
import type { KubeObject } from '../object.js';

const pv = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec });
const pvc = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec, ...(status ? { status } : {}) });

test('PV defaults: Retain, Filesystem, Pending, canonical capacity', () => {
  const { obj, errors } = created(persistentVolumeStrategy, pv({ capacity: { storage: '1.5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } }));
  assert.deepEqual(errors, []);
  const spec = obj.spec as Record<string, unknown>;
  assert.equal(spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(spec.volumeMode, 'Filesystem');
  assert.deepEqual(spec.capacity, { storage: '1536Mi' });
  assert.equal((obj.status as { phase: string }).phase, 'Pending');
});

test('PV validation', () => {
  assert.deepEqual(created(persistentVolumeStrategy, pv({ hostPath: { path: '/x' } })).errors, [
    'spec.accessModes: Required value', 'spec.capacity: Required value', 'spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage"',
  ]);
  assert.deepEqual(created(persistentVolumeStrategy, pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] })).errors, ['spec: Required value: must specify a volume type']);
  assert.deepEqual(created(persistentVolumeStrategy, pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/a' }, nfs: { server: 's', path: '/b' } })).errors,
    ['spec.nfs: Forbidden: may not specify more than 1 volume type']);
  assert.deepEqual(created(persistentVolumeStrategy, pv({ capacity: { storage: '1Gi' }, accessModes: ['RWO'], nfs: { server: 's', path: 'rel' } })).errors, [
    'spec.accessModes: Unsupported value: "RWO": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    'spec.nfs.path: Invalid value: "rel": must be an absolute path',
  ]);
  assert.deepEqual(created(persistentVolumeStrategy, pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], local: { path: '/mnt' } })).errors,
    ['spec.nodeAffinity: Required value: Local volume requires node affinity']);
});

test('PV source is immutable', () => {
  const old = created(persistentVolumeStrategy, pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/a' } })).obj;
  const { errors } = updated(persistentVolumeStrategy, old, { ...old, spec: { ...(old.spec as object), hostPath: { path: '/b' } } });
  assert.equal(errors.length, 1);
  assert.match(errors[0], /^spec\.persistentvolumesource: Forbidden: spec\.persistentvolumesource is immutable after creation\n/);
});

test('PVC defaults and validation', () => {
  const ok = created(persistentVolumeClaimStrategy, pvc({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1G' } } }));
  assert.deepEqual(ok.errors, []);
  assert.equal((ok.obj.spec as { volumeMode: string }).volumeMode, 'Filesystem');
  assert.deepEqual(ok.obj.status, { phase: 'Pending' });
  assert.deepEqual(created(persistentVolumeClaimStrategy, pvc({})).errors,
    ['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value']);
  assert.deepEqual(created(persistentVolumeClaimStrategy, pvc({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0' } } })).errors,
    ['spec.resources[storage]: Invalid value: "0": must be greater than zero']);
  assert.throws(() => created(persistentVolumeClaimStrategy, pvc({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1 GB' } } })),
    { message: `PersistentVolumeClaim in version "v1" cannot be handled as a PersistentVolumeClaim: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'` });
});

test('PVC spec is frozen except storage growth of bound claims and binding', () => {
  const old = created(persistentVolumeClaimStrategy, pvc({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } })).obj;
  const grown = { ...old, spec: { ...(old.spec as object), resources: { requests: { storage: '2Gi' } } } };
  assert.match(updated(persistentVolumeClaimStrategy, old, grown).errors[0], /^spec: Forbidden: spec is immutable after creation except resources\.requests and volumeAttributesClassName for bound claims\n/);
  const bound = { ...old, status: { phase: 'Bound', capacity: { storage: '1Gi' } } };
  assert.deepEqual(updated(persistentVolumeClaimStrategy, bound, { ...grown, status: bound.status }).errors, []);
  const shrunk = { ...bound, spec: { ...(old.spec as object), resources: { requests: { storage: '512Mi' } } } };
  assert.deepEqual(updated(persistentVolumeClaimStrategy, bound, shrunk).errors, ['spec.resources.requests.storage: Forbidden: field can not be less than status.capacity']);
  const binding = { ...old, spec: { ...(old.spec as object), volumeName: 'pv1' } };
  assert.deepEqual(updated(persistentVolumeClaimStrategy, old, binding).errors, []);
  // A claim without a class may be given one (the default, retroactively); a class, once set, stays.
  const classed = { ...old, spec: { ...(old.spec as object), storageClassName: 'local-path' } };
  assert.deepEqual(updated(persistentVolumeClaimStrategy, old, classed).errors, []);
  assert.match(updated(persistentVolumeClaimStrategy, classed, { ...classed, spec: { ...(classed.spec as object), storageClassName: 'other' } }).errors[0], /^spec: Forbidden: spec is immutable/);
});

test('PV and PVC tables', () => {
  const v = { ...pv({ capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'standard', volumeMode: 'Filesystem' }), status: { phase: 'Bound' } };
  assert.deepEqual(row(persistentVolumeTable, v), ['pv1', '5Gi', 'RWO,ROX', 'Retain', 'Bound', 'default/data', 'standard', '<unset>', '', '60s', 'Filesystem']);
  const c = pvc({ volumeName: 'pv1', storageClassName: 'standard', volumeMode: 'Filesystem' }, { phase: 'Bound', capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'] });
  assert.deepEqual(row(persistentVolumeClaimTable, c), ['data', 'Bound', 'pv1', '5Gi', 'RWO', 'standard', '<unset>', '60s', 'Filesystem']);
  assert.deepEqual(row(persistentVolumeClaimTable, pvc({}, { phase: 'Pending' })), ['data', 'Pending', '', '', '', '', '<unset>', '60s', '<unset>']);
});

test('StorageClass defaults, immutable parameters, "(default)" name', () => {
  const sc = (extra: Record<string, unknown>): KubeObject => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' }, provisioner: 'k8ts.io/nfs', ...extra });
  const { obj, errors } = created(storageClassStrategy, sc({}));
  assert.deepEqual(errors, []);
  assert.deepEqual([obj.reclaimPolicy, obj.volumeBindingMode], ['Delete', 'Immediate']);
  assert.deepEqual(created(storageClassStrategy, sc({ provisioner: '' })).errors, ['provisioner: Required value']);
  assert.deepEqual(updated(storageClassStrategy, obj, { ...obj, parameters: { a: 'b' } }).errors, ['parameters: Forbidden: updates to parameters are forbidden.']);
  const def = { ...obj, metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } };
  assert.deepEqual(row(storageClassTable, def), ['standard (default)', 'k8ts.io/nfs', 'Delete', 'Immediate', false, '60s']);
});

test('CSIDriver defaults and table, CSINode and VolumeAttachment tables', () => {
  const { obj, errors } = created(csiDriverStrategy, { apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: 'nfs.csi.k8ts.io' }, spec: {} });
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec, {
    attachRequired: true, podInfoOnMount: false, storageCapacity: false, fsGroupPolicy: 'ReadWriteOnceWithFSType',
    volumeLifecycleModes: ['Persistent'], requiresRepublish: false, seLinuxMount: false,
  });
  assert.deepEqual(row(csiDriverTable, obj), ['nfs.csi.k8ts.io', true, false, false, '<unset>', false, 'Persistent', '60s']);
  assert.deepEqual(row(csiNodeTable, { apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: 'n1' }, spec: { drivers: [{ name: 'a', nodeID: 'n1' }] } }), ['n1', 1, '60s']);
  const va = { apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment', metadata: { name: 'va1' }, spec: { attacher: 'nfs.csi.k8ts.io', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } } };
  assert.deepEqual(created(volumeAttachmentStrategy, va).errors, []);
  assert.deepEqual(row(volumeAttachmentTable, va), ['va1', 'nfs.csi.k8ts.io', 'pv1', 'n1', false, '60s']);
  assert.deepEqual(created(volumeAttachmentStrategy, { ...va, spec: { attacher: 'a.b', nodeName: 'n1', source: {} } }).errors,
    ['spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName']);
});
