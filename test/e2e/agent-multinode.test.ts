// A real multi-node cluster on one machine (test/lib/multinode.ts): a server on the host and two
// agents, each in its own network namespace with its own containerd, joined with the node-token.
// A DaemonSet runs a pod on every node, a Deployment's pods spread over both, a Service whose
// backends span the nodes answers from a pod on each node (across nodes over VXLAN, through the
// service proxy), cluster DNS answers on a joined node, and a deleted Node's overlay entries
// (route, neighbour, FDB) leave the other node.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { guardOffHost } from './off-host-guard.js';
import { missingPrerequisites } from './agent-harness.js';
import { cliPath, eventually, run } from '../lib/cluster.js';
import { setupMultinode, type Multinode, type MultinodeNode } from '../lib/multinode.js';

const missing = missingPrerequisites();

interface PodItem { metadata: { name: string }; spec: { nodeName?: string }; status: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] } }

const ready = (p: PodItem) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('a multi-node cluster on one machine', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, () => {
  let mn: Multinode;
  let unguard: (() => Promise<void>) | undefined;
  const pods = async (selector: string): Promise<PodItem[]> =>
    (JSON.parse(await mn.k('get', 'pods', '-l', selector, '-o', 'json')) as { items: PodItem[] }).items;
  const readyPods = (selector: string, count: number) => eventually(async () => {
    const items = await pods(selector);
    return items.length === count && items.every(ready) ? items : undefined;
  }, 180_000, 500);
  /** wget from inside a pod; resolves with the body ('' when it fails). */
  const fetchFrom = async (pod: string, url: string): Promise<string> => {
    const r = await mn.c.kubectl(['exec', pod, '--', 'timeout', '5', 'wget', '-qO-', url], { timeoutMs: 30_000 });
    return r.code === 0 ? r.stdout.trim() : '';
  };
  const onNode = (items: PodItem[], n: MultinodeNode) => items.find((p) => p.spec.nodeName === n.name);

  before(async () => {
    mn = await setupMultinode({ nodes: 2 });
    // Pod and Service traffic stays inside the namespaces by construction; the guard makes sure.
    unguard = await guardOffHost(['10.42.0.0/16', '10.43.0.0/16']);
  });

  after(async () => {
    await unguard?.();
    if (mn) assert.deepEqual(await mn.teardown(), []);
  });

  it('both agents joined on their own certificates and are Ready', async () => {
    for (const n of mn.nodes) {
      await eventually(async () => (await mn.k('get', 'node', n.name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')) === 'True', 60_000, 500);
      const addr = await mn.k('get', 'node', n.name, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
      assert.equal(addr, n.host.ip);
    }
    const requestors = await mn.k('get', 'csr', '-o', 'jsonpath={range .items[*]}{.spec.username}{"\\n"}{end}');
    for (const n of mn.nodes) assert.match(requestors, new RegExp(`system:node:${n.name}`));
  });

  it('a DaemonSet puts a pod on every node, and every pod reaches every other by pod IP across nodes', async () => {
    await mn.apply(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: everywhere}
spec:
  selector: {matchLabels: {app: everywhere}}
  template:
    metadata: {labels: {app: everywhere}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: ${mn.image}
        imagePullPolicy: IfNotPresent
        command: [sh, -c, 'mkdir -p /tmp/www && hostname > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www']
        readinessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1}
`);
    const items = await readyPods('app=everywhere', mn.nodes.length);
    assert.deepEqual(items.map((p) => p.spec.nodeName).sort(), mn.nodes.map((n) => n.name).sort());
    for (const from of items) {
      for (const to of items) {
        if (from === to) continue;
        assert.equal(await fetchFrom(from.metadata.name, `http://${to.status.podIP}:8080/index.html`), to.metadata.name, `${from.spec.nodeName} -> ${to.spec.nodeName}`);
      }
    }
  });

  it("a Deployment's pods spread over both nodes, and its Service answers from a pod on each node with backends on both", async () => {
    await mn.apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: ${mn.image}
        imagePullPolicy: IfNotPresent
        command: [sh, -c, 'mkdir -p /tmp/www && hostname > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www']
        readinessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`);
    const backends = await readyPods('app=web', 4);
    for (const n of mn.nodes) assert.ok(onNode(backends, n), `no web pod on ${n.name}: ${backends.map((p) => p.spec.nodeName).join(', ')}`);
    const clusterIP = await mn.k('get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}');
    const clients = await pods('app=everywhere');
    for (const n of mn.nodes) {
      const client = onNode(clients, n)!;
      const remote = new Set(backends.filter((b) => b.spec.nodeName !== n.name).map((b) => b.metadata.name));
      const seen = new Set<string>();
      // Random backend choice: ask until a backend on the other node answered (or give up).
      await eventually(async () => {
        const who = await fetchFrom(client.metadata.name, `http://${clusterIP}/index.html`);
        if (who) seen.add(who);
        return [...seen].some((s) => remote.has(s));
      }, 60_000, 0).catch(() => assert.fail(`from ${n.name} the Service reached only ${[...seen].join(', ') || 'nothing'}`));
    }
  });

  it('cluster DNS resolves a Service name from a pod on a joined node', async () => {
    const clusterIP = await mn.k('get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}');
    const clients = await pods('app=everywhere');
    for (const n of mn.nodes) {
      const client = onNode(clients, n)!;
      const out = await eventually(async () => {
        const r = await mn.c.kubectl(['exec', client.metadata.name, '--', 'nslookup', 'web.default.svc.cluster.local'], { timeoutMs: 30_000 });
        return r.code === 0 && r.stdout.includes(clusterIP) ? r.stdout : undefined;
      }, 30_000, 500);
      assert.match(out, new RegExp(`Address:?\\s+${clusterIP.replace(/\./g, '\\.')}`));
      // And by the short name through the pod's search path, to a backend.
      assert.ok(await fetchFrom(client.metadata.name, 'http://web/index.html'));
    }
  });

  it('k8ts check network reports all green, and names UDP 8472 when it is dropped between two nodes', async () => {
    const check = () => run(process.execPath, [cliPath, 'check', 'network', '--kubeconfig', mn.c.kubeconfig, '--timeout', '90s'], undefined, 180_000);
    const green = await check();
    assert.equal(green.code, 0, green.stdout + green.stderr);
    const [h1, h2] = mn.nodes as [MultinodeNode, MultinodeNode];
    assert.match(green.stdout, new RegExp(`^${h1.name}\\s+ok\\s+ok\\s+ok\\s+ok$`, 'm'));
    assert.match(green.stdout, /All checks passed\./);
    // VXLAN into h2 dropped, as a firewall would.
    const rule = ['INPUT', '-p', 'udp', '--dport', '8472', '-j', 'DROP'];
    assert.equal((await h2.exec('iptables', ['-w', '5', '-I', ...rule])).code, 0);
    try {
      const red = await check();
      assert.equal(red.code, 1, red.stdout + red.stderr);
      assert.match(red.stdout, new RegExp(`^${h1.name}\\s+ok\\s+FAIL\\s`, 'm'));
      assert.match(red.stdout, /UDP 8472 blocked: VXLAN packets from \S+ \(192\.168\.77\.1\d\) do not reach/);
    } finally {
      await h2.exec('iptables', ['-w', '5', '-D', ...rule]);
    }
  });

  it("a deleted Node's route, neighbour and FDB entries leave the other node", async () => {
    const [keep, gone] = [mn.nodes[0]!, mn.nodes[1]!];
    const podCIDR = await mn.k('get', 'node', gone.name, '-o', 'jsonpath={.spec.podCIDR}');
    const vtep = (JSON.parse(await mn.k('get', 'node', gone.name, '-o', 'jsonpath={.metadata.annotations.flannel\\.alpha\\.coreos\\.com/backend-data}')) as { VtepMAC: string }).VtepMAC;
    const entries = async () => {
      const route = (await keep.exec('ip', ['route', 'show', podCIDR])).stdout.trim();
      const fdb = (await keep.exec('bridge', ['fdb', 'show', 'dev', 'flannel.1'])).stdout;
      const neigh = (await keep.exec('ip', ['neigh', 'show', 'dev', 'flannel.1'])).stdout;
      return { route: route !== '', fdb: fdb.includes(vtep), neigh: neigh.includes(vtep) };
    };
    assert.deepEqual(await entries(), { route: true, fdb: true, neigh: true });
    await gone.stop();
    await mn.k('delete', 'node', gone.name);
    await eventually(async () => JSON.stringify(await entries()) === JSON.stringify({ route: false, fdb: false, neigh: false }), 30_000, 250)
      .catch(async () => assert.fail(`still there on ${keep.name}: ${JSON.stringify(await entries())}`));
  });
});
