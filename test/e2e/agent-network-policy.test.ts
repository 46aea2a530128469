// NetworkPolicy enforcement against the real thing: a `k8ts server`, an agent that joined with
// the node token (so it reads pods, namespaces and policies with a node's own rights), real pods
// on containerd behind the CNI bridge, real kubectl and the host's iptables. Clients are pods;
// their reach is tried with busybox wget from inside them. Before anything is sent to pod or
// Service ranges, those ranges are dropped on the default route's device (off-host guard).
// Cross-node: agent-netpol-hosts.test.ts (the same rule chains in two netns hosts).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execOk, hostExec } from '../../lib/exec.js';
import { eventually } from '../lib/cluster.js';
import { missingPrerequisites, setupAgentEnv, type AgentEnv, type PodJson } from './agent-harness.js';
import { guardOffHost } from './off-host-guard.js';

const missing = missingPrerequisites();

const running = (p: PodJson) => p.status.phase === 'Running' && !!p.status.containerStatuses?.every((c) => c.ready);

const sleeper = (name: string, namespace: string, labels: string, image: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}, labels: ${labels}}
spec:
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: ${image}, command: [sleep, "3600"]}]
`;

describe('NetworkPolicy enforcement on a real node', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, () => {
  let env: AgentEnv;
  let unguard: (() => Promise<void>) | undefined;
  const ips = new Map<string, string>();

  /** Whether pod `from` (namespace/name) gets web's page within 2 s. */
  const reaches = async (from: string, port = 8080): Promise<boolean> => {
    const [ns, name] = from.split('/') as [string, string];
    const r = await env.c.kubectl(['exec', '-n', ns, name, '--', 'timeout', '2', 'wget', '-qO-', `http://${ips.get('web')}:${port}/`]);
    return r.code === 0 && r.stdout.trim() === 'web';
  };
  const filterRules = async () => (await execOk(hostExec, 'iptables-save', ['-t', 'filter'])).stdout;
  const policy = (name: string, spec: string) => env.apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}}
