// The built-in kinds beyond workloads through real kubectl: objects created from YAML as
// Kubernetes defaults them, `kubectl get` lines and -o wide, invalid objects and immutable
// updates refused with Kubernetes' messages, service IP and NodePort allocation (also across
// a restart), Events through both APIs, and componentstatuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refusedManifest, useCluster, withManifest } from '../lib/fixture.js';

// API behaviour only: no controller but the service accounts' (pods need one) may change what
// the tests create, and nothing is scheduled.
const { cluster: c } = useCluster({ apiOnly: true });
const create = (yaml: string): Promise<string> => withManifest(c, 'create', yaml, '--validate=false');
const refused = (yaml: string): Promise<string> => refusedManifest(c, yaml);

/** The lines of `kubectl get` with runs of spaces collapsed, so tests read as the table does. */
async function table(...args: string[]): Promise<string[]> {
  return (await c.k('get', ...args)).trim().split('\n').map((l) => l.trim().replace(/\s{2,}/g, ' | '));
}

const json = async <T = Record<string, unknown>>(...args: string[]): Promise<T> => JSON.parse(await c.k('get', ...args, '-o', 'json')) as T;

type SvcSpec = { clusterIP: string; clusterIPs: string[]; ports: Array<{ nodePort?: number; targetPort: number; protocol: string }>; ipFamilies: string[]; ipFamilyPolicy: string; type: string };

