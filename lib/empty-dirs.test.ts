import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { removeEmptyTrees } from './empty-dirs.js';

test('empty trees go, trees with a file stay', async () => {
  const root = mkdtempSync(join(tmpdir(), 'empty-dirs-'));
  try {
    mkdirSync(join(root, 'a', 'b', 'c'), { recursive: true });
    mkdirSync(join(root, 'd', 'e'), { recursive: true });
    writeFileSync(join(root, 'd', 'e', 'f'), 'x');
    assert.deepEqual(await removeEmptyTrees([join(root, 'a'), join(root, 'd'), join(root, 'missing')]), [join(root, 'a')]);
    assert.ok(existsSync(join(root, 'd', 'e', 'f')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('an empty directory mounted on itself is unmounted, then removed', { skip: process.getuid?.() !== 0 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'empty-dirs-'));
  const dir = join(root, 'netns');
  try {
    mkdirSync(dir);
    assert.equal(spawnSync('mount', ['--bind', dir, dir]).status, 0);
    assert.deepEqual(await removeEmptyTrees([dir]), [dir]);
    assert.ok(!existsSync(dir));
  } finally {
    spawnSync('umount', [dir]);
    rmSync(root, { recursive: true, force: true });
  }
});
