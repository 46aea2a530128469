import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cgroupRelativePath, kubepodsParent, podCgroupParent } from './cgroups.js';

test('cgroupfs parents nest by QoS class under our root', () => {
  assert.equal(podCgroupParent('cgroupfs', '/k8ts', 'Guaranteed', 'u-1'), '/k8ts/kubepods/podu-1');
  assert.equal(podCgroupParent('cgroupfs', '/k8ts', 'Burstable', 'u-1'), '/k8ts/kubepods/burstable/podu-1');
  assert.equal(podCgroupParent('cgroupfs', '/k8ts', 'BestEffort', 'u-1'), '/k8ts/kubepods/besteffort/podu-1');
  assert.equal(podCgroupParent('cgroupfs', '/', 'BestEffort', 'x'), '/kubepods/besteffort/podx');
  assert.equal(kubepodsParent('cgroupfs', '/k8ts'), '/k8ts/kubepods');
});

test('systemd parents are nested slices with escaped UIDs', () => {
  assert.equal(podCgroupParent('systemd', 'k8ts.slice', 'Burstable', 'ab-cd'), 'k8ts-kubepods-burstable-podab_cd.slice');
  assert.equal(podCgroupParent('systemd', 'k8ts.slice', 'Guaranteed', 'ab'), 'k8ts-kubepods-podab.slice');
  assert.equal(kubepodsParent('systemd', 'k8ts.slice'), 'k8ts-kubepods.slice');
  assert.equal(cgroupRelativePath('systemd', 'k8ts-kubepods-podab.slice'), '/k8ts.slice/k8ts-kubepods.slice/k8ts-kubepods-podab.slice');
  assert.equal(cgroupRelativePath('cgroupfs', '/k8ts/kubepods'), '/k8ts/kubepods');
});
