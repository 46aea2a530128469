import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient } from '../../lib/client/rest-client.js';
import { podResourceMetrics, ScaleClient } from './hpa-sources.js';

const client = (answers: Record<string, unknown>, seen: string[] = []) => ({
  async request<T>(spec: { method: string; path: string }): Promise<T> {
    seen.push(`${spec.method} ${spec.path}`);
    const a = answers[spec.path.split('?')[0]];
    if (a === undefined) throw new Error(`no answer for ${spec.path}`);
    return a as T;
  },
}) as unknown as KubeClient;

const podMetrics = {
  items: [
    { metadata: { name: 'a' }, timestamp: '2026-12-07T12:00:00Z', window: '15.013s', containers: [{ name: 'app', usage: { cpu: '250m', memory: '1Mi' } }, { name: 'side', usage: { cpu: '1500000n', memory: '1Ki' } }] },
    { metadata: { name: 'b' }, timestamp: '2026-12-07T12:00:00Z', window: '1m0.5s', containers: [{ name: 'other', usage: { cpu: '1', memory: '0' } }] },
  ],
};

test('pod metrics: summed over containers in milli-units, with timestamp and window', async () => {
  const seen: string[] = [];
  const m = await podResourceMetrics(client({ '/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods': podMetrics }, seen), 'ns', 'app=web', 'cpu');
  assert.deepEqual(seen, ['GET /apis/metrics.k8s.io/v1beta1/namespaces/ns/pods?labelSelector=app%3Dweb']);
  assert.deepEqual(m.get('a'), { timestampMs: Date.parse('2026-12-07T12:00:00Z'), windowMs: 15_013, value: 252 });
  assert.equal(m.get('b')?.windowMs, 60_500);
  assert.equal((await podResourceMetrics(client({ '/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods': podMetrics }), 'ns', 'x', 'memory')).get('a')?.value, 1049600 * 1000);
});

test('pod metrics for one container leave out pods without it; none at all is an error', async () => {
  const m = await podResourceMetrics(client({ '/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods': podMetrics }), 'ns', 'x', 'cpu', 'app');
  assert.deepEqual([...m.keys()], ['a']);
  assert.equal(m.get('a')?.value, 250);
  await assert.rejects(podResourceMetrics(client({ '/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods': { items: [] } }), 'ns', 'x', 'cpu'), /no metrics returned from resource metrics API/);
});

test('the scale subresource is found by kind through discovery', async () => {
  const seen: string[] = [];
  const c = client({
    '/apis/example.com/v1': { resources: [{ name: 'widgets', kind: 'Widget' }, { name: 'widgets/scale', kind: 'Scale' }, { name: 'gadgets', kind: 'Gadget' }] },
    '/apis/example.com/v1/namespaces/ns/widgets/w/scale': { metadata: { name: 'w' }, spec: { replicas: 2 }, status: { selector: 'a=b' } },
  }, seen);
  const scales = new ScaleClient(c);
  const s = await scales.get('ns', { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w' });
  assert.equal(s.path, '/apis/example.com/v1/namespaces/ns/widgets/w/scale');
  assert.equal(s.spec?.replicas, 2);
  await assert.rejects(scales.get('ns', { apiVersion: 'example.com/v1', kind: 'Gadget', name: 'g' }), /no matches for kind "Gadget" in group "example.com"/);
  // Discovery was read once for both.
  assert.equal(seen.filter((x) => x === 'GET /apis/example.com/v1').length, 1);
});
