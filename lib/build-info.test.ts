import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDateOf, readBuildInfo, readGitState } from './build-info.js';

const now = new Date('2026-12-07T14:05:06.789Z');
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' }).trim();

test('a git checkout gives its commit, a clean or dirty tree and the build time to the second', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-build-info-'));
  try {
    git(dir, 'init', '-q');
    writeFileSync(join(dir, 'a.txt'), 'one\n');
    git(dir, 'add', 'a.txt');
    git(dir, 'commit', '-q', '-m', 'first');
    const head = git(dir, 'rev-parse', 'HEAD');
    writeFileSync(join(dir, 'untracked-build-output.js'), '');
    assert.deepEqual(readGitState(dir, now, {}), { gitCommit: head, gitTreeState: 'clean', buildDate: '2026-12-07T14:05:06Z' });
    writeFileSync(join(dir, 'a.txt'), 'two\n');
    assert.equal(readGitState(dir, now, {}).gitTreeState, 'dirty');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('outside a checkout the commit is the one the packager names, or none; never a parent repository\'s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-build-info-'));
  try {
    assert.deepEqual(readGitState(dir, now, {}), { gitCommit: '', gitTreeState: '', buildDate: '2026-12-07T14:05:06Z' });
    assert.equal(readGitState(dir, now, { K8TS_GIT_COMMIT: 'abc123' }).gitCommit, 'abc123');
    // An unpacked tarball inside another repository (e.g. a home directory kept in git).
    git(dir, 'init', '-q');
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'home');
    const unpacked = join(dir, 'k8ts-0.1.0');
    mkdirSync(unpacked);
    assert.equal(readGitState(unpacked, now, {}).gitCommit, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SOURCE_DATE_EPOCH fixes the build date; a malformed one is ignored', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-build-info-'));
  try {
    assert.equal(readGitState(dir, now, { SOURCE_DATE_EPOCH: '1700000000' }).buildDate, '2023-11-14T22:13:20Z');
    assert.equal(readGitState(dir, now, { SOURCE_DATE_EPOCH: 'yesterday' }).buildDate, buildDateOf(now));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing or partial build-info file reads as empty fields', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-build-info-'));
  try {
    assert.deepEqual(readBuildInfo(join(dir, 'absent.json')), { gitCommit: '', gitTreeState: '', buildDate: '' });
    writeFileSync(join(dir, 'partial.json'), '{"gitCommit":"abc"}');
    assert.deepEqual(readBuildInfo(join(dir, 'partial.json')), { gitCommit: 'abc', gitTreeState: '', buildDate: '' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
