// Lists and watches as clients use them: selectors, paging with continue tokens over a
// consistent snapshot, resourceVersion semantics, kubectl get -w, 410 Gone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { kubectlPath, startCluster, eventually, type TestCluster } from '../lib/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startCluster();
  for (let i = 0; i < 25; i++) {
    const r = await c.http('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `item-${String(i).padStart(2, '0')}`, labels: { tier: i % 2 ? 'odd' : 'even', n: String(i) } },
    });
    assert.equal(r.status, 201);
  }
});
after(async () => {
  await c.destroy();
});

type List = { items: Array<{ metadata: { name: string; resourceVersion: string } }>; metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } };

test('label selectors: equality, inequality, set-based, existence', async () => {
  const names = async (sel: string) => (await c.k('get', 'cm', '-l', sel, '-o', 'name')).trim().split('\n').filter(Boolean).length;
  assert.equal(await names('tier=odd'), 12);
  assert.equal(await names('tier,tier!=odd'), 13);
  assert.equal(await names('n in (1,2,3)'), 3);
  assert.equal(await names('n notin (1,2,3),tier'), 22);
  assert.equal(await names('tier,n>20'), 4);
  await c.http('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'untiered', labels: { probe: 'yes' } } });
  assert.equal(await names('!tier,probe'), 1);
  assert.equal(await names('tier,probe'), 0);
  await c.http('DELETE', '/api/v1/namespaces/default/configmaps/untiered');
});

test('bad selectors get a 400 with the reason', async () => {
  const r = await c.kubectl(['get', 'cm', '-l', 'a in (b']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error from server \(BadRequest\)|unable to parse requirement/);
  const f = await c.kubectl(['get', 'pods', '--field-selector', 'spec.bogus=x']);
  assert.equal(f.code, 1);
  assert.match(f.stderr, /field label not supported: spec.bogus/);
});

test('paging returns every item once, from one snapshot', async () => {
  const seen: string[] = [];
  let cont: string | undefined;
  let pages = 0;
  let first: List | undefined;
  do {
    const r = await c.http('GET', `/api/v1/namespaces/default/configmaps?limit=10&labelSelector=tier${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    const page = r.json<List>();
    first ??= page;
    if (pages === 0) {
      // A write between pages must not show up in the rest of this list.
      await c.http('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'item-zz-late', labels: { tier: 'odd' } } });
      await c.http('DELETE', '/api/v1/namespaces/default/configmaps/item-24');
    }
    seen.push(...page.items.map((i) => i.metadata.name));
    cont = page.metadata.continue;
    pages++;
  } while (cont);
  assert.equal(pages, 3);
  assert.equal(seen.length, 25);
  assert.ok(seen.includes('item-24'));
  assert.ok(!seen.includes('item-zz-late'));
  assert.equal(new Set(seen).size, 25);
  assert.equal(first?.metadata.remainingItemCount, undefined); // selectors hide the count, as in Kubernetes
  await c.http('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'item-24', labels: { tier: 'even', n: '24' } } });
  await c.http('DELETE', '/api/v1/namespaces/default/configmaps/item-zz-late');
});

test('kubectl paging with --chunk-size sees everything', async () => {
  const out = await c.k('get', 'cm', '--chunk-size=7', '-o', 'name', '-l', 'tier');
  assert.equal(out.trim().split('\n').length, 25);
});

test('resourceVersion Exact lists the past; a far future version times out', async () => {
  const before = (await c.http('GET', '/api/v1/namespaces/default/configmaps')).json<List>();
  await c.http('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'exact-new' } });
  const past = (await c.http('GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${before.metadata.resourceVersion}&resourceVersionMatch=Exact`)).json<List>();
  assert.equal(past.items.length, before.items.length);
  assert.equal(past.metadata.resourceVersion, before.metadata.resourceVersion);
  const future = await c.http('GET', `/api/v1/namespaces/default/configmaps?resourceVersion=999999999&resourceVersionMatch=NotOlderThan`);
  assert.equal(future.status, 504);
  assert.match(future.body, /Too large resource version/);
  const bad = await c.http('GET', '/api/v1/namespaces/default/configmaps?resourceVersionMatch=Exact');
  assert.equal(bad.status, 422);
  assert.equal(bad.json<{ message: string }>().message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
  await c.http('DELETE', '/api/v1/namespaces/default/configmaps/exact-new');
});

test('watch from a resourceVersion streams later changes only', async () => {
  const list = (await c.http('GET', '/api/v1/namespaces/default/configmaps')).json<List>();
  const proc = spawn(kubectlPath, ['--kubeconfig', c.kubeconfig, 'get', '--raw', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}`]);
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d));
  await new Promise((r) => setTimeout(r, 500));
  await c.http('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' } });
  await c.http('DELETE', '/api/v1/namespaces/default/configmaps/watched');
  await eventually(() => out.split('\n').filter(Boolean).length >= 2);
  proc.kill();
  const events = out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
  assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'watched'], ['DELETED', 'watched']]);
});

test('watch=True, watch=1 and the other spellings clients send start a watch; 0 and False list', async () => {
  // The Python client's watch.Watch().stream() sends watch=True.
  const list = (await c.http('GET', '/api/v1/namespaces/default/configmaps')).json<List>();
  await c.http('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'spelled' } });
  for (const spelling of ['True', '1', 'true', 'TRUE', 't']) {
    const r = await c.http('GET', `/api/v1/namespaces/default/configmaps?watch=${spelling}&fieldSelector=metadata.name%3Dspelled&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=1`);
    assert.equal(r.status, 200, spelling);
    const events = r.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED spelled'], spelling);
  }
  for (const spelling of ['False', '0', 'false']) {
    const r = await c.http('GET', `/api/v1/namespaces/default/configmaps?watch=${spelling}`);
    assert.equal(r.json<{ kind: string }>().kind, 'ConfigMapList', spelling);
  }
  await c.http('DELETE', '/api/v1/namespaces/default/configmaps/spelled');
});

test('kubectl get -w prints the table, then changes', async () => {
  const proc = spawn(kubectlPath, ['--kubeconfig', c.kubeconfig, 'get', 'cm', '-w', '-l', 'watchme']);
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d));
  await new Promise((r) => setTimeout(r, 800));
  await c.http('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w1', labels: { watchme: 'y' } }, data: { a: 'b' } });
  await eventually(() => /w1\s+1\s+\d+s/.test(out));
  proc.kill();
  assert.match(out, /^NAME\s+DATA\s+AGE\n/);
});

test('a label change that stops matching is seen as DELETED by a selective watch', async () => {
  await c.http('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mover', labels: { stage: 'a' } } });
  const list = (await c.http('GET', '/api/v1/namespaces/default/configmaps')).json<List>();
  const proc = spawn(kubectlPath, ['--kubeconfig', c.kubeconfig, 'get', '--raw', `/api/v1/namespaces/default/configmaps?watch=true&labelSelector=stage%3Da&resourceVersion=${list.metadata.resourceVersion}`]);
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d));
  await new Promise((r) => setTimeout(r, 500));
  await c.kubectl(['label', 'cm', 'mover', 'stage=b', '--overwrite']);
  await eventually(() => out.includes('"type":"DELETED"'));
  proc.kill();
});

test('watching or paging from compacted history answers 410 Expired', async () => {
  const small = await startCluster({ args: ['--storage-history', '20'] });
  try {
    const first = (await small.http('GET', '/api/v1/namespaces?limit=1')).json<List>();
    for (let i = 0; i < 60; i++) {
      await small.http('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c-${i}` } });
    }
    const w = await small.http('GET', '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1&timeoutSeconds=3');
    assert.equal(w.status, 200);
    const ev = JSON.parse(w.body.trim().split('\n')[0]) as { type: string; object: { code: number; reason: string; message: string } };
    assert.equal(ev.type, 'ERROR');
    assert.equal(ev.object.code, 410);
    assert.equal(ev.object.reason, 'Expired');
    assert.match(ev.object.message, /^too old resource version: 1 \(\d+\)$/);
    assert.ok(first.metadata.continue);
    const page = await small.http('GET', '/api/v1/namespaces?limit=1&continue=' + encodeURIComponent(first.metadata.continue));
    assert.equal(page.status, 410);
    assert.match(page.json<{ message: string }>().message, /^The provided continue parameter is too old/);
  } finally {
    await small.destroy();
  }
});