test('services are defaulted and listed as kubectl shows them', async () => {
  await create(`
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80}, {name: https, port: 443, targetPort: 8443}]
---
apiVersion: v1
kind: Service
metadata: {name: np}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, nodePort: 30080}]
---
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  ports: [{port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {type: ExternalName, externalName: example.com}
`);
  const web = await json<{ spec: SvcSpec & Record<string, unknown> }>('svc', 'web');
  assert.match(web.spec.clusterIP, /^10\.43\.\d+\.\d+$/);
  assert.deepEqual(web.spec.clusterIPs, [web.spec.clusterIP]);
  assert.equal(web.spec.type, 'ClusterIP');
  assert.equal(web.spec.sessionAffinity, 'None');
  assert.equal(web.spec.internalTrafficPolicy, 'Cluster');
  assert.deepEqual(web.spec.ipFamilies, ['IPv4']);
  assert.equal(web.spec.ipFamilyPolicy, 'SingleStack');
  assert.deepEqual(web.spec.ports.map((p) => [p.protocol, p.targetPort]), [['TCP', 80], ['TCP', 8443]]);
  const lb = await json<{ spec: SvcSpec & { externalTrafficPolicy: string; allocateLoadBalancerNodePorts: boolean } }>('svc', 'lb');
  assert.equal(lb.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
  const lbPort = lb.spec.ports[0].nodePort!;
  // Picked at random above the static band (30000-30085), where the ports set by hand below are.
  assert.ok(lbPort >= 30086 && lbPort <= 32767, String(lbPort));

  const lines = await table('svc', '-o', 'wide');
  assert.equal(lines[0], 'NAME | TYPE | CLUSTER-IP | EXTERNAL-IP | PORT(S) | AGE | SELECTOR');
  const byName = new Map(lines.slice(1).map((l) => [l.split(' | ')[0], l.split(' | ').slice(1)]));
  assert.deepEqual(byName.get('web')!.filter((_, i) => i !== 4), ['ClusterIP', web.spec.clusterIP, '<none>', '80/TCP,443/TCP', 'app=web']);
  assert.deepEqual(byName.get('np')!.filter((_, i) => i !== 1 && i !== 4), ['NodePort', '<none>', '80:30080/TCP', 'app=web']);
  assert.deepEqual(byName.get('lb')!.filter((_, i) => i !== 1 && i !== 4), ['LoadBalancer', '<pending>', `8080:${lbPort}/TCP`, '<none>']);
  assert.deepEqual(byName.get('ext')!.filter((_, i) => i !== 4), ['ExternalName', '<none>', 'example.com', '<none>', '<none>']);
  assert.deepEqual(byName.get('kubernetes')!.filter((_, i) => i !== 4), ['ClusterIP', '10.43.0.1', '<none>', '443/TCP', '<none>']);
});

test('invalid services are refused with the Kubernetes error kubectl prints', async () => {
  assert.equal(await refused('{"apiVersion":"v1","kind":"Service","metadata":{"name":"bad"},"spec":{"ports":[{"port":80},{"port":81}]}}'),
    'The Service "bad" is invalid: \n* spec.ports[0].name: Required value\n* spec.ports[1].name: Required value');
  assert.equal(await refused('{"apiVersion":"v1","kind":"Service","metadata":{"name":"bad"},"spec":{"type":"Foo","ports":[{"port":80}]}}'),
    'The Service "bad" is invalid: spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"');
  assert.equal(await refused('{"apiVersion":"v1","kind":"Service","metadata":{"name":"Bad"},"spec":{"ports":[{"port":80}]}}'),
    `The Service "Bad" is invalid: metadata.name: Invalid value: "Bad": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`);
  assert.equal(await refused('{"apiVersion":"v1","kind":"Service","metadata":{"name":"bad"},"spec":{"ports":[{"port":80,"nodePort":30001}]}}'),
    "The Service \"bad\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
});

test('cluster IPs: requested in range, conflicts and out of range, immutable once set', async () => {
  await create('{"apiVersion":"v1","kind":"Service","metadata":{"name":"fixed"},"spec":{"clusterIP":"10.43.0.99","ports":[{"port":80}]}}');
  assert.equal((await json<{ spec: SvcSpec }>('svc', 'fixed')).spec.clusterIP, '10.43.0.99');
  assert.equal(await refused('{"apiVersion":"v1","kind":"Service","metadata":{"name":"dup"},"spec":{"clusterIP":"10.43.0.99","ports":[{"port":80}]}}'),
    'The Service "dup" is invalid: spec.clusterIPs: Invalid value: []string{"10.43.0.99"}: failed to allocate IP 10.43.0.99: provided IP is already allocated');
  assert.equal(await refused('{"apiVersion":"v1","kind":"Service","metadata":{"name":"far"},"spec":{"clusterIP":"10.99.0.1","ports":[{"port":80}]}}'),
    'The Service "far" is invalid: spec.clusterIPs: Invalid value: []string{"10.99.0.1"}: failed to allocate IP 10.99.0.1: the provided IP (10.99.0.1) is not in the valid range. The range of valid IPs is 10.43.0.0/16');
  const r = await c.kubectl(['patch', 'svc', 'fixed', '--type=merge', '-p', '{"spec":{"clusterIP":"10.43.0.100","clusterIPs":["10.43.0.100"]}}']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), 'The Service "fixed" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.43.0.100"}: may not change once set');
  // Resubmitting the original manifest without the allocated IP keeps it.
  const replaced = await c.kubectl(['replace', '-f', '-', '--validate=false'], { stdin: '{"apiVersion":"v1","kind":"Service","metadata":{"name":"fixed"},"spec":{"ports":[{"port":81}]}}' });
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.equal((await json<{ spec: SvcSpec }>('svc', 'fixed')).spec.clusterIP, '10.43.0.99');
});

test('node ports: conflicts refused, released on delete and reusable, dropped when the type changes', async () => {
  await create('{"apiVersion":"v1","kind":"Service","metadata":{"name":"p1"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30041}]}}');
  assert.equal(await refused('{"apiVersion":"v1","kind":"Service","metadata":{"name":"p2"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30041}]}}'),
    'The Service "p2" is invalid: spec.ports[0].nodePort: Invalid value: 30041: provided port is already allocated');
  assert.equal(await refused('{"apiVersion":"v1","kind":"Service","metadata":{"name":"p3"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":80}]}}'),
    'The Service "p3" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767');
  assert.equal((await c.k('delete', 'svc', 'p1')).trim(), 'service "p1" deleted');
  await create('{"apiVersion":"v1","kind":"Service","metadata":{"name":"p2"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30041}]}}');

  // NodePort -> ClusterIP drops the port (and frees it); ClusterIP -> NodePort allocates one.
  await c.k('patch', 'svc', 'p2', '--type=merge', '-p', '{"spec":{"type":"ClusterIP"}}');
  const asClusterIP = await json<{ spec: SvcSpec & { externalTrafficPolicy?: string } }>('svc', 'p2');
  assert.equal(asClusterIP.spec.ports[0].nodePort, undefined);
  assert.equal(asClusterIP.spec.externalTrafficPolicy, undefined);
  await create('{"apiVersion":"v1","kind":"Service","metadata":{"name":"p4"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30041}]}}');
  await c.k('patch', 'svc', 'p2', '--type=merge', '-p', '{"spec":{"type":"NodePort"}}');
  const asNodePort = await json<{ spec: SvcSpec }>('svc', 'p2');
  assert.ok(asNodePort.spec.ports[0].nodePort! >= 30000 && asNodePort.spec.ports[0].nodePort !== 30041);
  assert.equal(asNodePort.spec.clusterIP, asClusterIP.spec.clusterIP);
});

test('deleted cluster IPs are reusable and allocations survive a restart', async () => {
  await create('{"apiVersion":"v1","kind":"Service","metadata":{"name":"reuse"},"spec":{"clusterIP":"10.43.0.77","ports":[{"port":80}]}}');
  await c.k('delete', 'svc', 'reuse');
  await create('{"apiVersion":"v1","kind":"Service","metadata":{"name":"reuse"},"spec":{"clusterIP":"10.43.0.77","type":"NodePort","ports":[{"port":80,"nodePort":30042}]}}');
  await c.restart();
  assert.equal(await refused('{"apiVersion":"v1","kind":"Service","metadata":{"name":"again"},"spec":{"clusterIP":"10.43.0.77","ports":[{"port":80}]}}'),
    'The Service "again" is invalid: spec.clusterIPs: Invalid value: []string{"10.43.0.77"}: failed to allocate IP 10.43.0.77: provided IP is already allocated');
  assert.equal(await refused('{"apiVersion":"v1","kind":"Service","metadata":{"name":"again"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30042}]}}'),
    'The Service "again" is invalid: spec.ports[0].nodePort: Invalid value: 30042: provided port is already allocated');
});

test('configmaps and secrets: tables, key checks, immutability', async () => {
  await create(`
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: "1", b: "2"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {user: admin, pass: s3cret}
---
apiVersion: v1
kind: Secret
metadata: {name: tls}
type: kubernetes.io/tls
stringData: {tls.crt: c, tls.key: k}
`);
  assert.deepEqual((await table('cm', 'cfg')).map((l) => l.split(' | ').slice(0, 2).join(' | ')), ['NAME | DATA', 'cfg | 2']);
  const secrets = await table('secret', 'creds', 'tls');
  assert.equal(secrets[0], 'NAME | TYPE | DATA | AGE');
  assert.match(secrets[1], /^creds \| Opaque \| 2 \| \d+s$/);
  assert.match(secrets[2], /^tls \| kubernetes\.io\/tls \| 2 \| \d+s$/);
  const creds = await json<{ data: Record<string, string>; stringData?: unknown }>('secret', 'creds');
  assert.equal(Buffer.from(creds.data.pass, 'base64').toString(), 's3cret');
  assert.equal(creds.stringData, undefined);
  assert.equal(await refused('{"apiVersion":"v1","kind":"Secret","metadata":{"name":"t2"},"type":"kubernetes.io/tls","data":{}}'),
    'The Secret "t2" is invalid: \n* data[tls.crt]: Required value\n* data[tls.key]: Required value');
  const typeChange = await c.kubectl(['patch', 'secret', 'creds', '--type=merge', '-p', '{"type":"Other"}']);
  assert.equal(typeChange.stderr.trim(), 'The Secret "creds" is invalid: type: Invalid value: "Other": field is immutable');
  await c.k('patch', 'cm', 'cfg', '--type=merge', '-p', '{"immutable":true}');
  const frozen = await c.kubectl(['patch', 'cm', 'cfg', '--type=merge', '-p', '{"data":{"a":"9"}}']);
  assert.equal(frozen.stderr.trim(), 'The ConfigMap "cfg" is invalid: data: Forbidden: field is immutable when `immutable` is set');
});

test('volumes: PV and PVC defaults and tables, storage classes', async () => {
  await create(`
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  capacity: {storage: 1.5Gi}
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  hostPath: {path: /srv/pv1}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: nfs.csi.k8ts.io
`);
  const pv = await table('pv', '-o', 'wide');
  assert.equal(pv[0], 'NAME | CAPACITY | ACCESS MODES | RECLAIM POLICY | STATUS | CLAIM | STORAGECLASS | VOLUMEATTRIBUTESCLASS | REASON | AGE | VOLUMEMODE');
  assert.match(pv[1], /^pv1 \| 1536Mi \| RWO,ROX \| Retain \| Pending \| <unset> \| \d+s \| Filesystem$/);
  const pvc = await table('pvc');
  assert.equal(pvc[0], 'NAME | STATUS | VOLUME | CAPACITY | ACCESS MODES | STORAGECLASS | VOLUMEATTRIBUTESCLASS | AGE');
  // Created before "standard": the server's default class, local-path, was the only default then.
  assert.match(pvc[1], /^data \| Pending \| local-path \| <unset> \| \d+s$/);
  const sc = await table('sc');
  assert.equal(sc[0], 'NAME | PROVISIONER | RECLAIMPOLICY | VOLUMEBINDINGMODE | ALLOWVOLUMEEXPANSION | AGE');
  assert.match(sc[1], /^local-path \(default\) \| rancher\.io\/local-path \| Delete \| WaitForFirstConsumer \| false \| \d+s$/);
  assert.match(sc[2], /^standard \(default\) \| nfs\.csi\.k8ts\.io \| Delete \| Immediate \| false \| \d+s$/);
  assert.equal(await refused('{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"bad"},"spec":{"resources":{"requests":{"storage":"1Gi"}}}}'),
    'The PersistentVolumeClaim "bad" is invalid: spec.accessModes: Required value: at least 1 access mode is required');
  const r = await c.kubectl(['patch', 'sc', 'standard', '--type=merge', '-p', '{"parameters":{"server":"x"}}']);
  assert.equal(r.stderr.trim(), 'The StorageClass "standard" is invalid: parameters: Forbidden: updates to parameters are forbidden.');
});

test('RBAC: tables, required verbs, roleRef fixed', async () => {
  await create(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-pods}
roleRef: {kind: Role, name: reader, apiGroup: rbac.authorization.k8s.io}
subjects:
- {kind: User, name: alice}
- {kind: Group, name: devs}
- {kind: ServiceAccount, name: builder, namespace: default}
`);
  const roles = await table('role');
  assert.equal(roles[0], 'NAME | CREATED AT');
  assert.match(roles[1], /^reader \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const rb = await table('rolebinding', '-o', 'wide');
  assert.equal(rb[0], 'NAME | ROLE | AGE | USERS | GROUPS | SERVICEACCOUNTS');
  assert.match(rb[1], /^read-pods \| Role\/reader \| \d+s \| alice \| devs \| default\/builder$/);
  assert.equal(await refused('{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"empty"},"rules":[{"apiGroups":[""],"resources":["pods"]}]}'),
    'The Role "empty" is invalid: rules[0].verbs: Required value: verbs must contain at least one value');
  const r = await c.kubectl(['patch', 'rolebinding', 'read-pods', '--type=merge', '-p', '{"roleRef":{"name":"writer"}}']);
  assert.equal(r.stderr.trim(), 'The RoleBinding "read-pods" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"writer"}: cannot change roleRef');
});

test('networking: ingress and network policy tables, pathType required', async () => {
  await create(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site}
spec:
  ingressClassName: nginx
  tls: [{hosts: [a.example.com], secretName: tls}]
  rules:
  - host: a.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-only}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: 80}]}]
`);
  assert.match((await table('ingress'))[1], /^site \| nginx \| a\.example\.com \| 80, 443 \| \d+s$/);
  assert.match((await table('netpol'))[1], /^web-only \| app=web \| \d+s$/);
  const np = await json<{ spec: { policyTypes: string[]; ingress: Array<{ ports: Array<{ protocol: string }> }> } }>('netpol', 'web-only');
  assert.deepEqual(np.spec.policyTypes, ['Ingress']);
  assert.equal(np.spec.ingress[0].ports[0].protocol, 'TCP');
  assert.equal(await refused('{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"bad"},"spec":{"rules":[{"http":{"paths":[{"path":"/","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}'),
    'The Ingress "bad" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified');
});

