import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerLogError, logContainerId, runtimeContainerId, type LogPodStatus } from './container-log-status.js';

const status: LogPodStatus = {
  containerStatuses: [
    { name: 'app', containerID: 'containerd://new', state: { running: {} }, lastState: { terminated: { containerID: 'containerd://old' } } },
    { name: 'fresh', containerID: 'containerd://f1', state: { running: {} } },
    { name: 'pulling', state: { waiting: { reason: 'ImagePullBackOff' } } },
    { name: 'creating', state: { waiting: { reason: 'ContainerCreating' } } },
    { name: 'done', containerID: 'containerd://d1', state: { terminated: { containerID: 'containerd://d1' } } },
    { name: 'restarting', state: { terminated: { containerID: '' } }, lastState: { terminated: { containerID: 'containerd://r0' } } },
  ],
  initContainerStatuses: [{ name: 'init', containerID: 'containerd://i1', state: { terminated: { containerID: 'containerd://i1' } } }],
};

const fails = (container: string, previous: boolean, message: string): void => {
  assert.throws(() => logContainerId('web', status, container, previous), (e: unknown) => e instanceof ContainerLogError && e.message === message);
};

describe('which container instance logs come from', () => {
  it('reads the running instance, or the previous one when asked', () => {
    assert.equal(logContainerId('web', status, 'app', false), 'new');
    assert.equal(logContainerId('web', status, 'app', true), 'old');
  });

  it('reads terminated, restarting and init containers', () => {
    assert.equal(logContainerId('web', status, 'done', false), 'd1');
    assert.equal(logContainerId('web', status, 'restarting', false), 'r0');
    assert.equal(logContainerId('web', status, 'init', false), 'i1');
  });

  it('says why there is nothing, in the kubelet words', () => {
    fails('fresh', true, 'previous terminated container "fresh" in pod "web" not found');
    fails('pulling', false, 'container "pulling" in pod "web" is waiting to start: trying and failing to pull image');
    fails('creating', false, 'container "creating" in pod "web" is waiting to start: ContainerCreating');
    fails('ghost', false, 'container "ghost" in pod "web" is not available');
  });

  it('strips the runtime scheme from IDs', () => {
    assert.equal(runtimeContainerId('containerd://abc'), 'abc');
    assert.equal(runtimeContainerId('abc'), 'abc');
  });
});
