import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { ResourceDef } from '../../api/resource.js';
import type { AdmissionAttributes } from '../../registry/context.js';
import { aggregateText, applyDefaults, claimViolations, podViolations, type LimitRange } from './limit-ranger.js';
import { fromUsage, missingConstraints, objectUsage, podUsage, quotaApplies, serviceUsage } from './quota-usage.js';
import { evaluateQuotas } from './resource-quota.js';

const now = Date.UTC(2025, 0, 1);

function pod(containers: Array<{ name: string; requests?: Record<string, string>; limits?: Record<string, string> }>, extra: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name: 'x', namespace: 'ns' },
    spec: { containers: containers.map((c) => ({ name: c.name, image: 'nginx', resources: { requests: c.requests, limits: c.limits } })), ...extra },
  };
}

function attrs(obj: KubeObject, plural = 'pods', operation: 'CREATE' | 'UPDATE' = 'CREATE', oldObject?: KubeObject): AdmissionAttributes {
  return {
    operation, def: { group: '', plural } as ResourceDef, namespace: 'ns', name: obj.metadata.name ?? '', object: obj, oldObject,
    ctx: { user: { name: 'admin', groups: [] }, namespace: 'ns', dryRun: false },
  };
}

const quota = (name: string, hard: Record<string, string>, used: Record<string, string>, scopes?: string[]) => ({
  metadata: { name }, spec: { hard, scopes }, status: { hard, used },
});

function forbiddenMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 403);
    return err.status.message ?? '';
  }
  assert.fail('expected a 403');
}

test('a pod costs its count and its requests and limits (init containers by the max, sidecars added)', () => {
  const p = pod([{ name: 'a', requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m' } }, { name: 'b', requests: { cpu: '50m' } }], {
    initContainers: [{ name: 'init', image: 'x', resources: { requests: { cpu: '500m' } } }],
  });
  assert.deepEqual(fromUsage(podUsage(p as never, now)), {
    'count/pods': '1', cpu: '500m', 'limits.cpu': '200m', memory: '64Mi', pods: '1', 'requests.cpu': '500m', 'requests.memory': '64Mi',
  });
  assert.deepEqual(fromUsage(podUsage({ ...p, status: { phase: 'Succeeded' } } as never, now)), { 'count/pods': '1' }, 'finished pods only count as objects');
  assert.deepEqual(fromUsage(serviceUsage({ spec: { type: 'NodePort', ports: [{}, {}] } })), {
    'count/services': '1', services: '1', 'services.loadbalancers': '0', 'services.nodeports': '2',
  });
  assert.deepEqual(fromUsage(objectUsage('apps', 'deployments', {}, now)), { 'count/deployments.apps': '1' });
  assert.deepEqual(fromUsage(objectUsage('', 'configmaps', {}, now)), { configmaps: '1', 'count/configmaps': '1' });
});

test('over quota: 403 with requested, used and limited for the exceeded resources only', () => {
  const q = quota('q', { pods: '2', 'requests.cpu': '1' }, { pods: '2', 'requests.cpu': '200m' });
  const msg = forbiddenMessage(() => evaluateQuotas(attrs(pod([{ name: 'c', requests: { cpu: '100m' } }])), [q], now));
  assert.equal(msg, 'pods "x" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
  const charges = evaluateQuotas(attrs(pod([{ name: 'c', requests: { cpu: '100m' } }])), [quota('q', { pods: '3', 'requests.cpu': '1' }, { pods: '2', 'requests.cpu': '200m' })], now);
  assert.deepEqual(fromUsage(charges.get('q')!), { pods: '3', 'requests.cpu': '300m' });
});

test('cpu or memory in a quota oblige every container to state them', () => {
  const q = quota('compute', { 'limits.cpu': '2', 'limits.memory': '1Gi' }, { 'limits.cpu': '0', 'limits.memory': '0' });
  const msg = forbiddenMessage(() => evaluateQuotas(attrs(pod([{ name: 'web' }, { name: 'side', limits: { cpu: '1' } }])), [q], now));
  assert.equal(msg, 'pods "x" is forbidden: failed quota: compute: must specify limits.cpu for: web; must specify limits.memory for: side,web');
  assert.equal(missingConstraints(pod([{ name: 'a' }]) as never, ['pods']), undefined);
});

test('a quota not yet counted refuses with "status unknown"; scopes select pods', () => {
  const fresh = { metadata: { name: 'new' }, spec: { hard: { pods: '5' } }, status: { hard: { pods: '5' } } };
  assert.equal(forbiddenMessage(() => evaluateQuotas(attrs(pod([{ name: 'c' }])), [fresh], now)), 'pods "x" is forbidden: status unknown for quota: new, resources: pods');
  const bestEffort = quota('be', { pods: '0' }, { pods: '0' }, ['BestEffort']);
  assert.equal(quotaApplies(bestEffort, '', 'pods', pod([{ name: 'c', requests: { cpu: '1' } }]) as never), false);
  assert.equal(quotaApplies(bestEffort, '', 'pods', pod([{ name: 'c' }]) as never), true);
  assert.equal(quotaApplies(bestEffort, '', 'services', {}), false, 'scoped quotas only track pods');
  const terminating = quota('t', { pods: '1' }, { pods: '0' }, ['Terminating']);
  assert.equal(quotaApplies(terminating, '', 'pods', pod([{ name: 'c' }], { activeDeadlineSeconds: 30 }) as never), true);
});

test('service updates are charged only for what they add', () => {
  const q = quota('q', { 'services.nodeports': '1' }, { 'services.nodeports': '0', services: '1' });
  const before: KubeObject = { metadata: { name: 's' }, spec: { type: 'ClusterIP', ports: [{}] } };
  const after: KubeObject = { metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{}, {}] } };
  assert.equal(forbiddenMessage(() => evaluateQuotas(attrs(after, 'services', 'UPDATE', before), [q], now)),
    'services "s" is forbidden: exceeded quota: q, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1');
});