test('watches started at successive resourceVersions see one order while a writer is busy', async () => {
  await c.http('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'watch-order' } });
  const base = '/api/v1/namespaces/watch-order/configmaps';
  let latest = Number((await c.http('GET', base)).json<List>().metadata.resourceVersion);
  const writerDone = Date.now() + 4000;
  // 16 writes in flight at a time: creates, updates and deletes that commit in shared batches.
  const writer = async (id: number) => {
    for (let i = 0; Date.now() < writerDone; i++) {
      const name = `w${id}-${i % 5}`;
      const r = i % 5 === 4
        ? await c.http('DELETE', `${base}/w${id}-${(i + 1) % 5}`)
        : await c.http('PUT', `${base}/${name}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } })
          .then(async (u) => (u.status === 404 ? c.http('POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } }) : u));
      const rv = Number(r.json<{ metadata?: { resourceVersion?: string } }>().metadata?.resourceVersion ?? 0);
      if (rv > latest) latest = rv;
    }
  };
  const watches: Array<Promise<{ from: number; events: Array<{ rv: number; what: string }> }>> = [];
  const starter = (async () => {
    for (let n = 0; n < 20; n++) {
      const from = latest;
      watches.push(c.http('GET', `${base}?watch=true&resourceVersion=${from}&timeoutSeconds=2`).then((r) => ({
        from,
        events: r.body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string; resourceVersion: string } } })
          .map((e) => ({ rv: Number(e.object.metadata.resourceVersion), what: `${e.type} ${e.object.metadata.name}` })),
      })));
      await new Promise((r) => setTimeout(r, 90));
    }
  })();
  await Promise.all([...Array.from({ length: 16 }, (_, id) => writer(id)), starter]);
  const results = await Promise.all(watches);
  const seen = new Map<number, string>();
  let total = 0;
  for (const w of results) {
    total += w.events.length;
    for (let i = 0; i < w.events.length; i++) {
      const e = w.events[i]!;
      assert.ok(e.rv > w.from, `watch from ${w.from} got rv ${e.rv}`);
      if (i > 0) assert.ok(e.rv > w.events[i - 1]!.rv, `watch from ${w.from}: rv ${e.rv} after ${w.events[i - 1]!.rv}: ${w.events.slice(0, i + 3).map((x) => x.rv + " " + x.what).join(", ")}`);
      const other = seen.get(e.rv);
      assert.ok(other === undefined || other === e.what, `rv ${e.rv} is "${e.what}" here and "${other}" elsewhere`);
      seen.set(e.rv, e.what);
    }
  }
  // No gaps: every watcher saw each event between its first and its last.
  const all = [...seen.keys()].sort((a, b) => a - b);
  for (const w of results) {
    if (w.events.length === 0) continue;
    const span = all.filter((rv) => rv >= w.events[0]!.rv && rv <= w.events.at(-1)!.rv);
    assert.deepEqual(w.events.map((e) => e.rv), span, `watch from ${w.from} skipped events`);
  }
  assert.ok(total > 500, `only ${total} events were watched`);
});
