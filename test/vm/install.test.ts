// What users do, on real hosts: Debian 12 VMs with systemd (test/vm/lab.ts), no internet.
// The release's install.sh starts the server on VM 1; VMs 2 and 3 join with the printed command;
// the host's kubectl reaches VM 1 through a forwarded 127.0.0.1 port. Then: a Deployment spread
// over the nodes serves through its Service from every node, DNS names resolve in pods, a
// rebooted worker comes back, `systemctl restart k8ts` restarts no pod, and k8ts-uninstall.sh
// leaves a worker clean; that worker then joins again by the npm route (Debian's Node 18).
// Run: npm run build && node test/run.js vm (root; qemu-system-x86, qemu-utils, debootstrap).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bootLab, type Lab, type Vm } from './lab.js';
import * as nfs from './csi-nfs-scenario.js';
import { kubectlPath, eventually, run } from '../lib/cluster.js';
import { buildTestImages } from '../images/images.js';
import { packageRoot } from '../../lib/package-root.js';

// TCG runs the guests 10-30x slower than the host: every wait is long.
const MIN = 60_000;
const missing = ['qemu-system-x86_64', 'qemu-img', 'debootstrap', 'umoci', 'skopeo', 'gcc']
  .filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
const skip = process.getuid?.() !== 0 ? 'needs root' : missing.length ? `missing ${missing.join(', ')}` : false;