const range: LimitRange = {
  metadata: { name: 'lr' },
  spec: { limits: [
    { type: 'Container', default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '100m', memory: '64Mi' }, max: { cpu: '1' }, min: { cpu: '50m' }, maxLimitRequestRatio: { cpu: '4' } },
    { type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } },
  ] },
};

test('LimitRanger fills missing requests and limits and says so in an annotation', () => {
  const p = pod([{ name: 'web', limits: { cpu: '300m' } }]);
  assert.equal(applyDefaults(p, range), true);
  const c = (p.spec as { containers: Array<{ resources: unknown }> }).containers[0];
  assert.deepEqual(c.resources, { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } });
  assert.equal(p.metadata.annotations?.['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container web; memory limit for container web');
});

test('LimitRanger bounds: min, max, ratio, claims, with Kubernetes messages', () => {
  assert.deepEqual(podViolations(pod([{ name: 'big', requests: { cpu: '100m' }, limits: { cpu: '2' } }]), range), [
    'maximum cpu usage per Container is 1, but limit is 2',
    'cpu max limit to request ratio per Container is 4, but provided ratio is 20.000000',
  ]);
  assert.deepEqual(podViolations(pod([{ name: 'tiny', requests: { cpu: '10m' }, limits: { cpu: '20m' } }]), range), ['minimum cpu usage per Container is 50m, but request is 10m']);
  assert.deepEqual(podViolations(pod([{ name: 'none' }]), range), [
    'minimum cpu usage per Container is 50m.  No request is specified',
    'maximum cpu usage per Container is 1.  No limit is specified',
    'cpu max limit to request ratio per Container is 4, but no request is specified or request is 0',
  ]);
  const claim: KubeObject = { metadata: { name: 'c' }, spec: { resources: { requests: { storage: '20Gi' } } } };
  assert.deepEqual(claimViolations(claim, range), ['maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi']);
  assert.equal(aggregateText(['a']), 'a');
  assert.equal(aggregateText(['a', 'b']), '[a, b]');
});
