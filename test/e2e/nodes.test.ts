// Simulated nodes and the node lifecycle end to end: registration, leases, pod ranges; a node
// whose agent dies turns NotReady with Kubernetes' conditions, taints and events, its pods are
// evicted after their toleration; it recovers when the agent comes back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startCluster, type TestCluster } from '../lib/cluster.js';
import { startSimulatedNodes, type SimulatedNodes } from '../lib/agent.js';

let c: TestCluster;
let nodeA: SimulatedNodes;
let nodeB: SimulatedNodes;
/** Leases renewed every second, so a 5 s grace period only catches a dead agent. */
const nodeAFlags = ['--cpu', '4', '--memory', '16Gi', '--pods', '50', '--node-lease-duration-seconds', '4'];

before(async () => {
  // Short grace periods so the test sees in seconds what takes minutes by default.
  c = await startCluster({ args: [
    '--node-monitor-grace-period', '5s', '--node-monitor-period', '1s',
    '--default-not-ready-toleration-seconds', '3', '--default-unreachable-toleration-seconds', '3',
  ] });
  nodeA = await startSimulatedNodes(c, 'node-a', nodeAFlags);
  nodeB = await startSimulatedNodes(c, 'node-b', ['--node-lease-duration-seconds', '4']);
  await eventually(async () => (await c.k('get', 'nodes')).match(/ Ready /g)?.length === 2);
});

after(async () => {
  await nodeA.kill();
  await nodeB.kill();
  await c.destroy();
});

test('simulated nodes register with capacity, a pod range, a lease and the registered event', async () => {
  const out = await c.k('get', 'nodes', '-o', 'wide');
  assert.match(out, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME\n/);
  assert.match(out, /node-a\s+Ready\s+<none>\s+\d+s\s+v1\.32\.\d+-k8ts\s+10\.\d+\.\d+\.\d+\s+<none>\s+k8ts simulated node/);
  const a = JSON.parse(await c.k('get', 'node', 'node-a', '-o', 'json'));
  assert.deepEqual(a.status.capacity, { cpu: '4', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16Gi', pods: '50' });
  const cidrs = await eventually(async () => {
    const v = await c.k('get', 'nodes', '-o', 'jsonpath={.items[*].spec.podCIDR}');
    return v.split(' ').length === 2 && v;
  });
  assert.match(cidrs, /^10\.42\.\d+\.0\/24 10\.42\.\d+\.0\/24$/);
  assert.notEqual(cidrs.split(' ')[0], cidrs.split(' ')[1]);
  assert.match(await c.k('get', 'lease', '-n', 'kube-node-lease'), /node-a\s+node-a\s+\d+s\nnode-b\s+node-b\s+\d+s\n$/);
  await eventually(async () => (await c.k('get', 'events', '--field-selector', 'involvedObject.name=node-a,reason=RegisteredNode', '-o', 'jsonpath={.items[0].message}'))
    === 'Node node-a event: Registered Node node-a in Controller');
});

test('a node whose agent dies turns NotReady, is tainted, and its pods are evicted after their toleration', async () => {
  const pod = (name: string, tolerations = '') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: node-a
  containers: [{name: app, image: nginx}]
${tolerations}`;
  for (const yaml of [pod('doomed'), pod('stays', '  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute}]')]) {
    const r = await c.kubectl(['apply', '-f', '-'], { stdin: yaml });
    assert.equal(r.code, 0, r.stderr);
  }
  await eventually(async () => (await c.k('get', 'pods', '--no-headers')).match(/Running/g)?.length === 2);
  assert.equal(await c.k('get', 'pod', 'doomed', '-o', 'jsonpath={.spec.tolerations[1].tolerationSeconds}'), '3');
  await nodeA.kill();
  await eventually(async () => /node-a\s+NotReady/.test(await c.k('get', 'nodes')), 30_000);
  const describe = await c.k('describe', 'node', 'node-a');
  assert.match(describe, /Ready\s+Unknown\s+.+NodeStatusUnknown\s+Kubelet stopped posting node status\./);
  await eventually(async () => {
    const taints = await c.k('get', 'node', 'node-a', '-o', 'jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}');
    return taints.includes('node.kubernetes.io/unreachable:NoExecute') && taints.includes('node.kubernetes.io/unreachable:NoSchedule');
  }, 20_000);
  // The pod without a toleration of its own is marked for deletion after 3 s; the kubelet is gone,
  // so it stays Terminating, as on a real cluster.
  await eventually(async () => /doomed\s+1\/1\s+Terminating/.test(await c.k('get', 'pods')), 20_000);
  assert.match(await c.k('get', 'pods'), /stays\s+1\/1\s+Running/);
  assert.equal(await c.k('get', 'pod', 'stays', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'), 'False');
  const events = await c.k('get', 'events', '-o', 'jsonpath={range .items[*]}{.reason}/{.involvedObject.name}: {.message}{"\\n"}{end}');
  assert.ok(events.includes('NodeNotReady/node-a: Node node-a status is now: NodeNotReady'), events);
  assert.ok(events.includes('NodeNotReady/stays: Node is not ready'), events);
  assert.ok(events.includes('TaintManagerEviction/doomed: Marking for deletion Pod default/doomed'), events);
  assert.equal(await c.k('get', 'pod', 'doomed', '-o', 'jsonpath={.status.conditions[?(@.type=="DisruptionTarget")].reason}'), 'DeletionByTaintManager');
});

test('the node recovers when its agent comes back: Ready, untainted, and the terminating pod is gone', async () => {
  nodeA = await startSimulatedNodes(c, 'node-a', nodeAFlags);
  await eventually(async () => /node-a\s+Ready/.test(await c.k('get', 'nodes')), 30_000);
  await eventually(async () => (await c.k('get', 'node', 'node-a', '-o', 'jsonpath={.spec.taints}')) === '', 20_000);
  await eventually(async () => (await c.kubectl(['get', 'pod', 'doomed'])).code === 1, 20_000);
  await eventually(async () => (await c.k('get', 'pod', 'stays', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')) === 'True', 20_000);
});

test('a cordoned node gets the unschedulable taint and no new pods', async () => {
  await c.k('cordon', 'node-b');
  await eventually(async () => (await c.k('get', 'node', 'node-b', '-o', 'jsonpath={.spec.taints[*].key}')) === 'node.kubernetes.io/unschedulable');
  assert.match(await c.k('get', 'nodes'), /node-b\s+Ready,SchedulingDisabled/);
  await c.k('uncordon', 'node-b');
  await eventually(async () => (await c.k('get', 'node', 'node-b', '-o', 'jsonpath={.spec.taints}')) === '');
});
