import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cgroupLayoutFromMountinfo, nodeMemoryFromMeminfo, parseMeminfo, parseProcStatCpuNs, parseV1, parseV2,
} from './cgroup-parse.js';
import { readCgroup, readNode } from './cgroup-read.js';
import * as fx from './cgroup-fixtures.js';

test('layout: v1 hierarchies per controller win over the hybrid empty cgroup2', () => {
  assert.deepEqual(cgroupLayoutFromMountinfo(fx.v1Mountinfo), { version: 1, cpuacct: '/sys/fs/cgroup/cpuacct', memory: '/sys/fs/cgroup/memory' });
});

test('layout: a unified cgroup2 mount is v2; no cgroup mounts is undefined', () => {
  assert.deepEqual(cgroupLayoutFromMountinfo(fx.v2Mountinfo), { version: 2, unified: '/sys/fs/cgroup' });
  assert.equal(cgroupLayoutFromMountinfo('25 30 0:22 / /sys rw - sysfs sysfs rw\n'), undefined);
});

test('v1 and v2 give the same figures for the same pod: working set = usage - inactive_file', () => {
  const expected = { cpuNs: 4710169000n, memoryUsageBytes: 13975552, workingSetBytes: 12533760, rssBytes: 12263424, pageFaults: 5302, majorPageFaults: 3 };
  assert.deepEqual(parseV1(fx.v1CpuacctUsage, fx.v1MemoryUsage, fx.v1MemoryStat), expected);
  assert.deepEqual(parseV2(fx.v2CpuStat, fx.v2MemoryCurrent, fx.v2MemoryStat), expected);
});

test('the working set never goes below zero', () => {
  assert.equal(parseV2('usage_usec 1\n', '100\n', 'inactive_file 4096\n').workingSetBytes, 0);
});

test('/proc/stat: busy time excludes idle and iowait, in ns at 100 ticks/s', () => {
  // user 16734 + nice 12 + system 10843 + irq 5 + softirq 389 + steal 2 = 27985 ticks.
  assert.equal(parseProcStatCpuNs(fx.procStat), 279_850_000_000n);
});

test('/proc/meminfo: node memory in use and its working set', () => {
  const m = parseMeminfo(fx.meminfo);
  assert.equal(m.get('MemTotal'), 24683748 * 1024);
  assert.deepEqual(nodeMemoryFromMeminfo(m), {
    memoryUsageBytes: (24683748 - 23370092) * 1024, workingSetBytes: (24683748 - 23370092 - 191160) * 1024, availableBytes: 23808864 * 1024,
  });
});

const files = (m: Record<string, string>) => async (p: string) => {
  if (p in m) return m[p];
  throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
};

test('readCgroup reads the files of each version at the pod path, and a gone cgroup is undefined', async () => {
  const v1 = cgroupLayoutFromMountinfo(fx.v1Mountinfo)!;
  const read = files({
    '/sys/fs/cgroup/cpuacct/k8ts/kubepods/podu1/cpuacct.usage': fx.v1CpuacctUsage,
    '/sys/fs/cgroup/memory/k8ts/kubepods/podu1/memory.usage_in_bytes': fx.v1MemoryUsage,
    '/sys/fs/cgroup/memory/k8ts/kubepods/podu1/memory.stat': fx.v1MemoryStat,
    '/sys/fs/cgroup/k8ts.slice/k8ts-kubepods.slice/cpu.stat': fx.v2CpuStat,
    '/sys/fs/cgroup/k8ts.slice/k8ts-kubepods.slice/memory.current': fx.v2MemoryCurrent,
    '/sys/fs/cgroup/k8ts.slice/k8ts-kubepods.slice/memory.stat': fx.v2MemoryStat,
  });
  assert.equal((await readCgroup(v1, '/k8ts/kubepods/podu1', read))?.workingSetBytes, 12533760);
  assert.equal(await readCgroup(v1, '/k8ts/kubepods/podgone', read), undefined);
  const v2 = cgroupLayoutFromMountinfo(fx.v2Mountinfo)!;
  assert.equal((await readCgroup(v2, '/k8ts.slice/k8ts-kubepods.slice', read))?.cpuNs, 4710169000n);
});

test('readNode: the root cgroup on v1, /proc on v2', async () => {
  const read = files({
    '/proc/meminfo': fx.meminfo, '/proc/stat': fx.procStat,
    '/sys/fs/cgroup/cpuacct/cpuacct.usage': '9000000000\n', '/sys/fs/cgroup/memory/memory.usage_in_bytes': fx.v1MemoryUsage,
    '/sys/fs/cgroup/memory/memory.stat': fx.v1MemoryStat,
  });
  const v1 = await readNode(cgroupLayoutFromMountinfo(fx.v1Mountinfo), read);
  assert.equal(v1.cpuNs, 9_000_000_000n);
  assert.equal(v1.workingSetBytes, 12533760);
  assert.equal(v1.availableBytes, 23808864 * 1024);
  const v2 = await readNode(cgroupLayoutFromMountinfo(fx.v2Mountinfo), read);
  assert.equal(v2.cpuNs, 279_850_000_000n);
  assert.equal(v2.workingSetBytes, (24683748 - 23370092 - 191160) * 1024);
});
