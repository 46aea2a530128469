// Resource metrics end to end, with real containers: the agent's /metrics/resource and
// /stats/summary through the node proxy, the server's metrics.k8s.io as `kubectl top` reads it,
// and the HorizontalPodAutoscaler scaling a CPU-burning Deployment up and back down, a memory
// AverageValue HPA, and one whose target has no requests. Short --metric-resolution and HPA sync
// period keep it to a few minutes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../lib/cluster.js';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { freePort } from './cri-harness.js';
import { missingPrerequisites, setupAgentEnv, type AgentEnv } from './agent-harness.js';
import { prometheusBinary, startPrometheus, staticConfig } from './prometheus-fixture.js';
import { packageRoot } from '../../lib/package-root.js';

const missing = missingPrerequisites();

/** Busy-loops in a container limited to 100m (50m requested): 200% utilization per pod. */
function burner(image: string, name: string, opts: { requests?: boolean; command?: string; probe?: boolean } = {}): string {
  const resources = opts.requests === false ? '{}' : '{requests: {cpu: 50m, memory: 4Mi}, limits: {cpu: 100m}}';
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ${image}
        command: [sh, -c, '${opts.command ?? 'while :; do :; done'}']
        resources: ${resources}
${opts.probe ? '        readinessProbe: {exec: {command: ["true"]}, periodSeconds: 1}\n' : ''}`;
}

interface HpaJson {
  spec: { maxReplicas: number };
  status: { currentReplicas?: number; desiredReplicas?: number; conditions?: Array<{ type: string; status: string; reason: string; message: string }>; currentMetrics?: unknown[] };
}

describe('resource metrics, kubectl top and the HPA on real containers', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, () => {
  let env: AgentEnv;

  before(async () => {
    env = await setupAgentEnv({ serverArgs: ['--metric-resolution', '5s', '--horizontal-pod-autoscaler-sync-period', '5s'] });
  });

  after(async () => {
    if (env) await env.teardown();
  });

  const done = async () => {
    const problems = await env.teardown();
    assert.deepEqual(problems, []);
    assert.deepEqual(await env.leftovers(), []);
  };

  const hpa = async (name: string) => JSON.parse(await env.k('get', 'hpa', name, '-o', 'json')) as HpaJson;
  const cond = (h: HpaJson, type: string) => h.status.conditions?.find((c) => c.type === type);
  const replicas = async (name: string) => Number(await env.k('get', 'deploy', name, '-o', 'jsonpath={.spec.replicas}'));

  it('serves /metrics/resource and /stats/summary through the node proxy', async () => {
    await env.apply(burner(env.image, 'burn'));
    await eventually(async () => (await env.k('get', 'deploy', 'burn', '-o', 'jsonpath={.status.readyReplicas}')) === '1', 90_000, 500);
    // A new container's figures appear with the first collection after it runs (kubelet's too).
    const text = await eventually(async () => {
      const t = await env.k('get', '--raw', `/api/v1/nodes/${env.nodeName}/proxy/metrics/resource`);
      return /^container_cpu_usage_seconds_total\{container="main"/m.test(t) && t;
    }, 20_000, 500);
    assert.match(text, /^node_cpu_usage_seconds_total [0-9.e+]+ \d{13}$/m);
    assert.match(text, /^node_memory_working_set_bytes [0-9.e+]+ \d{13}$/m);
    assert.match(text, /^container_cpu_usage_seconds_total\{container="main",namespace="default",pod="burn-[a-z0-9-]+"\} [0-9.e+-]+ \d{13}$/m);
    assert.match(text, /^pod_memory_working_set_bytes\{namespace="default",pod="burn-[a-z0-9-]+"\} [0-9.e+]+ \d{13}$/m);
    assert.match(text, /^resource_scrape_error 0$/m);
    const cadvisor = await env.k('get', '--raw', `/api/v1/nodes/${env.nodeName}/proxy/metrics/cadvisor`);
    assert.match(cadvisor, /^container_cpu_usage_seconds_total\{container="",cpu="total",id="\/",image="",name="",namespace="",pod=""\} [0-9.e+]+ \d{13}$/m);
    assert.match(cadvisor, /^container_memory_working_set_bytes\{container="main",id="\/[^"]+",image="[^"]*busybox[^"]*",name="[0-9a-f]{64}",namespace="default",pod="burn-[a-z0-9-]+"\} [0-9.e+]+ \d{13}$/m);
    assert.match(cadvisor, /^container_network_receive_bytes_total\{container="",id="\/[^"]+",image="",interface="eth0",name="",namespace="default",pod="burn-[a-z0-9-]+"\} [0-9.e+]+ \d{13}$/m);
    const summary = JSON.parse(await env.k('get', '--raw', `/api/v1/nodes/${env.nodeName}/proxy/stats/summary`)) as {
      node: { nodeName: string; cpu: { usageCoreNanoSeconds: number }; memory: { workingSetBytes: number }; fs: { capacityBytes: number; usedBytes: number }; runtime: { imageFs: { capacityBytes: number } } };
      pods: Array<{
        podRef: { name: string }; containers: Array<{ name: string; memory: { workingSetBytes: number }; logs: { usedBytes: number }; rootfs?: { usedBytes: number } }>;
        volume: Array<{ name: string; usedBytes: number }>; 'ephemeral-storage': { usedBytes: number };
      }>;
    };
    assert.equal(summary.node.nodeName, env.nodeName);
    assert.ok(summary.node.cpu.usageCoreNanoSeconds > 0 && summary.node.memory.workingSetBytes > 0);
    const pod = summary.pods.find((p) => p.podRef.name.startsWith('burn-'));
    assert.ok(pod && pod.containers[0].name === 'main' && pod.containers[0].memory.workingSetBytes > 0);
    assert.ok(summary.node.fs.capacityBytes > 0 && summary.node.fs.usedBytes > 0 && summary.node.runtime.imageFs.capacityBytes > 0);
    assert.ok(pod.containers[0].logs.usedBytes >= 0);
    assert.ok(pod.volume.some((v) => v.name.startsWith('kube-api-access-') && v.usedBytes > 0), JSON.stringify(pod.volume));
    assert.ok(pod['ephemeral-storage'].usedBytes >= (pod.containers[0].rootfs?.usedBytes ?? 0));
  });

  it('kubectl top node and top pod show figures within 60 s', async () => {
    // NAME CPU(cores) CPU(%) MEMORY(bytes) MEMORY(%)
    const nodeLine = await eventually(async () => {
      const out = await env.k('top', 'node').catch(() => '');
      return out.split('\n').find((l) => l.startsWith(`${env.nodeName} `));
    }, 60_000, 1000);
    assert.match(nodeLine, /^\S+\s+[1-9]\d*m\s+\d+%\s+[1-9]\d*Mi\s+\d+%\s*$/);
    const out = await eventually(async () => {
      const o = await env.k('top', 'pod').catch(() => '');
      return /burn-\S+\s+[1-9]\d*m\s+\d+Mi/.test(o) ? o : undefined;
    }, 60_000, 1000);
    assert.match(out.split('\n')[0], /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/);
    // The burner is limited to 100m: the rate is close to it.
    const cpu = Number(/burn-\S+\s+(\d+)m/.exec(out)![1]);
    assert.ok(cpu >= 50 && cpu <= 130, `burner at ${cpu}m`);
    const containers = await env.k('top', 'pod', '--containers');
    assert.match(containers, /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    assert.match(containers, /burn-\S+\s+main\s+\d+m\s+\d+Mi/);
    assert.match(await env.k('top', 'pod', '-A', '--sort-by=cpu'), /^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\ndefault\s+burn-/);
    const one = JSON.parse(await env.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes')) as { kind: string; items: Array<{ window: string; usage: { cpu: string } }> };
    assert.equal(one.kind, 'NodeMetricsList');
    assert.match(one.items[0].window, /^\d+(\.\d+)?s$/);
    assert.match(one.items[0].usage.cpu, /^\d+n$/);
    await assert.rejects(env.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope'), /podmetrics.metrics.k8s.io "default\/nope" not found/);
  });

  it('an HPA scales the burning Deployment up, then back down when the load stops', async () => {
    await env.apply(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: burn}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: burn}
  minReplicas: 1
  maxReplicas: 3
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
  behavior:
    scaleDown: {stabilizationWindowSeconds: 5}
`);
    await eventually(async () => (await replicas('burn')) === 3, 120_000, 1000);
    const up = await hpa('burn');
    assert.equal(cond(up, 'ScalingActive')?.reason, 'ValidMetricFound');
    assert.equal(cond(up, 'ScalingActive')?.message, 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
    const events = await env.k('get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale', '-o', 'jsonpath={.items[*].message}');
    assert.match(events, /New size: [23]; reason: cpu resource utilization \(percentage of request\) above target/);
    const table = await env.k('get', 'hpa', 'burn');
    assert.match(table, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\n/);
    assert.match(table, /\nburn\s+Deployment\/burn\s+cpu: \d+%\/50%\s+1\s+3\s+\d\s+/);

    // The load stops: the new pods sleep.
    await env.k('patch', 'deploy', 'burn', '--type=json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["sleep","3600"]}]');
    await eventually(async () => (await replicas('burn')) === 1, 180_000, 1000);
    const down = await env.k('get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale', '-o', 'jsonpath={.items[*].message}');
    assert.match(down, /reason: All metrics below target/);
  });

  it('a memory AverageValue HPA scales on the working set', async () => {
    await env.apply(burner(env.image, 'idle', { command: 'sleep 3600', probe: true }));
    await env.apply(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: idle}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: idle}
  minReplicas: 1
  maxReplicas: 2
  metrics: [{type: Resource, resource: {name: memory, target: {type: AverageValue, averageValue: 1Ki}}}]
`);
    await eventually(async () => (await replicas('idle')) === 2, 120_000, 1000);
    const h = await hpa('idle');
    assert.match(await env.k('get', 'hpa', 'idle', '--no-headers'), /memory: \d+(k|Ki|Mi|M)?\/1Ki/);
    assert.equal(cond(h, 'ScalingLimited')?.status, 'True');
  });

  it('serves the agent\'s own /metrics and /metrics/probes with the kubelet\'s names', async () => {
    const own = await env.k('get', '--raw', `/api/v1/nodes/${env.nodeName}/proxy/metrics`);
    assert.match(own, /^kubelet_runtime_operations_total\{operation_type="list_container_stats"\} [1-9]\d*$/m);
    assert.match(own, /^kubelet_runtime_operations_total\{operation_type="run_podsandbox"\} [1-9]\d*$/m);
    assert.match(own, /^kubelet_pod_start_duration_seconds_count [1-9]\d*$/m);
    assert.match(own, /^kubelet_running_pods [1-9]\d*$/m);
    const probes = await env.k('get', '--raw', `/api/v1/nodes/${env.nodeName}/proxy/metrics/probes`);
    assert.match(probes, /^prober_probe_total\{container="main",namespace="default",pod="idle-[a-z0-9-]+",pod_uid="[0-9a-f-]{36}",probe_type="Readiness",result="successful"\} [1-9]\d*$/m);
  });

  it('an HPA whose target has no requests says why it cannot scale', async () => {
    await env.apply(burner(env.image, 'noreq', { requests: false, command: 'sleep 3600' }));
    await env.k('autoscale', 'deployment', 'noreq', '--cpu-percent=50', '--min=1', '--max=2');
    const h = await eventually(async () => {
      const x = await hpa('noreq');
      return cond(x, 'ScalingActive')?.reason === 'FailedGetResourceMetric' && /missing request/.test(cond(x, 'ScalingActive')?.message ?? '') ? x : undefined;
    }, 90_000, 1000);
    assert.match(cond(h, 'ScalingActive')!.message, /^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container main of Pod noreq-/);
    assert.equal(cond(h, 'ScalingActive')?.status, 'False');
    assert.match(await env.k('get', 'hpa', 'noreq', '--no-headers'), /cpu: <unknown>\/50%/);
    assert.equal(await replicas('noreq'), 1);
  });

  const prometheus = prometheusBinary();
  it('Prometheus with the static example scrapes the API server, every node endpoint and pods by IP', { skip: prometheus ? false : 'needs Debian\'s prometheus (PROMETHEUS=...)' }, async () => {
    await env.k('apply', '-f', join(packageRoot(), 'docs', 'prometheus', 'rbac.yaml'));
    const token = join(env.tmp, 'prometheus-token');
    await writeFile(token, (await env.k('create', 'token', 'prometheus', '-n', 'kube-system', '--duration=1h')).trim());
    // A pod with metrics of its own, served by busybox httpd.
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: exporter}
spec:
  containers:
  - name: httpd
    image: ${env.image}
    command: [sh, -c, 'mkdir -p /www && echo "demo_up 1" > /www/metrics && exec httpd -f -p 8080 -h /www']
`);
    const ip = await eventually(async () => (await env.pod('exporter')).status.podIP, 60_000, 500);
    await eventually(async () => (await env.pod('exporter')).status.phase === 'Running', 60_000, 500);
    const config = await staticConfig({
      apiServer: `127.0.0.1:${env.c.port}`, nodes: [env.nodeName], podTargets: [`${ip}:8080`],
      caFile: join(env.c.dataDir, 'pki', 'ca.crt'), tokenFile: token, scrapeInterval: '2s',
    });
    const p = await startPrometheus(prometheus!, join(env.tmp, 'prometheus'), config, await freePort());
    try {
      const jobs = ['apiserver', 'kubelet', 'kubelet-cadvisor', 'kubelet-resource', 'kubelet-probes', 'pods'];
      const up = await eventually(async () => {
        const r = await p.query('up').catch(() => []);
        return jobs.every((j) => r.some((x) => x.metric.job === j && x.value[1] === '1')) ? r : undefined;
      }, 60_000, 1000).catch(async (err: Error) => {
        throw new Error(`${err.message}; up: ${JSON.stringify(await p.query('up'))}`);
      });
      assert.deepEqual(up.filter((x) => x.value[1] !== '1'), []);
      for (const q of ['apiserver_storage_objects{resource="pods"}', 'container_cpu_usage_seconds_total{id="/"}', 'container_memory_working_set_bytes{pod="exporter",container="httpd"}',
        'kubelet_pod_start_duration_seconds_count', 'prober_probe_total', 'node_cpu_usage_seconds_total', 'demo_up']) {
        assert.ok((await p.query(q)).length > 0, `no ${q} in Prometheus`);
      }
    } finally {
      await p.stop();
    }
  });

  it('leaves nothing of the node behind', async () => {
    await env.stopAgent();
    await env.killall();
    await done();
  });
});
