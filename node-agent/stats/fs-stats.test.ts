import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFs } from './fs-snapshot.js';
import { DirectoryUsageCache, directoryUsage, filesystemOf } from './fs-stats.js';
import { buildSummary } from './summary.js';
import type { ResourceSnapshot } from './collector.js';

test('a directory\'s usage counts allocated blocks and inodes; the cache measures once per period', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-fs-'));
  try {
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'a'), Buffer.alloc(64 * 1024, 1));
    const u = await directoryUsage(dir);
    assert.equal(u?.inodes, 3);
    assert.ok((u?.bytes ?? 0) >= 64 * 1024, `bytes ${u?.bytes}`);
    let now = 0;
    const cache = new DirectoryUsageCache(60_000, () => now);
    const first = await cache.usage(dir);
    await writeFile(join(dir, 'b'), Buffer.alloc(64 * 1024, 1));
    assert.deepEqual(await cache.usage(dir), first, 'cached within the period');
    now = 61_000;
    assert.equal((await cache.usage(dir))?.inodes, 4);
    assert.equal(await directoryUsage(join(dir, 'missing')), undefined);
    const fs = await filesystemOf(dir, 0);
    assert.ok((fs?.capacityBytes ?? 0) > 0 && (fs?.inodes ?? 0) > 0 && (fs?.availableBytes ?? -1) >= 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the summary gets the node and image filesystems, containers\' rootfs and logs, pod volumes and ephemeral storage', async () => {
  const root = await mkdtemp(join(tmpdir(), 'k8ts-fs-'));
  try {
    const podsDir = join(root, 'pods');
    await mkdir(join(podsDir, 'u1', 'volumes', 'kubernetes.io~empty-dir', 'scratch'), { recursive: true });
    await writeFile(join(podsDir, 'u1', 'volumes', 'kubernetes.io~empty-dir', 'scratch', 'f'), Buffer.alloc(8192, 1));
    await mkdir(join(podsDir, 'u1', 'volumes', 'kubernetes.io~configmap', 'conf'), { recursive: true });
    await mkdir(join(root, 'logs', 'main'), { recursive: true });
    await writeFile(join(root, 'logs', 'main', '0.log'), Buffer.alloc(4096, 1));
    const snapshot = {
      nodeName: 'n1', nodeStartTime: '2026-12-07T00:00:00Z', timeMs: Date.UTC(2026, 11, 7), scrapeError: false,
      node: { cpuNs: 1n, memoryUsageBytes: 1, workingSetBytes: 1, rssBytes: 1, pageFaults: 0, majorPageFaults: 0, availableBytes: 1 },
      pods: [{
        namespace: 'default', name: 'p', uid: 'u1', timeMs: Date.UTC(2026, 11, 7), cgroup: '',
        containers: [{ name: 'main', id: 'c1', image: 'busybox', cgroup: '', startTime: 'x', timeMs: 0, cpuNs: 1n, memoryUsageBytes: 1, workingSetBytes: 1, rssBytes: 1, pageFaults: 0, majorPageFaults: 0, rootfsBytes: 12288, rootfsInodes: 7 }],
      }],
    } as unknown as ResourceSnapshot;
    const fs = await collectFs(snapshot, { rootDir: root, imageFsDir: root, podsDir, containerLogDir: (_p, c) => join(root, 'logs', c) }, new DirectoryUsageCache());
    const s = buildSummary(snapshot, { fs }) as {
      node: { fs: { capacityBytes: number }; runtime: { imageFs: { capacityBytes: number } } };
      pods: Array<{ containers: Array<{ rootfs: { usedBytes: number; inodesUsed: number }; logs: { usedBytes: number } }>; volume: Array<{ name: string; usedBytes: number }>; 'ephemeral-storage': { usedBytes: number } }>;
    };
    assert.ok(s.node.fs.capacityBytes > 0 && s.node.runtime.imageFs.capacityBytes > 0);
    const [pod] = s.pods;
    assert.deepEqual([pod?.containers[0]?.rootfs.usedBytes, pod?.containers[0]?.rootfs.inodesUsed], [12288, 7]);
    assert.ok((pod?.containers[0]?.logs.usedBytes ?? 0) >= 4096);
    assert.deepEqual(pod?.volume.map((v) => v.name), ['conf', 'scratch']);
    const scratch = pod?.volume.find((v) => v.name === 'scratch')?.usedBytes ?? 0;
    assert.ok(scratch >= 8192);
    // Writable layer + logs + emptyDir; the configMap volume is not ephemeral storage.
    assert.equal(pod?.['ephemeral-storage'].usedBytes, 12288 + (pod?.containers[0]?.logs.usedBytes ?? 0) + scratch);
    assert.equal((buildSummary(snapshot, { fs, onlyCpuAndMemory: true }) as { node: object }).node.hasOwnProperty('fs'), false);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
