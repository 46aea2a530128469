// The Node authorizer and NodeRestriction, with real kubectl holding a node's credential
// (system:node:<name> in system:nodes, signed by the cluster CA): a node reads only the Secrets
// and ConfigMaps its own pods name, and changes only its own Node, Lease and pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCA, issueCertificate } from '../../lib/pki.js';
import { readKubeconfig, writeKubeconfig } from '../../lib/kubeconfig.js';
import { eventually, kubectlPath, run } from '../lib/cluster.js';
import { useCluster } from '../lib/fixture.js';

const { cluster: c } = useCluster({ apiOnly: true });

/** A kubeconfig with node `name`'s client certificate (made once per node). */
function nodeKubeconfig(name: string): string {
  const file = join(c.dataDir, `${name}.kubeconfig`);
  if (!existsSync(file)) {
    const ca = ensureCA(join(c.dataDir, 'pki'), 'ca', 'k8ts-ca');
    const kp = issueCertificate(ca, { commonName: `system:node:${name}`, organizations: ['system:nodes'], usage: 'client' });
    writeKubeconfig(file, { server: readKubeconfig(c.kubeconfig).server, caCert: ca.cert, clientCert: kp.cert, clientKey: kp.key, user: name });
  }
  return file;
}

const asNode = (name: string, ...args: string[]) => run(kubectlPath, ['--kubeconfig', nodeKubeconfig(name), ...args]);

const node = (name: string) => `apiVersion: v1
kind: Node
metadata: {name: ${name}}
`;
const pod = (name: string, nodeName: string, secret: string, configMap: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: ${nodeName}
  containers: [{name: c, image: busybox, envFrom: [{configMapRef: {name: ${configMap}}}]}]
  volumes: [{name: s, secret: {secretName: ${secret}}}]
`;

test('a node reads the Secrets and ConfigMaps of its own pods, and nothing else', async () => {
  await c.kubectl(['apply', '-f', '-'], { stdin: node('n1') + '---\n' + node('n2') });
  for (const s of ['s1', 's2']) await c.k('create', 'secret', 'generic', s, '--from-literal=k=v');
  for (const m of ['m1', 'm2']) await c.k('create', 'configmap', m, '--from-literal=k=v');
  await c.kubectl(['apply', '-f', '-'], { stdin: pod('p1', 'n1', 's1', 'm1') + '---\n' + pod('p2', 'n2', 's2', 'm2') });
  await eventually(async () => (await asNode('n1', 'get', 'secret', 's1')).code === 0);
  assert.equal((await asNode('n1', 'get', 'configmap', 'm1')).code, 0);
  const other = await asNode('n1', 'get', 'secret', 's2');
  assert.equal(other.code, 1);
  assert.equal(other.stderr.trim(), 'Error from server (Forbidden): secrets "s2" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node \'n1\' and this object');
  const list = await asNode('n1', 'get', 'secrets');
  assert.equal(list.code, 1);
  assert.match(list.stderr, /secrets is forbidden: User "system:node:n1" cannot list resource "secrets"/);
  // One Secret by a metadata.name fieldSelector (how a watch of one Secret reads it): its own, and no other.
  const one = await asNode('n1', 'get', 'secrets', '--field-selector', 'metadata.name=s1', '-o', 'name');
  assert.equal(one.stdout.trim(), 'secret/s1', one.stderr);
  const otherByField = await asNode('n1', 'get', 'secrets', '--field-selector', 'metadata.name=s2');
  assert.equal(otherByField.code, 1);
  assert.equal(otherByField.stderr.trim(), 'Error from server (Forbidden): secrets "s2" is forbidden: User "system:node:n1" cannot list resource "secrets" in API group "" in the namespace "default": no relationship found between node \'n1\' and this object');
  // A deleted pod takes its node's access with it.
  await c.k('delete', 'pod', 'p1', '--grace-period=0', '--force');
  await eventually(async () => (await asNode('n1', 'get', 'secret', 's1')).code === 1);
});

test('a node reads the claims its pods use and the volumes bound to them, and no others', async () => {
  await c.kubectl(['apply', '-f', '-'], { stdin: node('n3') + '---\n' + node('n4') });
  const claim = (name: string, volume: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec: {accessModes: [ReadWriteOnce], storageClassName: "", volumeName: ${volume}, resources: {requests: {storage: 1Gi}}}
`;
  const volume = (name: string) => `apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}}
spec: {accessModes: [ReadWriteOnce], capacity: {storage: 1Gi}, hostPath: {path: /srv/${name}}}
`;
  const user = (name: string, nodeName: string, claimName: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: ${nodeName}
  containers: [{name: c, image: busybox}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: ${claimName}}}]
