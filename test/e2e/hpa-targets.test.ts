// The HPA finds any workload's scale subresource through discovery, as kube-controller-manager
// does: a StatefulSet, a ReplicaSet and a custom resource whose CRD has a scale subresource are
// all read (AbleToScale True, SucceededGetScale); without pods there are no metrics, which the
// HPA reports as Kubernetes does (ScalingActive False). Real metrics and scaling on containers
// are in agent-metrics.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../lib/cluster.js';
import { useCluster } from '../lib/fixture.js';

const { cluster: c } = useCluster({
  args: ['--controllers=serviceaccount-controller,horizontal-pod-autoscaler-controller', '--disable-scheduler', '--horizontal-pod-autoscaler-sync-period', '1s'],
  serviceAccount: true,
});

const hpa = (name: string, apiVersion: string, kind: string) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ${name}}
spec:
  scaleTargetRef: {apiVersion: ${apiVersion}, kind: ${kind}, name: ${name}}
  minReplicas: 1
  maxReplicas: 3
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
`;

async function conditions(name: string): Promise<string> {
  return c.k('get', 'hpa', name, '-o', 'jsonpath={range .status.conditions[*]}{.type}={.status}/{.reason} {end}');
}

test('an HPA reads the scale of a StatefulSet, a ReplicaSet and a custom resource', async () => {
  await c.kubectl(['apply', '-f', '-'], { stdin: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    subresources:
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
` });
  await eventually(async () => (await c.kubectl(['get', 'widgets'])).code === 0, 20_000);
  const template = '{metadata: {labels: {app: X}}, spec: {containers: [{name: c, image: busybox}]}}';
  const objects = [
    `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec: {replicas: 1, serviceName: db, selector: {matchLabels: {app: db}}, template: ${template.replace('X', 'db')}}\n`,
    `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs}\nspec: {replicas: 1, selector: {matchLabels: {app: rs}}, template: ${template.replace('X', 'rs')}}\n`,
    'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {replicas: 2}\nstatus: {replicas: 2, selector: app=w}\n',
    hpa('db', 'apps/v1', 'StatefulSet'), hpa('rs', 'apps/v1', 'ReplicaSet'), hpa('w', 'example.com/v1', 'Widget'),
  ];
  const r = await c.kubectl(['apply', '-f', '-'], { stdin: objects.join('---\n') });
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['db', 'rs', 'w']) {
    const conds = await eventually(async () => {
      const s = await conditions(name);
      return s.includes('AbleToScale=') && s;
    }, 20_000, 250);
    assert.match(conds, /AbleToScale=True\/SucceededGetScale/, `${name}: ${conds}`);
    assert.match(conds, /ScalingActive=False\/FailedGetResourceMetric/, `${name}: ${conds}`);
  }
  // A target that does not exist is what AbleToScale=False says.
  await c.kubectl(['apply', '-f', '-'], { stdin: hpa('ghost', 'apps/v1', 'StatefulSet') });
  const ghost = await eventually(async () => {
    const s = await conditions('ghost');
    return s.includes('AbleToScale=') && s;
  }, 20_000, 250);
  assert.match(ghost, /AbleToScale=False\/FailedGetScale/);
});
