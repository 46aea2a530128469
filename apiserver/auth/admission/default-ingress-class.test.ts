import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import type { ResourceDef } from '../../api/resource.js';
import type { AdmissionAttributes } from '../../registry/context.js';
import type { Store } from '../../storage/interfaces.js';
import { defaultIngressClassAdmission } from './default-ingress-class.js';

const ingresses = { group: 'networking.k8s.io', plural: 'ingresses', kind: 'Ingress' } as ResourceDef;
const attrs = (object: KubeObject, operation: AdmissionAttributes['operation'] = 'CREATE', subresource?: string): AdmissionAttributes => ({
  operation, def: ingresses, subresource, namespace: 'default', name: object.metadata.name ?? '', object,
  ctx: { user: { name: 'admin', groups: [] }, namespace: 'default', dryRun: false },
});
const classes = (...cs: Array<{ name: string; isDefault?: boolean; created: string }>) => ({
  list: () => ({ items: cs.map((c) => ({ value: JSON.stringify({ metadata: { name: c.name, creationTimestamp: c.created, annotations: c.isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {} }, spec: { controller: 'x.io/c' } }) })) }),
}) as unknown as Store;
const ing = (spec: Record<string, unknown> = {}, annotations?: Record<string, string>): KubeObject => ({ metadata: { name: 'i', namespace: 'default', annotations }, spec });
const className = (o: KubeObject) => (o.spec as { ingressClassName?: string }).ingressClassName;

test('an Ingress created without a class gets the default one; the newest default wins, ties by name', async () => {
  const plugin = defaultIngressClassAdmission(classes(
    { name: 'other', created: '2026-01-03T00:00:00Z' }, { name: 'k8ts', isDefault: true, created: '2026-01-01T00:00:00Z' },
    { name: 'newer', isDefault: true, created: '2026-01-02T00:00:00Z' }, { name: 'b-same', isDefault: true, created: '2026-01-02T00:00:00Z' },
  ), '/x/');
  const plain = ing();
  await plugin.mutate!(attrs(plain));
  assert.equal(className(plain), 'b-same');
});

test('a class already named, the legacy annotation, updates, subresources and no default are left alone', async () => {
  const plugin = defaultIngressClassAdmission(classes({ name: 'k8ts', isDefault: true, created: '2026-01-01T00:00:00Z' }), '/x/');
  for (const [o, op, sub] of [
    [ing({ ingressClassName: 'mine' }), 'CREATE', undefined], [ing({}, { 'kubernetes.io/ingress.class': 'nginx' }), 'CREATE', undefined],
    [ing(), 'UPDATE', undefined], [ing(), 'CREATE', 'status'],
  ] as const) {
    const before = className(o);
    await plugin.mutate!(attrs(o, op, sub));
    assert.equal(className(o), before);
  }
  const none = ing();
  await defaultIngressClassAdmission(classes({ name: 'k8ts', created: '2026-01-01T00:00:00Z' }), '/x/').mutate!(attrs(none));
  assert.equal(className(none), undefined);
});