describe('install on Debian 12 VMs (release route and npm route)', { skip }, () => {
  let lab: Lab;
  let vm1: Vm, vm2: Vm, vm3: Vm;
  let kubeconfig: string;
  let joinCommand: string;
  const timings: Record<string, number> = {};

  const kubectl = async (...args: string[]) => {
    const r = await run(kubectlPath, ['--kubeconfig', kubeconfig, ...args], undefined, 5 * MIN);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const readyNodes = async () => {
    const out = await kubectl('get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}');
    return out.split('\n').filter((l) => l.endsWith('=True')).map((l) => l.split('=')[0]).sort();
  };

  before(async () => {
    // The release of this build (K8TS_RELEASE_TARBALL: one made already).
    let tarball = process.env.K8TS_RELEASE_TARBALL;
    if (!tarball) {
      const r = spawnSync('sh', [join(packageRoot(), 'systemd', 'release.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      assert.equal(r.status, 0, 'npm run release failed');
      tarball = join(packageRoot(), (r.stdout.trim().split('\n').pop() ?? '').split(' ')[0] ?? '');
    }
    const images = await buildTestImages(mkdtempSync('/tmp/k8ts-vm-images-'));
    const t0 = Date.now();
    lab = await bootLab({ count: 3, memoryMb: [1536, 1024, 1024], forwardToFirst: [6443] });
    timings.boot = Date.now() - t0;
    [vm1, vm2, vm3] = lab.vms as [Vm, Vm, Vm];
    lab.copyIn(tarball, 'k8ts.tar.gz');
    lab.copyIn(images.busyboxArchive, 'busybox.tar');
    // Each VM: the release unpacked, and the test's busybox image where the agent imports
    // images at start (the guests have no registry).
    await Promise.all(lab.vms.map((vm) => vm.sh(`
      mkdir -p /root/rel /var/lib/k8ts/agent/images
      tar -xzf /mnt/host/files/k8ts.tar.gz -C /root/rel
      cp /mnt/host/files/busybox.tar /var/lib/k8ts/agent/images/test-busybox.tar`, 10 * MIN)));
  });

  after(async () => {
    // What a failure needs explaining, kept beside the serial logs (K8TS_VM_KEEP=1 keeps the dir).
    if (lab && process.env.K8TS_VM_KEEP) await lab.saveGuestLogs().catch(() => undefined);
    if (lab) await lab.stop();
    process.stdout.write(`# VM timings (s): ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v / 100) / 10])))}\n`);
  });

  it('install.sh starts the server under systemd and prints the join command', async () => {
    const t0 = Date.now();
    const out = await vm1.sh('cd /root/rel/k8ts-* && ./install.sh', 20 * MIN);
    timings.serverInstall = Date.now() - t0;
    const m = /^ {2}(sudo \.\/install\.sh agent --server https:\/\/10\.77\.0\.11:6443 --token K10[0-9a-f]{64}::server:\S+)$/m.exec(out);
    assert.ok(m, `no join command in:\n${out}`);
    joinCommand = m[1] ?? '';
    assert.match(out, /\/etc\/k8ts\/k8ts\.yaml/);
    const state = await vm1.sh(`systemctl is-active k8ts; systemctl show -p Type,KillMode,Delegate,LimitNOFILE,Restart k8ts
      stat -c '%a %n' /var/lib/k8ts/node-token /etc/k8ts/config.yaml; readlink /etc/k8ts/k8ts.yaml`);
    for (const line of ['active', 'Type=notify', 'KillMode=process', 'Delegate=yes', 'LimitNOFILE=1048576', 'Restart=always',
      '600 /var/lib/k8ts/node-token', '600 /etc/k8ts/config.yaml', '/var/lib/k8ts/admin.kubeconfig']) {
      assert.ok(state.split('\n').includes(line), `${line} not in:\n${state}`);
    }
    // The host's kubectl, through the forwarded port (the serving cert names 127.0.0.1).
    const port = Object.keys(lab.forwards)[0];
    const text = (await vm1.sh('cat /etc/k8ts/k8ts.yaml')).replace(/server: https:\/\/[^\s]+/, `server: https://127.0.0.1:${port}`);
    kubeconfig = join(lab.dir, 'kubeconfig');
    writeFileSync(kubeconfig, text, { mode: 0o600 });
    await eventually(async () => (await readyNodes()).includes('vm1'), 15 * MIN, 3000);
    timings.serverReady = Date.now() - t0;
  });

  it('workers join with the printed command and all three nodes are Ready', async () => {
    const t0 = Date.now();
    // The printed command, run as root (the guests have no sudo).
    const cmd = joinCommand.replace(/^sudo /, '');
    await Promise.all([vm2, vm3].map((vm) => vm.sh(`cd /root/rel/k8ts-* && ${cmd}`, 20 * MIN)));
    await eventually(async () => (await readyNodes()).join(',') === 'vm1,vm2,vm3', 15 * MIN, 3000);
    timings.workersReady = Date.now() - t0;
    const ips = await kubectl('get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.addresses[?(@.type=="InternalIP")].address} {end}');
    assert.deepEqual(ips.trim().split(' ').sort(), ['10.77.0.11', '10.77.0.12', '10.77.0.13']);
  });

  it('idle under systemd: server and agent RSS (recorded for docs/benchmarks.md)', async () => {
    // Settled: a minute after all nodes are Ready, nothing deployed yet.
    await new Promise((r) => setTimeout(r, 60_000));
    const rss = async (vm: Vm, unit: string) => Number((await vm.sh(`ps -o rss= -p $(systemctl show -p MainPID --value ${unit})`)).trim()) / 1024;
    const server = await rss(vm1, 'k8ts');
    const agent = await rss(vm3, 'k8ts-agent');
    process.stdout.write(`# idle RSS under systemd: server ${server.toFixed(0)} MB, agent ${agent.toFixed(0)} MB\n`);
    assert.ok(server > 0 && agent > 0);
  });

  it('a Deployment over the nodes serves through its Service from every node, and DNS resolves in pods', async () => {
    await run(kubectlPath, ['--kubeconfig', kubeconfig, 'apply', '-f', '-'], webManifest, 5 * MIN);
    await eventually(async () => {
      const out = await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}={.status.phase} {end}');
      const running = out.trim().split(' ').filter((p) => p.endsWith('=Running')).map((p) => p.split('=')[0]).sort();
      return running.join(',') === 'vm1,vm2,vm3';
    }, 20 * MIN, 5000);
    const clusterIP = (await kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    for (const vm of lab.vms) {
      // Several requests, so that endpoints on other nodes answer too (through the overlay).
      const out = await eventually(async () => {
        const r = await vm.run(`for i in 1 2 3 4 5 6; do ${httpGet(`http://${clusterIP}/`)} || exit 1; done`, 5 * MIN);
        return r.code === 0 && r.out;
      }, 5 * MIN, 3000);
      assert.match(out, /hello from k8ts busybox/, `${vm.name} through the Service`);
      // The NodePort on each node's own address.
      const np = await vm.sh(httpGet(`http://${vm.ip}:30080/`), 5 * MIN);
      assert.match(np, /hello from k8ts busybox/);
    }
    const pod = (await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}')).trim();
    const dns = await eventually(async () => {
      const r = await run(kubectlPath, ['--kubeconfig', kubeconfig, 'exec', pod, '--', 'nslookup', 'web.default.svc.cluster.local'], undefined, 5 * MIN);
      return r.code === 0 && r.stdout;
    }, 5 * MIN, 5000);
    assert.match(dns, new RegExp(`Address:\\s+${clusterIP.replace(/\./g, '\\.')}`));
  });

  it('a rebooted worker comes back, rejoins and runs its pods again', async () => {
    const vm3Container = async () => {
      const out = await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}={.status.phase}={.status.containerStatuses[0].ready}={.status.containerStatuses[0].containerID} {end}');
      return out.trim().split(' ').map((p) => p.split('=')).find((p) => p[0] === 'vm3') ?? [];
    };
    const before = (await vm3Container())[3];
    const t0 = Date.now();
    await vm3.reboot(15 * MIN);
    // Its pod runs again in a new container: until the agent resyncs it, the API still shows the
    // container from before the reboot as running and ready (the node turns Ready first).
    await eventually(async () => {
      const [, phase, ready, id] = await vm3Container();
      return phase === 'Running' && ready === 'true' && id !== before && (await readyNodes()).join(',') === 'vm1,vm2,vm3';
    }, 20 * MIN, 5000);
    timings.rebootRejoin = Date.now() - t0;
    assert.equal((await vm3.sh('systemctl is-active k8ts-agent')).trim(), 'active');
  });

  it('systemctl restart k8ts restarts no pod', async () => {
    const snapshot = () => kubectl('get', 'pods', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.uid}:{.status.containerStatuses[*].restartCount}:{.status.containerStatuses[*].containerID}{"\\n"}{end}');
    const before = await snapshot();
    const shimsBefore = await vm1.sh('pgrep -c containerd-shim || true');
    await vm1.sh('systemctl restart k8ts', 15 * MIN);
    await eventually(async () => (await readyNodes()).join(',') === 'vm1,vm2,vm3', 15 * MIN, 3000);
    // Give the restarted agent time to resync its pods (it would restart a container it lost).
    await new Promise((r) => setTimeout(r, 30_000));
    assert.equal(await snapshot(), before);
    assert.equal(await vm1.sh('pgrep -c containerd-shim || true'), shimsBefore);
  });

  // Issue 17's NFS checks on this same cluster (no boots of their own): VM 1 serves /srv/nfs.
  describe('NFS through the CSI driver (server VM 1, share /srv/nfs)', () => {
    const cluster = (): nfs.NfsCluster => ({
      server: vm1, workers: [vm2, vm3], kubectl, timings,
      // Retried: right after the server's restart, TCG makes kubectl's first TLS handshakes time out.
      apply: (yaml) => eventually(async () => {
        const r = await run(kubectlPath, ['--kubeconfig', kubeconfig, 'apply', '-f', '-'], yaml, 5 * MIN);
        if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
        return true;
      }, 3 * MIN, 5000).then(() => undefined),
      eventually,
    });
    it('a claim of class nfs-csi is provisioned on the export and bound', () => nfs.classAndClaimBind(cluster()));
    it('a pod on VM 2 writes, a pod on VM 3 reads', () => nfs.writtenOnOneWorkerReadOnTheOther(cluster()));
    it('a ReadWriteMany Deployment runs on both workers', () => nfs.readWriteManyAcrossWorkers(cluster()));
    it('nothing stays mounted after the pods go; deleting the claim archives its directory', () => nfs.cleanAfterPodsAndClaim(cluster()));
    it('an unreachable NFS server gives FailedMount with the mount error', () => nfs.unreachableServerFailedMount(cluster()));
  });

  it('k8ts-uninstall.sh leaves a worker clean', async () => {
    // With its pods running: uninstall must remove them too.
    await vm2.sh('k8ts-uninstall.sh', 10 * MIN);
    const leftovers = await vm2.sh(`
      systemctl list-units --all --plain --no-legend 'k8ts*' | sed 's/^/unit: /'
      ls /etc/systemd/system | grep k8ts | sed 's/^/unit file: /'
      grep -E 'k8ts|containerd|kubelet|/run/netns' /proc/self/mounts | sed 's/^/mount: /'
      iptables-save | grep -E '^:(KUBE-|CNI-|FLANNEL)' | sed 's/^/chain: /'
      ip -o link | grep -E 'cni0|flannel|veth' | sed 's/^/link: /'
      pgrep -a -f 'containerd|k8ts|pause' | grep -v pgrep | sed 's/^/process: /'
      ls -d /var/lib/k8ts /etc/k8ts /run/k8ts /usr/local/lib/k8ts /usr/local/bin/k8ts* /sys/fs/cgroup/k8ts.slice 2>/dev/null | sed 's/^/path: /'
      true`);
    assert.equal(leftovers.trim(), '', 'left behind by uninstall');
  });

  it('the npm route (Debian Node 18) joins the cleaned worker again', async () => {
    const node = (await vm2.sh('node --version')).trim();
    assert.match(node, /^v18\./);
    // The package as npm installs it (built code and production dependencies), run by the
    // distribution's node: `k8ts install agent`.
    // The uninstalled node's Node object still holds the old agent's node ID: a new agent under
    // that name is refused until it is deleted (as k3s wants its node-password Secret deleted).
    await kubectl('delete', 'node', 'vm2');
    const t0 = Date.now();
    const cmd = joinCommand.replace(/^sudo \.\/install\.sh agent /, '');
    await vm2.sh(`cd /root/rel/k8ts-* && rm -f node && mkdir -p /var/lib/k8ts/agent/images && cp /mnt/host/files/busybox.tar /var/lib/k8ts/agent/images/test-busybox.tar
      node dist/cli/main.js install agent ${cmd}
      head -n1 /usr/local/bin/k8ts >/dev/null; grep -q 'exec /usr/bin/node ' /usr/local/bin/k8ts`, 20 * MIN);
    await eventually(async () => (await readyNodes()).join(',') === 'vm1,vm2,vm3', 15 * MIN, 3000);
    timings.npmRouteJoin = Date.now() - t0;
  });
});

/** A guest command fetching `url` with Debian's node (the guest's static busybox wget segfaults). */
function httpGet(url: string): string {
  const js = 'require("http").get(process.argv[1],{timeout:10000},r=>{let b="";r.on("data",d=>b+=d);r.on("end",()=>{process.stdout.write(b);process.exit(r.statusCode===200?0:1)})}).on("error",e=>{console.error(e.message);process.exit(1)})';
  return `node -e '${js}' ${url}`;
}

const webManifest = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      topologySpreadConstraints:
      - { maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: { matchLabels: { app: web } } }
      tolerations: [{ operator: Exists }]
      containers:
      - name: web
        image: docker.io/library/busybox:latest
        imagePullPolicy: IfNotPresent
        command: [httpd, -f, -p, '80', -h, /var/www]
        ports: [{ containerPort: 80 }]
        readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5, timeoutSeconds: 10 }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  type: NodePort
  selector: { app: web }
  ports: [{ port: 80, targetPort: 80, nodePort: 30080 }]
`;
