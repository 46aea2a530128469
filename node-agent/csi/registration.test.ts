import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ephemeralVolumeHandle, publishPath, stagingPath, csiPaths } from './csi-paths.js';
import { nodeIdAnnotation, withDriver } from './csinode.js';
import { refusal } from './plugin-watcher.js';
import { accessModeOf } from '../volumes/csi-volume.js';

describe('CSI plugin registration', () => {
  it('accepts CSI plugins of a 1.x version and says why it refuses others', () => {
    const info = { type: 'CSIPlugin', name: 'd.example', endpoint: '/x.sock', supportedVersions: ['1.0.0'] };
    assert.equal(refusal(info), undefined);
    assert.equal(refusal({ ...info, supportedVersions: ['v1.5.0', '2.0.0'] }), undefined);
    assert.equal(refusal({ ...info, type: 'DevicePlugin' }), 'no handler registered for plugin type: DevicePlugin');
    assert.match(refusal({ ...info, supportedVersions: ['0.3.0'] }) ?? '', /none of the versions specified \[0.3.0\] are supported/);
    assert.equal(refusal({ ...info, name: '' }), 'plugin name is empty');
  });

  it('adds, replaces and removes a driver in CSINode and the nodeid annotation', () => {
    const a = { name: 'a', nodeID: 'n1', topologyKeys: null };
    const b = { name: 'b', nodeID: 'n2', topologyKeys: ['zone'] };
    assert.deepEqual(withDriver([a], 'b', b), [a, b]);
    assert.deepEqual(withDriver([a, b], 'a', { ...a, nodeID: 'n9' }), [b, { ...a, nodeID: 'n9' }]);
    assert.deepEqual(withDriver([a, b], 'a', undefined), [b]);
    assert.equal(nodeIdAnnotation(undefined, 'a', 'n1'), '{"a":"n1"}');
    assert.equal(nodeIdAnnotation('{"a":"n1"}', 'b', 'n2'), '{"a":"n1","b":"n2"}');
    assert.equal(nodeIdAnnotation('{"a":"n1"}', 'a', undefined), null);
    assert.equal(nodeIdAnnotation('not json', 'a', 'n1'), '{"a":"n1"}');
  });

  it('lays out directories as kubelet does', () => {
    const p = csiPaths('/var/lib/k8ts');
    assert.equal(p.registry, '/var/lib/k8ts/agent/plugins_registry');
    assert.equal(stagingPath(p, 'd', 'vol-1'), `/var/lib/k8ts/agent/plugins/kubernetes.io/csi/d/${sha256('vol-1')}/globalmount`);
    assert.equal(publishPath('/x/pods/u', 'pv1'), '/x/pods/u/volumes/kubernetes.io~csi/pv1/mount');
    assert.equal(ephemeralVolumeHandle('u', 'v'), 'csi-' + sha256('uv'));
  });

  it('maps PV access modes to the CSI mode kubelet asks for', () => {
    assert.equal(accessModeOf(['ReadWriteOnce']), 'SINGLE_NODE_WRITER');
    assert.equal(accessModeOf(['ReadWriteOnce', 'ReadWriteMany']), 'MULTI_NODE_MULTI_WRITER');
    assert.equal(accessModeOf(['ReadOnlyMany']), 'MULTI_NODE_READER_ONLY');
    assert.equal(accessModeOf(['ReadWriteOncePod']), 'SINGLE_NODE_SINGLE_WRITER');
    assert.equal(accessModeOf(undefined), 'SINGLE_NODE_WRITER');
  });
});

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
