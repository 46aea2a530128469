// A node agent that joined with the server's node-token, on real containerd: it runs on its own
// certificates (system:node:<name>), so everything it does passes the Node authorizer and
// NodeRestriction: registering, its Lease, pods whose Secrets, ConfigMaps and service account
// tokens it may read because they are its pods', their status, mirror pods, logs through its
// CSR-issued serving certificate. What its credential may not read stays refused.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubectlPath, run } from '../lib/cluster.js';
import { missingPrerequisites, setupAgentEnv, waitForPod, type AgentEnv, type PodJson } from './agent-harness.js';

const missing = missingPrerequisites();
const running = (p: PodJson) => p.status.phase === 'Running' && !!p.status.containerStatuses?.every((c) => c.state.running);

describe('a node agent joined with a token', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, () => {
  let env: AgentEnv;

  before(async () => {
    env = await setupAgentEnv({ join: true });
  });

  after(async () => {
    if (env) await env.teardown();
  });

  it('registers Ready on its own certificates, both issued through approved CSRs', async () => {
    const node = JSON.parse(await env.k('get', 'node', env.nodeName, '-o', 'json')) as { metadata: { annotations: Record<string, string> } };
    assert.match(node.metadata.annotations['k8ts.io/node-id'] ?? '', /^[0-9a-f]{32}$/);
    const csrs = await env.k('get', 'csr', '-o', 'custom-columns=SIGNER:.spec.signerName,REQUESTOR:.spec.username', '--no-headers');
    assert.match(csrs, /kubernetes.io\/kube-apiserver-client-kubelet\s+system:bootstrap:k8ts-server/);
    assert.match(csrs, new RegExp(`kubernetes.io/kubelet-serving\\s+system:node:${env.nodeName}`));
    const whoami = await run(kubectlPath, ['--kubeconfig', join(env.tmp, 'data', 'agent', 'kubelet.kubeconfig'), 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(whoami.stdout, `system:node:${env.nodeName}`);
  });

  it('runs a pod that reads its Secret, ConfigMap and service account token, and serves its logs', async () => {
    await env.k('create', 'secret', 'generic', 'app-secret', '--from-literal=password=s3cret');
    await env.k('create', 'secret', 'generic', 'not-for-this-node', '--from-literal=x=y');
    await env.k('create', 'configmap', 'app-config', '--from-literal=greeting=hello');
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  containers:
  - name: app
    image: ${env.image}
    command: [sh, -c, 'echo "$GREETING $(cat /secret/password) $(wc -c < /var/run/secrets/kubernetes.io/serviceaccount/token)"; sleep 3600']
    env: [{name: GREETING, valueFrom: {configMapKeyRef: {name: app-config, key: greeting}}}]
    volumeMounts: [{name: s, mountPath: /secret}]
  volumes: [{name: s, secret: {secretName: app-secret}}]
`);
    await waitForPod(env, 'reader', running, 90_000);
    const logs = await env.k('logs', 'reader');
    assert.match(logs, /^hello s3cret \d{3,}\n$/);
    const kc = join(env.tmp, 'data', 'agent', 'kubelet.kubeconfig');
    const other = await run(kubectlPath, ['--kubeconfig', kc, 'get', 'secret', 'not-for-this-node']);
    assert.match(other.stderr, /no relationship found between node/);
    assert.equal((await run(kubectlPath, ['--kubeconfig', kc, 'get', 'secret', 'app-secret'])).code, 0);
    await env.k('delete', 'pod', 'reader', '--grace-period=1');
  });

  it('mirrors a static pod with its own credential', async () => {
    await writeFile(join(env.manifests, 'static.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: static, namespace: default}
spec:
  containers: [{name: c, image: ${env.image}, imagePullPolicy: IfNotPresent, command: [sleep, '3600']}]
`);
    const mirror = await waitForPod(env, `static-${env.nodeName}`, running, 60_000);
    assert.ok(mirror.metadata.annotations?.['kubernetes.io/config.mirror']);
  });
});
