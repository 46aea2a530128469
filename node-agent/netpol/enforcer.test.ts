// The sync loop over real informers fed by in-memory list/watch sources (a fake API: the loop's
// timing and retries are what is tested here; the real API path is agent-network-policy.test.ts)
// and an exec that records iptables calls instead of running them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Informer } from '../../lib/client/informer.js';
import { staticListWatch as source } from '../../lib/client/static-list-watch.js';
import type { Exec } from '../../lib/exec.js';
import type { Namespace, NetworkPolicy, Pod } from '../kube-types.js';
import { NetpolEnforcer } from './enforcer.js';
import { NetpolIptables } from './iptables.js';
import { NetpolMetrics } from './metrics.js';

const web = (labels: Record<string, string>, rv: string): Pod => ({
  metadata: { namespace: 'prod', name: 'web', labels, resourceVersion: rv }, spec: { nodeName: 'n1', containers: [] }, status: { podIP: '10.42.0.2', phase: 'Running' },
});
const client = (labels: Record<string, string>, rv: string): Pod => ({
  metadata: { namespace: 'prod', name: 'client', labels, resourceVersion: rv }, spec: { nodeName: 'n2', containers: [] }, status: { podIP: '10.42.1.2', phase: 'Running' },
});
const deny = { metadata: { namespace: 'prod', name: 'p', resourceVersion: '1' }, spec: { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }] }] } } as unknown as NetworkPolicy;

async function setup(restoreFails = 0) {
  const pods = source<Pod>([web({}, '1'), client({}, '1')]);
  const namespaces = source<Namespace>([{ metadata: { name: 'prod', labels: { 'kubernetes.io/metadata.name': 'prod' } } }]);
  const policies = source<NetworkPolicy>([deny]);
  const restores: string[] = [];
  let failures = restoreFails;
  const exec: Exec = async (file, args, opts) => {
    if (file === 'iptables-save') return { code: 0, stdout: '*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n', stderr: '' };
    if (file === 'iptables-restore') {
      if (failures-- > 0) return { code: 1, stdout: '', stderr: 'iptables-restore: line 3 failed' };
      restores.push(String(opts?.stdin));
      return { code: 0, stdout: '', stderr: '' };
    }
    return { code: 0, stdout: '', stderr: '' };
  };
  const stopper = new AbortController();
  const informers = {
    pods: new Informer(pods.lw, { name: 'pods' }), namespaces: new Informer(namespaces.lw, { name: 'ns' }), policies: new Informer(policies.lw, { name: 'np' }),
  };
  for (const i of [informers.pods, informers.namespaces, informers.policies] as Array<Informer<Pod | Namespace | NetworkPolicy>>) {
    void i.run(stopper.signal);
    await i.waitForSync(stopper.signal);
  }
  const metrics = new NetpolMetrics();
  const enforcer = new NetpolEnforcer({ informers, nodeName: 'n1', iptables: new NetpolIptables(exec), minSyncMs: 50, resyncMs: 60_000, metrics });
  const stop = await enforcer.start();
  return { pods, restores, metrics, stop: async () => { await stop(); stopper.abort(); } };
}

test('writes the rules at start, follows a label change, and coalesces a burst into one restore', async () => {
  const s = await setup();
  try {
    assert.equal(s.restores.length, 1);
    assert.doesNotMatch(s.restores[0]!, /-s 10\.42\.1\.2\/32 -j MARK/, 'client is not role=client yet');
    // A burst: the label, then unrelated updates that change no rule.
    s.pods.emit({ type: 'MODIFIED', object: client({ role: 'client' }, '2') });
    for (let i = 3; i < 10; i++) s.pods.emit({ type: 'MODIFIED', object: web({}, String(i)) });
    await sleep(200);
    assert.equal(s.restores.length, 2, 'one restore for the burst');
    assert.match(s.restores[1]!, /-s 10\.42\.1\.2\/32 -j MARK --set-xmark 0x10000\/0x10000/);
    // A change that leaves the rules as they are writes nothing.
    s.pods.emit({ type: 'MODIFIED', object: client({ role: 'client', x: 'y' }, '11') });
    await sleep(200);
    assert.equal(s.restores.length, 2);
    assert.deepEqual(s.metrics.isolated, { ingress: 1, egress: 0 });
    assert.match(s.metrics.registry.expose(), /^k8ts_network_policy_sync_duration_seconds_count 2$/m);
  } finally {
    await s.stop();
  }
});

test('a failed restore is retried', async () => {
  const s = await setup(1);
  try {
    assert.equal(s.restores.length, 0);
    // First retry after 1 s (500 ms doubled once).
    await sleep(1500);
    assert.equal(s.restores.length, 1);
    assert.match(s.metrics.registry.expose(), /^k8ts_network_policy_restore_failures_total 1$/m);
  } finally {
    await s.stop();
  }
});
