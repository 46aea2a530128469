import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../../lib/client/types.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../volumes/volume-types.js';
import { buildPodInfo } from '../pod-info.js';
import type { NodeView } from '../types.js';
import { claimPlan, noVolumesToBind, unboundImmediateClaims, volumeBinding, volumeBindingPreFilter, volumeNodeAffinityConflict, type StorageView } from './volume-binding.js';

const node = (name: string): Node => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } } });
const view = (n: Node) => ({ node: n, name: n.metadata?.name ?? '' }) as unknown as NodeView;
const onNode = (name: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [name] }] }] } });

function storage(claims: PersistentVolumeClaim[], volumes: PersistentVolume[], classes: StorageClass[]): StorageView {
  return {
    claim: (ns, name) => claims.find((c) => c.metadata?.namespace === ns && c.metadata?.name === name),
    volume: (name) => volumes.find((v) => v.metadata?.name === name),
    volumes: () => volumes,
    storageClass: (name) => classes.find((c) => c.metadata?.name === name),
  };
}

const claim = (name: string, cls: string, bound?: string): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: cls, resources: { requests: { storage: '1Gi' } }, ...(bound ? { volumeName: bound } : {}) },
  status: { phase: bound ? 'Bound' : 'Pending' },
});
const pod = (...claims: string[]): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'pu' },
  spec: { containers: [{ name: 'c', image: 'x' }], volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })) },
});
const wffc: StorageClass = { metadata: { name: 'local' }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' };
const wffcStatic: StorageClass = { metadata: { name: 'static' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' };
const immediate: StorageClass = { metadata: { name: 'fast' }, provisioner: 'x', volumeBindingMode: 'Immediate' };

function filter(p: Pod, s: StorageView, n: Node) {
  const info = buildPodInfo(p);
  const state = volumeBinding.preFilter!(info, { nodes: [], podsWithAffinity: 0, namespaceLabels: () => undefined, storage: s });
  return { reject: volumeBinding.rejects!(state), status: volumeBinding.filter!(info, view(n), state) };
}

describe('VolumeBinding', () => {
  it('turns pods away whose claims are missing, deleting or unbound with an Immediate class', () => {
    const s = storage([claim('imm', 'fast'), { ...claim('gone', 'fast'), metadata: { name: 'gone', namespace: 'default', deletionTimestamp: 'x' } }], [], [immediate]);
    assert.equal(filter(pod('nope'), s, node('a')).reject, 'persistentvolumeclaim "nope" not found');
    assert.equal(filter(pod('gone'), s, node('a')).reject, 'persistentvolumeclaim "gone" is being deleted');
    assert.equal(filter(pod('imm'), s, node('a')).reject, unboundImmediateClaims);
    assert.equal(filter(pod(), s, node('a')).status, undefined);
  });

  it('keeps a pod on the node its bound volume is tied to', () => {
    const v: PersistentVolume = { metadata: { name: 'pv1' }, spec: { nodeAffinity: onNode('a'), capacity: { storage: '1Gi' } } };
    const s = storage([claim('data', 'local', 'pv1')], [v], [wffc]);
    assert.equal(filter(pod('data'), s, node('a')).status, undefined);
    assert.deepEqual(filter(pod('data'), s, node('b')).status?.reasons, [volumeNodeAffinityConflict]);
  });

  it('lets a WaitForFirstConsumer claim through where a volume fits or its class provisions', () => {
    const local: PersistentVolume = { metadata: { name: 'on-a' }, spec: { nodeAffinity: onNode('a'), capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'static', volumeMode: 'Filesystem' } };
    const s = storage([claim('st', 'static'), claim('dyn', 'local')], [local], [wffc, wffcStatic]);
    assert.equal(filter(pod('st'), s, node('a')).status, undefined);
    assert.deepEqual(filter(pod('st'), s, node('b')).status?.reasons, [noVolumesToBind]);
    assert.equal(filter(pod('dyn'), s, node('b')).status, undefined);
    const state = volumeBindingPreFilter(buildPodInfo(pod('st', 'dyn')), s);
    const plan = claimPlan(state, node('a'));
    assert.ok(typeof plan !== 'string');
    assert.deepEqual([...plan.entries()].map(([c, v]) => [c.metadata?.name, v?.metadata?.name]), [['st', 'on-a'], ['dyn', undefined]]);
  });
});