test('nodes: status, roles and wide columns', async () => {
  await create(`
apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels: {node-role.kubernetes.io/worker: ""}
spec: {unschedulable: true}
status:
  conditions: [{type: Ready, status: "True"}]
  addresses: [{type: InternalIP, address: 192.168.1.10}]
  nodeInfo: {kubeletVersion: v1.32.0, osImage: Debian GNU/Linux 12 (bookworm), kernelVersion: 6.1.0-18-amd64, containerRuntimeVersion: containerd://1.7.13}
`);
  const lines = await table('nodes', '-o', 'wide');
  assert.equal(lines[0], 'NAME | STATUS | ROLES | AGE | VERSION | INTERNAL-IP | EXTERNAL-IP | OS-IMAGE | KERNEL-VERSION | CONTAINER-RUNTIME');
  assert.match(lines[1], /^worker-1 \| Ready,SchedulingDisabled \| worker \| \d+s \| v1\.32\.0 \| 192\.168\.1\.10 \| <none> \| Debian GNU\/Linux 12 \(bookworm\) \| 6\.1\.0-18-amd64 \| containerd:\/\/1\.7\.13$/);
  assert.equal((await c.k('get', 'nodes', '--field-selector', 'spec.unschedulable=true', '-o', 'name')).trim(), 'node/worker-1');
});

