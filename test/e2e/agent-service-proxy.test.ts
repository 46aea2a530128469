// The service proxy against the real thing: a real agent programming the host's iptables, real
// pods on containerd behind the CNI bridge, real kubectl, a network namespace as the host outside
// the node. Before anything is sent to a Service or pod range, those ranges are dropped on the
// default route's device, so no test packet leaves the machine whatever the rules do.
// The same cases run in both proxy modes: iptables first, then the agent restarted with
// --proxy-mode nftables (which must clear the iptables rules it finds, as kube-proxy does).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { execOk, hostExec } from '../../lib/exec.js';
import { eventually } from '../lib/cluster.js';
import { httpdDeployment, missingPrerequisites, setupAgentEnv, waitForPod, type AgentEnv, type PodJson } from './agent-harness.js';
import { guardOffHost } from './off-host-guard.js';
import type { ProxyMode } from '../../node-agent/proxy/backend.js';
import { makeOutsideHost, type OutsideHost } from './outside-host.js';

const missing = missingPrerequisites();
if (!(await hostExec('conntrack', ['--version']).then((r) => r.code === 0, () => false))) missing.push('conntrack');

/** How often the agent's proxy rewrites its shared chains in these tests. */
const SYNC_PERIOD_MS = 5000;

/** httpd answering with its pod's name, so a client sees which endpoint served it. */
const whoami = '[sh, -c, "mkdir -p /tmp/www && hostname > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www"]';

const running = (p: PodJson) => p.status.phase === 'Running' && !!p.status.containerStatuses?.every((c) => c.ready);

/** What the cases look for in the kernel, per mode. */
interface ModeRules {
  /** The service port is refused for want of endpoints. */
  refuses(portName: string): Promise<boolean>;
  /** The cluster IP (port 80) goes to a service chain. */
  routes(ip: string): Promise<boolean>;
  /** What an admin (or another tool) does that wipes the proxy's rules. */
  wipe(): Promise<void>;
  /** NodePorts answer on 127.0.0.1 (iptables mode, as kube-proxy's; never in nftables mode). */
  localhostNodePorts: boolean;
}

const saved = async (table: string) => (await execOk(hostExec, 'iptables-save', ['-t', table])).stdout;
const nftMap = async (map: string) => (await hostExec('nft', ['list', 'map', 'ip', 'kube-proxy', map])).stdout;
const modes: Record<ProxyMode, ModeRules> = {
  iptables: {
    refuses: async (portName) => (await saved('filter')).includes(`"${portName} has no endpoints"`),
    routes: async (ip) => (await saved('nat')).split('\n').some((l) => l.startsWith('-A KUBE-SERVICES ') && l.includes(`-d ${ip}/32 `) && l.includes('-j KUBE-SVC-')),
    wipe: async () => void await execOk(hostExec, 'iptables', ['-t', 'nat', '-F', 'KUBE-SERVICES']),
    localhostNodePorts: true,
  },
  nftables: {
    refuses: async (portName) => (await nftMap('no-endpoint-services')).includes(`comment "${portName}" : goto reject-chain`),
    routes: async (ip) => (await nftMap('service-ips')).includes(`${ip} . tcp . 80 : goto service-`),
    wipe: async () => void await execOk(hostExec, 'nft', ['delete', 'table', 'ip', 'kube-proxy']),
    localhostNodePorts: false,
  },
};

