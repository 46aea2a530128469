import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { boundSocketPaths, removeStaleSockets } from './shim-sockets.js';

test('/proc/net/unix gives the bound paths, unnamed and abstract sockets skipped', () => {
  const table = [
    'Num       RefCount Protocol Flags    Type St Inode Path',
    '0000000000000000: 00000002 00000000 00010000 0001 01 41203 /run/containerd/s/4f2a9c',
    '0000000000000000: 00000003 00000000 00000000 0001 03 41210',
    '0000000000000000: 00000002 00000000 00010000 0001 01 41222 @/containerd-shim/abstract.sock',
  ].join('\n');
  assert.deepEqual([...boundSocketPaths(table)], ['/run/containerd/s/4f2a9c']);
});

test('a socket whose process died is removed; a live one and other files stay', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shim-sockets-'));
  const live = createServer();
  const livePath = join(dir, 'live');
  await new Promise<void>((r) => live.listen(livePath, r));
  // A process that binds a socket and is killed, as killall kills shims: its file stays.
  const deadPath = join(dir, 'dead');
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(deadPath)}, () => console.log('up'))`]);
  await new Promise((r) => child.stdout.once('data', r));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  try {
    assert.ok(existsSync(deadPath));
    assert.deepEqual(await removeStaleSockets(dir), [deadPath]);
    assert.ok(existsSync(livePath));
  } finally {
    await new Promise((r) => live.close(r));
    await rm(dir, { recursive: true, force: true });
  }
});
