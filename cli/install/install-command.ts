// `k8ts install server|agent` (and install.sh, which runs it with the release's own Node): lays
// k8ts down as a systemd service, as k3s' install.sh does. Checks first, then changes: a bad
// flag, a missing cgroup, a taken port or a missing default route stop it before anything is
// written.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../lib/package-root.js';
import { configYaml, parseInstallFlags, type ConfigValue } from './flags-to-config.js';
import { installCommands, installImages, installPackage, installPaths, writePrivate } from './layout.js';
import { aptInstall, missingPackages } from './packages.js';
import { checkCgroups, checkPortFree, checkRoot, checkSystemd, InstallError, nodeIP } from './preflight.js';
import { installUnit, isActive, unitName, waitActive, type Role } from './service.js';

const help = `Install k8ts as a systemd service on this host (what install.sh runs).

Usage:
  sudo k8ts install server [FLAGS]                               the first host: the server
  sudo k8ts install agent --server https://IP:6443 --token TOKEN [FLAGS]   a worker joins it

FLAGS are 'k8ts server' or 'k8ts agent' flags; they are kept in ${installPaths.config} (keys named as
the flags) and read at every start. The token is kept in ${installPaths.agentToken}, mode 0600.
Running install again upgrades in place: pods keep running, data and certificates stay.
Remove it all with k8ts-uninstall.sh; stop everything with k8ts-killall.sh.
`;

const info = (s: string) => process.stdout.write(`[INFO]  ${s}\n`);

export async function runInstall(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(help);
    return 0;
  }
  const role: Role = first === 'agent' ? 'agent' : 'server';
  const args = first === 'agent' || first === 'server' ? rest : argv;
  try {
    await install(role, args);
    return 0;
  } catch (err) {
    if (!(err instanceof InstallError)) throw err;
    process.stderr.write(`[ERROR] ${err.message}\n`);
    return 1;
  }
}

async function install(role: Role, argv: string[]): Promise<void> {
  const started = Date.now();
  let flags;
  try {
    flags = parseInstallFlags(argv);
  } catch (err) {
    throw new InstallError(`${(err as Error).message}\n\n${help}`);
  }
  const config: Record<string, ConfigValue> = flags.config;
  if (role === 'agent') {
    const server = config.server;
    if (typeof server !== 'string' || !server.startsWith('https://')) throw new InstallError('an agent needs --server https://SERVER:6443 (the URL the server install printed)');
    if (!flags.token && typeof config['token-file'] !== 'string') throw new InstallError('an agent needs --token TOKEN (the server\'s /var/lib/k8ts/node-token)');
    if (flags.token) config['token-file'] = installPaths.agentToken;
  } else if (flags.token) {
    throw new InstallError('--token is for agents: the server makes its own (/var/lib/k8ts/node-token)');
  }
  checkRoot();
  checkSystemd();
  checkCgroups();
  const other: Role = role === 'server' ? 'agent' : 'server';
  if (existsSync(join(installPaths.units, unitName(other)))) {
    throw new InstallError(`this host already runs the k8ts ${other} (${unitName(other)}): run k8ts-uninstall.sh first to change its role`);
  }
  const ip = nodeIP(typeof config['node-ip'] === 'string' ? config['node-ip'] : undefined);
  const port = Number(config['secure-port'] ?? 6443);
  if (role === 'server' && !isActive(unitName('server'))) await checkPortFree(port);
  const root = packageRoot();
  validateConfig(root, role, config);

  const missing = missingPackages();
  if (missing.length) {
    info(`installing missing packages: ${missing.join(' ')}`);
    aptInstall(missing);
  }
  info(`installing k8ts to ${installPaths.lib}`);
  installPackage(root);
  // The release runs on the Node it carries; the npm route on the Node running this.
  const node = process.execPath === join(root, 'node') ? join(installPaths.lib, 'node') : process.execPath;
  installCommands(node);
  const images = installImages(root);
  if (images) info(`${images} image archive(s) for pods without a registry in ${installPaths.data}/agent/images`);
  if (flags.token) writePrivate(installPaths.agentToken, `${flags.token}\n`);
  writePrivate(installPaths.config, configYaml(config));

  const unit = unitName(role);
  info(`starting ${unit}`);
  installUnit(role);
  await waitActive(unit, 15 * 60_000, info);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (role === 'server') {
    linkKubeconfig();
    const token = readFileSync(join(installPaths.data, 'node-token'), 'utf8').trim();
    process.stdout.write(`
k8ts server is running (${seconds} s). Check it:
  sudo kubectl --kubeconfig ${installPaths.kubeconfigLink} get nodes

Join a worker: copy this release to it and run
  sudo ./install.sh agent --server https://${ip}:${port} --token ${token}
`);
  } else {
    process.stdout.write(`\nk8ts agent is running (${seconds} s) and joined ${String(config.server)} as node IP ${ip}.\n`);
  }
}

/** Runs the installed command's own flag parsing over the new config, before anything changes. */
function validateConfig(root: string, role: Role, config: Record<string, ConfigValue>): void {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-install-'));
  try {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, configYaml(config), { mode: 0o600 });
    const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), role, '--config', file, '--help'], { encoding: 'utf8' });
    if (r.status !== 0) {
      const msg = (r.stderr ?? '').split('\n').find((l) => l.trim()) ?? `exit ${r.status}`;
      throw new InstallError(`k8ts ${role} refuses these flags: ${msg.replace(/^Error: /, '').replace(file, 'config')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** /etc/k8ts/k8ts.yaml → the admin kubeconfig (as k3s' /etc/rancher/k3s/k3s.yaml). */
function linkKubeconfig(): void {
  const target = join(installPaths.data, 'admin.kubeconfig');
  try {
    unlinkSync(installPaths.kubeconfigLink);
  } catch {}
  symlinkSync(target, installPaths.kubeconfigLink);
}
