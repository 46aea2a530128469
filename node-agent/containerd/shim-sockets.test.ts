import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProcNetUnix, socketsHeldUnder } from './shim-sockets.js';

test('/proc/net/unix maps inodes to bound paths and skips unnamed sockets', () => {
  const table = [
    'Num       RefCount Protocol Flags    Type St Inode Path',
    '0000000000000000: 00000002 00000000 00010000 0001 01 41203 /run/containerd/s/4f2a9c',
    '0000000000000000: 00000003 00000000 00000000 0001 03 41210',
    '0000000000000000: 00000002 00000000 00010000 0001 01 41222 @/containerd-shim/abstract.sock',
  ].join('\n');
  assert.deepEqual([...parseProcNetUnix(table)], [['41203', '/run/containerd/s/4f2a9c']]);
});

test('finds the sockets a process listens on under a directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shim-sockets-'));
  const server = createServer();
  const path = join(dir, 'abc');
  await new Promise<void>((r) => server.listen(path, r));
  try {
    assert.deepEqual(await socketsHeldUnder([process.pid], dir), [path]);
    assert.deepEqual(await socketsHeldUnder([process.pid], join(dir, 'other')), []);
  } finally {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  }
});
