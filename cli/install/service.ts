// The systemd side of install: the unit file, enable, (re)start, and waiting until systemd
// says it is active (Type=notify: the process sent READY=1 once serving).
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { installPaths } from './layout.js';
import { InstallError } from './preflight.js';

export type Role = 'server' | 'agent';

export const unitName = (role: Role): string => (role === 'server' ? 'k8ts.service' : 'k8ts-agent.service');

function systemctl(...args: string[]): { code: number; out: string } {
  const r = spawnSync('systemctl', args, { encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

export function isActive(unit: string): boolean {
  return systemctl('is-active', '--quiet', unit).code === 0;
}

/** Installs the unit and (re)starts it: a restart keeps pods running (KillMode=process). */
export function installUnit(role: Role): void {
  const unit = unitName(role);
  copyFileSync(join(installPaths.lib, 'systemd', unit), join(installPaths.units, unit));
  for (const args of [['daemon-reload'], ['enable', '--quiet', unit], ['restart', '--no-block', unit]]) {
    const r = systemctl(...args);
    if (r.code !== 0) throw new InstallError(`systemctl ${args.join(' ')} failed: ${r.out}`);
  }
}

/** Waits until `unit` is active; a failed or restarting unit ends the wait with its last log lines. */
export async function waitActive(unit: string, timeoutMs: number, progress: (s: string) => void): Promise<void> {
  const started = Date.now();
  let lastReport = started;
  for (;;) {
    // key=value lines: systemctl prints properties in its own order, not the order asked.
    const props = Object.fromEntries(systemctl('show', '-p', 'ActiveState,SubState,NRestarts', unit).out.split('\n').map((l) => l.split('=', 2)));
    const { ActiveState: active, SubState: sub, NRestarts: restarts } = props as Record<string, string | undefined>;
    if (active === 'active') return;
    if (active === 'failed' || Number(restarts) > 0) {
      const log = spawnSync('journalctl', ['-u', unit, '-n', '20', '--no-pager', '-o', 'cat'], { encoding: 'utf8' }).stdout ?? '';
      throw new InstallError(`${unit} did not start (${active}/${sub}); its last log lines:\n${log.trim()}\nsee: journalctl -u ${unit}`);
    }
    if (Date.now() - started > timeoutMs) throw new InstallError(`${unit} is still ${active}/${sub} after ${Math.round(timeoutMs / 1000)} s: see journalctl -u ${unit}`);
    if (Date.now() - lastReport > 10_000) {
      progress(`waiting for ${unit} to be ready (${active}/${sub}, ${Math.round((Date.now() - started) / 1000)} s)`);
      lastReport = Date.now();
    }
    await sleep(500);
  }
}
