// The oldest and newest kubectl k8ts supports: Debian's 1.20 (unpacked by .ci/run into
// /opt/kubectl-1.20) and 1.33, through apply, patch, scale, dry-run, diff, CRDs and SSA.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startCluster, type TestCluster } from '../lib/cluster.js';

const clients = [
  { version: '1.20', binary: '/opt/kubectl-1.20/usr/bin/kubectl' },
  { version: '1.33', binary: '/usr/lib/google-cloud-sdk/bin/kubectl.1.33' },
];

const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: ${image}}]
`;
const crd = (plural: string, kind: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${plural}.k8ts.example.com}
spec:
  group: k8ts.example.com
  scope: Namespaced
  names: {plural: ${plural}, kind: ${kind}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: string}}}
`;

let c: TestCluster;
before(async () => {
  c = await startCluster();
});
after(async () => {
  await c.destroy();
});

for (const { version, binary } of clients) {
  describe(`kubectl ${version}`, { skip: !existsSync(binary) && `${binary} not installed` }, () => {
    const k = (args: string[], stdin?: string) => c.kubectl(args, { binary, stdin });
    const name = `web${version.replace('.', '')}`;

    test('apply creates, is unchanged, then configures', async () => {
      assert.equal((await k(['apply', '-f', '-'], deployment(name, 'nginx'))).stdout.trim(), `deployment.apps/${name} created`);
      assert.equal((await k(['apply', '-f', '-'], deployment(name, 'nginx'))).stdout.trim(), `deployment.apps/${name} unchanged`);
      assert.equal((await k(['apply', '-f', '-'], deployment(name, 'nginx:2'))).stdout.trim(), `deployment.apps/${name} configured`);
      const get = await k(['get', 'deploy', name]);
      assert.match(get.stdout, new RegExp(`^NAME\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+AGE\\n${name}\\s+`));
    });

    test('patch, label, scale, diff and server dry-run', async () => {
      assert.equal((await k(['patch', 'deploy', name, '-p', '{"spec":{"replicas":2}}'])).stdout.trim(), `deployment.apps/${name} patched`);
      assert.equal((await k(['label', 'deploy', name, 'tier=web'])).stdout.trim(), `deployment.apps/${name} labeled`);
      assert.equal((await k(['scale', 'deploy', name, '--replicas=3'])).stdout.trim(), `deployment.apps/${name} scaled`);
      const diff = await k(['diff', '-f', '-'], deployment(name, 'nginx:3'));
      assert.equal(diff.code, 1, diff.stderr);
      assert.match(diff.stdout, /^\+\s+- image: nginx:3$/m);
      const dry = await k(['create', '--dry-run=server', '-f', '-'], deployment(`${name}-dry`, 'nginx'));
      assert.equal(dry.stdout.trim(), `deployment.apps/${name}-dry created (server dry run)`, dry.stderr);
      assert.equal((await k(['get', 'deploy', `${name}-dry`])).code, 1);
    });

    test('a CRD and its custom resource, applied server-side', async () => {
      const plural = `things${version.replace('.', '')}`;
      assert.equal((await k(['apply', '-f', '-'], crd(plural, `Thing${version.replace('.', '')}`))).code, 0);
      await c.k('wait', '--for=condition=Established', `crd/${plural}.k8ts.example.com`, '--timeout=20s');
      const cr = `apiVersion: k8ts.example.com/v1\nkind: Thing${version.replace('.', '')}\nmetadata: {name: one}\nspec: {size: L}\n`;
      const r = await k(['apply', '--server-side', '-f', '-'], cr);
      assert.equal(r.stdout.trim(), `thing${version.replace('.', '')}.k8ts.example.com/one serverside-applied`, r.stderr);
      assert.match((await k(['get', plural])).stdout, /^NAME\s+AGE\none\s+\d+s\n$/);
    });
  });
}
