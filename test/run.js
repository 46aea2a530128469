#!/usr/bin/env node
// Runs every test: unit tests beside the code, then end-to-end tests (real kubectl, real
// server processes). Tests that run real containers (cri-*, agent-*, streaming*) change host
// state (bridges, iptables, cgroups) and check it afterwards, so they run one at a time, after
// the API tests. `node test/run.js unit|e2e|node|vm` runs one part. The VM tests (test/vm/: Debian
// VMs under QEMU, install.sh and systemd) run only when asked: `node test/run.js vm`.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;

function find(dir, pred, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out;
}

const isNodeTest = (p) => /^(cri-|agent-|streaming)/.test(basename(p));
const part = process.argv[2] ?? 'all';
const unit = find(dist, (p) => p.endsWith('.test.js') && !p.includes('/dist/test/'));
const isVmTest = (p) => p.includes('/dist/test/vm/');
const e2e = find(join(dist, 'test'), (p) => p.endsWith('.test.js') && !isVmTest(p));
const vm = find(join(dist, 'test'), (p) => p.endsWith('.test.js') && isVmTest(p));
// --test-concurrency exists from Node 20.10; Node 18 picks its own.
const [major, minor] = process.versions.node.split('.').map(Number);
const concurrency = (n) => (major > 20 || (major === 20 && minor >= 10) ? [`--test-concurrency=${n}`] : []);

// Each group has a time budget well inside CI's 90 minutes: a hang (a test process kept alive
// by a stray child, say) then fails the run with its group named instead of timing CI out.
const minutes = 60_000;
const groups = [];
if (part === 'all' || part === 'unit') groups.push(['unit', unit, [], 10 * minutes]);
if (part === 'all' || part === 'e2e') groups.push(['e2e (API)', e2e.filter((p) => !isNodeTest(p)), concurrency(2), 35 * minutes]);
if (part === 'vm') groups.push(['VMs (install, systemd)', vm, concurrency(1), 45 * minutes]);
if (part === 'all' || part === 'e2e' || part === 'node') groups.push(['e2e (containers, one at a time)', e2e.filter(isNodeTest), concurrency(1), 30 * minutes]);

/** Runs one `node --test` in its own process group, killed whole when over budget. */
function runGroup(files, extra, budgetMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...extra, ...files], { stdio: 'inherit', detached: true });
    const killGroup = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {}
    };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGKILL');
    }, budgetMs);
    // Its own group no longer hears the terminal: pass Ctrl-C (and a TERM) on, then stop.
    const onSignal = (sig) => {
      killGroup(sig);
      child.once('exit', () => process.exit(1));
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    child.on('exit', (code) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      resolve({ ok: code === 0 && !timedOut, timedOut });
    });
  });
}

let failed = false;
for (const [name, files, extra, budgetMs] of groups) {
  if (files.length === 0) continue;
  process.stdout.write(`\n# ${name} tests: ${files.length} files\n`);
  const started = Date.now();
  const r = await runGroup(files, extra, budgetMs);
  const verdict = r.ok ? 'passed' : r.timedOut ? `FAILED: over its ${budgetMs / minutes} min budget, killed` : 'FAILED';
  process.stdout.write(`# ${name}: ${verdict} in ${Math.round((Date.now() - started) / 1000)} s\n`);
  if (!r.ok) failed = true;
}
process.exit(failed ? 1 : 0);
