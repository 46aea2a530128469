import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePodStatus, podPhase, type StatusInputs } from './pod-status.js';
import { containerHash } from '../runtime/labels.js';
import type { ContainerState, RuntimePodStatus, SandboxState } from '../runtime/runtime-state.js';
import type { Container, ContainerStatus, Pod } from '../kube-types.js';

const NOW = Date.UTC(2025, 0, 1, 12);
const app: Container = { name: 'app', image: 'busybox', volumeMounts: [{ name: 'kube-api-access-x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }] };
const web: Container = { name: 'web', image: 'busybox' };
const init: Container = { name: 'init', image: 'busybox' };
const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [app], ...spec } });
const sandbox: SandboxState = { id: 'sb', attempt: 0, state: 'ready', createdAt: 1, ips: ['10.42.0.7'], hostNetwork: false };
let seq = 1;
const ctr = (c: Container, state: ContainerState['state'], over: Partial<ContainerState> = {}): ContainerState => ({
  id: `id${seq}`, name: c.name, kind: 'regular', hash: containerHash(c), restartCount: 0, state, createdAt: seq++,
  startedAt: NOW - 60_000, finishedAt: state === 'exited' ? NOW - 1000 : 0, exitCode: 0, reason: state === 'exited' ? 'Completed' : '', message: '',
  image: 'docker.io/library/busybox:latest', imageRef: 'docker.io/library/busybox@sha256:abc', logPath: '', ...over,
});
const rt = (containers: ContainerState[], sandboxes = [sandbox]): RuntimePodStatus => ({ uid: 'u', sandboxes, containers: [...containers].sort((a, b) => b.createdAt - a.createdAt) });
const inputs = (runtime: RuntimePodStatus, over: Partial<StatusInputs> = {}): StatusInputs => ({
  runtime, previous: undefined, waiting: () => undefined, started: () => undefined, ready: () => undefined,
  hostIPs: ['192.0.2.2'], podIsTerminal: false, now: NOW, ...over,
});

test('a new pod waits in ContainerCreating', () => {
  const s = generatePodStatus(pod(), inputs(rt([], [])));
  assert.equal(s.phase, 'Pending');
  assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'ContainerCreating' } });
  assert.equal(s.containerStatuses?.[0]?.imageID, '');
  assert.equal(s.podIP, undefined);
  assert.deepEqual(s.conditions?.map((c) => [c.type, c.status, c.reason ?? '']), [
    ['PodReadyToStartContainers', 'False', ''],
    ['Initialized', 'True', ''],
    ['Ready', 'False', 'ContainersNotReady'],
    ['ContainersReady', 'False', 'ContainersNotReady'],
    ['PodScheduled', 'True', ''],
  ]);
  assert.equal(s.conditions?.[2]?.message, 'containers with unready status: [app]');
  assert.equal(s.qosClass, 'BestEffort');
  assert.equal(s.startTime, '2025-01-01T12:00:00Z');
});