test('events: one object through core/v1 and events.k8s.io/v1', async () => {
  await create(`
apiVersion: v1
kind: Event
metadata: {name: web-1.started}
involvedObject: {kind: Pod, name: web-1, namespace: default}
reason: Started
message: Started container web
type: Normal
source: {component: kubelet, host: worker-1}
firstTimestamp: "2024-01-01T00:00:00Z"
lastTimestamp: "2024-01-01T00:00:00Z"
count: 2
`);
  const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  await create(`{"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"node.drained"},"eventTime":"${now}","reportingController":"k8ts.io/drainer","reportingInstance":"ctl-1","action":"Drain","reason":"Drained","type":"Warning","note":"drained","regarding":{"kind":"Node","name":"worker-1"}}`);

  const core = await table('events');
  assert.equal(core[0], 'LAST SEEN | TYPE | REASON | OBJECT | MESSAGE');
  assert.ok(core.some((l) => /^\S+ \| Normal \| Started \| pod\/web-1 \| Started container web$/.test(l)), core.join('\n'));
  assert.ok(core.some((l) => /^\d+s \| Warning \| Drained \| node\/worker-1 \| drained$/.test(l)), core.join('\n'));
  const wide = await table('events', '-o', 'wide', '--field-selector', 'involvedObject.kind=Pod');
  assert.equal(wide[0], 'LAST SEEN | TYPE | REASON | OBJECT | SUBOBJECT | SOURCE | MESSAGE | FIRST SEEN | COUNT | NAME');
  assert.equal(wide.length, 2);
  assert.match(wide[1], /\| kubelet, worker-1 \| Started container web \| \S+ \| 2 \| web-1\.started$/);

  const v1 = await json<{ regarding: unknown; note: string; deprecatedCount: number; deprecatedSource: unknown }>('events.v1.events.k8s.io', 'web-1.started');
  assert.deepEqual([v1.regarding, v1.note, v1.deprecatedCount, v1.deprecatedSource],
    [{ kind: 'Pod', name: 'web-1', namespace: 'default' }, 'Started container web', 2, { component: 'kubelet', host: 'worker-1' }]);
  const asCore = await json<{ involvedObject: unknown; message: string; reportingComponent: string; eventTime: string }>('events.v1.', 'node.drained');
  assert.deepEqual([asCore.involvedObject, asCore.message, asCore.reportingComponent], [{ kind: 'Node', name: 'worker-1' }, 'drained', 'k8ts.io/drainer']);
  // Controllers may have reported events of their own; ours are both listed through the new API.
  const names = (await c.k('get', 'events.events.k8s.io', '-o', 'name')).trim().split('\n');
  assert.ok(names.includes('event.events.k8s.io/node.drained') && names.includes('event.events.k8s.io/web-1.started'), names.join('\n'));
  assert.equal(await refused('{"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"bad"},"reason":"R","type":"Normal"}'),
    'The Event "bad" is invalid: eventTime: Required value');
});

