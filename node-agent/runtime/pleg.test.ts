import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedPods, fingerprints } from './pleg.js';

const uid = (u: string) => ({ 'io.kubernetes.pod.uid': u });

test('relists are diffed per pod UID', () => {
  const a = fingerprints([{ id: 's1', state: 'SANDBOX_READY', labels: uid('a') }], [
    { id: 'c1', state: 'CONTAINER_RUNNING', labels: uid('a') },
    { id: 'c2', state: 'CONTAINER_RUNNING', labels: uid('b') },
    { id: 'x', state: 'CONTAINER_RUNNING', labels: {} },
  ]);
  assert.deepEqual([...a.keys()].sort(), ['a', 'b']);
  const b = fingerprints([{ id: 's1', state: 'SANDBOX_READY', labels: uid('a') }], [
    { id: 'c1', state: 'CONTAINER_EXITED', labels: uid('a') },
    { id: 'c3', state: 'CONTAINER_RUNNING', labels: uid('c') },
  ]);
  assert.deepEqual(changedPods(a, b).sort(), ['a', 'b', 'c']);
  assert.deepEqual(changedPods(b, b), []);
});
