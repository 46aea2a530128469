// Cluster DNS end to end, without containers: a real `k8ts server` (controllers, a simulated
// node), the agent's real `dns` component with the real Service/EndpointSlice informers and
// API client, listening on 127.0.0.1 at a free port, and every record kind looked up with `dig`
// from the host. The agent's NodeManager needs containerd, so a named stand-in provides the
// `node` value here (the dns component reads only its host IPs, overridden by dnsAddresses).
// The node's resolv.conf is a file naming only the cluster DNS IP, so forwarding must find no
// upstream (and answers SERVFAIL): no query leaves the host.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startComponents, nothingToStop, type Component, type RunningComponents } from '../../lib/components.js';
import { apiClientComponent } from '../../node-agent/agent-components.js';
import { nodeValue } from '../../node-agent/agent-values.js';
import { defaultAgentConfig } from '../../node-agent/config.js';
import { dnsComponent, dnsValue } from '../../node-agent/dns/dns-component.js';
import type { NodeManager } from '../../node-agent/node/node-manager.js';
import { serviceInformersComponent, serviceWatchComponent } from '../../node-agent/service-informers.js';
import { eventually, run, startCluster, type TestCluster } from '../lib/cluster.js';
import { useCluster, withManifest } from '../lib/fixture.js';

const nodeName = 'dns-node';
const { cluster: c } = useCluster({ nodes: [{ name: nodeName }] });

/** The named stand-in for NodeManager (needs containerd) and for registration (the simulated node did it). */
const standIns: Component[] = [
  { name: 'node', requires: [], async start(ctx) { ctx.provide(nodeValue, { hostIPs: () => ['127.0.0.1'] } as unknown as NodeManager); return nothingToStop; } },
  { name: 'node-registration', requires: [], start: async () => nothingToStop },
];

let agent: RunningComponents | undefined;
let port = 0;
let metricsPort = 0;
let tmp = '';

async function startDns(cluster: TestCluster): Promise<RunningComponents> {
  tmp = mkdtempSync(join(tmpdir(), 'k8ts-dns-e2e-'));
  const resolvConf = join(tmp, 'resolv.conf');
  writeFileSync(resolvConf, 'nameserver 10.43.0.10\nsearch example.invalid\n');
  const cfg = defaultAgentConfig({ nodeName, dataDir: tmp, kubeconfig: cluster.kubeconfig, dnsAddresses: ['127.0.0.1'], dnsPort: 0, dnsMetricsPort: 0, resolvConf });
  return startComponents([apiClientComponent(cfg), ...standIns, serviceInformersComponent(), serviceWatchComponent(), dnsComponent(cfg)]);
}

/** dig at our server: the answer section's records as "name ttl type data" lines, and the status. */
async function dig(...args: string[]): Promise<{ status: string; answers: string[]; authority: string[]; flags: string; raw: string }> {
  const r = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args]);
  assert.equal(r.code, 0, `dig ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  const section = (name: string) => {
    const m = new RegExp(`;; ${name} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(r.stdout);
    return m ? m[1].trim().split('\n').map((l) => l.split(/\s+/).filter((_, i) => i !== 2).join(' ')) : [];
  };
  return {
    status: /status: (\w+)/.exec(r.stdout)?.[1] ?? '',
    flags: /;; flags: ([^;]*);/.exec(r.stdout)?.[1] ?? '',
    answers: section('ANSWER'), authority: section('AUTHORITY'), raw: r.stdout,
  };
}

