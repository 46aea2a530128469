import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../lib/client/types.js';
import { findMatchingVolume, volumeFitsNode, volumeMismatch } from './pv-matching.js';
import type { PersistentVolume, PersistentVolumeClaim } from './volume-types.js';

function pv(name: string, size: string, opts: Partial<NonNullable<PersistentVolume['spec']>> & { labels?: Record<string, string> } = {}): PersistentVolume {
  const { labels, ...spec } = opts;
  return { metadata: { name, labels }, spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', volumeMode: 'Filesystem', ...spec } };
}

function pvc(size: string, spec: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {}): PersistentVolumeClaim {
  return { metadata: { name: 'c', namespace: 'ns', uid: 'u1' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', resources: { requests: { storage: size } }, ...spec } };
}

const names = (v: PersistentVolume | undefined) => v?.metadata?.name;

describe('findMatchingVolume', () => {
  it('picks the smallest volume that is large enough', () => {
    const vols = [pv('big', '10Gi'), pv('small', '1Gi'), pv('tiny', '100Mi'), pv('mid', '2Gi')];
    assert.equal(names(findMatchingVolume(pvc('500Mi'), vols)), 'small');
    assert.equal(names(findMatchingVolume(pvc('1500Mi'), vols)), 'mid');
    assert.equal(findMatchingVolume(pvc('20Gi'), vols), undefined);
  });

  it('skips volumes of another class, volumeMode, claimed or being deleted', () => {
    const vols = [
      pv('other-class', '1Gi', { storageClassName: 'fast' }),
      pv('block', '1Gi', { volumeMode: 'Block' }),
      pv('taken', '1Gi', { claimRef: { namespace: 'ns', name: 'someone', uid: 'x' } }),
      { ...pv('deleting', '1Gi'), metadata: { name: 'deleting', deletionTimestamp: '2026-01-01T00:00:00Z' } },
      pv('ok', '5Gi'),
    ];
    assert.equal(names(findMatchingVolume(pvc('1Gi'), vols)), 'ok');
    // "" matches only "".
    assert.equal(findMatchingVolume(pvc('1Gi', { storageClassName: '' }), vols), undefined);
  });

  it('honours the selector', () => {
    const vols = [pv('plain', '1Gi'), pv('gold', '3Gi', { labels: { tier: 'gold' } })];
    assert.equal(names(findMatchingVolume(pvc('1Gi', { selector: { matchLabels: { tier: 'gold' } } }), vols)), 'gold');
  });

  it('prefers the smallest access-mode set that holds the requested modes', () => {
    const vols = [pv('many', '1Gi', { accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany'] }), pv('rwo', '5Gi')];
    assert.equal(names(findMatchingVolume(pvc('1Gi'), vols)), 'rwo');
    assert.equal(names(findMatchingVolume(pvc('1Gi', { accessModes: ['ReadWriteMany'] }), vols)), 'many');
  });

  it('a volume pre-bound to the claim wins over a smaller free one, even when binding waits for a consumer', () => {
    const reserved = pv('reserved', '8Gi', { claimRef: { namespace: 'ns', name: 'c' } });
    const vols = [pv('free', '1Gi'), reserved];
    assert.equal(names(findMatchingVolume(pvc('1Gi'), vols)), 'reserved');
    assert.equal(names(findMatchingVolume(pvc('1Gi'), [pv('free', '1Gi')], { delayBinding: true })), undefined);
    assert.equal(names(findMatchingVolume(pvc('1Gi'), vols, { delayBinding: true })), 'reserved');
    // Reserved for another incarnation of the claim (another UID): not ours.
    const stale = pv('stale', '1Gi', { claimRef: { namespace: 'ns', name: 'c', uid: 'old' } });
    assert.equal(findMatchingVolume(pvc('1Gi'), [stale]), undefined);
  });

  it('checks node affinity on the scheduler\'s path', () => {
    const affinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] }] } };
    const local = pv('local-a', '1Gi', { nodeAffinity: affinity });
    const nodeA: Node = { metadata: { name: 'a', labels: { 'kubernetes.io/hostname': 'a' } } };
    const nodeB: Node = { metadata: { name: 'b', labels: { 'kubernetes.io/hostname': 'b' } } };
    assert.equal(volumeFitsNode(local, nodeA), true);
    assert.equal(volumeFitsNode(local, nodeB), false);
    assert.equal(names(findMatchingVolume(pvc('1Gi'), [local], { node: nodeA })), 'local-a');
    assert.equal(findMatchingVolume(pvc('1Gi'), [local], { node: nodeB }), undefined);
  });
});

describe('volumeMismatch', () => {
  it('says why a named volume cannot serve the claim, in upstream\'s words', () => {
    assert.equal(volumeMismatch(pv('v', '1Gi'), pvc('2Gi')), 'requested PV is too small');
    assert.equal(volumeMismatch(pv('v', '1Gi', { storageClassName: 'x' }), pvc('1Gi')), 'storageClassName does not match');
    assert.equal(volumeMismatch(pv('v', '1Gi', { volumeMode: 'Block' }), pvc('1Gi')), 'incompatible volumeMode');
    assert.equal(volumeMismatch(pv('v', '1Gi'), pvc('1Gi', { accessModes: ['ReadWriteMany'] })), 'incompatible accessMode');
    assert.equal(volumeMismatch(pv('v', '1Gi'), pvc('1Gi')), undefined);
  });
});
