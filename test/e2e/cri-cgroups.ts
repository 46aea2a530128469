// Test pods run under a cgroup parent of their own, so teardown can find (and, as a last
// resort, kill) every process a run left behind and remove the cgroups, without touching
// the shared /k8s.io parent other containerd instances use.
import { randomBytes } from 'node:crypto';
import { readFile, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hostExec } from '../../lib/exec.js';
import type { CgroupDriver } from '../../node-agent/containerd/index.js';

/** A fresh cgroup parent in the form the driver expects. */
export function testCgroupParent(driver: CgroupDriver): string {
  const id = randomBytes(3).toString('hex');
  // systemd slices: a dash means nesting, so none inside the name.
  return driver === 'systemd' ? `k8tse2e${id}.slice` : `/k8ts-e2e-${id}`;
}

/** Mount points of every cgroup hierarchy (v1: one per controller; v2: one). */
export async function cgroupMounts(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter((l) => /^cgroup2? /.test(l.split(' - ')[1] ?? ''))
    .map((l) => l.split(' ')[4] ?? '')
    .filter(Boolean);
}

/** Top-level cgroups per hierarchy: what a run could leave behind. */
export async function topLevelCgroups(): Promise<string[]> {
  const out: string[] = [];
  for (const m of await cgroupMounts()) {
    for (const e of await readdir(m, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) out.push(join(m, e.name));
  }
  return out.sort();
}

async function procsIn(dir: string): Promise<number[]> {
  const own = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map(Number);
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) own.push(...(await procsIn(join(dir, e.name))));
  }
  return own;
}

async function rmTree(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) await rmTree(join(dir, e.name));
  await rmdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/**
 * SIGKILLs whatever still runs under `parent` (only pods of a crashed run do), then
 * removes its cgroups in every hierarchy. Returns the number of processes killed.
 */
export async function removeTestCgroups(parent: string, driver: CgroupDriver): Promise<number> {
  const dirs = (await cgroupMounts()).map((m) => join(m, parent));
  const pids = new Set<number>();
  for (const d of dirs) for (const p of await procsIn(d)) pids.add(p);
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // Killed tasks leave their cgroup a moment later.
  for (let i = 0; i < 50; i++) {
    let busy = 0;
    for (const d of dirs) busy += (await procsIn(d)).length;
    if (busy === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  if (driver === 'systemd') await hostExec('systemctl', ['stop', parent]);
  for (const d of dirs) await rmTree(d);
  return pids.size;
}

/** Container and sandbox IDs with a cgroup under `parent` (cgroupfs dirs, systemd scopes). */
export async function idsUnder(parent: string): Promise<string[]> {
  const ids = new Set<string>();
  for (const m of await cgroupMounts()) {
    for (const e of await readdir(join(m, parent), { withFileTypes: true }).catch(() => [])) {
      const id = /^(?:cri-containerd-)?([0-9a-f]{64})(?:\.scope)?$/.exec(e.name)?.[1];
      if (e.isDirectory() && id) ids.add(id);
    }
  }
  return [...ids];
}