describe('cluster DNS with dig', () => {
  before(async () => {
    await c.k('create', 'namespace', 'dns-e2e');
    await withManifest(c, 'apply', `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: dns-e2e}
spec: {ports: [{name: http, port: 80, protocol: TCP}, {name: dns, port: 53, protocol: UDP}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: dns-e2e}
spec: {clusterIP: None, ports: [{name: pg, port: 5432}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: db-1, namespace: dns-e2e, labels: {kubernetes.io/service-name: db}}
addressType: IPv4
ports: [{name: pg, port: 5432, protocol: TCP}]
endpoints:
- {addresses: [10.42.7.10], hostname: db-0, conditions: {ready: true}}
- {addresses: [10.42.7.11], hostname: db-1, conditions: {ready: true}}
- {addresses: [10.42.7.12], hostname: db-2, conditions: {ready: false}}
---
apiVersion: v1
kind: Service
metadata: {name: alias, namespace: dns-e2e}
spec: {type: ExternalName, externalName: web.dns-e2e.svc.cluster.local}
---
apiVersion: v1
kind: Service
metadata: {name: many, namespace: dns-e2e}
spec: {clusterIP: None}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: many-1, namespace: dns-e2e, labels: {kubernetes.io/service-name: many}}
addressType: IPv4
endpoints:
${Array.from({ length: 40 }, (_, i) => `- {addresses: [10.42.8.${i + 1}]}`).join('\n')}
`);
    agent = await startDns(c);
    const dns = agent.get(dnsValue);
    port = dns.addresses[0].port;
    metricsPort = dns.metricsPorts[0];
  });
  after(async () => {
    await agent?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('kube-dns is a Service of the usual shape at 10.43.0.10, and lists the node once its DNS serves', async () => {
    const svc = JSON.parse(await c.k('-n', 'kube-system', 'get', 'service', 'kube-dns', '-o', 'json')) as { metadata: { labels: Record<string, string> }; spec: { clusterIP: string; selector?: unknown; ports: Array<{ name: string; port: number; protocol: string }> } };
    assert.equal(svc.spec.clusterIP, '10.43.0.10');
    assert.equal(svc.metadata.labels['k8s-app'], 'kube-dns');
    assert.equal(svc.spec.selector, undefined);
    assert.deepEqual(svc.spec.ports.map((p) => `${p.name} ${p.port}/${p.protocol}`), ['dns 53/UDP', 'dns-tcp 53/TCP', 'metrics 9153/TCP']);
    assert.match(await c.k('get', 'node', nodeName, '-L', 'k8ts.io/dns'), /\btrue\s*$/m);
    const ip = JSON.parse(await c.k('get', 'node', nodeName, '-o', 'jsonpath={.status.addresses}')) as Array<{ type: string; address: string }>;
    const nodeIP = ip.find((a) => a.type === 'InternalIP')!.address;
    const slice = await eventually(async () => {
      const out = await c.kubectl(['-n', 'kube-system', 'get', 'endpointslice', 'kube-dns', '-o', 'json']);
      if (out.code !== 0) return undefined;
      const s = JSON.parse(out.stdout) as { metadata: { labels: Record<string, string> }; endpoints?: Array<{ addresses: string[]; nodeName: string; conditions: { ready: boolean } }>; ports: Array<{ name: string; port: number; protocol: string }> };
      return s.endpoints?.length ? s : undefined;
    });
    assert.deepEqual(slice.endpoints, [{ addresses: [nodeIP], nodeName, conditions: { ready: true, serving: true, terminating: false } }]);
    assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'cluster-dns.k8ts.io');
    assert.deepEqual(slice.ports.map((p) => `${p.name} ${p.port}/${p.protocol}`), ['dns 53/UDP', 'dns-tcp 53/TCP', 'metrics 9153/TCP']);
    // The controller that keeps them holds its own small role, not the server's authority.
    const can = async (...a: string[]) => (await c.kubectl(['auth', 'can-i', '--as', 'system:k8ts:cluster-dns', ...a])).stdout.trim();
    assert.equal(await can('update', 'endpointslices.discovery.k8s.io', '-n', 'kube-system'), 'yes');
    assert.equal(await can('update', 'endpointslices.discovery.k8s.io', '-n', 'default'), 'no');
    assert.equal(await can('list', 'secrets', '-n', 'kube-system'), 'no');
  });

  test('a ClusterIP Service: A with TTL 30 (any case, UDP and TCP), AAAA NODATA with SOA, SRV for the named port, PTR', async () => {
    const clusterIP = (await c.k('-n', 'dns-e2e', 'get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    for (const extra of [[], ['+tcp']]) {
      const a = await eventually(async () => {
        const r = await dig('WEB.Dns-E2E.svc.cluster.local', 'A', ...extra);
        return r.status === 'NOERROR' && r.answers.length ? r : undefined;
      });
      assert.deepEqual(a.answers, [`WEB.Dns-E2E.svc.cluster.local. 30 A ${clusterIP}`]);
      assert.match(a.flags, /\baa\b/);
    }
    const aaaa = await dig('web.dns-e2e.svc.cluster.local', 'AAAA');
    assert.equal(aaaa.status, 'NOERROR');
    assert.deepEqual(aaaa.answers, []);
    assert.match(aaaa.authority[0], /^cluster\.local\. 30 SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 30$/);
    assert.deepEqual((await dig('_http._tcp.web.dns-e2e.svc.cluster.local', 'SRV')).answers, ['_http._tcp.web.dns-e2e.svc.cluster.local. 30 SRV 0 100 80 web.dns-e2e.svc.cluster.local.']);
    assert.deepEqual((await dig('-x', clusterIP)).answers.map((l) => l.split(' ').slice(2).join(' ')), ['PTR web.dns-e2e.svc.cluster.local.']);
  });

  test('a headless Service: one A per ready endpoint, StatefulSet-style hostnames, per-endpoint SRV and PTR', async () => {
    const all = await dig('db.dns-e2e.svc.cluster.local', 'A');
    assert.deepEqual(all.answers.map((l) => l.split(' ').pop()).sort(), ['10.42.7.10', '10.42.7.11']);
    assert.deepEqual((await dig('db-1.db.dns-e2e.svc.cluster.local', 'A')).answers, ['db-1.db.dns-e2e.svc.cluster.local. 30 A 10.42.7.11']);
    assert.equal((await dig('db-2.db.dns-e2e.svc.cluster.local', 'A')).status, 'NXDOMAIN', 'not ready: not published');
    const srv = await dig('_pg._tcp.db.dns-e2e.svc.cluster.local', 'SRV');
    assert.deepEqual(srv.answers.map((l) => l.split(' ').slice(3).join(' ')).sort(), ['0 50 5432 db-0.db.dns-e2e.svc.cluster.local.', '0 50 5432 db-1.db.dns-e2e.svc.cluster.local.']);
    assert.deepEqual((await dig('-x', '10.42.7.10')).answers.map((l) => l.split(' ').pop()), ['db-0.db.dns-e2e.svc.cluster.local.']);
  });

  test('StatefulSet pods get their names through the endpointslice controller: sts-0.<svc>.<ns>.svc', async () => {
    await withManifest(c, 'apply', `
apiVersion: v1
kind: Service
metadata: {name: nginx, namespace: dns-e2e}
spec: {clusterIP: None, selector: {app: sts}, ports: [{name: http, port: 80}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sts, namespace: dns-e2e}
spec:
  serviceName: nginx
  replicas: 2
  selector: {matchLabels: {app: sts}}
  template:
    metadata: {labels: {app: sts}}
    spec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 80}]}]}
`);
    for (const pod of ['sts-0', 'sts-1']) {
      const ip = await eventually(async () => (await c.k('-n', 'dns-e2e', 'get', 'pod', pod, '-o', 'jsonpath={.status.podIP}')).trim() || undefined, 60_000);
      const r = await eventually(async () => {
        const a = await dig(`${pod}.nginx.dns-e2e.svc.cluster.local`, 'A');
        return a.answers.length ? a : undefined;
      }, 30_000);
      assert.deepEqual(r.answers, [`${pod}.nginx.dns-e2e.svc.cluster.local. 30 A ${ip}`]);
      assert.deepEqual((await dig('-x', ip)).answers.map((l) => l.split(' ').pop()), [`${pod}.nginx.dns-e2e.svc.cluster.local.`]);
    }
    assert.equal((await dig('nginx.dns-e2e.svc.cluster.local', 'A')).answers.length, 2);
  });

  test('ExternalName is a CNAME (followed inside the cluster), pods answer their dashed IP, dns-version, NXDOMAIN with SOA', async () => {
    const clusterIP = (await c.k('-n', 'dns-e2e', 'get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    assert.deepEqual((await dig('alias.dns-e2e.svc.cluster.local', 'A')).answers, [
      'alias.dns-e2e.svc.cluster.local. 30 CNAME web.dns-e2e.svc.cluster.local.', `web.dns-e2e.svc.cluster.local. 30 A ${clusterIP}`,
    ]);
    assert.deepEqual((await dig('10-42-0-9.dns-e2e.pod.cluster.local', 'A')).answers, ['10-42-0-9.dns-e2e.pod.cluster.local. 30 A 10.42.0.9']);
    assert.deepEqual((await dig('dns-version.cluster.local', 'TXT')).answers, ['dns-version.cluster.local. 28800 TXT "1.1.0"']);
    const nx = await dig('nope.dns-e2e.svc.cluster.local', 'A');
    assert.equal(nx.status, 'NXDOMAIN');
    assert.match(nx.authority[0], /^cluster\.local\. 30 SOA /);
  });

  test('a UDP answer too big for 512 bytes is truncated (tc) and dig gets it whole over TCP', async () => {
    const udp = await dig('many.dns-e2e.svc.cluster.local', 'A', '+noedns', '+ignore');
    assert.match(udp.flags, /\btc\b/);
    assert.deepEqual(udp.answers, []);
    const retried = await dig('many.dns-e2e.svc.cluster.local', 'A', '+noedns');
    assert.match(retried.raw, /Truncated, retrying in TCP mode/);
    assert.equal(retried.answers.length, 40);
  });

  test('changes show at once: a deleted Service is NXDOMAIN', async () => {
    await withManifest(c, 'apply', 'apiVersion: v1\nkind: Service\nmetadata: {name: brief, namespace: dns-e2e}\nspec: {ports: [{port: 80}]}\n');
    await eventually(async () => (await dig('brief.dns-e2e.svc.cluster.local', 'A')).answers.length === 1, 5_000);
    await c.k('-n', 'dns-e2e', 'delete', 'service', 'brief');
    await eventually(async () => (await dig('brief.dns-e2e.svc.cluster.local', 'A')).status === 'NXDOMAIN', 5_000);
  });

  test('forwarding never loops back: resolv.conf names only the cluster DNS, so outside names get SERVFAIL', async () => {
    const r = await dig('www.example.invalid', 'A');
    assert.equal(r.status, 'SERVFAIL');
  });

  test('CoreDNS metrics on the metrics port', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(text, /^coredns_dns_requests_total\{family="1",proto="udp",server="[^"]+",type="A",view="",zone="\."\} [1-9]\d*$/m);
    assert.match(text, /^coredns_dns_requests_total\{family="1",proto="tcp",[^}]*\} [1-9]\d*$/m);
    assert.match(text, /^coredns_dns_responses_total\{plugin="kubernetes",rcode="NXDOMAIN",[^}]*\} [1-9]\d*$/m);
    assert.match(text, /^coredns_dns_responses_total\{plugin="",rcode="SERVFAIL",[^}]*\} [1-9]\d*$/m);
  });

  test('stopping the DNS takes the node off kube-dns', async () => {
    await agent!.stop();
    agent = undefined;
    assert.doesNotMatch(await c.k('get', 'node', nodeName, '-L', 'k8ts.io/dns'), /\btrue\s*$/m);
    await eventually(async () => {
      const s = JSON.parse(await c.k('-n', 'kube-system', 'get', 'endpointslice', 'kube-dns', '-o', 'json')) as { endpoints?: unknown[] };
      return (s.endpoints ?? []).length === 0;
    });
  });
});

