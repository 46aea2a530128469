// The scheduler end to end: a server, two simulated nodes, real kubectl. Pods get scheduled and
// run; unschedulable pods say why in kube-scheduler's words and are retried when the cluster
// changes; taints, priorities and preemption behave as on a real cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../lib/cluster.js';
import { useCluster, withManifest } from '../lib/fixture.js';

const run1s = ['--pod-run-duration', '1s'];
const { cluster: c } = useCluster({ nodes: [{ name: 'node-a', args: run1s }, { name: 'node-b', args: run1s }] });
const apply = (yaml: string): Promise<string> => withManifest(c, 'apply', yaml);

const podYaml = (name: string, extra = '', requests = '{cpu: 100m, memory: 64Mi}') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers:
  - name: app
    image: nginx
    resources: {requests: ${requests}}
${extra}`;

async function phaseOf(name: string): Promise<string> {
  return c.k('get', 'pod', name, '-o', 'jsonpath={.status.phase}');
}

test('a pod is scheduled onto a node and runs with an IP from that node', async () => {
  await apply(podYaml('web'));
  await eventually(async () => (await phaseOf('web')) === 'Running');
  const pod = JSON.parse(await c.k('get', 'pod', 'web', '-o', 'json'));
  const node = JSON.parse(await c.k('get', 'node', pod.spec.nodeName, '-o', 'json'));
  const prefix = node.spec.podCIDR.replace(/\.0\/24$/, '.');
  assert.ok(pod.status.podIP.startsWith(prefix), `${pod.status.podIP} in ${node.spec.podCIDR}`);
  assert.equal(pod.status.hostIP, node.status.addresses[0].address);
  assert.match(await c.k('get', 'pod', 'web'), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb\s+1\/1\s+Running\s+0\s+\d+s\n$/);
  const describe = await eventually(async () => {
    const out = await c.k('describe', 'pod', 'web');
    return out.includes('Successfully assigned') && out;
  });
  assert.match(describe, new RegExp(`Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/web to ${pod.spec.nodeName}`));
  assert.equal((await c.k('delete', 'pod', 'web')).trim(), 'pod "web" deleted');
});

test('a pod that fits nowhere is Pending with kube-scheduler\'s message and a FailedScheduling event', async () => {
  await apply(podYaml('huge', '', '{cpu: "100"}'));
  const message = '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod..';
  await eventually(async () => (await c.k('get', 'pod', 'huge', '-o', 'jsonpath={.status.conditions[0].message}')) === message);
  const cond = JSON.parse(await c.k('get', 'pod', 'huge', '-o', 'jsonpath={.status.conditions[0]}'));
  assert.deepEqual([cond.type, cond.status, cond.reason], ['PodScheduled', 'False', 'Unschedulable']);
  assert.match(await c.k('get', 'pod', 'huge'), /huge\s+0\/1\s+Pending\s+0/);
  const describe = await eventually(async () => {
    const out = await c.k('describe', 'pod', 'huge');
    return out.includes('FailedScheduling') && out;
  });
  assert.ok(describe.includes(`Warning  FailedScheduling  `), describe);
  assert.ok(describe.includes(`default-scheduler  ${message}`), describe);
  await c.k('delete', 'pod', 'huge');
});

test('an unschedulable pod is scheduled once a node changes to fit it', async () => {
  await apply(podYaml('picky', '  nodeSelector: {disk: ssd}'));
  await eventually(async () => (await c.k('get', 'pod', 'picky', '-o', 'jsonpath={.status.conditions[0].reason}')) === 'Unschedulable');
  assert.match(await c.k('get', 'pod', 'picky', '-o', 'jsonpath={.status.conditions[0].message}'),
    /^0\/2 nodes are available: 2 node\(s\) didn't match Pod's node affinity\/selector\. preemption: 0\/2 nodes are available: 2 Preemption is not helpful for scheduling\.\.$/);
  await c.k('label', 'node', 'node-b', 'disk=ssd');
  await eventually(async () => (await c.k('get', 'pod', 'picky', '-o', 'jsonpath={.spec.nodeName}')) === 'node-b');
  await eventually(async () => (await phaseOf('picky')) === 'Running');
  await c.k('delete', 'pod', 'picky');
  await c.k('label', 'node', 'node-b', 'disk-');
});

test('taints keep pods away unless tolerated', async () => {
  await c.k('taint', 'nodes', 'node-a', 'dedicated=gpu:NoSchedule');
  try {
    await apply(podYaml('pinned', '  nodeSelector: {kubernetes.io/hostname: node-a}'));
    await eventually(async () => (await c.k('get', 'pod', 'pinned', '-o', 'jsonpath={.status.conditions[0].message}')).length > 0);
    assert.equal(await c.k('get', 'pod', 'pinned', '-o', 'jsonpath={.status.conditions[0].message}'),
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..");
    await apply(podYaml('tolerant', `  nodeSelector: {kubernetes.io/hostname: node-a}
  tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]`));
    await eventually(async () => (await c.k('get', 'pod', 'tolerant', '-o', 'jsonpath={.spec.nodeName}')) === 'node-a');
    await c.k('delete', 'pod', 'pinned', 'tolerant');
  } finally {
    await c.k('taint', 'nodes', 'node-a', 'dedicated-');
  }
});

test('pods of Jobs (restartPolicy Never) complete', async () => {
  await apply(podYaml('once', '  restartPolicy: Never'));
  await eventually(async () => (await phaseOf('once')) === 'Succeeded');
  assert.match(await c.k('get', 'pod', 'once'), /once\s+0\/1\s+Completed\s+0/);
  await c.k('delete', 'pod', 'once');
});

test('priority classes set spec.priority; unknown ones are refused as Kubernetes does', async () => {
  await apply(`
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000000
`);
  await apply(podYaml('important', '  priorityClassName: high'));
  assert.equal(await c.k('get', 'pod', 'important', '-o', 'jsonpath={.spec.priority}'), '1000000');
  const r = await c.kubectl(['create', '-f', '-'], { stdin: podYaml('lost', '  priorityClassName: nope') });
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "lost" is forbidden: no PriorityClass with name nope was found');
  await c.k('delete', 'pod', 'important');
});

test('a high-priority pod preempts a lower-priority one', async () => {
  await apply(`
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: low}
value: 10
`);
  for (const n of ['a', 'b']) {
    await apply(podYaml(`filler-${n}`, `  priorityClassName: low
  nodeSelector: {kubernetes.io/hostname: node-${n}}`, '{cpu: "7"}'));
  }
  await eventually(async () => (await phaseOf('filler-a')) === 'Running' && (await phaseOf('filler-b')) === 'Running');
  await apply(podYaml('vip', '  priorityClassName: high', '{cpu: "4"}'));
  await eventually(async () => (await phaseOf('vip')) === 'Running', 30_000);
  const node = await c.k('get', 'pod', 'vip', '-o', 'jsonpath={.spec.nodeName}');
  const victim = node === 'node-a' ? 'filler-a' : 'filler-b';
  const missing = await c.kubectl(['get', 'pod', victim]);
  assert.equal(missing.code, 1, 'the victim is gone');
  const events = await c.k('get', 'events', '--field-selector', `involvedObject.name=${victim},reason=Preempted`, '-o', 'jsonpath={.items[0].message}');
  assert.match(events, new RegExp(`^Preempted by pod [0-9a-f-]+ on node ${node}$`));
  await c.k('delete', 'pod', 'vip', node === 'node-a' ? 'filler-b' : 'filler-a');
});
