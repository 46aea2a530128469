// Endpoints, EndpointSlices, quotas, limit ranges and disruption budgets end to end with real
// kubectl: endpoints follow pods' readiness and resolve named ports per pod; quota and
// LimitRange refusals carry Kubernetes' messages; LimitRange defaults appear on pods; evictions
// respect PodDisruptionBudgets (`kubectl drain` waits, the API answers 429).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../lib/cluster.js';
import { useCluster, withManifest } from '../lib/fixture.js';

const { cluster: c } = useCluster({ nodes: [{ name: 'node-a' }, { name: 'node-b' }] });
const apply = (yaml: string, ns = 'default'): Promise<string> => withManifest(c, 'apply', yaml, '-n', ns);

type Subset = { addresses?: Array<{ ip: string; targetRef: { name: string } }>; notReadyAddresses?: Array<{ ip: string; targetRef: { name: string } }>; ports?: Array<{ name: string; port: number }> };

async function subsets(name: string): Promise<Subset[]> {
  return (JSON.parse(await c.k('get', 'endpoints', name, '-o', 'json')) as { subsets?: Subset[] }).subsets ?? [];
}

const named = (s: Subset[], field: 'addresses' | 'notReadyAddresses') => s.flatMap((x) => (x[field] ?? []).map((a) => a.targetRef.name)).sort();