`;
  await c.kubectl(['apply', '-f', '-'], { stdin: [volume('v3'), volume('v4'), claim('c3', 'v3'), claim('c4', 'v4'), user('u3', 'n3', 'c3'), user('u4', 'n4', 'c4')].join('---\n') });
  await eventually(async () => (await asNode('n3', 'get', 'pvc', 'c3')).code === 0);
  await eventually(async () => (await asNode('n3', 'get', 'pv', 'v3')).code === 0);
  const otherClaim = await asNode('n3', 'get', 'pvc', 'c4');
  assert.equal(otherClaim.code, 1);
  assert.match(otherClaim.stderr, /persistentvolumeclaims "c4" is forbidden: User "system:node:n3" cannot get resource "persistentvolumeclaims" in API group "" in the namespace "default": no relationship found between node 'n3' and this object/);
  const otherVolume = await asNode('n3', 'get', 'pv', 'v4');
  assert.equal(otherVolume.code, 1);
  assert.match(otherVolume.stderr, /persistentvolumes "v4" is forbidden: User "system:node:n3" cannot get resource "persistentvolumes" in API group ""/);
});

test('a node changes only its own Node and Lease, and never its taints', async () => {
  assert.equal((await asNode('n1', 'label', 'node', 'n1', 'a=b')).code, 0);
  const otherNode = await asNode('n1', 'label', 'node', 'n2', 'a=b');
  assert.equal(otherNode.code, 1);
  assert.match(otherNode.stderr, /nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"/);
  const taint = await asNode('n1', 'taint', 'node', 'n1', 'k=v:NoSchedule');
  assert.equal(taint.code, 1);
  assert.match(taint.stderr, /node "n1" is not allowed to modify taints/);
  const lease = await asNode('n1', 'get', 'lease', '-n', 'kube-node-lease', 'n2');
  assert.match(lease.stderr, /cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only access node lease with the same name as the requesting node/);
  assert.equal((await asNode('n1', 'delete', 'namespace', 'default')).code, 1, 'the system:node role grants no namespace deletes');
});

test('a node creates only mirror pods bound to itself, and deletes only its own pods', async () => {
  const plain = await asNode('n1', 'run', 'x', '--image=busybox', '--overrides={"spec":{"nodeName":"n1"}}');
  assert.equal(plain.code, 1);
  assert.match(plain.stderr, /pod does not have "kubernetes.io\/config.mirror" annotation, node "n1" can only create mirror pods/);
  const mirror = (nodeName: string) => `apiVersion: v1
kind: Pod
metadata: {name: mirror-${nodeName}, annotations: {kubernetes.io/config.mirror: abc}}
spec: {nodeName: ${nodeName}, containers: [{name: c, image: busybox}]}
`;
  assert.equal((await run(kubectlPath, ['--kubeconfig', nodeKubeconfig('n1'), 'create', '-f', '-'], mirror('n1'))).code, 0);
  const elsewhere = await run(kubectlPath, ['--kubeconfig', nodeKubeconfig('n1'), 'create', '-f', '-'], mirror('n2'));
  assert.match(elsewhere.stderr, /node "n1" can only create pods with spec.nodeName set to itself/);
  const del = await asNode('n1', 'delete', 'pod', 'p2');
  assert.equal(del.code, 1);
  assert.match(del.stderr, /node "n1" can only delete pods with spec.nodeName set to itself/);
  assert.equal((await asNode('n2', 'delete', 'pod', 'p2', '--wait=false')).code, 0);
});
