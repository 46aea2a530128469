import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchShebang } from './launch.js';

const mainJs = fileURLToPath(new URL('./main.js', import.meta.url));
// Prints what a launched process was given, and how many threads it runs.
const probe = 'console.log(process.env.MALLOC_ARENA_MAX ?? "-", process.execArgv.filter((a) => a.startsWith("--v8")).join(" ") || "-", require("fs").readdirSync("/proc/self/task").length)';

test('the k8ts shebang is the launch settings tests and benchmarks use', () => {
  assert.equal(readFileSync(mainJs, 'utf8').split('\n')[0], launchShebang());
});

test('the shebang starts node with the arena limit and one V8 worker thread', () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'MALLOC_ARENA_MAX' && k !== 'NODE_OPTIONS'));
  const [arenas, flags, threads] = execFileSync('/usr/bin/env', ['-S', launchShebang().slice('#!/usr/bin/env -S '.length), '-e', probe], { env }).toString().trim().split(' ');
  assert.equal(arenas, '2');
  assert.equal(flags, '--v8-pool-size=1');
  const [, , defaultThreads] = execFileSync(process.execPath, ['-e', probe], { env }).toString().trim().split(' ');
  // Node 20 starts four V8 workers by default: three fewer threads (fewer on a Node that starts fewer).
  assert.ok(Number(threads) < Number(defaultThreads), `threads: ${defaultThreads} by default, ${threads} launched as k8ts`);
});