test('Endpoints and EndpointSlices follow the selected pods and their readiness; named ports per pod', async () => {
  await apply(`
apiVersion: v1
kind: Service
metadata: {name: ep, labels: {team: web}}
spec: {selector: {app: ep}, ports: [{name: http, port: 80, targetPort: http}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ep}
spec:
  replicas: 2
  selector: {matchLabels: {app: ep}}
  template:
    metadata: {labels: {app: ep}}
    spec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
`);
  await eventually(async () => named(await subsets('ep'), 'addresses').length === 2);
  const s = await subsets('ep');
  assert.deepEqual(s.map((x) => x.ports), [[{ name: 'http', port: 8080, protocol: 'TCP' }]]);
  assert.match(await c.k('get', 'endpoints', 'ep', '--no-headers'), /^ep\s+10\.42\.\d+\.\d+:8080,10\.42\.\d+\.\d+:8080\s/);
  const labels = JSON.parse(await c.k('get', 'endpoints', 'ep', '-o', 'jsonpath={.metadata.labels}'));
  assert.deepEqual(labels, { team: 'web' });

  // A pod on a node no agent runs: its status is what we say it is.
  await apply('{"apiVersion":"v1","kind":"Node","metadata":{"name":"manual"}}');
  await apply(`
apiVersion: v1
kind: Pod
metadata: {name: ep-manual, labels: {app: ep}}
spec: {nodeName: manual, containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 9090}]}]}
`);
  const setStatus = (ready: boolean) => c.k('patch', 'pod', 'ep-manual', '--subresource=status', '--type=merge', '-p', JSON.stringify({
    status: { phase: 'Running', podIP: '10.99.0.5', podIPs: [{ ip: '10.99.0.5' }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  }));
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(!named(await subsets('ep'), 'addresses').includes('ep-manual'), 'no IP yet: not an endpoint');
  await setStatus(true);
  await eventually(async () => named(await subsets('ep'), 'addresses').includes('ep-manual'));
  const ports = (await subsets('ep')).find((x) => x.addresses?.some((a) => a.targetRef.name === 'ep-manual'))?.ports;
  assert.deepEqual(ports, [{ name: 'http', port: 9090, protocol: 'TCP' }], 'the named port resolved for this pod');
  await setStatus(false);
  await eventually(async () => named(await subsets('ep'), 'notReadyAddresses').includes('ep-manual'));
  const slices = JSON.parse(await c.k('get', 'endpointslices', '-l', 'kubernetes.io/service-name=ep', '-o', 'json')).items as Array<{
    metadata: { labels: Record<string, string>; ownerReferences: Array<{ kind: string; name: string }> }; addressType: string;
    endpoints: Array<{ targetRef: { name: string }; conditions: Record<string, boolean>; nodeName?: string }>;
  }>;
  const manual = slices.flatMap((x) => x.endpoints).find((e) => e.targetRef.name === 'ep-manual');
  assert.deepEqual(manual?.conditions, { ready: false, serving: false, terminating: false });
  assert.equal(manual?.nodeName, 'manual');
  assert.equal(slices[0].metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.equal(slices[0].metadata.labels.team, 'web');
  assert.deepEqual([slices[0].addressType, slices[0].metadata.ownerReferences[0].kind, slices[0].metadata.ownerReferences[0].name], ['IPv4', 'Service', 'ep']);
  assert.equal(slices.length, 2, 'one slice per distinct port list');

  await c.k('delete', 'deployment', 'ep');
  await eventually(async () => named(await subsets('ep'), 'addresses').length === 0 && named(await subsets('ep'), 'notReadyAddresses').join() === 'ep-manual', 30_000);
  await c.k('delete', 'pod', 'ep-manual', '--grace-period=0', '--force');
  await eventually(async () => (await subsets('ep')).length === 0);
  const placeholder = JSON.parse(await c.k('get', 'endpointslices', '-l', 'kubernetes.io/service-name=ep', '-o', 'json')).items;
  assert.equal(placeholder.length, 1);
  assert.deepEqual(placeholder[0].endpoints ?? [], []);
});

test('a headless Service lists pods with their hostnames and the headless label', async () => {
  await apply(`
apiVersion: v1
kind: Service
metadata: {name: hl}
spec: {clusterIP: None, selector: {app: hl}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Pod
metadata: {name: hl-0, labels: {app: hl}}
spec: {hostname: hl-0, subdomain: hl, containers: [{name: web, image: nginx}]}
`);
  await eventually(async () => (await subsets('hl')).length === 1);
  const ep = JSON.parse(await c.k('get', 'endpoints', 'hl', '-o', 'json'));
  assert.equal(ep.subsets[0].addresses[0].hostname, 'hl-0');
  assert.equal(ep.metadata.labels['service.kubernetes.io/headless'], '');
});

test('ResourceQuota: usage in status, over-quota creates refused with Kubernetes\' message', async () => {
  await c.k('create', 'namespace', 'quota');
  await apply(`
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec: {hard: {pods: "2", configmaps: "10", count/deployments.apps: "1"}}
`, 'quota');
  await eventually(async () => (await c.k('get', 'quota', 'q', '-n', 'quota', '-o', 'jsonpath={.status.used.pods}')) === '0');
  for (const name of ['a', 'b']) await c.k('run', name, '-n', 'quota', '--image=nginx');
  const third = await c.kubectl(['run', 'c', '-n', 'quota', '--image=nginx']);
  assert.equal(third.code, 1);
  assert.equal(third.stderr.trim(), 'Error from server (Forbidden): pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
  const described = await c.k('describe', 'quota', 'q', '-n', 'quota');
  assert.match(described, /pods\s+2\s+2/);
  assert.match(described, /count\/deployments.apps\s+0\s+1/);
  await apply('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d1"},"spec":{"replicas":0,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}', 'quota');
  const second = await c.kubectl(['apply', '-n', 'quota', '-f', '-'], { stdin: '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d2"},"spec":{"replicas":0,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}' });
  assert.match(second.stderr, /deployments.apps "d2" is forbidden: exceeded quota: q, requested: count\/deployments.apps=1, used: count\/deployments.apps=1, limited: count\/deployments.apps=1/);
  // Deleting a pod gives its unit back.
  await c.k('delete', 'pod', 'a', '-n', 'quota', '--wait=true');
  await eventually(async () => (await c.k('get', 'quota', 'q', '-n', 'quota', '-o', 'jsonpath={.status.used.pods}')) === '1', 30_000);
  await c.k('run', 'c', '-n', 'quota', '--image=nginx');
});

test('ResourceQuota counts quotas, itself included', async () => {
  await c.k('create', 'namespace', 'quota-count');
  await apply('{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"only"},"spec":{"hard":{"resourcequotas":"1"}}}', 'quota-count');
  await eventually(async () => (await c.k('get', 'quota', 'only', '-n', 'quota-count', '-o', 'jsonpath={.status.used.resourcequotas}')) === '1');
  const second = await c.kubectl(['apply', '-n', 'quota-count', '-f', '-'], { stdin: '{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"second"},"spec":{"hard":{"pods":"1"}}}' });
  assert.equal(second.code, 1);
  assert.match(second.stderr, /resourcequotas "second" is forbidden: exceeded quota: only, requested: resourcequotas=1, used: resourcequotas=1, limited: resourcequotas=1/);
});

test('a compute quota requires every container to state what it limits', async () => {
  await c.k('create', 'namespace', 'compute');
  await apply('{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"cpu"},"spec":{"hard":{"limits.cpu":"2","requests.memory":"1Gi"}}}', 'compute');
  await eventually(async () => (await c.k('get', 'quota', 'cpu', '-n', 'compute', '-o', 'jsonpath={.status.used}')) !== '');
  const r = await c.kubectl(['run', 'x', '-n', 'compute', '--image=nginx']);
  assert.equal(r.stderr.trim(), 'Error from server (Forbidden): pods "x" is forbidden: failed quota: cpu: must specify limits.cpu for: x; must specify requests.memory for: x');
});

test('what admission adds is validated, and its refusals come before validation\'s', async () => {
  await c.k('create', 'namespace', 'admit-order');
  await apply('{"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"small"},"spec":{"limits":[{"type":"Container","default":{"memory":"256Mi"}}]}}', 'admit-order');
  // LimitRanger's default limit is below the container's request: the pod is invalid, as in Kubernetes.
  const pod = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"big"},"spec":{"containers":[{"name":"c","image":"nginx","resources":{"requests":{"memory":"512Mi"}}}]}}';
  const r = await c.kubectl(['create', '-n', 'admit-order', '-f', '-'], { stdin: pod });
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), 'The Pod "big" is invalid: spec.containers[0].resources.requests: Invalid value: "512Mi": must be less than or equal to memory limit of 256Mi');
  // A 403 from admission (no such PriorityClass) comes before a 422 from validation (bad image name).
  const both = await c.kubectl(['create', '-n', 'admit-order', '-f', '-'], { stdin: '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"priorityClassName":"nope","containers":[{"name":"c","image":" bad"}]}}' });
  assert.equal(both.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "p" is forbidden: no PriorityClass with name nope was found');
  // A name is generated after the mutating plugins and before the validating ones, as upstream
  // does: the first refuse with the prefix, the second with the generated name.
  const genPod = (extra: string) => `{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"gen-"},"spec":{${extra}"containers":[{"name":"c","image":"nginx"}]}}`;
  const mutating = await c.kubectl(['create', '-n', 'admit-order', '-f', '-'], { stdin: genPod('"priorityClassName":"nope",') });
  assert.equal(mutating.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "gen-" is forbidden: no PriorityClass with name nope was found');
  await apply('{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"none"},"spec":{"hard":{"pods":"0"}}}', 'admit-order');
  await eventually(async () => (await c.k('get', 'quota', 'none', '-n', 'admit-order', '-o', 'jsonpath={.status.used.pods}')) === '0');
  const validating = await c.kubectl(['create', '-n', 'admit-order', '-f', '-'], { stdin: genPod('') });
  assert.match(validating.stderr.trim(), /^Error from server \(Forbidden\): error when creating "STDIN": pods "gen-[a-z0-9]{5}" is forbidden: exceeded quota: none, requested: pods=1, used: pods=0, limited: pods=0$/);
});

test('kubectl replace of a pod read back without its admission defaults keeps them', async () => {
  await c.k('run', 'replaced', '--image=nginx');
  const pod = JSON.parse(await c.k('get', 'pod', 'replaced', '-o', 'json'));
  assert.equal(pod.spec.tolerations.length, 2);
  delete pod.spec.tolerations;
  delete pod.spec.priority;
  delete pod.spec.preemptionPolicy;
  pod.metadata.labels = { ...pod.metadata.labels, replaced: 'yes' };
  const r = await c.kubectl(['replace', '-f', '-'], { stdin: JSON.stringify(pod) });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.trim(), 'pod/replaced replaced');
  const after = JSON.parse(await c.k('get', 'pod', 'replaced', '-o', 'json'));
  assert.equal(after.spec.tolerations.length, 2);
  assert.equal(after.spec.priority, 0);
  assert.equal(after.spec.preemptionPolicy, 'PreemptLowerPriority');
});

test('LimitRange: defaults filled in and noted on the pod; bounds refused with its message', async () => {
  await c.k('create', 'namespace', 'limits');
  await apply(`
apiVersion: v1
kind: LimitRange
metadata: {name: lr}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 128Mi}
    max: {cpu: "1"}
`, 'limits');
  await c.k('run', 'web', '-n', 'limits', '--image=nginx');
  const pod = JSON.parse(await c.k('get', 'pod', 'web', '-n', 'limits', '-o', 'json'));
  assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
  assert.equal(pod.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web');
  assert.equal(pod.status.qosClass, 'Burstable');
  const big = await c.kubectl(['apply', '-n', 'limits', '-f', '-'], { stdin: '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"big"},"spec":{"containers":[{"name":"c","image":"nginx","resources":{"limits":{"cpu":"2"}}}]}}' });
  assert.equal(big.code, 1);
  assert.match(big.stderr, /pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2/);
});

test('evictions respect a PodDisruptionBudget: 429 from the API, kubectl drain waits', async () => {
  await apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: guarded}
spec:
  replicas: 2
  selector: {matchLabels: {app: guarded}}
  template:
    metadata: {labels: {app: guarded}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: guarded}
spec: {minAvailable: 2, selector: {matchLabels: {app: guarded}}}
`);
  await eventually(async () => (await c.k('get', 'pdb', 'guarded', '-o', 'jsonpath={.status.currentHealthy}')) === '2');
  assert.match(await c.k('get', 'pdb', 'guarded', '--no-headers'), /^guarded\s+2\s+N\/A\s+0\s/);
  const pod = (await c.k('get', 'pods', '-l', 'app=guarded', '-o', 'jsonpath={.items[0].metadata.name}')).trim();
  const body = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod } });
  const refused = await c.http('POST', `/api/v1/namespaces/default/pods/${pod}/eviction`, body);
  assert.equal(refused.status, 429);
  const st = refused.json<{ reason: string; message: string; details: { causes: Array<{ reason: string; message: string }> } }>();
  assert.equal(st.reason, 'TooManyRequests');
  assert.equal(st.message, "Cannot evict pod as it would violate the pod's disruption budget.");
  assert.deepEqual(st.details.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget guarded needs 2 healthy pods and has 2 currently' }]);
  const node = (await c.k('get', 'pod', pod, '-o', 'jsonpath={.spec.nodeName}')).trim();
  const drain = await c.kubectl(['drain', node, '--ignore-daemonsets', '--pod-selector=app=guarded', '--timeout=7s'], { timeoutMs: 30_000 });
  await c.k('uncordon', node);
  assert.notEqual(drain.code, 0);
  assert.match(drain.stderr, new RegExp(`error when evicting pods/"${pod}" -n "default" \\(will retry after 5s\\): Cannot evict pod as it would violate the pod's disruption budget\\.`));
  // With room in the budget the eviction goes through and the pod is replaced.
  await c.k('patch', 'pdb', 'guarded', '--type=merge', '-p', '{"spec":{"minAvailable":1}}');
  await eventually(async () => (await c.k('get', 'pdb', 'guarded', '-o', 'jsonpath={.status.disruptionsAllowed}')) === '1');
  const ok = await c.http('POST', `/api/v1/namespaces/default/pods/${pod}/eviction`, body);
  assert.equal(ok.status, 201, ok.body);
  await eventually(async () => (await c.kubectl(['get', 'pod', pod])).code === 1, 30_000);
});
