#!/usr/bin/env node
// Runs every test: unit tests beside the code, then end-to-end tests (real kubectl, real
// server processes; the ones that need root and containerd skip themselves elsewhere).
// `node test/run.js unit` or `node test/run.js e2e` runs one part.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;

function find(dir, pred, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out;
}

const part = process.argv[2] ?? 'all';
const unit = find(dist, (p) => p.endsWith('.test.js') && !p.includes('/dist/test/'));
const e2e = find(join(dist, 'test'), (p) => p.endsWith('.test.js'));
const groups = [];
if (part === 'all' || part === 'unit') groups.push(['unit', unit, []]);
// --test-concurrency exists from Node 20.10; Node 18 picks its own.
const [major, minor] = process.versions.node.split('.').map(Number);
const concurrency = major > 20 || (major === 20 && minor >= 10) ? ['--test-concurrency=2'] : [];
if (part === 'all' || part === 'e2e') groups.push(['e2e', e2e, concurrency]);

let failed = false;
for (const [name, files, extra] of groups) {
  if (files.length === 0) continue;
  process.stdout.write(`\n# ${name} tests: ${files.length} files\n`);
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...extra, ...files], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
