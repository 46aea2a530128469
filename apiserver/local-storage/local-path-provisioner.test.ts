import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { localPathConfigMap, parseLocalPathConfig, localPathStorageClass } from './local-path-objects.js';
import { deleteHelperPod, localPathVolume, volumeNode } from './local-path-provisioner.js';

const claim = { metadata: { name: 'data', namespace: 'db', uid: 'abc' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } } };
const retain = { metadata: { name: 'keep' }, provisioner: 'rancher.io/local-path', reclaimPolicy: 'Retain' };

describe('local-path provisioner', () => {
  it('makes a DirectoryOrCreate hostPath volume tied to the selected node, with the class\'s policy', () => {
    const v = localPathVolume(claim, retain, 'node-1', '/var/lib/k8ts/storage/');
    assert.equal(v.metadata?.name, 'pvc-abc');
    assert.deepEqual(v.spec?.hostPath, { path: '/var/lib/k8ts/storage/pvc-abc_db_data', type: 'DirectoryOrCreate' });
    assert.equal(v.spec?.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(v.spec?.storageClassName, 'keep');
    assert.deepEqual(v.spec?.capacity, { storage: '2Gi' });
    assert.equal(v.spec?.claimRef?.uid, 'abc');
    assert.equal(v.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
    assert.equal(volumeNode(v), 'node-1');
  });

  it('reads node paths and the helper image from local-path-config, and removes with a pod on the node', () => {
    const cm = localPathConfigMap('/data/storage') as unknown as { data: Record<string, string> };
    const cfg = parseLocalPathConfig({ ...cm.data, 'config.json': JSON.stringify({ nodePathMap: [{ node: 'DEFAULT_PATH_FOR_NON_LISTED_NODES', paths: ['/data/storage'] }, { node: 'big', paths: ['/mnt/disk'] }] }) });
    assert.equal(cfg.pathFor('other'), '/data/storage');
    assert.equal(cfg.pathFor('big'), '/mnt/disk');
    const v = localPathVolume(claim, retain, 'big', '/mnt/disk');
    const pod = deleteHelperPod(v, 'big', cfg);
    assert.equal(pod.spec?.nodeName, 'big');
    assert.equal(pod.spec?.restartPolicy, 'Never');
    assert.equal(pod.spec?.containers[0].image, 'rancher/mirrored-library-busybox:1.36.1');
    assert.deepEqual(pod.spec?.containers[0].env, [{ name: 'VOL_DIR', value: '/data/pvc-abc_db_data' }]);
    assert.deepEqual(pod.spec?.volumes, [{ name: 'data', hostPath: { path: '/mnt/disk', type: 'DirectoryOrCreate' } }]);
  });

  it('ships a default WaitForFirstConsumer class', () => {
    const sc = localPathStorageClass() as unknown as Record<string, unknown> & { metadata: { annotations: Record<string, string> } };
    assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
    assert.equal(sc.metadata.annotations['storageclass.kubernetes.io/is-default-class'], 'true');
  });
});
