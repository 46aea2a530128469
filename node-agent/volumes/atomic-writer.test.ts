import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatePath, writeAtomic, type Payload } from './atomic-writer.js';

const file = (s: string, mode = 0o644) => ({ data: Buffer.from(s), mode });

test('writes files behind ..data and swaps them atomically', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-aw-'));
  try {
    const p1: Payload = new Map([['a', file('1')], ['sub/b', file('2', 0o400)]]);
    assert.equal(await writeAtomic(dir, p1), true);
    const first = await readlink(join(dir, '..data'));
    assert.match(first, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d{9}$/);
    assert.equal(await readlink(join(dir, 'a')), '..data/a');
    assert.equal(await readlink(join(dir, 'sub')), '..data/sub');
    assert.equal(await readFile(join(dir, 'sub', 'b'), 'utf8'), '2');
    assert.equal((await stat(join(dir, 'sub', 'b'))).mode & 0o777, 0o400);

    assert.equal(await writeAtomic(dir, new Map(p1)), false, 'same payload: nothing written');

    await writeAtomic(dir, new Map([['a', file('changed')], ['c', file('3')]]));
    const second = await readlink(join(dir, '..data'));
    assert.notEqual(second, first);
    assert.equal(await readFile(join(dir, 'a'), 'utf8'), 'changed');
    assert.equal(await readFile(join(dir, 'c'), 'utf8'), '3');
    await assert.rejects(lstat(join(dir, 'sub')), 'removed names disappear');
    const names = (await readdir(dir)).sort();
    assert.deepEqual(names, ['..data', second, 'a', 'c'].sort(), 'old timestamp dir is gone');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('paths must stay inside the volume', () => {
  assert.throws(() => validatePath('/etc/passwd'));
  assert.throws(() => validatePath('x/../../y'));
  assert.throws(() => validatePath('..data'));
  validatePath('ok/file');
});
