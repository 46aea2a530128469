// `k8ts server` as the README's first command runs it: the API server, controllers, scheduler
// and the node agent in one process, on real containerd and CNI. The node registers as a
// control-plane node, a Deployment's pod runs and is reachable, logs and exec go through the API
// server to the agent, a server restart adopts the running pod instead of restarting it, and
// cluster DNS answers on the node's IP as kube-dns's endpoint.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, run } from '../lib/cluster.js';
import { guardOffHost } from './off-host-guard.js';
import { httpdDeployment, missingPrerequisites, setupAgentEnv, waitForPod, type AgentEnv, type PodJson } from './agent-harness.js';

const missing = missingPrerequisites();

describe('k8ts server with its embedded node agent', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, () => {
  let env: AgentEnv;
  let podName = '';

  before(async () => {
    env = await setupAgentEnv({ embedded: true });
  });

  after(async () => {
    if (env) await env.teardown();
  });

  it('registers this host as a Ready control-plane node', async () => {
    const nodes = await env.k('get', 'nodes');
    assert.match(nodes, new RegExp(`^${env.nodeName}\\s+Ready\\s+control-plane,master\\s+`, 'm'));
  });

  it('answers cluster DNS on the node\'s IP, port 53, and is kube-dns\'s endpoint there', async () => {
    const addresses = JSON.parse(await env.k('get', 'node', env.nodeName, '-o', 'jsonpath={.status.addresses}')) as Array<{ type: string; address: string }>;
    const nodeIP = addresses.find((a) => a.type === 'InternalIP')!.address;
    const dig = await eventually(async () => {
      const r = await run('dig', [`@${nodeIP}`, '+short', '+time=2', '+tries=1', 'kubernetes.default.svc.cluster.local']);
      return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
    }, 20_000, 250);
    assert.equal(dig, '10.43.0.1');
    const slice = await eventually(async () => (await env.k('-n', 'kube-system', 'get', 'endpointslice', 'kube-dns', '-o', 'jsonpath={.endpoints[*].addresses[0]}')).trim() || undefined);
    assert.equal(slice, nodeIP);
    assert.equal((await env.k('-n', 'kube-system', 'get', 'service', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}')).trim(), '10.43.0.10');
  });

  it('runs a Deployment whose pod answers on its IP, with logs and exec through the API server', async () => {
    await env.apply(httpdDeployment(env.image, 1, `[sh, -c, 'echo serving; exec httpd -f -p 8080 -h /var/www']`));
    await eventually(async () => (await env.k('get', 'deploy', 'web', '-o', 'jsonpath={.status.readyReplicas}')) === '1', 90_000, 250);
    const pods = JSON.parse(await env.k('get', 'pods', '-l', 'app=web', '-o', 'json')) as { items: PodJson[] };
    const pod = pods.items[0];
    assert.ok(pod);
    podName = pod.metadata.name;
    const body = await eventually(() => fetch(`http://${pod.status.podIP}:8080/index.html`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text()), 10_000);
    assert.equal(body, 'hello from k8ts busybox\n');
    assert.equal(await env.k('logs', podName), 'serving\n');
    const exec = await env.c.kubectl(['exec', podName, '--', 'sh', '-c', 'hostname; exit 3']);
    assert.equal(exec.stdout, `${podName}\n`);
    assert.equal(exec.code, 3);
  });

  it('a ClusterFirst pod resolves cluster names with busybox nslookup through kube-dns\'s Service IP (proxy, then the node\'s DNS)', async () => {
    // 10.43.0.10 routes only through the proxy's rules: should they be missing, nothing leaves the host.
    const unguard = await guardOffHost(['10.43.0.0/16', '10.42.0.0/16', '198.18.0.0/15']);
    try {
      await resolveInPod();
    } finally {
      await unguard();
    }
  });

  async function resolveInPod(): Promise<void> {
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: dnsclient}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: ${env.image}
    command: [sh, -c, 'cat /etc/resolv.conf; echo ---; nslookup kubernetes.default.svc.cluster.local; echo ---; nslookup kubernetes; echo ---; nslookup nope.default.svc.cluster.local; true']
`);
    await waitForPod(env, 'dnsclient', (p) => p.status.phase === 'Succeeded', 60_000);
    const [resolv, full, short, missing] = (await env.k('logs', 'dnsclient')).split('---\n');
    assert.match(resolv ?? '', /^nameserver 10\.43\.0\.10$/m);
    assert.match(full ?? '', /^Server:\s+10\.43\.0\.10$/m);
    assert.match(full, /Name:\s+kubernetes\.default\.svc\.cluster\.local\nAddress:\s+10\.43\.0\.1\n/);
    // busybox 1.35 applies the search path to a dotless name: kubernetes -> kubernetes.default.svc.cluster.local.
    assert.match(short, /Address:\s+10\.43\.0\.1\n/);
    assert.match(missing, /NXDOMAIN/);
    await env.k('delete', 'pod', 'dnsclient', '--wait=false');
  }

  it('keeps the pod running across a server restart (same container, no restart)', async () => {
    const before = await env.pod(podName);
    const id = before.status.containerStatuses?.[0]?.containerID;
    assert.ok(id);
    await env.stopAgent();
    await env.startAgent();
    const after = await waitForPod(env, podName, (p) => p.status.containerStatuses?.[0]?.ready === true, 60_000);
    assert.equal(after.status.containerStatuses?.[0]?.containerID, id);
    assert.equal(after.status.containerStatuses?.[0]?.restartCount, 0);
  });

  it('leaves nothing behind after the server stops and killall runs', async () => {
    const problems = await env.teardown();
    assert.deepEqual(problems, []);
    assert.deepEqual(await env.leftovers(), []);
  });
});