describe('service proxy on a real node', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, () => {
  let env: AgentEnv;
  let outside: OutsideHost | undefined;
  let unguard: (() => Promise<void>) | undefined;

  const svc = async (name: string) => {
    const [ip, nodePort] = (await env.k('get', 'svc', name, '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}')).split(' ');
    return { ip: ip!, nodePort: Number(nodePort) };
  };
  /** `n` fetches of `url` from the client pod, one body (or error) per line. */
  const fetchFromClient = async (url: string, n: number) => {
    const out = await env.k('exec', 'client', '--', 'sh', '-c', `for i in $(seq ${n}); do timeout 5 wget -qO- ${url} 2>&1 || echo FAILED; done`);
    return out.split('\n').filter(Boolean);
  };

  before(async () => {
    // A change waits for the minimum sync interval after the previous sync (1 s by default, as
    // kube-proxy's): at 500 ms a change lands within 1 s of its EndpointSlice even right after a sync.
    env = await setupAgentEnv({ agentArgs: ['--iptables-sync-period', `${SYNC_PERIOD_MS / 1000}s`, '--iptables-min-sync-period', '500ms'] });
    // Service IPs, the default cluster CIDR and this cluster's pod range stay on this machine.
    unguard = await guardOffHost(['10.43.0.0/16', '10.42.0.0/16', '198.18.0.0/15']);
    outside = await makeOutsideHost(env.id);
    // A short grace period: busybox httpd ignores SIGTERM, and scaling down should not take 30 s.
    await env.apply(httpdDeployment(env.image, 3, whoami).replace('    spec:\n      containers:', '    spec:\n      terminationGracePeriodSeconds: 1\n      containers:'));
    await env.apply(`apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: sticky}
spec:
  selector: {app: web}
  sessionAffinity: ClientIP
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: ${env.image}, command: [sleep, "3600"]}]
`);
    await waitForPod(env, 'client', running, 90_000);
    await eventually(async () => (await env.k('get', 'deploy', 'web', '-o', 'jsonpath={.status.readyReplicas}')) === '3', 90_000, 250);
  });

  after(async () => {
    await outside?.remove();
    await unguard?.();
    if (env) {
      await env.teardown();
      // Teardown ran killall: none of the proxy's chains may be left (the leftover check compares chain lists too).
      const left = await env.leftovers();
      assert.deepEqual(left, [], `left on the host: ${left.join('; ')}`);
    }
  });

  for (const [index, mode] of (['iptables', 'nftables'] as const).entries()) {
    describe(`in ${mode} mode`, () => {
      const rules = modes[mode];
      before(async () => {
        if (mode === 'iptables') return;
        await env.stopAgent();
        await env.startAgent({ args: ['--proxy-mode', mode] });
        // The other mode's rules went at start: none of kube-proxy's iptables chains is left.
        await eventually(async () => !/^:KUBE-(SERVICES|SVC-|SEP-|MARK-MASQ)/m.test(await saved('nat')) && (await modes.nftables.routes((await svc('web')).ip)), 30_000, 200);
      });

      it('spreads a client pod\'s connections to a ClusterIP over all three endpoints', async () => {
        const { ip } = await svc('web');
        const pods = (await env.k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').sort();
        // The rules follow the EndpointSlice within a sync: wait for all three to answer once.
        const seen = await eventually(async () => {
          const got = new Set(await fetchFromClient(`http://${ip}/`, 30));
          return got.size === 3 ? got : undefined;
        }, 30_000, 500);
        assert.deepEqual([...seen].sort(), pods);
      });

      it('pins a client to one endpoint with ClientIP session affinity', async () => {
        const { ip } = await svc('sticky');
        const got = await eventually(async () => {
          const bodies = await fetchFromClient(`http://${ip}/`, 12);
          return bodies.every((b) => b.startsWith('web-')) ? bodies : undefined;
        }, 30_000, 500);
        assert.equal(new Set(got).size, 1, `one backend for one client: ${got.join(', ')}`);
      });

      it(`answers a NodePort from outside the node${modes[mode].localhostNodePorts ? ', and on 127.0.0.1 from the node' : ', not on 127.0.0.1 (as kube-proxy\'s nftables mode)'}`, async () => {
        const { nodePort } = await svc('web');
        assert.ok(nodePort >= 30000 && nodePort <= 32767);
        const seen = new Set<string>();
        for (let i = 0; i < 12; i++) {
          const r = await outside!.run(['timeout', '5', 'busybox', 'wget', '-qO-', `http://${outside!.nodeSide}:${nodePort}/`]);
          assert.equal(r.code, 0, `from the outside host: ${r.stderr}`);
          seen.add(r.stdout.trim());
        }
        assert.ok([...seen].every((b) => b.startsWith('web-')), [...seen].join(', '));
        assert.ok(seen.size >= 2, `outside connections spread too: ${[...seen].join(', ')}`);
        const local = await fetch(`http://127.0.0.1:${nodePort}/`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text(), (err: Error) => `failed: ${err.message}`);
        if (rules.localhostNodePorts) assert.match(local, /^web-/);
        else assert.match(local, /^failed/);
      });

      it('refuses a Service without endpoints at once instead of timing out', async (t) => {
        await env.apply(`apiVersion: v1
kind: Service
metadata: {name: nobody}
spec:
  selector: {app: nobody}
  ports: [{name: http, port: 80, targetPort: 8080}]
`);
        const { ip } = await svc('nobody');
        await eventually(() => rules.refuses('default/nobody:http'), 10_000, 100);
        // Timed inside the pod (busybox date has no %N; /proc/uptime counts hundredths).
        const r = await env.c.kubectl(['exec', 'client', '--', 'sh', '-c', `s=$(cut -d' ' -f1 /proc/uptime); timeout 5 wget -qO- http://${ip}/; e=$(cut -d' ' -f1 /proc/uptime); echo "took $s $e"`]);
        const out = r.stdout + r.stderr;
        assert.match(out, /refused/i);
        const [, s, e] = /took (\S+) (\S+)/.exec(out) ?? [];
        const ms = (Number(e) - Number(s)) * 1000;
        t.diagnostic(`refused after ${Math.round(ms)} ms`);
        assert.ok(ms < 1000, `refused after ${ms} ms`);
      });

      it('lets a pod reach itself through its own Service (hairpin)', async () => {
        await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: loner, labels: {app: loner}}
spec:
  terminationGracePeriodSeconds: 0
  containers: [{name: httpd, image: ${env.image}, command: ${whoami}}]
---
apiVersion: v1
kind: Service
metadata: {name: loner}
spec:
  selector: {app: loner}
  ports: [{name: http, port: 80, targetPort: 8080}]
`);
        await waitForPod(env, 'loner', running, 60_000);
        const { ip } = await svc('loner');
        const body = await eventually(async () => {
          const r = await env.c.kubectl(['exec', 'loner', '--', 'timeout', '5', 'wget', '-qO-', `http://${ip}/`]);
          return r.code === 0 ? r.stdout.trim() : undefined;
        }, 20_000, 500);
        assert.equal(body, 'loner');
      });

      it('follows scaling to zero and back within 1 s of the EndpointSlice', async (t) => {
        const { ip } = await svc('web');
        const sliceEndpoints = async () => {
          const r = await env.c.http('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb');
          const list = r.json<{ items: Array<{ endpoints?: Array<{ conditions?: { ready?: boolean; serving?: boolean } }> }> }>();
          // Terminating endpoints that still serve keep their traffic, as in kube-proxy: they count.
          return list.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false || e.conditions?.serving === true).length;
        };
        const rejects = () => rules.refuses('default/web:http');
        const routes = () => rules.routes(ip);
        /** When each of two conditions first held, polled side by side. */
        const firstTimes = async (slice: () => Promise<boolean>, rules: () => Promise<boolean>) => {
          const when = async (check: () => Promise<boolean>) => eventually(async () => ((await check()) ? performance.now() : undefined), 120_000, 20);
          const [s, r] = await Promise.all([when(slice), when(rules)]);
          return r - s;
        };
        let down: number;
        let up: number;
        try {
          await env.k('scale', 'deploy', 'web', '--replicas', '0');
          down = await firstTimes(async () => (await sliceEndpoints()) === 0, rejects);
        } finally {
          await env.k('scale', 'deploy', 'web', '--replicas', '3');
        }
        try {
          up = await firstTimes(async () => (await sliceEndpoints()) > 0, routes);
        } finally {
          // The next tests want all three back.
          await eventually(async () => (await env.k('get', 'deploy', 'web', '-o', 'jsonpath={.status.readyReplicas}')) === '3', 90_000, 250);
        }
        t.diagnostic(`REJECT ${Math.round(down)} ms after the slice emptied, routed ${Math.round(up)} ms after it had an endpoint again`);
        assert.ok(down <= 1000, `REJECT ${Math.round(down)} ms after the slice emptied`);
        assert.ok(up <= 1000, `routed ${Math.round(up)} ms after the slice had an endpoint`);
      });

      it(`heals ${mode === 'iptables' ? 'a flushed KUBE-SERVICES' : 'a deleted table ip kube-proxy'} within the sync period`, async (t) => {
        const { ip } = await svc('web');
        const reachable = () => fetch(`http://${ip}/`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
        await eventually(reachable, 20_000, 200);
        await rules.wipe();
        const t0 = performance.now();
        assert.equal(await reachable(), false, 'flushed: the cluster IP goes nowhere');
        await eventually(reachable, SYNC_PERIOD_MS + 5000, 200);
        const ms = performance.now() - t0;
        t.diagnostic(`healed ${Math.round(ms)} ms after the flush (sync period ${SYNC_PERIOD_MS} ms)`);
        assert.ok(ms <= SYNC_PERIOD_MS + 2000, `healed after ${Math.round(ms)} ms`);
      });

      it('moves a UDP flow to the new backend when the old one is replaced (stale conntrack removed)', async (t) => {
        const [a, b] = outside!.addresses as [string, string];
        // A port of each mode's own: the first mode's backends still hold theirs.
        const port = 5353 + index;
        const oldServer = await outside!.udpEcho(a, port, 'old');
        await outside!.udpEcho(b, port, 'new');
        const slice = (addr: string) => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: dnsish-1, labels: {kubernetes.io/service-name: dnsish, endpointslice.kubernetes.io/managed-by: e2e.k8ts.io}}
addressType: IPv4
ports: [{name: dns, port: ${port}, protocol: UDP}]
endpoints: [{addresses: [${addr}], conditions: {ready: true}}]
`;
        await env.apply(`apiVersion: v1
kind: Service
metadata: {name: dnsish}
spec:
  ports: [{name: dns, port: 53, protocol: UDP, targetPort: ${port}}]
---
${slice(a)}`);
        const { ip } = await svc('dnsish');
        // One flow: the same source port all along, a datagram every 100 ms, as a resolver's.
        const sock = createSocket('udp4');
        const replies: Array<{ at: number; text: string }> = [];
        sock.on('message', (m) => replies.push({ at: performance.now(), text: m.toString() }));
        await new Promise<void>((r) => sock.bind(0, r));
        const timer = setInterval(() => sock.send('q', 53, ip), 100);
        try {
          await eventually(() => replies.some((r) => r.text === 'old:q'), 20_000, 100);
          await env.apply(slice(b));
          const t0 = performance.now();
          // The old backend is gone, as a replaced pod is: only a new DNAT can answer now.
          oldServer.kill('SIGKILL');
          await eventually(() => replies.some((r) => r.at > t0 && r.text === 'new:q'), 10_000, 100);
          const ms = (replies.find((r) => r.at > t0 && r.text === 'new:q')?.at ?? 0) - t0;
          t.diagnostic(`the flow reached the new backend ${Math.round(ms)} ms after the EndpointSlice update`);
          assert.ok(ms < 3000, `the flow reached the new backend after ${Math.round(ms)} ms`);
        } finally {
          clearInterval(timer);
          sock.close();
        }
      });

      it('serves kube-proxy\'s metrics on its port and on the agent\'s /metrics', async () => {
        const agent = await env.k('get', '--raw', `/api/v1/nodes/${env.nodeName}/proxy/metrics`);
        assert.match(agent, /^kubeproxy_sync_proxy_rules_duration_seconds_count [1-9]\d*$/m);
        assert.match(agent, /^kubelet_runtime_operations_total\{/m, 'beside the kubelet\'s own');
        const text = await fetch(`http://${env.proxyMetrics}/metrics`).then((r) => r.text());
        const count = Number(/^kubeproxy_sync_proxy_rules_duration_seconds_count (\d+)$/m.exec(text)?.[1]);
        assert.ok(count > 0, text);
        const last = Number(/^kubeproxy_sync_proxy_rules_last_timestamp_seconds (\S+)$/m.exec(text)?.[1]);
        assert.ok(Math.abs(last - Date.now() / 1000) < 120, `last sync ${last}`);
        assert.match(text, /^k8ts_proxy_stale_udp_conntrack_entries_deleted_total [1-9]/m);
      });
    });
  }
});
