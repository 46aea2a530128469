import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import type { ResourceDef } from '../../api/resource.js';
import type { AdmissionAttributes } from '../../registry/context.js';
import type { Store } from '../../storage/interfaces.js';
import { defaultTolerationSeconds } from './default-toleration-seconds.js';
import { priorityAdmission } from './priority.js';
import { serviceAccountAdmission } from './service-account.js';

const pods = { group: '', plural: 'pods', kind: 'Pod' } as ResourceDef;
const attrs = (object: KubeObject, operation: AdmissionAttributes['operation'] = 'CREATE'): AdmissionAttributes => ({
  operation, def: pods, namespace: 'default', name: object.metadata.name ?? '', object,
  ctx: { user: { name: 'admin', groups: [] }, namespace: 'default', dryRun: false },
});
const pod = (spec: Record<string, unknown> = {}): KubeObject => ({ metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c' }], ...spec } });
const classes = (...pcs: Array<{ name: string; value: number; globalDefault?: boolean }>) => ({
  list: () => ({ items: pcs.map((p) => ({ value: JSON.stringify({ metadata: { name: p.name }, value: p.value, globalDefault: p.globalDefault }) })) }),
}) as unknown as Store;

test('Priority resolves the class, the global default, or 0', async () => {
  const plugin = priorityAdmission(classes({ name: 'high', value: 1000 }, { name: 'normal', value: 10, globalDefault: true }), '/x/');
  const named = pod({ priorityClassName: 'high' });
  await plugin.mutate!(attrs(named));
  assert.deepEqual([named.spec, (named.spec as { preemptionPolicy?: string }).preemptionPolicy].map((s) => (typeof s === 'object' ? (s as { priority: number }).priority : s)), [1000, 'PreemptLowerPriority']);
  const plain = pod();
  await plugin.mutate!(attrs(plain));
  assert.deepEqual([(plain.spec as { priorityClassName: string }).priorityClassName, (plain.spec as { priority: number }).priority], ['normal', 10]);
  const none = pod();
  await priorityAdmission(classes(), '/x/').mutate!(attrs(none));
  assert.equal((none.spec as { priority: number }).priority, 0);
});

test('Priority refuses unknown classes and disagreeing priorities with Kubernetes messages', async () => {
  const plugin = priorityAdmission(classes({ name: 'high', value: 1000 }), '/x/');
  await assert.rejects(async () => plugin.mutate!(attrs(pod({ priorityClassName: 'nope' }))), /pods "p" is forbidden: no PriorityClass with name nope was found/);
  await assert.rejects(async () => plugin.mutate!(attrs(pod({ priorityClassName: 'high', priority: 5 }))),
    /the integer value of priority \(5\) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name/);
});

test('DefaultTolerationSeconds adds the two 300 s tolerations unless the pod has its own', async () => {
  const p = pod({ tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }] });
  await defaultTolerationSeconds().mutate!(attrs(p));
  assert.deepEqual((p.spec as { tolerations: unknown[] }).tolerations, [
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
});

test('ServiceAccount defaults the account, mounts its token volume, and refuses a missing account', async () => {
  const accounts = { get: (ns: string, name: string) => (name === 'default' ? { metadata: { name, namespace: ns } } : undefined) };
  const plugin = serviceAccountAdmission(accounts);
  const p = pod();
  await plugin.mutate!(attrs(p));
  const spec = p.spec as { serviceAccountName: string; volumes: Array<{ name: string }>; containers: Array<{ volumeMounts: Array<{ mountPath: string; readOnly: boolean }> }> };
  assert.equal(spec.serviceAccountName, 'default');
  assert.match(spec.volumes[0].name, /^kube-api-access-[a-z0-9]{5}$/);
  assert.deepEqual(spec.containers[0].volumeMounts, [{ name: spec.volumes[0].name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
  const noMount = pod({ automountServiceAccountToken: false });
  await plugin.mutate!(attrs(noMount));
  assert.equal((noMount.spec as { volumes?: unknown }).volumes, undefined);
  await assert.rejects(async () => plugin.mutate!(attrs(pod({ serviceAccountName: 'robot' }))),
    /pods "p" is forbidden: error looking up service account default\/robot: serviceaccount "robot" not found/);
});
