// Where an installed k8ts lives (the same for the release and the npm route), and laying it
// down: the package in /usr/local/lib/k8ts, the commands in /usr/local/bin, flags in /etc/k8ts,
// air-gap images in the data dir.
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchEnv, launchNodeFlags, nodeFlagsFor } from '../launch.js';

export const installPaths = {
  lib: '/usr/local/lib/k8ts',
  bin: '/usr/local/bin',
  etc: '/etc/k8ts',
  config: '/etc/k8ts/config.yaml',
  agentToken: '/etc/k8ts/agent-token',
  kubeconfigLink: '/etc/k8ts/k8ts.yaml',
  data: '/var/lib/k8ts',
  units: '/etc/systemd/system',
} as const;

/** What of a package root is installed (dist/test and dev files stay behind). */
const packageEntries = ['package.json', 'dist', 'node_modules', 'proto', 'systemd', 'docs', 'images', 'node'];

/**
 * The `k8ts` command: the installed package run by `node` (the release's own, or the system's),
 * with the settings of cli/launch.ts (those of dist/cli/main.js's own #! line, plus the agent's).
 */
export function wrapperScript(node: string, lib: string = installPaths.lib): string {
  const env = Object.entries(launchEnv).map(([k, v]) => `export ${k}=${v}`).join('\n');
  const main = `${lib}/dist/cli/main.js`;
  return `#!/bin/sh
# k8ts, installed by install.sh (or 'k8ts install'). Two malloc arenas and one V8 helper thread
# keep an idle server's RSS small; the agent also caps V8's young generation (cli/launch.ts).
${env}
case "$1" in
  agent) exec ${node} ${nodeFlagsFor(['agent']).join(' ')} ${main} "$@" ;;
esac
exec ${node} ${launchNodeFlags.join(' ')} ${main} "$@"
`;
}

/**
 * Copies the package at `root` to /usr/local/lib/k8ts and swaps it in with renames, so a running
 * k8ts keeps its open files until the restart, and an interrupted copy leaves the old one whole.
 */
export function installPackage(root: string, lib: string = installPaths.lib): void {
  const staging = `${lib}.new`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const entry of packageEntries) {
    const src = join(root, entry);
    if (!existsSync(src)) continue;
    cpSync(src, join(staging, entry), { recursive: true, filter: (p) => !p.startsWith(join(root, 'dist', 'test')) && !p.startsWith(join(root, 'dist', 'bench')) });
  }
  const old = `${lib}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(lib)) renameSync(lib, old);
  renameSync(staging, lib);
  rmSync(old, { recursive: true, force: true });
}

/** /usr/local/bin/k8ts and the killall and uninstall scripts. */
export function installCommands(node: string): void {
  writeFileSync(join(installPaths.bin, 'k8ts'), wrapperScript(node), { mode: 0o755 });
  for (const script of ['k8ts-killall.sh', 'k8ts-uninstall.sh']) {
    cpSync(join(installPaths.lib, 'systemd', script), join(installPaths.bin, script));
    chmodSync(join(installPaths.bin, script), 0o755);
  }
}

/** The release's images (the pause image) where the agent imports them at start (k3s' airgap layout). */
export function installImages(root: string): number {
  const dir = join(root, 'images');
  if (!existsSync(dir)) return 0;
  const target = join(installPaths.data, 'agent', 'images');
  mkdirSync(target, { recursive: true, mode: 0o700 });
  const tars = readdirSync(dir).filter((f) => f.endsWith('.tar'));
  for (const t of tars) cpSync(join(dir, t), join(target, `k8ts-${t}`));
  return tars.length;
}

/** Writes `text` to `file` with mode 0600, whatever mode an older file had. */
export function writePrivate(file: string, text: string): void {
  mkdirSync(installPaths.etc, { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
  chmodSync(`${file}.tmp`, 0o600);
  renameSync(`${file}.tmp`, file);
}
