// `k8ts killall`, as k3s-killall.sh: stop every pod and our containerd, then remove what they
// leave on the host - shims and container processes, cgroups, mounts (container rootfs, shm,
// network namespaces, tmpfs volumes), the pod network (bridge, iptables chains, IPAM leases,
// CNI result cache), the service proxy's and NetworkPolicy iptables chains, and the host-wide traces of a first
// run: killed shims' sockets, empty directories (/run/containerd, /var/lib/cni) and inert
// nftables tables. Data (images, volumes' content, the database) stays: it is for clean
// restarts and tests, not uninstall.
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../lib/log.js';
import { hostExec, type Exec } from '../lib/exec.js';
import { networkNameFor } from '../cni/bridge-conflist.js';
import { removeNetwork } from '../cni/network-cleanup.js';
import { removeEmptyNftTable } from '../cni/host-cleanup.js';
import { removeProxyRules } from './proxy/iptables.js';
import { removeNftTable } from './proxy/nftables/nft.js';
import { removeNetpolRules } from './netpol/iptables.js';
import { removeEmptyTrees } from '../lib/empty-dirs.js';
import { connectCri, waitForCriReady } from './cri/index.js';
import { containerdPaths, DEFAULT_RUN_DIR, detectHost, removeStaleSockets, SHIM_SOCKET_DIR } from './containerd/index.js';
import { restoreCgroupMounts } from './node/cgroup-mounts.js';
import { kubepodsParent, processesUnder, removeCgroup } from './runtime/cgroups.js';
import { mountPointsUnder, unmount } from '../lib/mounts.js';
import { csiPaths } from './csi/csi-paths.js';
import { agentPaths } from './config.js';
import { removeOverlay } from './network/overlay/overlay-cleanup.js';
import { subnetEnvPath } from './network/overlay/subnet-env.js';

const log = logger('killall');

export interface KillallOptions {
  dataDir: string;
  runDir?: string;
  cniBridge: string;
  cgroupRoot: string;
  cniIpamDir?: string;
  /** Also remove the service proxy's and NetworkPolicy chains and the jumps to them (k3s removes every KUBE-* one). */
  proxyRules: boolean;
  exec?: Exec;
}

export interface KillallReport {
  podsStopped: number;
  processesKilled: number;
  unmounted: string[];
  removed: string[];
}

/** PIDs whose command line contains `needle` as one argument's substring. */
async function pidsWith(needle: string): Promise<number[]> {
  const out: number[] = [];
  for (const d of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    const cmd = await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '');
    if (cmd.split('\0').some((a) => a.includes(needle))) out.push(Number(d));
  }
  return out;
}

function kill(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let alive = pids;
  while (alive.length && Date.now() < deadline) {
    await sleep(50);
    alive = alive.filter((p) => existsSync(`/proc/${p}`));
  }
  return alive;
}

/** Sandbox IDs containerd's state dir knows (for the CNI result cache of pods it never tore down). */
async function sandboxIds(state: string): Promise<string[]> {
  const ids = new Set<string>();
  for (const d of [join(state, 'io.containerd.grpc.v1.cri', 'sandboxes'), join(state, 'io.containerd.runtime.v2.task', 'k8s.io')]) {
    for (const id of await readdir(d).catch(() => [] as string[])) if (/^[0-9a-f]{64}$/.test(id)) ids.add(id);
  }
  return [...ids];
}