test('priority classes: one global default, immutable value', async () => {
  await create('{"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"high"},"value":1000,"globalDefault":true}');
  assert.match((await table('pc', 'high'))[1], /^high \| 1000 \| true \| \d+s \| PreemptLowerPriority$/);
  assert.equal(await refused('{"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"low"},"value":1,"globalDefault":true}'),
    'Error from server (Forbidden): error when creating "STDIN": priorityclasses.scheduling.k8s.io "low" is forbidden: PriorityClass high is already marked as default. Only one default can exist');
  const r = await c.kubectl(['patch', 'pc', 'high', '--type=merge', '-p', '{"value":5}']);
  assert.equal(r.stderr.trim(), 'The PriorityClass "high" is invalid: value: Forbidden: may not be changed in an update.');
});

test('every served group/version has a Local, available APIService', async () => {
  const lines = await eventuallyLines(() => table('apiservices'), (ls) => ls.some((l) => l.startsWith('v1.discovery.k8s.io ')));
  assert.equal(lines[0], 'NAME | SERVICE | AVAILABLE | AGE');
  for (const name of ['v1.', 'v1.apps', 'v2.autoscaling', 'v1.events.k8s.io', 'v1.rbac.authorization.k8s.io']) {
    assert.ok(lines.some((l) => new RegExp(`^${name.replace(/\./g, '\\.')} \\| Local \\| True \\| \\d+s$`).test(l)), `${name} in\n${lines.join('\n')}`);
  }
  const apps = await json<{ spec: Record<string, unknown> }>('apiservice', 'v1.apps');
  assert.deepEqual(apps.spec, { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 });
});

