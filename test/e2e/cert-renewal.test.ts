// A joined agent renews its certificates for real, without a restart: started with
// --node-cert-lifetime 10m (the signer's minimum, as upstream's), it asks for new client and
// serving certificates once 80% of their life has passed, by CSRs made with its own credential,
// and keeps working on them: the same process stays Ready, and a pod started afterwards runs
// and serves its logs through the renewed serving certificate. Slow by nature (about 8 minutes,
// mostly waiting): named outside the containers group (agent-*) so that the wait overlaps the API
// tests instead of holding up the serialized group; it still takes the host lock, which nothing
// in the API group contends for.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readKubeconfig } from '../../lib/kubeconfig.js';
import { renewAt } from '../../node-agent/join/cert-rotation.js';
import { eventually } from '../lib/cluster.js';
import { missingPrerequisites, setupAgentEnv, waitForPod, type AgentEnv, type PodJson } from './agent-harness.js';

const missing = missingPrerequisites();
const running = (p: PodJson) => p.status.phase === 'Running' && !!p.status.containerStatuses?.every((c) => c.state.running);

describe('certificate renewal of a joined agent', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, () => {
  let env: AgentEnv;
  const agentDir = () => join(env.tmp, 'data', 'agent');
  const clientCert = () => readKubeconfig(join(agentDir(), 'kubelet.kubeconfig')).clientCert ?? '';
  const servingCert = () => readFile(join(agentDir(), 'serving-kubelet.crt'), 'utf8');

  before(async () => {
    env = await setupAgentEnv({ join: true, agentArgs: ['--node-cert-lifetime', '10m'] });
  });

  after(async () => {
    if (env) await env.teardown();
  });

  it('renews both certificates at 80% of their life and keeps working on them without a restart', { timeout: 15 * 60_000 }, async () => {
    const pid = env.agentPid();
    const [client0, serving0] = [clientCert(), await servingCert()];
    const life = (pem: string) => { const x = new X509Certificate(pem); return Date.parse(x.validTo) - Date.parse(x.validFrom); };
    assert.ok(life(client0) <= 16 * 60_000, `asked for 10m, got ${life(client0) / 60_000} min`);
    const due = Math.max(renewAt(client0), renewAt(serving0));
    await eventually(async () => clientCert() !== client0 && (await servingCert()) !== serving0, due - Date.now() + 90_000, 5000);
    assert.equal(env.agentPid(), pid, 'the agent was not restarted');
    const renewed = new X509Certificate(clientCert());
    assert.equal(renewed.subject.split('\n').find((l) => l.startsWith('CN=')), `CN=system:node:${env.nodeName}`);
    assert.ok(Date.parse(renewed.validTo) > Date.parse(new X509Certificate(client0).validTo));
    // The renewal CSRs were made with the node's own credential (selfnodeclient).
    const csrs = await env.k('get', 'csr', '-o', 'custom-columns=SIGNER:.spec.signerName,REQUESTOR:.spec.username,COND:.status.conditions[0].type', '--no-headers');
    const mine = csrs.split('\n').filter((l) => l.includes(`system:node:${env.nodeName}`));
    assert.ok(mine.some((l) => /kube-apiserver-client-kubelet\s+\S+\s+Approved/.test(l)), csrs);
    assert.ok(mine.filter((l) => /kubelet-serving\s+\S+\s+Approved/.test(l)).length >= 2, csrs);
    // Still at work on the new certificates: Ready, runs a new pod, serves its logs.
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: after-renewal}
spec:
  containers: [{name: c, image: ${env.image}, command: [sh, -c, 'echo renewed; sleep 3600']}]
`);
    await waitForPod(env, 'after-renewal', running, 90_000);
    assert.equal(await env.k('logs', 'after-renewal'), 'renewed\n');
    assert.equal(await env.k('get', 'node', env.nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'), 'True');
  });
});
