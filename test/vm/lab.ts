// A lab of Debian 12 VMs under QEMU (TCG: KVM cannot run a stock kernel on this machine; see
// docs/install.md "Testing on VMs"), for tests of what users do on real hosts: install.sh,
// systemd, reboots. Small API: bootLab(N) → run a command in a VM, copy files in, reboot, stop.
//
// - Private L2 network: QEMU's socket multicast on 127.0.0.1 with a port of this run's own, so
//   only this run's VMs share it (10.77.0.11, .12, ...; nothing leaves the host's loopback).
// - Files: a 9p share, the lab dir's share/ at /mnt/host in every guest.
// - Commands: a 9p inbox (share/<vm>/cmd/<id>.sh → <id>.out, <id>.rc), no network needed.
// - VM 1 can have host ports forwarded to it (user-mode NIC, restrict=on: the guest cannot reach
//   out through it), e.g. 127.0.0.1:<port> → its 6443 for the host's kubectl.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const DEFAULT_CACHE_DIR = process.env.K8TS_VM_CACHE ?? '/var/cache/k8ts-vm';
const here = new URL('.', import.meta.url).pathname;
const buildScript = join(here, '..', '..', '..', 'test', 'vm', 'build-image.sh');

export interface GuestImage { dir: string; disk: string; kernel: string; initrd: string }

