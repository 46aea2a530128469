import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limitRangeStrategy } from './limit-range.js';
import { resourceQuotaStrategy, resourceQuotaTable } from './resource-quota.js';
import { created, row, updated } from './strategy-testing.js';
import type { KubeObject } from '../object.js';

const lr = (limits: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l', namespace: 'default' }, spec: { limits } });
const rq = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec, ...(status ? { status } : {}) });

test('container limit ranges fill default limits and requests', () => {
  const { obj, errors } = created(limitRangeStrategy, lr([{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' }, default: { memory: '512Mi' } }]));
  assert.deepEqual(errors, []);
  const item = (obj.spec as { limits: Array<Record<string, unknown>> }).limits[0];
  assert.deepEqual(item.default, { memory: '512Mi', cpu: '2' });
  assert.deepEqual(item.defaultRequest, { memory: '512Mi', cpu: '2' });
});

test('limit range bounds must be consistent', () => {
  assert.deepEqual(created(limitRangeStrategy, lr([{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }])).errors, [
    'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
    'spec.limits[0].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1',
    'spec.limits[0].default[cpu]: Invalid value: "2": min value 2 is greater than default value 1',
  ]);
  assert.deepEqual(created(limitRangeStrategy, lr([{ type: 'Pod', default: { cpu: '1' } }])).errors, ["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"]);
  assert.deepEqual(created(limitRangeStrategy, lr([{ type: 'Thing' }])).errors, ['spec.limits[0].type: Invalid value: "Thing": must be a standard limit type or fully qualified']);
  assert.deepEqual(created(limitRangeStrategy, lr([{ type: 'PersistentVolumeClaim' }])).errors,
    ['spec.limits[0].limits: Required value: either minimum or maximum storage value is required, but neither was provided']);
});

test('quota hard limits: known names, whole counts; scopes fixed', () => {
  const ok = created(resourceQuotaStrategy, rq({ hard: { pods: '10', 'requests.cpu': '1.5', 'count/deployments.apps': '2' } }));
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.obj.status, {});
  assert.deepEqual((ok.obj.spec as { hard: unknown }).hard, { pods: '10', 'requests.cpu': '1500m', 'count/deployments.apps': '2' });
  assert.deepEqual(created(resourceQuotaStrategy, rq({ hard: { pods: '1.5', widgets: '1' } })).errors, [
    'spec.hard[pods]: Invalid value: "1500m": must be an integer',
    'spec.hard[widgets]: Invalid value: "widgets": must be a standard resource type or fully qualified',
  ]);
  assert.deepEqual(created(resourceQuotaStrategy, rq({ hard: { pods: '1' }, scopes: ['BestEffort', 'NotBestEffort'] })).errors,
    ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort"}: conflicting scopes']);
  assert.deepEqual(created(resourceQuotaStrategy, rq({ hard: { 'requests.storage': '1Gi' }, scopes: ['BestEffort'] })).errors,
    ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource']);
  assert.deepEqual(updated(resourceQuotaStrategy, rq({ hard: { pods: '1' } }), rq({ hard: { pods: '1' }, scopes: ['BestEffort'] })).errors,
    ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: field is immutable']);
});

test('quota table: AGE, then requests and limits as used/hard', () => {
  const q = rq({}, { hard: { pods: '10', 'requests.cpu': '1', 'limits.cpu': '2', 'limits.memory': '2Gi' }, used: { pods: '1', 'requests.cpu': '500m' } });
  assert.deepEqual(row(resourceQuotaTable, q), ['q', '60s', 'pods: 1/10, requests.cpu: 500m/1', 'limits.cpu: 0/2, limits.memory: 0/2Gi']);
});