test('a running pod is Ready, with its IP, image ID and volume mounts', () => {
  const c = ctr(app, 'running');
  const s = generatePodStatus(pod(), inputs(rt([c])));
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.42.0.7');
  assert.deepEqual(s.podIPs, [{ ip: '10.42.0.7' }]);
  assert.deepEqual(s.hostIPs, [{ ip: '192.0.2.2' }]);
  const cs = s.containerStatuses?.[0] as ContainerStatus;
  assert.equal(cs.containerID, `containerd://${c.id}`);
  assert.equal(cs.imageID, 'docker.io/library/busybox@sha256:abc');
  assert.equal(cs.ready, true);
  assert.equal(cs.started, true);
  assert.deepEqual(cs.state, { running: { startedAt: '2025-01-01T11:59:00Z' } });
  assert.deepEqual(cs.volumeMounts, [{ name: 'kube-api-access-x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true, recursiveReadOnly: 'Disabled' }]);
  assert.ok(s.conditions?.every((x) => x.status === 'True'));
});

test('readiness and startup probes gate ready and started', () => {
  const c = ctr(app, 'running');
  const notReady = generatePodStatus(pod(), inputs(rt([c]), { ready: () => false }));
  assert.equal(notReady.containerStatuses?.[0]?.ready, false);
  assert.equal(notReady.conditions?.find((x) => x.type === 'Ready')?.status, 'False');
  const notStarted = generatePodStatus(pod(), inputs(rt([c]), { started: () => false, ready: () => true }));
  assert.equal(notStarted.containerStatuses?.[0]?.started, false);
  assert.equal(notStarted.containerStatuses?.[0]?.ready, false);
});

test('a probed container is not ready or started before its probe has a verdict', () => {
  const probe = { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 };
  const probed = { ...app, readinessProbe: probe, startupProbe: probe };
  const s = generatePodStatus(pod({ containers: [probed] }), inputs(rt([ctr(probed, 'running')])));
  assert.equal(s.containerStatuses?.[0]?.started, false);
  assert.equal(s.containerStatuses?.[0]?.ready, false);
  assert.equal(s.conditions?.find((x) => x.type === 'Ready')?.status, 'False');
  const readinessOnly = { ...app, readinessProbe: probe };
  const r = generatePodStatus(pod({ containers: [readinessOnly] }), inputs(rt([ctr(readinessOnly, 'running')])));
  assert.equal(r.containerStatuses?.[0]?.started, true);
  assert.equal(r.containerStatuses?.[0]?.ready, false);
});

test('a crash loop shows CrashLoopBackOff with the last termination and restart count', () => {
  const old = ctr(app, 'exited', { exitCode: 1, reason: 'Error', restartCount: 2 });
  const s = generatePodStatus(pod(), inputs(rt([old]), {
    waiting: () => ({ reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app pod=p_ns(u)' }),
  }));
  const cs = s.containerStatuses?.[0] as ContainerStatus;
  assert.deepEqual(cs.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app pod=p_ns(u)' } });
  assert.equal(cs.lastState?.terminated?.exitCode, 1);
  assert.equal(cs.lastState?.terminated?.reason, 'Error');
  assert.equal(cs.restartCount, 2);
  assert.equal(s.phase, 'Running', 'restartPolicy Always keeps a crash-looping pod Running');
});

test('the newest instance is the state, the previous one the lastState', () => {
  const first = ctr(app, 'exited', { exitCode: 137, reason: 'Error' });
  const second = ctr(app, 'running', { restartCount: 1 });
  const cs = generatePodStatus(pod(), inputs(rt([first, second]))).containerStatuses?.[0] as ContainerStatus;
  assert.ok(cs.state?.running);
  assert.equal(cs.restartCount, 1);
  assert.equal(cs.lastState?.terminated?.exitCode, 137);
});

test('phases of finished pods follow the restart policy', () => {
  const ok = ctr(app, 'exited');
  const bad = ctr(web, 'exited', { exitCode: 3, reason: 'Error' });
  const two = pod({ containers: [app, web] });
  assert.equal(generatePodStatus({ ...two, spec: { ...two.spec, containers: [app, web], restartPolicy: 'Never' } }, inputs(rt([ok, bad]))).phase, 'Failed');
  assert.equal(generatePodStatus(pod({ restartPolicy: 'OnFailure' }), inputs(rt([ok]))).phase, 'Succeeded');
  const succeeded = generatePodStatus(pod({ restartPolicy: 'Never' }), inputs(rt([ok], [{ ...sandbox, state: 'notready' }]), {
    previous: { podIP: '10.42.0.7', podIPs: [{ ip: '10.42.0.7' }] },
  }));
  assert.equal(succeeded.phase, 'Succeeded');
  assert.equal(succeeded.podIP, '10.42.0.7', 'a finished pod keeps its IP');
  assert.deepEqual(succeeded.conditions?.find((c) => c.type === 'Ready'), { type: 'Ready', status: 'False', reason: 'PodCompleted', lastProbeTime: null, lastTransitionTime: '2025-01-01T12:00:00Z' });
  assert.equal(podPhase(pod(), [{ name: 'app', ready: false, restartCount: 0, image: '', imageID: '', state: { terminated: { exitCode: 0 } } }], true), 'Succeeded');
});

test('init containers: PodInitializing, then Initialized', () => {
  const p = pod({ initContainers: [init] });
  const running = generatePodStatus(p, inputs(rt([ctr(init, 'running', { kind: 'init' })])));
  assert.equal(running.phase, 'Pending');
  assert.deepEqual(running.containerStatuses?.[0]?.state, { waiting: { reason: 'PodInitializing' } });
  assert.deepEqual(running.conditions?.find((c) => c.type === 'Initialized'), {
    type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init]',
    lastProbeTime: null, lastTransitionTime: '2025-01-01T12:00:00Z',
  });
  const done = generatePodStatus(p, inputs(rt([ctr(init, 'exited', { kind: 'init' }), ctr(app, 'running')])));
  assert.equal(done.phase, 'Running');
  assert.equal(done.initContainerStatuses?.[0]?.ready, true);
  assert.equal(done.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  assert.equal(done.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
});

test('a waiting reason from a failed start shows until it succeeds', () => {
  const s = generatePodStatus(pod(), inputs(rt([]), { waiting: () => ({ reason: 'ErrImagePull', message: 'rpc error: code = NotFound desc = not found' }) }));
  assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'ErrImagePull', message: 'rpc error: code = NotFound desc = not found' } });
  assert.equal(s.phase, 'Pending');
});

test('condition transition times stay while the status does not change', () => {
  const first = generatePodStatus(pod(), inputs(rt([ctr(app, 'running')])));
  const later = generatePodStatus(pod(), inputs(rt([ctr(app, 'running')]), { previous: first, now: NOW + 60_000 }));
  assert.equal(later.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, '2025-01-01T12:00:00Z');
  assert.equal(later.startTime, '2025-01-01T12:00:00Z');
});

test('conditions owned by others are kept', () => {
  const p: Pod = { ...pod(), status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' }] } };
  const s = generatePodStatus(p, inputs(rt([ctr(app, 'running')])));
  assert.equal(s.conditions?.[0]?.type, 'DisruptionTarget');
});
