import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../lib/client/types.js';
import { revisionHashLabel } from './controller-history.js';
import { newControllerRef } from './pod-helpers.js';
import {
  claimOwnerRefs, claimsFor, completeRollingUpdate, countPods, identityMatches, newSetPod, parentAndOrdinal, revisionForOrdinal,
  statusChanged, storageMatches, templateOfRevision,
} from './statefulset-logic.js';
import type { StatefulSet } from './workload-types.js';

const now = Date.UTC(2025, 0, 1, 12);

function set(extra: Partial<NonNullable<StatefulSet['spec']>> = {}): StatefulSet {
  return {
    metadata: { name: 'db', namespace: 'prod', uid: 'set-uid', generation: 1 },
    spec: {
      replicas: 3, serviceName: 'db-hl', selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'pg' }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'tmp', emptyDir: {} }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data', labels: { tier: 'db' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...extra,
    },
  };
}

test('pods are <set>-<ordinal> with hostname, subdomain, identity labels, revision and claims', () => {
  const s = set();
  const p = newSetPod(s, s.spec?.template, newControllerRef(s, 'apps/v1', 'StatefulSet'), 2, 'db-abc');
  assert.equal(p.metadata?.name, 'db-2');
  assert.equal(p.metadata?.generateName, undefined);
  assert.deepEqual(p.metadata?.labels, { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-2', 'apps.kubernetes.io/pod-index': '2', [revisionHashLabel]: 'db-abc' });
  assert.equal(p.spec?.hostname, 'db-2');
  assert.equal(p.spec?.subdomain, 'db-hl');
  assert.deepEqual(p.spec?.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-2' } }, { name: 'tmp', emptyDir: {} }], 'the claim replaces the template volume of that name');
  assert.ok(identityMatches(s, p) && storageMatches(s, p));
  assert.deepEqual(parentAndOrdinal({ metadata: { name: 'my-db-12' } }), { parent: 'my-db', ordinal: 12 });
  assert.equal(parentAndOrdinal({ metadata: { name: 'nodash' } }).ordinal, -1);
});

test('claims are <template>-<set>-<ordinal>, labelled with the set selector', () => {
  const [c] = claimsFor(set(), 0);
  assert.equal(c.claim.metadata?.name, 'data-db-0');
  assert.deepEqual(c.claim.metadata?.labels, { tier: 'db', app: 'db' });
  assert.equal(c.claim.spec?.resources?.requests?.storage, '1Gi');
});

test('below the partition new pods keep the current revision', () => {
  const s = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  assert.deepEqual([0, 1, 2].map((o) => revisionForOrdinal(s, o)), ['current', 'current', 'update']);
  assert.equal(revisionForOrdinal(set({ updateStrategy: { type: 'OnDelete' } }), 0), 'update');
  assert.deepEqual(templateOfRevision({ spec: { template: { spec: { containers: [] }, $patch: 'replace' } } }), { spec: { containers: [] } });
});

test('status counts created pods, ready, available and per revision; a finished update makes update current', () => {
  const mk = (name: string, revision: string, phase = 'Running', ready = true, deleting = false): Pod => ({
    metadata: { name, labels: { [revisionHashLabel]: revision }, ...(deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { containers: [] },
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2025-01-01T11:59:00Z' }] },
  });
  const uncreated: Pod = { metadata: { name: 'db-3' }, spec: { containers: [] } };
  const c = countPods([mk('db-0', 'r1'), mk('db-1', 'r2'), mk('db-2', 'r2', 'Pending', false), mk('db-4', 'r1', 'Running', true, true), uncreated], 30, 'r1', 'r2', now);
  assert.deepEqual(c, { replicas: 4, readyReplicas: 3, availableReplicas: 3, currentReplicas: 1, updatedReplicas: 2 });
  const s = set();
  const status = { replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 1, currentRevision: 'r1', updateRevision: 'r2' };
  completeRollingUpdate(s, status);
  assert.deepEqual([status.currentReplicas, status.currentRevision], [3, 'r2']);
  assert.equal(statusChanged({ ...s, status }, { ...status }), false);
});

test('claim owners follow the retention policy', () => {
  const pod = (ordinal: number): Pod => ({ metadata: { name: `db-${ordinal}`, uid: `p${ordinal}` }, spec: { containers: [] } });
  const retain = set();
  assert.deepEqual(claimOwnerRefs([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'set-uid' }], retain, pod(0)), []);
  const withSet = set({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
  assert.deepEqual(claimOwnerRefs([], withSet, pod(0)), [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'set-uid' }]);
  const whenScaled = set({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } });
  assert.deepEqual(claimOwnerRefs([], whenScaled, pod(5)), [{ apiVersion: 'v1', kind: 'Pod', name: 'db-5', uid: 'p5' }], 'a scaled-down pod owns its claim');
  assert.deepEqual(claimOwnerRefs([{ apiVersion: 'v1', kind: 'Pod', name: 'db-1', uid: 'p1' }], whenScaled, pod(1)).map((r) => r.kind), ['StatefulSet'], 'back in range: the set owns it again');
});
