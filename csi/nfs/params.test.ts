import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CsiError } from '../errors.js';
import { expandTemplates, parseCreateParameters, publishSource, volumeFromId, volumeIdOf, workingMountPath } from './params.js';

const invalidArgument = (re: RegExp) => (err: unknown) => err instanceof CsiError && err.code === 'INVALID_ARGUMENT' && re.test(err.message);

describe('csi-nfs CreateVolume parameters', () => {
  it('defaults subDir to the volume name and deletes on delete', () => {
    const { volume, mountPermissions } = parseCreateParameters('pvc-1', { server: 'nfs.example', share: '/srv/nfs' });
    assert.deepEqual(volume, { server: 'nfs.example', baseDir: '/srv/nfs', subDir: 'pvc-1', uuid: '', onDelete: 'delete' });
    assert.equal(mountPermissions, 0);
    assert.equal(volumeIdOf(volume), 'nfs.example#srv/nfs#pvc-1#');
  });

  it('expands subDir templates from the provisioner metadata; the name becomes the uuid', () => {
    const { volume } = parseCreateParameters('pvc-2', {
      Server: '10.0.0.1', share: '/exports', subDir: '${pvc.metadata.namespace}/${pvc.metadata.name}-${pv.metadata.name}',
      'csi.storage.k8s.io/pvc/name': 'data', 'csi.storage.k8s.io/pvc/namespace': 'db', 'csi.storage.k8s.io/pv/name': 'pvc-2',
      onDelete: 'Archive', mountPermissions: '0775',
    });
    assert.equal(volume.subDir, 'db/data-pvc-2');
    assert.equal(volume.uuid, 'pvc-2');
    assert.equal(volume.onDelete, 'archive');
    assert.equal(volumeIdOf(volume), '10.0.0.1#exports#db/data-pvc-2#pvc-2#archive');
    // The ID keeps the share without its slashes, as upstream's.
    assert.deepEqual(volumeFromId(volumeIdOf(volume)), { ...volume, baseDir: 'exports' });
  });

  it('refuses what csi-driver-nfs refuses, as InvalidArgument', () => {
    assert.throws(() => parseCreateParameters('', { server: 's' }), invalidArgument(/name must be provided/));
    assert.throws(() => parseCreateParameters('v', { share: '/x' }), invalidArgument(/^server is a required parameter$/));
    assert.throws(() => parseCreateParameters('v', { server: 's', colour: 'red' }), invalidArgument(/invalid parameter "colour" in storage class/));
    assert.throws(() => parseCreateParameters('v', { server: 's', mountPermissions: '999' }), invalidArgument(/invalid mountPermissions 999/));
    assert.throws(() => parseCreateParameters('v', { server: 's', onDelete: 'shred' }), invalidArgument(/invalid value shred for OnDelete/));
    assert.throws(() => parseCreateParameters('v', { server: 's', subDir: '../../etc' }), invalidArgument(/directory traversal/));
    assert.throws(() => parseCreateParameters('v', { server: 's', share: '/a/../b' }), invalidArgument(/directory traversal/));
  });

  it('reads old slash-separated IDs and refuses traversal in IDs', () => {
    assert.deepEqual(volumeFromId('srv/exports/a/vol'), { server: 'srv', baseDir: 'exports/a', subDir: 'vol', uuid: '', onDelete: 'delete' });
    assert.throws(() => volumeFromId('s#share#../x#'), invalidArgument(/traversal/));
    assert.throws(() => volumeFromId(''), invalidArgument(/empty/));
  });

  it('keeps the working mount inside the working directory', () => {
    const v = parseCreateParameters('pvc-9', { server: 's', share: '/x' }).volume;
    assert.equal(workingMountPath('/run/k8ts/csi-nfs', v), '/run/k8ts/csi-nfs/pvc-9');
  });

  it('leaves unknown templates alone', () => {
    assert.equal(expandTemplates('${pvc.metadata.labels}/x', { '${pvc.metadata.name}': 'n' }), '${pvc.metadata.labels}/x');
  });
});

describe('csi-nfs NodePublishVolume source', () => {
  it('joins share and subDir, and merges mount flags, the mountOptions attribute and ro', () => {
    const s = publishSource({ server: 'nfs', share: 'srv/nfs/', subDir: 'pvc-1', mountOptions: 'nolock, hard' }, ['nfsvers=4.1'], true);
    assert.deepEqual(s, { source: 'nfs:/srv/nfs/pvc-1', mountOptions: ['nfsvers=4.1', 'nolock', 'hard', 'ro'], mountPermissions: 0 });
  });

  it('brackets IPv6 servers and requires server and share', () => {
    assert.equal(publishSource({ server: 'fd00::1', share: '/x' }, [], false).source, '[fd00::1]:/x');
    assert.throws(() => publishSource({ share: '/x' }, [], false), invalidArgument(/server is a required/));
    assert.throws(() => publishSource({ server: 's' }, [], false), invalidArgument(/share is a required/));
  });
});