spec:
${spec}`);
  /** Milliseconds from `change` returning until `rulesShow` holds of the filter table. */
  const rulesFollow = async (change: () => Promise<unknown>, rulesShow: (rules: string) => boolean): Promise<number> => {
    await change();
    const t0 = performance.now();
    await eventually(async () => rulesShow(await filterRules()), 10_000, 20);
    return performance.now() - t0;
  };

  before(async () => {
    // Joined: the agent reads every pod, namespace and policy as a node, through system:k8ts-network-policy.
    env = await setupAgentEnv({ join: true });
    unguard = await guardOffHost(['10.43.0.0/16', '10.42.0.0/16', '198.18.0.0/15']);
    await env.k('create', 'namespace', 'np-other');
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: httpd
    image: ${env.image}
    command: [sh, -c, "mkdir -p /tmp/www && echo web > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www"]
    ports: [{name: http, containerPort: 8080}]
---
${sleeper('client', 'default', '{role: client}', env.image)}---
${sleeper('stranger', 'default', '{}', env.image)}---
${sleeper('visitor', 'np-other', '{}', env.image)}`);
    for (const [ns, name] of [['default', 'web'], ['default', 'client'], ['default', 'stranger'], ['np-other', 'visitor']] as const) {
      const pod = await eventually(async () => {
        const p = JSON.parse(await env.k('get', 'pod', '-n', ns, name, '-o', 'json')) as PodJson & { status: { podIP?: string } };
        return running(p) && p.status.podIP ? p : undefined;
      }, 90_000, 250);
      ips.set(name, pod.status.podIP!);
    }
  });

  after(async () => {
    await unguard?.();
    if (env) {
      await env.teardown();
      // Teardown ran killall: none of the enforcer's chains may be left (the check compares chain lists).
      const left = await env.leftovers();
      assert.deepEqual(left, [], `left on the host: ${left.join('; ')}`);
    }
  });

  it('lets everything through while no policy selects a pod', async () => {
    assert.ok(await eventually(() => reaches('default/client'), 20_000, 250));
    assert.ok(await reaches('default/stranger'));
    assert.ok(await reaches('np-other/visitor'));
  });

  it('default deny: a policy with no ingress rules blocks every pod, the node still reaches it', async (t) => {
    const ms = await rulesFollow(
      () => policy('deny', '  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n'),
      (r) => r.includes('rejected by the network policies selecting default/web'),
    );
    t.diagnostic(`rules written ${Math.round(ms)} ms after the policy was created`);
    assert.ok(ms < 1000, `${Math.round(ms)} ms`);
    assert.equal(await reaches('default/client'), false);
    assert.equal(await reaches('np-other/visitor'), false);
    const fromNode = await fetch(`http://${ips.get('web')}:8080/`, { signal: AbortSignal.timeout(3000) }).then((r) => r.text());
    assert.equal(fromNode.trim(), 'web', 'traffic from the pod\'s own node is always allowed');
    const metrics = await env.k('get', '--raw', `/api/v1/nodes/${env.nodeName}/proxy/metrics`);
    assert.match(metrics, /^k8ts_network_policy_isolated_pods 1$/m);
    assert.match(metrics, /^k8ts_network_policy_sync_duration_seconds_count [1-9]\d*$/m);
  });

  it('a policy by pod label (on a named port) allows those pods only', async () => {
    await policy('from-clients', '  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {role: client}}}], ports: [{port: http}]}]\n');
    assert.ok(await eventually(() => reaches('default/client'), 5_000, 100));
    assert.equal(await reaches('default/stranger'), false);
  });

  it('follows a pod label change within 1 s', async (t) => {
    const ip = ips.get('stranger')!;
    const ms = await rulesFollow(() => env.k('label', 'pod', 'stranger', 'role=client'), (r) => r.includes(`-s ${ip}/32 -j MARK`));
    t.diagnostic(`rules followed the pod label ${Math.round(ms)} ms after kubectl label returned`);
    assert.ok(ms < 1000, `${Math.round(ms)} ms`);
    assert.ok(await reaches('default/stranger'));
    await env.k('label', 'pod', 'stranger', 'role-');
    assert.ok(await eventually(async () => !(await reaches('default/stranger')), 5_000, 100));
  });

  it('a namespace selector allows the pods of labelled namespaces, within 1 s of the label', async (t) => {
    await policy('from-friends', '  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {team: friends}}}]}]\n');
    assert.equal(await reaches('np-other/visitor'), false);
    const ip = ips.get('visitor')!;
    const ms = await rulesFollow(() => env.k('label', 'namespace', 'np-other', 'team=friends'), (r) => r.includes(`-s ${ip}/32 -j MARK`));
    t.diagnostic(`rules followed the namespace label ${Math.round(ms)} ms after kubectl label returned`);
    assert.ok(ms < 1000, `${Math.round(ms)} ms`);
    assert.ok(await reaches('np-other/visitor'));
  });

  it('an ipBlock with except', async () => {
    await env.k('delete', 'networkpolicy', 'from-clients', 'from-friends');
    const cidr = env.podCIDR;
    await policy('from-block', `  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{ipBlock: {cidr: ${cidr}, except: [${ips.get('client')}/32]}}]}]\n`);
    assert.ok(await eventually(() => reaches('default/stranger'), 5_000, 100));
    assert.ok(await reaches('np-other/visitor'));
    assert.equal(await reaches('default/client'), false, 'the excepted address');
  });

  it('egress deny with DNS allowed: names resolve, nothing else leaves the pod', async () => {
    await env.k('delete', 'networkpolicy', 'deny', 'from-block');
    assert.ok(await eventually(() => reaches('default/client'), 5_000, 100));
    const lookup = () => env.c.kubectl(['exec', 'client', '--', 'nslookup', 'kubernetes.default.svc.cluster.local']);
    /** What the answer depends on, for a failure's message. */
    const why = async () => [
      await env.c.kubectl(['get', 'endpointslices', '-n', 'kube-system', '-o', 'wide']).then((r) => r.stdout + r.stderr),
      await env.c.kubectl(['get', 'node', env.nodeName, '--show-labels']).then((r) => r.stdout),
      (await filterRules()).split('\n').filter((l) => /KUBE-ROUTER|KUBE-POD-FW|has no endpoints/.test(l)).join('\n'),
    ].join('\n');
    // Cluster DNS answers before any policy (the node serves it, kube-dns points at the node).
    const before = await eventually(async () => ((await lookup()).code === 0 ? true : undefined), 30_000, 500).catch(() => false);
    assert.ok(before, `no DNS even without a policy:\n${await why()}`);
    await policy('client-egress', '  podSelector: {matchLabels: {role: client}}\n  policyTypes: [Egress]\n  egress: [{ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}]\n');
    assert.ok(await eventually(async () => !(await reaches('default/client')), 5_000, 100), 'web is not on port 53');
    const r = await lookup();
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}\n${await why()}`);
    assert.match(r.stdout, /Address:?\s+10\.43\.0\.1\b/);
    assert.ok(await reaches('default/stranger'), 'other pods are not selected');
  });

  it('removes the rules of deleted policies', async () => {
    await env.k('delete', 'networkpolicy', '--all');
    await eventually(async () => !/KUBE-POD-FW-|KUBE-NWPLCY-/.test(await filterRules()), 5_000, 50);
    assert.ok(await reaches('default/client'));
  });
});
