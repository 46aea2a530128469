import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitErrorMessage } from './fit-error.js';
import type { FilterStatus } from './types.js';

const s = (...reasons: string[]): FilterStatus => ({ code: 'Unschedulable', reasons, plugin: 'x' });

test('counts reasons across nodes and sorts them as strings, as kube-scheduler does', () => {
  const msg = fitErrorMessage(3, [s('Insufficient cpu'), s('Insufficient cpu', 'Insufficient memory'), s('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }')]);
  assert.equal(msg, '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.');
});

test('the preemption part follows with its own period (hence the double period)', () => {
  const post = `preemption: ${fitErrorMessage(2, [s('No preemption victims found for incoming pod'), s('No preemption victims found for incoming pod')])}`;
  assert.equal(fitErrorMessage(2, [s('Insufficient cpu'), s('Insufficient cpu')], post),
    '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod..');
});
