import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CAP_SYS_RESOURCE,
  apparmorEnabledFrom,
  cgroupVersionFromMountinfo,
  chooseCgroupDriver,
  hasEffectiveCapability,
  overlayInFilesystems,
  probeCanLowerOomScoreAdj,
} from './host.js';

const V1 = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const V2 = `25 30 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot`;

test('cgroup v1 (and hybrid with unified/) vs v2 from mountinfo', () => {
  assert.equal(cgroupVersionFromMountinfo(V1), 1);
  assert.equal(cgroupVersionFromMountinfo(V2), 2);
  assert.equal(cgroupVersionFromMountinfo(''), 1);
});

test('systemd driver only on cgroup v2 with systemd running', () => {
  assert.equal(chooseCgroupDriver(2, true), 'systemd');
  assert.equal(chooseCgroupDriver(2, false), 'cgroupfs');
  assert.equal(chooseCgroupDriver(1, true), 'cgroupfs');
  assert.equal(chooseCgroupDriver(1, false), 'cgroupfs');
});

test('CapEff bit 24 (CAP_SYS_RESOURCE) is read from /proc status', () => {
  // Measured on the Firecracker test VM: every bit but 24.
  assert.equal(hasEffectiveCapability('Name:\tx\nCapEff:\t000001fffeffffff\n', CAP_SYS_RESOURCE), false);
  assert.equal(hasEffectiveCapability('CapEff:\t000001ffffffffff\n', CAP_SYS_RESOURCE), true);
  assert.equal(hasEffectiveCapability('CapEff:\t0000000000000000\n', 0), false);
  assert.equal(hasEffectiveCapability('no caps here', CAP_SYS_RESOURCE), false);
});

test('apparmor and overlay detection', () => {
  assert.equal(apparmorEnabledFrom('Y\n'), true);
  assert.equal(apparmorEnabledFrom('N\n'), false);
  assert.equal(apparmorEnabledFrom(undefined), false);
  assert.equal(overlayInFilesystems('nodev\tsysfs\n\text4\nnodev\toverlay\n'), true);
  assert.equal(overlayInFilesystems('nodev\tsysfs\n\text4\n'), false);
});

test('oom probe agrees with a fake exec and this process’s capabilities', async () => {
  const calls: string[][] = [];
  const ok = await probeCanLowerOomScoreAdj(async (file, args) => {
    calls.push([file, ...args]);
    return { code: 1, stdout: '', stderr: 'Permission denied' };
  });
  // Whatever CapEff says, a failing write means "cannot lower".
  assert.equal(ok, false);
  for (const c of calls) assert.match(c[2] ?? '', /> \/proc\/self\/oom_score_adj$/);
});
