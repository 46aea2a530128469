import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCgroupMounts, planCgroupMounts, sysfsSource } from './cgroup-mounts.js';

test('mountinfo after ip netns exec has no cgroup mount; the host one has', () => {
  const netns = '47 46 254:0 / / rw,relatime - ext4 /dev/vda rw\n60 47 0:50 / /sys rw,relatime - sysfs ns1 rw\n';
  assert.equal(hasCgroupMounts(netns), false);
  assert.equal(hasCgroupMounts(netns + '70 60 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n'), true);
  assert.equal(hasCgroupMounts('70 60 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n'), true);
});

test('a v1 host: tmpfs, one dir per hierarchy, co-mounted controllers get symlinks, v2 under unified', () => {
  const steps = planCgroupMounts('9:name=systemd:/\n4:memory:/x\n2:cpu,cpuacct:/\n0::/\n');
  assert.deepEqual(steps, [
    { kind: 'mount', fstype: 'tmpfs', options: 'mode=755', target: '/sys/fs/cgroup' },
    { kind: 'mount', fstype: 'cgroup', options: 'none,name=systemd', target: '/sys/fs/cgroup/systemd' },
    { kind: 'mount', fstype: 'cgroup', options: 'memory', target: '/sys/fs/cgroup/memory' },
    { kind: 'mount', fstype: 'cgroup', options: 'cpu,cpuacct', target: '/sys/fs/cgroup/cpu,cpuacct' },
    { kind: 'symlink', target: 'cpu,cpuacct', path: '/sys/fs/cgroup/cpu' },
    { kind: 'symlink', target: 'cpu,cpuacct', path: '/sys/fs/cgroup/cpuacct' },
    { kind: 'mount', fstype: 'cgroup2', options: 'rw,nosuid,nodev,noexec', target: '/sys/fs/cgroup/unified' },
  ]);
});

test('a unified (v2) host: cgroup2 at /sys/fs/cgroup itself', () => {
  assert.deepEqual(planCgroupMounts('0::/user.slice\n'), [{ kind: 'mount', fstype: 'cgroup2', options: 'rw,nosuid,nodev,noexec', target: '/sys/fs/cgroup' }]);
  assert.deepEqual(planCgroupMounts(''), []);
});

test('the sysfs of ip netns exec is named after the namespace', () => {
  assert.equal(sysfsSource('50 47 0:39 / /sys rw,relatime - sysfs h1 rw\n'), 'h1');
  assert.equal(sysfsSource('22 26 0:21 / /sys rw,relatime - sysfs sysfs rw\n'), 'sysfs');
});
