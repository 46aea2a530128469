// `k8ts killall`: stops every pod and the agent's containerd and removes what they leave on
// the host (like k3s-killall.sh). Flag parsing and wiring only.
import { setLogLevel } from '../lib/log.js';
import { killall } from '../node-agent/killall.js';
import { recordedHostPaths } from '../node-agent/host-paths.js';
import { defaultDataDir, parseFlags } from './flags.js';

const help = `Stop every pod and k8ts's containerd, and remove their processes, cgroups, mounts,
network namespaces, the pod network's bridge, iptables chains (CNI-* of the k8ts network, and the
service proxy's KUBE-* chains and the jumps to them), the overlay (flannel.1, its routes, FLANNEL-*
chains, subnet.env) and CNI state. Images, volume data and the database are kept. Stop the k8ts service first (this
command stops it when systemd runs it), or its agent starts the pods again.

With several agents on one machine, --data-dir D cleans up only the agent of that data dir: its
run dir, cgroup root, bridge and IPAM dir are the ones it recorded in D when it started (flags
given here win).

Flags:
  --data-dir DIR        data directory (default /var/lib/k8ts as root, ~/.k8ts otherwise)
  --run-dir DIR         containerd's run dir (default /run/k8ts)
  --cni-bridge NAME     bridge of the pod network (default cni0)
  --cni-ipam-dir DIR    host-local IPAM lease dir (default /var/lib/cni/networks/<network>)
  --cgroup-root PATH    cgroup tree pods live under (default /k8ts)
  --keep-kube-chains    leave the service proxy's and NetworkPolicy KUBE-* iptables chains alone
  --log-level LEVEL     trace, debug, info, warn, error (default warn)
`;

export async function runKillall(argv: string[]): Promise<number> {
  const f = parseFlags(argv, {
    'data-dir': { type: 'string' },
    'run-dir': { type: 'string' },
    'cni-bridge': { type: 'string' },
    'cni-ipam-dir': { type: 'string' },
    'cgroup-root': { type: 'string' },
    'keep-kube-chains': { type: 'boolean' },
    'log-level': { type: 'string' },
  }, help);
  setLogLevel(f['log-level'] ?? 'warn');
  if (process.getuid?.() !== 0) throw new Error('killall must run as root');
  await stopServices();
  const dataDir = f['data-dir'] ?? defaultDataDir();
  // Flags win; otherwise what that agent recorded when it started; otherwise the defaults.
  const recorded = recordedHostPaths(dataDir);
  const r = await killall({
    dataDir,
    runDir: f['run-dir'] ?? recorded?.runDir,
    cniBridge: f['cni-bridge'] ?? recorded?.cniBridge ?? 'cni0',
    cniIpamDir: f['cni-ipam-dir'] ?? recorded?.cniIpamDir,
    cgroupRoot: f['cgroup-root'] ?? recorded?.cgroupRoot ?? '/k8ts',
    proxyRules: !f['keep-kube-chains'],
  });
  process.stdout.write(`stopped ${r.podsStopped} pod(s), killed ${r.processesKilled} process(es), unmounted ${r.unmounted.length} mount(s)\n`);
  return 0;
}

/** Stops the k8ts systemd units, when systemd runs them (as k3s-killall stops k3s*). */
async function stopServices(): Promise<void> {
  const { existsSync } = await import('node:fs');
  if (!existsSync('/run/systemd/system')) return;
  const { hostExec } = await import('../lib/exec.js');
  const units = (await hostExec('systemctl', ['list-units', '--all', '--plain', '--no-legend', 'k8ts*.service'])).stdout
    .split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((u): u is string => !!u);
  if (units.length) await hostExec('systemctl', ['stop', ...units]);
}
