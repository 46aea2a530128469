import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ListWatch } from '../../lib/client/informer.js';
import type { WatchEvent } from '../../lib/client/types.js';
import { logger } from '../../lib/log.js';
import { ensureCA, issueCertificate } from '../../lib/pki.js';
import type { Ingress } from '../../lib/ingress.js';
import type { Secret } from '../kube-types.js';
import { buildRoutes } from './route-table.js';
import { TlsStore } from './tls-store.js';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-tls-store-'));
const ca = ensureCA(dir, 'ca', 'test');
rmSync(dir, { recursive: true, force: true });
const cert = (cn: string) => issueCertificate(ca, { commonName: cn, dnsNames: [cn], usage: 'server' });
const secret = (name: string, kp: { cert: string; key: string }, rv: string): Secret => ({
  metadata: { namespace: 'web', name, resourceVersion: rv },
  data: { 'tls.crt': Buffer.from(kp.cert).toString('base64'), 'tls.key': Buffer.from(kp.key).toString('base64') },
} as Secret);

/** A fake API for one Secret per watch: the test pushes watch events; it records what was watched and stopped. */
function fakeApi(initial: Map<string, Secret>) {
  const sinks = new Map<string, (ev: WatchEvent<Secret>) => void>();
  const stopped: string[] = [];
  const source = (namespace: string, name: string): ListWatch<Secret> => ({
    list: async () => ({ metadata: { resourceVersion: '1' }, items: initial.has(name) ? [initial.get(name)!] : [] }),
    watch: (_rv, signal, onEvent) => new Promise<void>((resolve) => {
      sinks.set(`${namespace}/${name}`, onEvent);
      signal.addEventListener('abort', () => {
        stopped.push(`${namespace}/${name}`);
        resolve();
      }, { once: true });
    }),
  });
  return { source, sinks, stopped };
}

const routes = buildRoutes([{
  metadata: { namespace: 'web', name: 'site', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { tls: [{ hosts: ['one.test'], secretName: 'one' }], rules: [{ host: 'one.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] },
} as Ingress]);

test('a watched Secret\'s update is served at once; a deleted or unwatched one falls back to the default certificate', async () => {
  const api = fakeApi(new Map([['one', secret('one', cert('one.test'), '5')]]));
  const store = new TlsStore(api.source, cert('default'), logger('test').child({}, { level: 'silent' }));
  await store.watch(new Set(['web/one']));
  const first = store.contextFor(routes, 'one.test');
  assert.notEqual(first, store.defaultContext, 'the Secret was read before watch() resolved');
  assert.equal(store.contextFor(routes, 'other.test'), store.defaultContext);
  while (!api.sinks.has('web/one')) await new Promise((r) => setImmediate(r));
  api.sinks.get('web/one')!({ type: 'MODIFIED', object: secret('one', cert('one.test'), '6') });
  const renewed = store.contextFor(routes, 'one.test');
  assert.ok(renewed !== first && renewed !== store.defaultContext, 'the renewed certificate is in use on the event');
  api.sinks.get('web/one')!({ type: 'MODIFIED', object: { ...secret('one', cert('x'), '7'), data: { 'tls.crt': 'bm90IGEgY2VydA==', 'tls.key': 'bm8=' } } as Secret });
  assert.equal(store.contextFor(routes, 'one.test'), store.defaultContext, 'an unusable certificate is not served');
  api.sinks.get('web/one')!({ type: 'MODIFIED', object: secret('one', cert('one.test'), '8') });
  assert.notEqual(store.contextFor(routes, 'one.test'), store.defaultContext);
  api.sinks.get('web/one')!({ type: 'DELETED', object: secret('one', cert('one.test'), '9') });
  assert.equal(store.contextFor(routes, 'one.test'), store.defaultContext);
  await store.watch(new Set());
  assert.deepEqual(api.stopped, ['web/one'], 'a Secret no Ingress names any more is no longer watched');
  store.stop();
});

test('a Secret that does not exist yet is served once it is created', async () => {
  const api = fakeApi(new Map());
  const store = new TlsStore(api.source, cert('default'), logger('test').child({}, { level: 'silent' }));
  await store.watch(new Set(['web/one']));
  assert.equal(store.contextFor(routes, 'one.test'), store.defaultContext);
  while (!api.sinks.has('web/one')) await new Promise((r) => setImmediate(r));
  api.sinks.get('web/one')!({ type: 'ADDED', object: secret('one', cert('one.test'), '2') });
  assert.notEqual(store.contextFor(routes, 'one.test'), store.defaultContext);
  store.stop();
});
