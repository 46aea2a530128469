import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../lib/client/types.js';
import { isServedBy, type Ingress, type IngressClass } from '../../lib/ingress.js';
import { k8tsIngressClassObject, loadBalancerUpToDate, wantedLoadBalancer } from './ingress-objects.js';

const node = (name: string, addresses: Array<[string, string]>): Node => ({ metadata: { name }, status: { addresses: addresses.map(([type, address]) => ({ type, address })) } });

test('status lists the serving nodes\' IPs, ExternalIP before InternalIP, sorted numerically, once each', () => {
  const wanted = wantedLoadBalancer([
    node('n3', [['InternalIP', '10.0.0.10']]), node('n1', [['InternalIP', '10.0.0.9'], ['ExternalIP', '203.0.113.1']]),
    node('n2', [['InternalIP', '10.0.0.10']]), node('n4', [['Hostname', 'n4']]),
  ]);
  assert.deepEqual(wanted, [{ ip: '10.0.0.10' }, { ip: '203.0.113.1' }]);
  const ing: Ingress = { status: { loadBalancer: { ingress: [{ ip: '10.0.0.10' }, { ip: '203.0.113.1' }] } } };
  assert.ok(loadBalancerUpToDate(ing, wanted));
  assert.ok(!loadBalancerUpToDate(ing, wanted.slice(1)));
});

test('the default class k8ts serves Ingresses without a class, its own, and the legacy annotation; not another class or a missing one', () => {
  const classes: IngressClass[] = [k8tsIngressClassObject(), { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } }];
  assert.ok(isServedBy({ spec: {} }, classes));
  assert.ok(isServedBy({ spec: { ingressClassName: 'k8ts' } }, classes));
  assert.ok(isServedBy({ metadata: { annotations: { 'kubernetes.io/ingress.class': 'k8ts' } }, spec: {} }, classes));
  assert.ok(!isServedBy({ spec: { ingressClassName: 'nginx' } }, classes));
  assert.ok(!isServedBy({ spec: { ingressClassName: 'gone' } }, classes));
  // Without the default annotation, an Ingress with no class is nobody's.
  const notDefault = [{ ...k8tsIngressClassObject(), metadata: { name: 'k8ts' } }];
  assert.ok(!isServedBy({ spec: {} }, notDefault));
});