/** The cached guest image, built first when its recipe changed (minutes; cached between runs). */
export function guestImage(cacheDir = DEFAULT_CACHE_DIR): GuestImage {
  const r = spawnSync('sh', [buildScript, cacheDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`build-image.sh failed (exit ${r.status})`);
  const dir = r.stdout.trim().split('\n').pop() ?? '';
  return { dir, disk: join(dir, 'base.qcow2'), kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img') };
}

export interface RunResult { code: number; out: string }

export class Vm {
  private seq = 0;
  constructor(readonly lab: Lab, readonly name: string, readonly ip: string, private readonly pidFile: string, readonly serialLog: string) {}

  /** Runs a bash script in the guest as root; resolves with its exit code and output. */
  async run(script: string, timeoutMs = 300_000): Promise<RunResult> {
    const inbox = join(this.lab.share, this.name, 'cmd');
    mkdirSync(inbox, { recursive: true });
    const id = `${Date.now()}-${++this.seq}`;
    writeFileSync(join(inbox, `${id}.tmp`), `set -o pipefail\n${script}\n`);
    // A rename, so the guest never runs a half-written file.
    spawnSync('mv', [join(inbox, `${id}.tmp`), join(inbox, `${id}.sh`)]);
    const rc = join(inbox, `${id}.rc`);
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(rc)) {
      if (Date.now() > deadline) throw new Error(`${this.name}: no answer in ${timeoutMs / 1000} s to: ${script.slice(0, 200)}`);
      await sleep(250);
    }
    return { code: Number(readFileSync(rc, 'utf8').trim()), out: readFileSync(join(inbox, `${id}.out`), 'utf8') };
  }

  /** run(), failing with the output when the script fails. */
  async sh(script: string, timeoutMs?: number): Promise<string> {
    const r = await this.run(script, timeoutMs);
    if (r.code !== 0) throw new Error(`${this.name}: exit ${r.code}: ${script.slice(0, 300)}\n${r.out.slice(-3000)}`);
    return r.out;
  }

  /** How many times the guest has finished booting (reboots add one). */
  boots(): number {
    if (!existsSync(this.serialLog)) return 0;
    return readFileSync(this.serialLog, 'latin1').split(`K8TS-VM-BOOTED name=${this.name} `).length - 1;
  }

  async waitBooted(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.boots() < count) {
      if (Date.now() > deadline) throw new Error(`${this.name} did not boot in ${timeoutMs / 1000} s; serial log tail:\n${tail(this.serialLog)}`);
      if (!this.running()) throw new Error(`${this.name}: qemu exited; serial log tail:\n${tail(this.serialLog)}`);
      await sleep(500);
    }
  }

  /** Reboots the guest (systemd's clean reboot) and waits until it is up again. */
  async reboot(timeoutMs: number): Promise<void> {
    const before = this.boots();
    await this.run('systemctl reboot', 30_000).catch(() => undefined);
    await this.waitBooted(before + 1, timeoutMs);
  }

  running(): boolean {
    const pid = this.pid();
    if (!pid) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  pid(): number | undefined {
    return existsSync(this.pidFile) ? Number(readFileSync(this.pidFile, 'utf8').trim()) : undefined;
  }
}

export interface Lab {
  dir: string;
  /** The host side of /mnt/host in every guest. */
  share: string;
  vms: Vm[];
  /** Host port → VM 1's port, on 127.0.0.1. */
  forwards: Record<number, number>;
  /** Puts a host file at /mnt/host/files/<name> in every guest; returns the guest path. */
  copyIn(hostPath: string, name?: string): string;
  /** Copies each guest's k8ts journal and containerd log to <dir>/logs/ (for failures). */
  saveGuestLogs(): Promise<void>;
  stop(): Promise<void>;
}

export interface LabOptions {
  count: number;
  memoryMb?: number[];
  /** Guest ports of VM 1 to forward from 127.0.0.1 (a free host port each). */
  forwardToFirst?: number[];
  image?: GuestImage;
  bootTimeoutMs?: number;
}

export async function bootLab(opts: LabOptions): Promise<Lab> {
  const image = opts.image ?? guestImage();
  const dir = mkdtempSync('/tmp/k8ts-vmlab-');
  const share = join(dir, 'share');
  mkdirSync(join(share, 'files'), { recursive: true });
  // Each run its own segment: two runs on one machine never see each other's VMs.
  const mcastPort = 20000 + Math.floor(Math.random() * 10000);
  const forwards: Record<number, number> = {};
  for (const guestPort of opts.forwardToFirst ?? []) forwards[await freePort()] = guestPort;
  const vms: Vm[] = [];
  const lab: Lab = {
    dir, share, vms, forwards,
    copyIn(hostPath, name = basename(hostPath)) {
      copyFileSync(hostPath, join(share, 'files', name));
      return `/mnt/host/files/${name}`;
    },
    async saveGuestLogs() {
      mkdirSync(join(share, 'logs'), { recursive: true });
      await Promise.all(vms.filter((vm) => vm.running()).map((vm) => vm.run(`
        journalctl -b -u 'k8ts*' -o cat --no-pager >/mnt/host/logs/${vm.name}-k8ts.log 2>&1
        cp /var/lib/k8ts/agent/containerd/containerd.log /mnt/host/logs/${vm.name}-containerd.log 2>/dev/null
        true`, 120_000).catch(() => undefined)));
    },
    async stop() {
      // SIGTERM is instant, and the overlays are throwaway.
      for (const vm of vms) {
        const pid = vm.pid();
        if (pid && vm.running()) process.kill(pid, 'SIGTERM');
      }
      for (const vm of vms) for (let i = 0; i < 40 && vm.running(); i++) await sleep(250);
      if (!process.env.K8TS_VM_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (let i = 0; i < opts.count; i++) {
      const name = `vm${i + 1}`;
      const ip = `10.77.0.${11 + i}`;
      const disk = join(dir, `${name}.qcow2`);
      const q = spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', image.disk, disk], { encoding: 'utf8' });
      if (q.status !== 0) throw new Error(`qemu-img: ${q.stderr}`);
      mkdirSync(join(share, name, 'cmd'), { recursive: true });
      const pidFile = join(dir, `${name}.pid`);
      const serialLog = join(dir, `${name}.serial.log`);
      const mac = `52:54:00:77:00:${(11 + i).toString(16).padStart(2, '0')}`;
      const args = [
        '-accel', 'tcg,tb-size=256', '-cpu', 'max', '-m', String(opts.memoryMb?.[i] ?? 1024), '-smp', '1',
        '-nodefaults', '-display', 'none',
        '-kernel', image.kernel, '-initrd', image.initrd,
        '-append', `root=/dev/vda rw console=ttyS0 net.ifnames=0 quiet vm.name=${name} vm.ip=${ip}/24`,
        '-drive', `file=${disk},if=virtio,format=qcow2,cache=unsafe`,
        '-netdev', `socket,id=lab,mcast=239.77.0.1:${mcastPort},localaddr=127.0.0.1`, '-device', `virtio-net-pci,netdev=lab,mac=${mac}`,
        ...(i === 0 && Object.keys(forwards).length
          ? ['-netdev', `user,id=mgmt,restrict=on,${Object.entries(forwards).map(([h, g]) => `hostfwd=tcp:127.0.0.1:${h}-:${g}`).join(',')}`, '-device', 'virtio-net-pci,netdev=mgmt']
          : []),
        '-virtfs', `local,path=${share},mount_tag=host0,security_model=none,id=host0`,
        '-device', 'virtio-rng-pci', '-serial', `file:${serialLog}`, '-pidfile', pidFile, '-daemonize',
      ];
      const r = spawnSync('qemu-system-x86_64', args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`qemu-system-x86_64 failed: ${r.stderr}`);
      vms.push(new Vm(lab, name, ip, pidFile, serialLog));
    }
    await Promise.all(vms.map((vm) => vm.waitBooted(1, opts.bootTimeoutMs ?? 600_000)));
    return lab;
  } catch (err) {
    process.env.K8TS_VM_KEEP = process.env.K8TS_VM_KEEP ?? '';
    await lab.stop();
    throw err;
  }
}

function tail(file: string, lines = 30): string {
  return existsSync(file) ? readFileSync(file, 'latin1').split('\n').slice(-lines).join('\n') : '(no serial log)';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Files in a dir (for diagnostics). */
export function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}
