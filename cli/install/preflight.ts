// Checks before install touches anything: each failure names the problem and what to do.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { defaultRouteInterface, ipv4Of } from '../../lib/default-route.js';

export class InstallError extends Error {}

/** Problems with the host's cgroups, from /proc/self/mountinfo's text and the v2 controller list. */
export function cgroupProblem(mountinfo: string, v2Controllers: string | undefined): string | undefined {
  const fsTypes = mountinfo.split('\n').map((l) => l.split(' - ')[1]?.split(' ')[0]);
  if (fsTypes.includes('cgroup2') && v2Controllers !== undefined) {
    const have = new Set(v2Controllers.trim().split(/\s+/));
    const missing = ['cpu', 'memory', 'pids'].filter((c) => !have.has(c));
    if (missing.length) return `cgroup v2 lacks the ${missing.join(', ')} controller(s): boot with them enabled (e.g. cgroup_enable=memory on the kernel command line)`;
    return undefined;
  }
  const v1 = mountinfo.split('\n').filter((l) => l.includes(' - cgroup ')).map((l) => l.split(' ').pop() ?? '');
  if (v1.length === 0) return 'no cgroup filesystem is mounted: k8ts needs cgroups (v2, or v1 with the memory controller) to run pods';
  if (!v1.some((opts) => opts.split(',').includes('memory'))) return 'the memory cgroup is missing: boot with cgroup_enable=memory (and swapaccount=1) on the kernel command line';
  return undefined;
}

export function checkRoot(): void {
  if (process.getuid?.() !== 0) throw new InstallError('install must run as root: sudo ./install.sh ...');
}

export function checkSystemd(): void {
  // What sd_booted() checks: systemd creates this directory when it is PID 1.
  if (!existsSync('/run/systemd/system')) throw new InstallError('systemd is not running as PID 1 on this host: install.sh sets k8ts up as systemd services (run `k8ts server` or `k8ts agent` directly instead)');
}

export function checkCgroups(): void {
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  const controllers = existsSync('/sys/fs/cgroup/cgroup.controllers') ? readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8') : undefined;
  const problem = cgroupProblem(mountinfo, controllers);
  if (problem) throw new InstallError(problem);
}

/** The node IP: --node-ip, else the default route interface's IPv4 (as k3s). */
export function nodeIP(given: string | undefined): string {
  if (given) return given;
  const routes = existsSync('/proc/net/route') ? readFileSync('/proc/net/route', 'utf8') : '';
  const iface = defaultRouteInterface(routes);
  if (!iface) throw new InstallError('no IPv4 default route: k8ts takes the node IP from the default route\'s interface; add a default route or give --node-ip ADDR');
  const ip = ipv4Of(iface);
  if (!ip) throw new InstallError(`the default route's interface ${iface} has no IPv4 address: give --node-ip ADDR`);
  return ip;
}

/** Fails when another program listens on `port` (the API port of a new server). */
export async function checkPortFree(port: number): Promise<void> {
  const inUse = await new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    srv.listen({ port, host: '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(false)));
  });
  if (inUse) throw new InstallError(`port ${port} is already in use by another program (see: ss -ltnp 'sport = :${port}'): stop it, or give --secure-port PORT`);
}