async function eventuallyLines(get: () => Promise<string[]>, ok: (lines: string[]) => boolean): Promise<string[]> {
  for (let i = 0; ; i++) {
    const lines = await get();
    if (ok(lines) || i > 50) return lines;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('componentstatuses answer healthy, with the deprecation warning', async () => {
  const r = await c.kubectl(['get', 'componentstatuses']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Warning: v1 ComponentStatus is deprecated in v1\.19\+/);
  const lines = r.stdout.trim().split('\n').map((l) => l.trim().replace(/\s{2,}/g, ' | '));
  assert.equal(lines[0], 'NAME | STATUS | MESSAGE | ERROR');
  assert.deepEqual(lines.slice(1).sort(), ['controller-manager | Healthy | ok', 'etcd-0 | Healthy | ok', 'scheduler | Healthy | ok']);
  const missing = await c.kubectl(['get', 'cs', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Error from server: Component not found: nope/);
});

test('a CSR\'s /approval serves get, update and patch, as kubectl certificate approve and clients use it', async () => {
  const forge = (await import('node-forge')).default;
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const req = forge.pki.createCertificationRequest();
  req.publicKey = keys.publicKey;
  req.setSubject([{ name: 'commonName', value: 'approval-test' }]);
  req.sign(keys.privateKey);
  const pem = Buffer.from(forge.pki.certificationRequestToPem(req)).toString('base64');
  const csr = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'approve-me' }, spec: { request: pem, signerName: 'example.com/test', usages: ['client auth'] } };
  assert.equal((await c.http('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', csr)).status, 201);
  const url = '/apis/certificates.k8s.io/v1/certificatesigningrequests/approve-me/approval';
  assert.equal((await c.http('GET', url)).status, 200);
  const cond = { type: 'Approved', status: 'True', reason: 'ByPatch', message: 'approved through a merge patch' };
  const r = await c.http('PATCH', url, { status: { conditions: [cond] } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(r.json<{ status: { conditions: Array<Record<string, string>> } }>().status.conditions.map((x) => [x.type, x.reason]), [['Approved', 'ByPatch']]);
  assert.match(await c.k('get', 'csr', 'approve-me'), /approve-me\s+\S+\s+example\.com\/test\s+\S+\s+<none>\s+Approved/);
  // The discovery document names the verb, as Kubernetes' does.
  const apis = (await c.http('GET', '/apis/certificates.k8s.io/v1')).json<{ resources: Array<{ name: string; verbs: string[] }> }>();
  assert.deepEqual(apis.resources.find((x) => x.name === 'certificatesigningrequests/approval')?.verbs, ['get', 'patch', 'update']);
});
