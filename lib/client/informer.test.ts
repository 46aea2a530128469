import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './api-error.js';
import { FakeClock, settle } from './clock.js';
import { Informer, stripManagedFields, type ListWatch } from './informer.js';
import type { KubeList, KubeObject, WatchEvent } from './types.js';

type Obj = KubeObject & { spec?: { node?: string } };

const obj = (ns: string, name: string, rv: number, node?: string): Obj => ({
  metadata: { namespace: ns, name, resourceVersion: String(rv) }, spec: { node },
});

/** A scripted API: each list() returns the next listing; watch() streams pushed events until ended. */
class FakeListWatch implements ListWatch<Obj> {
  lists: Array<KubeList<Obj>> = [];
  listCalls = 0;
  watchFrom: string[] = [];
  private emit?: (ev: WatchEvent<Obj>) => void;
  private end?: (err?: unknown) => void;

  async list(): Promise<KubeList<Obj>> {
    this.listCalls++;
    return this.lists.shift() ?? { metadata: { resourceVersion: '0' }, items: [] };
  }

  watch(rv: string, signal: AbortSignal, onEvent: (ev: WatchEvent<Obj>) => void): Promise<void> {
    this.watchFrom.push(rv);
    this.emit = onEvent;
    return new Promise((resolve, reject) => {
      this.end = (err) => (err ? reject(err) : resolve());
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  send(ev: WatchEvent<Obj>): void {
    this.emit!(ev);
  }

  close(err?: unknown): void {
    this.end!(err);
  }
}

function recorder(inf: Informer<Obj>): string[] {
  const seen: string[] = [];
  inf.on({
    add: (o) => seen.push(`add ${o.metadata?.name}`),
    update: (a, b) => seen.push(`update ${b.metadata?.name} ${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
    delete: (o) => seen.push(`delete ${o.metadata?.name}`),
  });
  return seen;
}

test('lists, then applies watch events to the cache and tells handlers', async () => {
  const lw = new FakeListWatch();
  lw.lists.push({ metadata: { resourceVersion: '10' }, items: [obj('a', 'p1', 5, 'n1'), obj('b', 'p2', 6, 'n2')] });
  const inf = new Informer<Obj>(lw, { indexers: { node: (o) => (o.spec?.node ? [o.spec.node] : []) } });
  const seen = recorder(inf);
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  assert.equal(await inf.waitForSync(ac.signal), true);
  await settle();
  assert.deepEqual(lw.watchFrom, ['10']);
  lw.send({ type: 'ADDED', object: obj('a', 'p3', 11, 'n1') });
  lw.send({ type: 'MODIFIED', object: obj('b', 'p2', 12, 'n1') });
  lw.send({ type: 'DELETED', object: obj('a', 'p1', 13, 'n1') });
  assert.deepEqual(seen, ['add p1', 'add p2', 'add p3', 'update p2 6->12', 'delete p1']);
  assert.deepEqual(inf.cache.byIndex('node', 'n1').map((o) => o.metadata?.name).sort(), ['p2', 'p3']);
  assert.deepEqual(inf.cache.byIndex('namespace', 'a').map((o) => o.metadata?.name), ['p3']);
  assert.equal(inf.cache.byIndex('node', 'n2').length, 0);
  assert.equal(inf.lastResourceVersion(), '13');
  ac.abort();
  await run;
});

test('bookmarks advance the resourceVersion a resumed watch starts from', async () => {
  const lw = new FakeListWatch();
  lw.lists.push({ metadata: { resourceVersion: '10' }, items: [] });
  const inf = new Informer<Obj>(lw);
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  await inf.waitForSync(ac.signal);
  await settle();
  lw.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '42' } } });
  lw.close();
  await settle();
  assert.deepEqual(lw.watchFrom, ['10', '42']);
  assert.equal(lw.listCalls, 1, 'a watch that ends normally is resumed, not relisted');
  ac.abort();
  await run;
});

test('410 Expired relists and reports what changed meanwhile', async () => {
  const lw = new FakeListWatch();
  lw.lists.push({ metadata: { resourceVersion: '10' }, items: [obj('a', 'keep', 1), obj('a', 'gone', 2), obj('a', 'changed', 3)] });
  lw.lists.push({ metadata: { resourceVersion: '50' }, items: [obj('a', 'keep', 1), obj('a', 'changed', 40), obj('a', 'new', 45)] });
  const inf = new Informer<Obj>(lw);
  const seen = recorder(inf);
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  await inf.waitForSync(ac.signal);
  await settle();
  seen.length = 0;
  lw.close(new ApiError({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }, 'WATCH', '/'));
  await settle();
  assert.deepEqual(seen.sort(), ['add new', 'delete gone', 'update changed 3->40']);
  assert.deepEqual(lw.watchFrom, ['10', '50']);
  assert.deepEqual(inf.cache.keys().sort(), ['a/changed', 'a/keep', 'a/new']);
  ac.abort();
  await run;
});

test('other failures back off before relisting', async () => {
  const clock = new FakeClock();
  const lw = new FakeListWatch();
  lw.lists.push({ metadata: { resourceVersion: '10' }, items: [] });
  const inf = new Informer<Obj>(lw, { clock, backoffMs: [1000, 5000] });
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  await inf.waitForSync(ac.signal);
  await settle();
  lw.close(new Error('connection reset'));
  await settle();
  assert.equal(lw.listCalls, 1);
  await clock.advance(1000);
  assert.equal(lw.listCalls, 2);
  ac.abort();
  await run;
});

test('late subscribers get the cached objects as adds; resync re-delivers updates', async () => {
  const clock = new FakeClock();
  const lw = new FakeListWatch();
  lw.lists.push({ metadata: { resourceVersion: '10' }, items: [obj('a', 'p1', 5)] });
  const inf = new Informer<Obj>(lw, { clock, resyncMs: 30_000 });
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  await inf.waitForSync(ac.signal);
  const seen = recorder(inf);
  assert.deepEqual(seen, ['add p1']);
  await clock.advance(30_000);
  assert.deepEqual(seen, ['add p1', 'update p1 5->5']);
  ac.abort();
  await run;
});

test('waitForSync returns false when stopped before the first list', async () => {
  const inf = new Informer<Obj>(new FakeListWatch());
  const ac = new AbortController();
  ac.abort();
  assert.equal(await inf.waitForSync(ac.signal), false);
});

test('a transform is applied to every object before it is cached or handed out', async () => {
  const lw = new FakeListWatch();
  lw.lists.push({ metadata: { resourceVersion: '10' }, items: [{ metadata: { namespace: 'a', name: 'p1', resourceVersion: '5', managedFields: [{ manager: 'kubectl' }] } }] });
  const inf = new Informer<Obj>(lw, { transform: stripManagedFields });
  const seen: Obj[] = [];
  inf.on({ add: (o) => seen.push(o), update: (_, o) => seen.push(o) });
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  await inf.waitForSync(ac.signal);
  await settle();
  lw.send({ type: 'MODIFIED', object: { metadata: { namespace: 'a', name: 'p1', resourceVersion: '11', managedFields: [{ manager: 'x' }] } } });
  assert.deepEqual(seen.map((o) => o.metadata?.managedFields), [undefined, undefined]);
  assert.equal(inf.cache.get('a/p1')?.metadata?.managedFields, undefined);
  ac.abort();
  await run;
});
