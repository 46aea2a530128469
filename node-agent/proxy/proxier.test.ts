import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, settle } from '../../lib/client/clock.js';
import { Informer } from '../../lib/client/informer.js';
import { staticListWatch } from '../../lib/client/static-list-watch.js';
import type { Exec } from '../../lib/exec.js';
import type { EndpointSlice, Service } from '../kube-types.js';
import { ProxyIptables } from './iptables.js';
import { iptablesBackend } from './iptables-backend.js';
import { ProxyMetrics } from './metrics.js';
import { Proxier, type SyncReport } from './proxier.js';


const service = (name: string, ip: string) => ({ metadata: { name, namespace: 'default' }, spec: { clusterIP: ip, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } }) as Service;
const slice = (svc: string, ip: string, rv: string) => ({
  metadata: { name: `${svc}-a`, namespace: 'default', resourceVersion: rv, labels: { 'kubernetes.io/service-name': svc } }, addressType: 'IPv4',
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints: [{ addresses: [ip], conditions: { ready: true } }],
}) as EndpointSlice;

/** A proxier over fake informers, a fake clock and an iptables that records restores. */
async function setup() {
  const clock = new FakeClock();
  const svcs = staticListWatch([service('a', '10.43.0.20'), service('b', '10.43.0.21')]);
  const slices = staticListWatch([slice('a', '10.42.0.5', '1'), slice('b', '10.42.0.6', '1')]);
  const stop = new AbortController();
  const informers = { services: new Informer(svcs.lw), endpointSlices: new Informer(slices.lw) };
  const running = [informers.services.run(stop.signal), informers.endpointSlices.run(stop.signal)];
  await informers.services.waitForSync(stop.signal);
  await informers.endpointSlices.waitForSync(stop.signal);
  const state = { restores: [] as string[], failNext: false, failAlways: false, canary: true };
  const exec: Exec = async (file, args, opts) => {
    if (file === 'iptables-restore') {
      state.restores.push(String(opts?.stdin));
      if (state.failNext || state.failAlways) {
        state.failNext = false;
        return { code: 1, stdout: '', stderr: 'iptables-restore: line 3 failed' };
      }
    }
    if (args.includes('KUBE-PROXY-CANARY')) return { code: state.canary ? 0 : 1, stdout: '', stderr: '' };
    return { code: 0, stdout: file === 'iptables-save' ? '*nat\n:KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]\nCOMMIT\n' : '', stderr: '' };
  };
  const syncs: SyncReport[] = [];
  const proxier = new Proxier({
    informers, nodeName: 'n1', backend: iptablesBackend(new ProxyIptables(exec), { clusterCIDR: '10.42.0.0/16', localhostNodePorts: true, randomFully: true }),
    localIPs: () => new Set(), metrics: new ProxyMetrics(),
    minSyncMs: 1000, syncPeriodMs: 30_000, fullSyncMs: 3_600_000, clock, onSynced: (s) => syncs.push(s),
  });
  const stopProxier = proxier.start();
  await clock.advance(0);
  await settle();
  return {
    clock, slices, state, syncs,
    async close() {
      await stopProxier();
      stop.abort();
      await Promise.all(running);
    },
  };
}

test('starts with a full sync that deletes stale chains; a burst of changes becomes one partial sync after the minimum interval', async () => {
  const t = await setup();
  assert.deepEqual(t.syncs.map((s) => s.kind), ['full']);
  assert.match(t.state.restores[0]!, /^-X KUBE-SVC-AAAAAAAAAAAAAAAA$/m);
  for (let i = 0; i < 5; i++) t.slices.emit({ type: 'MODIFIED', object: slice('b', `10.42.0.${10 + i}`, String(2 + i)) });
  await t.clock.advance(500);
  assert.equal(t.syncs.length, 1, 'not before the minimum interval');
  await t.clock.advance(600);
  await settle();
  assert.deepEqual(t.syncs.map((s) => s.kind), ['full', 'partial']);
  const last = t.state.restores.at(-1)!;
  assert.ok(last.includes('10.42.0.14:8080') && !last.includes('10.42.0.5'), 'only the last state of b, and nothing of a');
  await t.close();
});

test('a failed restore makes the next sync a full one', async () => {
  const t = await setup();
  t.state.failNext = true;
  t.slices.emit({ type: 'MODIFIED', object: slice('a', '10.42.0.9', '2') });
  await t.clock.advance(1000);
  await settle();
  assert.deepEqual(t.syncs.map((s) => s.kind), ['full']);
  await t.clock.advance(2000); // a retry waits twice the minimum interval
  await settle();
  assert.deepEqual(t.syncs.map((s) => s.kind), ['full', 'full']);
  assert.ok(t.state.restores.at(-1)!.includes('10.42.0.9:8080'));
  await t.close();
});

test('the periodic sync rewrites KUBE-SERVICES, and turns full when the canary is gone', async () => {
  const t = await setup();
  await t.clock.advance(30_000);
  await settle();
  assert.deepEqual(t.syncs.map((s) => s.kind), ['full', 'periodic']);
  assert.match(t.state.restores.at(-1)!, /^:KUBE-SERVICES - \[0:0\]$/m);
  t.state.canary = false;
  await t.clock.advance(30_000);
  await settle();
  assert.deepEqual(t.syncs.map((s) => s.kind), ['full', 'periodic', 'full']);
  await t.close();
});

test('failing syncs are retried with a growing interval, up to the sync period', async () => {
  const t = await setup();
  t.state.failAlways = true;
  t.slices.emit({ type: 'MODIFIED', object: slice('a', '10.42.0.9', '2') });
  const attempts = () => t.state.restores.length - 1;
  await t.clock.advance(1000);
  assert.equal(attempts(), 1);
  await t.clock.advance(2000); // 2 s after the first failure
  assert.equal(attempts(), 2);
  await t.clock.advance(3999); // the next waits 4 s
  assert.equal(attempts(), 2);
  await t.clock.advance(1);
  assert.equal(attempts(), 3);
  t.state.failAlways = false;
  await t.clock.advance(8000);
  await settle();
  assert.deepEqual(t.syncs.map((s) => s.kind), ['full', 'full']);
  await t.close();
});