export async function killall(o: KillallOptions): Promise<KillallReport> {
  const exec = o.exec ?? hostExec;
  const report: KillallReport = { podsStopped: 0, processesKilled: 0, unmounted: [], removed: [] };
  const paths = containerdPaths(o.dataDir, o.runDir ?? DEFAULT_RUN_DIR);
  // Run through `ip netns exec` (an agent of a local multi-node cluster), cgroups are hidden too.
  if (!o.exec) await restoreCgroupMounts();
  const host = await detectHost(exec);

  // 1. Pods, through our containerd while it runs, so CNI tears their networks down properly.
  if (existsSync(paths.socket)) {
    const cri = connectCri('unix://' + paths.socket, { defaultTimeoutMs: 60_000 });
    try {
      await waitForCriReady(cri, { timeoutMs: 2000 });
      for (const sb of await cri.runtime.listPodSandbox()) {
        await cri.runtime.stopPodSandbox(sb.id).catch((err: unknown) => log.warn({ sandbox: sb.id, err: (err as Error).message }, 'stop failed'));
        await cri.runtime.removePodSandbox(sb.id).catch(() => undefined);
        report.podsStopped++;
      }
    } catch (err) {
      log.info({ err: (err as Error).message }, 'containerd not answering: killing pods directly');
    } finally {
      cri.close();
    }
  }
  const ids = await sandboxIds(paths.state);

  // 2. Our containerd, then its shims, then whatever still runs in our cgroups.
  const containerd = await pidsWith(paths.configFile);
  for (const p of containerd) kill(p, 'SIGTERM');
  for (const p of await waitGone(containerd, 10_000)) kill(p, 'SIGKILL');
  const shims = await pidsWith(paths.socket);
  for (const p of shims) if (kill(p, 'SIGKILL')) report.processesKilled++;
  const parent = kubepodsParent(host.cgroupDriver, o.cgroupRoot);
  const leftovers = await processesUnder(host.cgroupDriver, parent);
  for (const p of leftovers) if (kill(p, 'SIGKILL')) report.processesKilled++;
  await waitGone([...shims, ...leftovers], 5000);
  // A killed shim cannot remove its socket: one no live process has bound is left over.
  report.removed.push(...await removeStaleSockets());
  // Our root goes too (it only ever holds kubepods); the host's root never does.
  const root = o.cgroupRoot.replace(/\/+$/, '');
  const ours = root !== '' && root !== '-.slice' ? [parent, root] : [parent];
  for (const cg of ours) {
    try {
      await removeCgroup(host.cgroupDriver, cg, exec);
    } catch (err) {
      log.warn({ cgroup: cg, err: (err as Error).message }, 'could not remove cgroups');
    }
  }

  // 3. Mounts: container rootfs, sandbox shm and netns under the state dir, pod volumes, CSI staging (as k3s' killall unmounts kubelet's plugins dir).
  for (const m of await mountPointsUnder([paths.state, o.runDir ?? DEFAULT_RUN_DIR, agentPaths(o.dataDir).pods, csiPaths(o.dataDir).plugins])) {
    await unmount(exec, m).catch((err: unknown) => log.warn({ mount: m, err: (err as Error).message }, 'unmount failed'));
    report.unmounted.push(m);
  }
  await rm(paths.state, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  await rm(paths.runcRoot, { recursive: true, force: true });
  report.removed.push(paths.state, paths.runcRoot);
  // The overlay (flannel.1, routes, FLANNEL-* chains, subnet.env), before the run dir that may hold it.
  report.removed.push(...await removeOverlay(subnetEnvPath(o.runDir, DEFAULT_RUN_DIR), exec));
  // The run dir itself goes when nothing else lives in it.
  await rmdir(o.runDir ?? DEFAULT_RUN_DIR).catch(() => undefined);

  // 4. The pod network.
  const network = networkNameFor(o.cniBridge);
  report.removed.push(...await removeNetwork({ network, bridge: o.cniBridge, ipamDir: o.cniIpamDir, sandboxIds: ids }, exec));
  // The service proxy's rules (either mode): only chains it makes, so another kube-proxy's or kubelet's stay.
  // And the NetworkPolicy chains (kube-router's names), as k3s-killall.sh removes every KUBE-* one.
  if (o.proxyRules) report.removed.push(...await removeProxyRules(exec), ...await removeNftTable(exec), ...await removeNetpolRules(exec));

  // 5. What any first run leaves host-wide, once nothing else uses it: tables iptables-nft
  //    created for our rules, libcni's cache dirs, containerd 1.6's shim socket dir.
  for (const table of ['nat', 'filter', 'mangle'] as const) {
    if (await removeEmptyNftTable(table, exec).catch(() => false)) report.removed.push(`nftables table ip ${table}`);
  }
  report.removed.push(...await removeEmptyTrees([SHIM_SOCKET_DIR, dirname(SHIM_SOCKET_DIR), '/var/lib/cni/results', '/var/lib/cni/networks', '/var/lib/cni'], exec));
  log.info({ pods: report.podsStopped, killed: report.processesKilled, unmounted: report.unmounted.length }, 'killall done');
  return report;
}