describe('--disable dns', () => {
  let dir = '';
  let off: TestCluster | undefined;
  const apiOnly = ['--controllers=serviceaccount-controller,endpointslice-controller', '--disable-scheduler'];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-dns-off-'));
    // First with built-in DNS (kube-dns and our endpoints made), then switched off on the same data.
    const on = await startCluster({ dataDir: dir, args: apiOnly });
    await eventually(async () => (await on.kubectl(['-n', 'kube-system', 'get', 'endpointslice', 'kube-dns'])).code === 0);
    await on.stop();
    off = await startCluster({ dataDir: dir, args: ['--disable', 'dns', ...apiOnly] });
  });
  after(async () => {
    await off?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('our kube-dns endpoints go, and CoreDNS\'s own kube-dns Service applies over ours and stays as written', async () => {
    const gone = await off!.kubectl(['-n', 'kube-system', 'get', 'endpointslice', 'kube-dns']);
    assert.equal(gone.code, 1, 'the built-in endpoints are removed');
    // The Service of CoreDNS's deployment manifest (coredns/deployment kubernetes/coredns.yaml.sed).
    await withManifest(off!, 'apply', `
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  annotations: {prometheus.io/port: "9153", prometheus.io/scrape: "true"}
  labels: {k8s-app: kube-dns, kubernetes.io/cluster-service: "true", kubernetes.io/name: CoreDNS}
spec:
  selector: {k8s-app: kube-dns}
  clusterIP: 10.43.0.10
  ports:
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
  - {name: metrics, port: 9153, protocol: TCP}
`);
    // Nothing patches it back (the built-in controller would drop the selector within a sync).
    await new Promise((r) => setTimeout(r, 1500));
    const svc = JSON.parse(await off!.k('-n', 'kube-system', 'get', 'service', 'kube-dns', '-o', 'json')) as { spec: { selector?: Record<string, string> } };
    assert.deepEqual(svc.spec.selector, { 'k8s-app': 'kube-dns' });
    // Its endpoints are the endpointslice controller's (from CoreDNS's pods), none of ours.
    const slices = await eventually(async () => {
      const l = JSON.parse(await off!.k('-n', 'kube-system', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=kube-dns', '-o', 'json')) as { items: Array<{ metadata: { labels: Record<string, string> } }> };
      return l.items.length ? l.items : undefined;
    });
    assert.ok(slices.every((s) => s.metadata.labels['endpointslice.kubernetes.io/managed-by'] === 'endpointslice-controller.k8s.io'));
  });
});
