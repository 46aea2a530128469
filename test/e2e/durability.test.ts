// Acknowledged writes survive kill -9: every create answered 201 is there after a restart,
// and the revision keeps counting up from where it was.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '../lib/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startCluster();
});
after(async () => {
  await c.destroy();
});

test('kill -9 right after 201s loses nothing', async () => {
  const acked: string[] = [];
  const writers = Array.from({ length: 32 }, async (_, w) => {
    for (let i = 0; i < 20; i++) {
      const name = `d-${w}-${i}`;
      const r = await c.http('POST', '/api/v1/namespaces/default/configmaps', {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) },
      });
      if (r.status === 201) acked.push(name);
    }
  });
  await Promise.all(writers);
  const lastRV = Number((await c.http('GET', '/api/v1/namespaces/default/configmaps')).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion);
  await c.kill9();
  await c.start();
  const list = (await c.http('GET', '/api/v1/namespaces/default/configmaps')).json<{ items: Array<{ metadata: { name: string } }>; metadata: { resourceVersion: string } }>();
  const present = new Set(list.items.map((i) => i.metadata.name));
  const lost = acked.filter((n) => !present.has(n));
  assert.equal(acked.length, 640);
  assert.deepEqual(lost, []);
  assert.ok(Number(list.metadata.resourceVersion) >= lastRV);
  const after = await c.http('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-restart' } });
  assert.equal(after.status, 201);
  assert.ok(Number(after.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion) > lastRV);
});

test('kill -9 in the middle of a write burst leaves a consistent store', async () => {
  const acked: string[] = [];
  let stop = false;
  const writers = Array.from({ length: 16 }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      const name = `m-${w}-${i}`;
      try {
        const r = await c.http('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
        if (r.status === 201) acked.push(name);
      } catch {
        return; // the server died under us
      }
    }
  });
  await new Promise((r) => setTimeout(r, 500));
  await c.kill9();
  stop = true;
  await Promise.all(writers);
  await c.start();
  const list = (await c.http('GET', '/api/v1/namespaces/default/configmaps')).json<{ items: Array<{ metadata: { name: string } }> }>();
  const present = new Set(list.items.map((i) => i.metadata.name));
  assert.ok(acked.length > 0);
  assert.deepEqual(acked.filter((n) => !present.has(n)), []);
});
