import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_MIRROR_ANNOTATION, ManifestError, isMirrorPod, mirrorPod, parseManifest, staticPod } from './manifest.js';

const yaml = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: httpd
    image: 127.0.0.1:5000/library/busybox:latest
    ports: [{containerPort: 80}]
`;

test('a manifest becomes a static pod bound to the node', () => {
  const p = staticPod(parseManifest(yaml, '/m/web.yaml'), '/m/web.yaml', 'node1', new Date(0));
  assert.equal(p.metadata?.name, 'web-node1');
  assert.equal(p.metadata?.namespace, 'default');
  assert.match(p.metadata?.uid ?? '', /^[0-9a-f]{32}$/);
  assert.equal(p.metadata?.annotations?.['kubernetes.io/config.hash'], p.metadata?.uid);
  assert.equal(p.metadata?.annotations?.['kubernetes.io/config.source'], 'file');
  assert.equal(p.spec?.nodeName, 'node1');
  assert.equal(p.spec?.restartPolicy, 'Always');
  assert.equal(p.spec?.containers[0]?.imagePullPolicy, 'Always');
  assert.deepEqual(p.spec?.containers[0]?.ports, [{ protocol: 'TCP', containerPort: 80 }]);
  assert.deepEqual(p.spec?.tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]);
});

test('the UID follows the content, node and file: an edit is a new pod', () => {
  const uid = (text: string, node = 'node1', file = '/m/web.yaml') => staticPod(parseManifest(text, file), file, node, new Date()).metadata?.uid;
  assert.equal(uid(yaml), uid(yaml));
  assert.notEqual(uid(yaml), uid(yaml.replace('app: web', 'app: web2')));
  assert.notEqual(uid(yaml), uid(yaml, 'node2'));
  assert.notEqual(uid(yaml), uid(yaml, 'node1', '/m/other.yaml'));
});

test('mirror pods carry the hash and are owned by the node', () => {
  const p = staticPod(parseManifest(yaml, 'f'), 'f', 'node1', new Date());
  const m = mirrorPod(p, 'node-uid');
  assert.equal(m.metadata?.uid, undefined);
  assert.equal(m.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION], p.metadata?.uid);
  assert.deepEqual(m.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'node1', uid: 'node-uid', controller: true }]);
  assert.ok(isMirrorPod(m));
});

test('bad manifests are refused', () => {
  assert.throws(() => parseManifest('kind: Service\nmetadata: {name: x}\n', 'f'), ManifestError);
  assert.throws(() => parseManifest('kind: Pod\nmetadata: {name: x}\nspec: {}\n', 'f'), ManifestError);
  assert.throws(() => parseManifest(`${yaml}---\n${yaml}`, 'f'), ManifestError);
});
