import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePodActions, nextInitContainer, podSandboxChanged } from './pod-actions.js';
import { containerHash } from '../runtime/labels.js';
import type { ContainerState, RuntimePodStatus, SandboxState } from '../runtime/runtime-state.js';
import type { Container, Pod } from '../kube-types.js';

const app: Container = { name: 'app', image: 'busybox' };
const side: Container = { name: 'side', image: 'busybox' };
const init1: Container = { name: 'init1', image: 'busybox' };
const init2: Container = { name: 'init2', image: 'busybox' };
const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [app], ...spec } });
const sandbox = (over: Partial<SandboxState> = {}): SandboxState => ({ id: 'sb1', attempt: 0, state: 'ready', createdAt: 1, ips: ['10.42.0.2'], hostNetwork: false, ...over });
let seq = 100;
const ctr = (c: Container, state: ContainerState['state'], over: Partial<ContainerState> = {}): ContainerState => ({
  id: `c${seq}`, name: c.name, kind: 'regular', hash: containerHash(c), restartCount: 0, state, createdAt: seq++, startedAt: 1, finishedAt: 2,
  exitCode: 0, reason: '', message: '', image: 'busybox', imageRef: 'sha256:x', logPath: '', ...over,
});
const status = (sandboxes: SandboxState[], containers: ContainerState[]): RuntimePodStatus => ({
  uid: 'u', sandboxes, containers: [...containers].sort((a, b) => b.createdAt - a.createdAt),
});

test('a new pod gets a sandbox and all its containers', () => {
  const a = computePodActions(pod({ containers: [app, side] }), status([], []));
  assert.equal(a.createSandbox, true);
  assert.equal(a.attempt, 0);
  assert.deepEqual(a.containersToStart, [0, 1]);
});

test('a running pod needs nothing', () => {
  const a = computePodActions(pod(), status([sandbox()], [ctr(app, 'running')]));
  assert.deepEqual({ kill: a.killPod, create: a.createSandbox, start: a.containersToStart, killC: a.containersToKill }, { kill: false, create: false, start: [], killC: [] });
});

test('a dead sandbox is replaced with the next attempt', () => {
  const r = podSandboxChanged(pod(), status([sandbox({ state: 'notready', attempt: 2 })], []));
  assert.deepEqual(r, { changed: true, attempt: 3, sandboxId: 'sb1' });
  assert.equal(podSandboxChanged(pod(), status([sandbox({ ips: [] })], [])).changed, true, 'no IP on the pod network');
  assert.equal(podSandboxChanged(pod({ hostNetwork: true }), status([sandbox({ ips: [], hostNetwork: true })], [])).changed, false);
});

test('restart policies decide what happens to exited containers', () => {
  const failed = status([sandbox()], [ctr(app, 'exited', { exitCode: 1 })]);
  const done = status([sandbox()], [ctr(app, 'exited', { exitCode: 0 })]);
  assert.deepEqual(computePodActions(pod(), done).containersToStart, [0], 'Always restarts even a success');
  assert.deepEqual(computePodActions(pod({ restartPolicy: 'OnFailure' }), failed).containersToStart, [0]);
  const onFailureDone = computePodActions(pod({ restartPolicy: 'OnFailure' }), done);
  assert.deepEqual(onFailureDone.containersToStart, []);
  assert.equal(onFailureDone.killPod, true, 'nothing left to run: the sandbox goes');
  assert.equal(computePodActions(pod({ restartPolicy: 'Never' }), failed).killPod, true);
});

test('a finished Never pod whose sandbox died gets no new sandbox', () => {
  const a = computePodActions(pod({ restartPolicy: 'Never' }), status([sandbox({ state: 'notready' })], [ctr(app, 'exited')]));
  assert.equal(a.createSandbox, false);
  assert.equal(a.killPod, true);
});

test('init containers run one at a time, in order, before the app', () => {
  const p = pod({ initContainers: [init1, init2] });
  assert.equal(computePodActions(p, status([], [])).nextInitContainer, 0);
  const i1 = ctr(init1, 'exited', { kind: 'init' });
  assert.deepEqual(nextInitContainer(p, status([sandbox()], [i1])), { next: 1, done: false });
  assert.equal(computePodActions(p, status([sandbox()], [ctr(init1, 'running', { kind: 'init' })])).nextInitContainer, undefined, 'wait for the running one');
  const both = status([sandbox()], [i1, ctr(init2, 'exited', { kind: 'init' })]);
  assert.deepEqual(computePodActions(p, both).containersToStart, [0]);
});

test('a failed init container is retried, or fails the pod under Never', () => {
  const p = pod({ initContainers: [init1, init2] });
  const failed = status([sandbox()], [ctr(init1, 'exited', { kind: 'init', exitCode: 2 })]);
  assert.equal(computePodActions(p, failed).nextInitContainer, 0);
  const never = computePodActions({ ...p, spec: { ...p.spec, containers: [app], restartPolicy: 'Never' } }, failed);
  assert.equal(never.killPod, true);
  assert.equal(never.nextInitContainer, undefined);
});

test('liveness failures and changed definitions restart running containers', () => {
  const running = ctr(app, 'running');
  const s = status([sandbox()], [running]);
  const live = computePodActions(pod(), s, { livenessFailed: (n, id) => n === 'app' && id === running.id, startupFailed: () => false });
  assert.deepEqual(live.containersToKill, [{ id: running.id, name: 'app', message: 'Container app failed liveness probe, will be restarted' }]);
  assert.deepEqual(live.containersToStart, [0]);
  const changed = computePodActions(pod({ containers: [{ ...app, command: ['sleep', '1'] }] }), s);
  assert.equal(changed.containersToKill[0]?.message, 'Container app definition changed, will be restarted');
  const never = computePodActions(pod({ restartPolicy: 'Never' }), s, { livenessFailed: () => true, startupFailed: () => false });
  assert.equal(never.containersToKill[0]?.message, 'Container app failed liveness probe');
  assert.deepEqual(never.containersToStart, []);
});

test('a pod being deleted restarts nothing', () => {
  const p = { ...pod(), metadata: { name: 'p', namespace: 'ns', uid: 'u', deletionTimestamp: '2025-01-01T00:00:00Z' } };
  const a = computePodActions(p, status([sandbox()], [ctr(app, 'exited', { exitCode: 1 })]));
  assert.deepEqual(a.containersToStart, []);
  assert.equal(a.killPod, true);
});

test('sidecars (init containers with restartPolicy Always) start first, keep running and come back', () => {
  const sidecar: Container = { name: 'proxy', image: 'busybox', restartPolicy: 'Always' };
  const p = pod({ initContainers: [sidecar, init1] });
  assert.equal(computePodActions(p, status([sandbox()], [])).nextInitContainer, 0);
  const sc = ctr(sidecar, 'running', { kind: 'init' });
  assert.deepEqual(nextInitContainer(p, status([sandbox()], [sc])), { next: 1, done: false }, 'a running sidecar counts as done');
  const initialized = status([sandbox()], [sc, ctr(init1, 'exited', { kind: 'init' })]);
  assert.deepEqual(computePodActions(p, initialized).containersToStart, [0]);
  const sidecarDied = status([sandbox()], [ctr(sidecar, 'exited', { kind: 'init', exitCode: 1 }), ctr(init1, 'exited', { kind: 'init' }), ctr(app, 'running')]);
  const a = computePodActions(p, sidecarDied);
  assert.equal(a.nextInitContainer, 0, 'the sidecar is restarted');
  assert.deepEqual(a.containersToStart, []);
  assert.equal(a.killPod, false);
});
