import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { cgroupProblem, checkPortFree } from './preflight.js';

const v2 = '35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';
const v1mem = '30 24 0:26 / /sys/fs/cgroup/memory rw,nosuid shared:12 - cgroup cgroup rw,memory';
const v1cpu = '31 24 0:27 / /sys/fs/cgroup/cpu rw,nosuid shared:13 - cgroup cgroup rw,cpu,cpuacct';

describe('cgroupProblem', () => {
  it('accepts cgroup v2 with cpu, memory and pids', () => {
    assert.equal(cgroupProblem(v2, 'cpuset cpu io memory hugetlb pids rdma misc\n'), undefined);
  });
  it('names the missing v2 controllers', () => {
    assert.match(cgroupProblem(v2, 'cpu io pids') ?? '', /lacks the memory controller/);
  });
  it('accepts v1 with memory and names its absence', () => {
    assert.equal(cgroupProblem(`${v1cpu}\n${v1mem}`, undefined), undefined);
    assert.match(cgroupProblem(v1cpu, undefined) ?? '', /memory cgroup is missing/);
  });
  it('says when there are no cgroups at all', () => {
    assert.match(cgroupProblem('22 1 0:21 / /proc rw - proc proc rw', undefined) ?? '', /no cgroup filesystem/);
  });
});

describe('checkPortFree', () => {
  it('names a port another program holds', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    try {
      await assert.rejects(checkPortFree(port), new RegExp(`port ${port} is already in use`));
    } finally {
      srv.close();
    }
  });
});
