import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { wrapperScript } from './layout.js';

test('the installed k8ts command runs node with the launch settings, and the agent with its own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-wrapper-'));
  // A stand-in for node that prints what it was started with.
  const node = join(dir, 'node');
  writeFileSync(node, '#!/bin/sh\necho "$MALLOC_ARENA_MAX $*"\n', { mode: 0o755 });
  const k8ts = join(dir, 'k8ts');
  writeFileSync(k8ts, wrapperScript(node, '/lib/k8ts'), { mode: 0o755 });
  const run = (...args: string[]) => execFileSync(k8ts, args, { env: { PATH: process.env.PATH } }).toString().trim();
  assert.equal(run('server', '--disable-agent'), '2 --v8-pool-size=1 /lib/k8ts/dist/cli/main.js server --disable-agent');
  assert.equal(run('agent', '--server', 'https://10.0.0.1:6443'), '2 --v8-pool-size=1 --max-semi-space-size=4 /lib/k8ts/dist/cli/main.js agent --server https://10.0.0.1:6443');
  assert.equal(run(), '2 --v8-pool-size=1 /lib/k8ts/dist/cli/main.js');
});
