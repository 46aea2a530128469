// The distribution packages k8ts runs on, installed with apt only when one is missing: an
// air-gapped host with everything present never sees an apt command (not even apt-get update,
// which would fail without a mirror).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { InstallError } from './preflight.js';

/** Each Debian/Ubuntu package, and the files that show it (or an equivalent) is there. */
export const requiredPackages: readonly { pkg: string; anyOf: readonly string[] }[] = [
  { pkg: 'containerd', anyOf: ['/usr/bin/containerd', '/usr/local/bin/containerd'] },
  { pkg: 'runc', anyOf: ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc', '/usr/local/bin/runc'] },
  { pkg: 'containernetworking-plugins', anyOf: ['/usr/lib/cni/bridge', '/opt/cni/bin/bridge'] },
  { pkg: 'iptables', anyOf: ['/usr/sbin/iptables', '/sbin/iptables'] },
  { pkg: 'conntrack', anyOf: ['/usr/sbin/conntrack', '/sbin/conntrack'] },
  { pkg: 'nfs-common', anyOf: ['/usr/sbin/mount.nfs', '/sbin/mount.nfs'] },
];

export function missingPackages(exists: (path: string) => boolean = existsSync): string[] {
  return requiredPackages.filter((p) => !p.anyOf.some(exists)).map((p) => p.pkg);
}

/** apt-get update + install of `pkgs`, its progress on the terminal. */
export function aptInstall(pkgs: readonly string[]): void {
  if (!existsSync('/usr/bin/apt-get')) {
    throw new InstallError(`missing packages ${pkgs.join(' ')} and no apt-get to install them: install them with your package manager, then run install again`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...pkgs]]) {
    process.stdout.write(`[INFO]  apt-get ${args.join(' ')}\n`);
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new InstallError(`apt-get ${args[0]} failed (exit ${r.status ?? r.signal}): on a host without a mirror, install ${pkgs.join(' ')} from local packages first`);
  }
}
