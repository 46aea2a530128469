// The node agent against the real thing: our containerd, runc, the CNI bridge plugin, iptables,
// images pulled from a loopback registry, a real `k8ts server`, real kubectl. Needs root and the
// Debian packages the CRI tests need; skips (saying what is missing) otherwise.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, run } from '../lib/cluster.js';
import { connectCri } from '../../node-agent/cri/index.js';
import { cond, httpdDeployment, missingPrerequisites, setupAgentEnv, waitForPod, type AgentEnv, type PodJson } from './agent-harness.js';
import { cidrContains } from '../../lib/ipv4.js';

const missing = missingPrerequisites();

const running = (p: PodJson) => p.status.phase === 'Running' && !!p.status.containerStatuses?.every((c) => c.state.running);

describe('node agent on real containerd', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, () => {
  let env: AgentEnv;
  let image: string;

  before(async () => {
    env = await setupAgentEnv();
    image = env.image;
  });

  after(async () => {
    if (env) await env.teardown();
  });

  it('registers the node Ready, with its facts, pod CIDR and lease', async () => {
    const node = JSON.parse(await env.k('get', 'node', env.nodeName, '-o', 'json')) as {
      spec: { podCIDR: string };
      status: { conditions: { type: string; status: string; reason: string }[]; nodeInfo: Record<string, string>; capacity: Record<string, string>; daemonEndpoints: { kubeletEndpoint: { Port: number } } };
    };
    assert.deepEqual(node.status.conditions.map((c) => [c.type, c.status, c.reason]), [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ]);
    assert.match(node.status.nodeInfo.containerRuntimeVersion ?? '', /^containerd:\/\/1\./);
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.32.4-k8ts');
    assert.equal(node.status.capacity.pods, '110');
    assert.ok(node.status.daemonEndpoints.kubeletEndpoint.Port > 0);
    assert.equal(node.spec.podCIDR, env.podCIDR);
    const lease = JSON.parse(await env.k('get', 'lease', '-n', 'kube-node-lease', env.nodeName, '-o', 'json')) as { spec: { holderIdentity: string } };
    assert.equal(lease.spec.holderIdentity, env.nodeName);
    const wide = await env.k('get', 'node', env.nodeName, '-o', 'wide');
    assert.match(wide, /\bReady\b.*v1\.32\.4-k8ts.*containerd:\/\//);
  });

  it('runs a Deployment of httpd pods that turn Ready and answer on their pod IPs', async () => {
    await env.apply(httpdDeployment(image, 2));
    await eventually(async () => (await env.k('get', 'deploy', 'web', '-o', 'jsonpath={.status.readyReplicas}')) === '2', 90_000, 250);
    const pods = JSON.parse(await env.k('get', 'pods', '-l', 'app=web', '-o', 'json')) as { items: PodJson[] };
    assert.equal(pods.items.length, 2);
    for (const p of pods.items) {
      const ip = p.status.podIP ?? '';
      assert.ok(cidrContains(env.podCIDR, ip), `pod IP ${ip} in ${env.podCIDR}`);
      assert.equal(cond(p, 'Ready'), 'True');
      const body = await eventually(() => fetch(`http://${ip}:8080/index.html`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text()), 10_000);
      assert.equal(body, 'hello from k8ts busybox\n');
    }
    const table = await env.k('get', 'pods', '-l', 'app=web');
    assert.match(table, /web-\S+\s+1\/1\s+Running\s+0\s+/);
    await env.k('delete', 'deploy', 'web');
  });

  it('runs init containers in order before the app container', async () => {
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: inits}
spec:
  initContainers:
  - {name: first, image: ${image}, command: [sh, -c, "echo first >> /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
  - {name: second, image: ${image}, command: [sh, -c, "echo second >> /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
  containers:
  - {name: app, image: ${image}, command: [sh, -c, "cat /work/order; sleep 3600"], volumeMounts: [{name: work, mountPath: /work}]}
  volumes: [{name: work, emptyDir: {}}]
`);
    const p = await waitForPod(env, 'inits', running, 60_000);
    assert.deepEqual(p.status.initContainerStatuses?.map((s) => [s.name, s.state.terminated?.reason, s.state.terminated?.exitCode]), [['first', 'Completed', 0], ['second', 'Completed', 0]]);
    assert.equal(cond(p, 'Initialized'), 'True');
    const first = Date.parse(p.status.initContainerStatuses?.[0]?.state.terminated?.finishedAt ?? '');
    const second = Date.parse(p.status.initContainerStatuses?.[1]?.state.terminated?.startedAt ?? '');
    assert.ok(second >= first, 'the second init container started after the first finished');
    assert.equal(await eventually(async () => (await env.k('logs', 'inits', '-c', 'app')) || undefined, 10_000), 'first\nsecond\n');
    await env.k('delete', 'pod', 'inits', '--grace-period=1');
  });

  it('mounts configMap, secret and downward API volumes, sets env, and updates volumes in place', async () => {
    await env.apply(`apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {greeting: hello, color: blue}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: s3cret}
---
apiVersion: v1
kind: Pod
metadata: {name: data, labels: {app: data, tier: backend}}
spec:
  containers:
  - name: app
    image: ${image}
    command: [sleep, "3600"]
    env:
    - {name: GREETING, valueFrom: {configMapKeyRef: {name: settings, key: greeting}}}
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: MESSAGE, value: "$(GREETING) from $(POD_NAME)"}
    envFrom: [{prefix: CFG_, configMapRef: {name: settings}}]
    volumeMounts:
    - {name: cfg, mountPath: /etc/cfg}
    - {name: sec, mountPath: /etc/sec}
    - {name: info, mountPath: /etc/info}
  volumes:
  - {name: cfg, configMap: {name: settings}}
  - {name: sec, secret: {secretName: creds, defaultMode: 0400}}
  - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
`);
    const p = await waitForPod(env, 'data', running);
    const sh = (cmd: string) => env.k('exec', 'data', '--', 'sh', '-c', cmd);
    const envOut = await sh('env');
    for (const line of ['GREETING=hello', 'PASSWORD=s3cret', 'POD_NAME=data', `POD_IP=${p.status.podIP}`, 'MESSAGE=hello from data', 'CFG_color=blue', 'KUBERNETES_SERVICE_HOST=10.43.0.1']) {
      assert.ok(envOut.split('\n').includes(line), `env has ${line}`);
    }
    assert.equal(await sh('cat /etc/cfg/greeting'), 'hello');
    assert.equal(await sh('cat /etc/sec/password; stat -L -c %a /etc/sec/password'), 's3cret400\n');
    assert.equal(await sh('cat /etc/info/labels'), 'app="data"\ntier="backend"');
    assert.equal(await sh('cat /var/run/secrets/kubernetes.io/serviceaccount/namespace'), 'default');
    assert.match(await sh('cat /var/run/secrets/kubernetes.io/serviceaccount/token'), /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const hosts = await sh('cat /etc/hosts');
    assert.match(hosts, new RegExp(`^${p.status.podIP?.replace(/\./g, '\\.')}\\tdata$`, 'm'));
    assert.match(await sh('cat /etc/resolv.conf'), /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
    // The token authenticates as the pod's service account.
    const token = await sh('cat /var/run/secrets/kubernetes.io/serviceaccount/token');
    const who = await env.c.http('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    assert.equal(who.json<{ status: { user: { username: string } } }>().status.user.username, 'system:serviceaccount:default:default');

    await env.k('patch', 'configmap', 'settings', '--type', 'merge', '-p', '{"data":{"greeting":"updated"}}');
    await eventually(async () => (await sh('cat /etc/cfg/greeting')) === 'updated', 30_000, 500);
    await env.k('delete', 'pod', 'data', '--grace-period=1');
  });

  it('applies memory and cpu limits to the container cgroup', async () => {
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: limited}
spec:
  containers:
  - name: app
    image: ${image}
    command: [sleep, "3600"]
    resources: {limits: {memory: 64Mi, cpu: 250m}, requests: {memory: 32Mi, cpu: 100m}}
`);
    const p = await waitForPod(env, 'limited', running);
    assert.equal((await env.pod('limited')).status.phase, 'Running');
    const v1 = await env.k('exec', 'limited', '--', 'sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max');
    assert.equal(v1.trim(), String(64 * 1024 * 1024));
    const quota = await env.k('exec', 'limited', '--', 'sh', '-c', 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d" " -f1 /sys/fs/cgroup/cpu.max');
    assert.equal(quota.trim(), '25000');
    assert.equal(JSON.parse(await env.k('get', 'pod', 'limited', '-o', 'json')).status.qosClass, 'Burstable');
    void p;
    await env.k('delete', 'pod', 'limited', '--grace-period=1');
  });

  it('runs containers as their securityContext says', async () => {
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: secure}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000]}
  containers:
  - name: app
    image: ${image}
    command: [sleep, "3600"]
    securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`);
    await waitForPod(env, 'secure', running);
    assert.equal((await env.k('exec', 'secure', '--', 'id')).trim(), 'uid=1000 gid=3000 groups=3000,4000');
    const touch = await env.c.kubectl(['exec', 'secure', '--', 'touch', '/x']);
    assert.notEqual(touch.code, 0);
    assert.match(touch.stderr, /Read-only file system/);
    assert.match(await env.k('exec', 'secure', '--', 'grep', 'CapEff', '/proc/self/status'), /CapEff:\s+0000000000000000/);
    assert.match(await env.k('exec', 'secure', '--', 'grep', 'NoNewPrivs', '/proc/self/status'), /NoNewPrivs:\s+1/);
    await env.k('delete', 'pod', 'secure');
  });

  it('mounts hostPath (created by DirectoryOrCreate) and memory-backed emptyDir volumes', async () => {
    const hostDir = join(env.tmp, 'host-data');
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: mounts}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${image}
    command: [sh, -c, "echo from-pod > /host/written; sleep 3600"]
    volumeMounts: [{name: host, mountPath: /host}, {name: mem, mountPath: /mem}]
  volumes:
  - {name: host, hostPath: {path: ${hostDir}, type: DirectoryOrCreate}}
  - {name: mem, emptyDir: {medium: Memory, sizeLimit: 8Mi}}
`);
    await waitForPod(env, 'mounts', running);
    assert.equal(await eventually(() => readFile(join(hostDir, 'written'), 'utf8').catch(() => undefined), 10_000), 'from-pod\n');
    assert.match(await env.k('exec', 'mounts', '--', 'sh', '-c', 'grep " /mem " /proc/mounts'), /^tmpfs \/mem tmpfs rw,.*size=8192k/);
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: badhost}
spec:
  containers: [{name: app, image: ${image}, command: [sleep, "1"], volumeMounts: [{name: h, mountPath: /h}]}]
  volumes: [{name: h, hostPath: {path: ${join(env.tmp, 'absent')}, type: Directory}}]
`);
    const events = await eventually(async () => {
      const e = await env.k('get', 'events', '--field-selector', 'involvedObject.name=badhost,reason=FailedMount', '-o', 'jsonpath={.items[0].message}');
      return e || undefined;
    }, 20_000, 250);
    assert.equal(events, `MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${join(env.tmp, 'absent')} is not a directory`);
    assert.match(await env.k('get', 'pod', 'badhost'), /badhost\s+0\/1\s+ContainerCreating/);
    await env.k('delete', 'pod', 'mounts', 'badhost', '--grace-period=1');
  });

  it('reports CreateContainerConfigError until the ConfigMap it reads exists', async () => {
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: needs-config}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${image}
    command: [sleep, "3600"]
    env: [{name: MODE, valueFrom: {configMapKeyRef: {name: late-config, key: mode}}}]
`);
    const p = await waitForPod(env, 'needs-config', (x) => x.status.containerStatuses?.[0]?.state.waiting?.reason === 'CreateContainerConfigError', 30_000);
    assert.equal(p.status.containerStatuses?.[0]?.state.waiting?.message, 'configmap "late-config" not found');
    assert.match(await env.k('get', 'pod', 'needs-config'), /needs-config\s+0\/1\s+CreateContainerConfigError/);
    const events = await env.k('get', 'events', '--field-selector', 'involvedObject.name=needs-config,reason=Failed', '-o', 'jsonpath={.items[0].message}');
    assert.equal(events, 'Error: configmap "late-config" not found');
    await env.k('create', 'configmap', 'late-config', '--from-literal=mode=fast');
    await waitForPod(env, 'needs-config', running, 60_000);
    assert.equal((await env.k('exec', 'needs-config', '--', 'sh', '-c', 'echo $MODE')).trim(), 'fast');
    await env.k('delete', 'pod', 'needs-config');
  });

  it('backs off a crashing container: CrashLoopBackOff, 10 s then 20 s between restarts', async () => {
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  containers:
  - {name: app, image: ${image}, command: [sh, -c, "echo boom; exit 3"]}
`);
    const p = await waitForPod(env, 'crash', (x) => x.status.containerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff', 60_000);
    const cs = p.status.containerStatuses?.[0];
    assert.equal(cs?.lastState.terminated?.exitCode, 3);
    assert.equal(cs?.lastState.terminated?.reason, 'Error');
    assert.match(cs?.state.waiting?.message ?? '', /^back-off (10|20)s restarting failed container=app pod=crash_default\(/);
    assert.match(await env.k('get', 'pod', 'crash'), /crash\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\S+ ago\)/);
    // Record each finished run (by container ID) over two more restarts; the gap between one run's
    // finish and the next one's start is the backoff. A run that dies between two polls is only
    // ever seen as lastState, so runs are collected from every poll rather than from the last.
    const runs = new Map<string, { started: number; finished: number }>();
    const record = (x: PodJson): void => {
      const s = x.status.containerStatuses?.[0];
      for (const t of [s?.lastState.terminated, s?.state.terminated]) {
        if (t?.containerID) runs.set(t.containerID, { started: Date.parse(t.startedAt ?? ''), finished: Date.parse(t.finishedAt ?? '') });
      }
    };
    record(p);
    const seen = runs.size;
    await waitForPod(env, 'crash', (x) => { record(x); return runs.size >= seen + 2; }, 120_000);
    const ordered = [...runs.values()].sort((a, b) => a.started - b.started).slice(-3);
    const gaps = ordered.slice(1).map((r, i) => (r.started - (ordered[i] as { finished: number }).finished) / 1000);
    console.log(`# crash loop restart gaps (s): ${gaps.join(', ')}`);
    assert.ok(gaps.every((g) => g >= 9), `gaps ${gaps} are at least the 10 s backoff`);
    assert.ok(gaps.length === 2 && (gaps[1] as number) > (gaps[0] as number) + 5, `gaps ${gaps} double`);
    const events = await env.k('get', 'events', '--field-selector', 'involvedObject.name=crash', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}');
    assert.ok(events.split('\n').includes('BackOff'));
    await env.k('delete', 'pod', 'crash', '--grace-period=1');
  });

  it('follows readiness as its probe fails and recovers, and restarts on liveness failure', async () => {
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: probed}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: ${image}
    command: [sh, -c, "touch /tmp/ready /tmp/alive; sleep 3600"]
    readinessProbe: {exec: {command: [cat, /tmp/ready]}, periodSeconds: 1, failureThreshold: 1}
    livenessProbe: {exec: {command: [cat, /tmp/alive]}, periodSeconds: 1, failureThreshold: 2}
`);
    await waitForPod(env, 'probed', (x) => cond(x, 'Ready') === 'True');
    await env.k('exec', 'probed', '--', 'rm', '/tmp/ready');
    let p = await waitForPod(env, 'probed', (x) => cond(x, 'Ready') === 'False', 20_000);
    assert.equal(p.status.containerStatuses?.[0]?.ready, false);
    assert.equal(p.status.containerStatuses?.[0]?.restartCount, 0, 'readiness failures never restart');
    await env.k('exec', 'probed', '--', 'touch', '/tmp/ready');
    await waitForPod(env, 'probed', (x) => cond(x, 'Ready') === 'True', 20_000);
    await env.k('exec', 'probed', '--', 'rm', '/tmp/alive');
    p = await waitForPod(env, 'probed', (x) => (x.status.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 60_000);
    const events = await env.k('get', 'events', '--field-selector', 'involvedObject.name=probed', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
    assert.match(events, /Unhealthy: Liveness probe failed: cat: can't open '\/tmp\/alive': No such file or directory/);
    assert.match(events, /Killing: Container app failed liveness probe, will be restarted/);
    assert.match(events, /Unhealthy: Readiness probe failed:/);
    await env.k('delete', 'pod', 'probed', '--grace-period=1');
  });

  it('pulls with imagePullSecrets; without them the pull fails into ImagePullBackOff', async () => {
    const pod = (name: string, secret: boolean) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
  ${secret ? 'imagePullSecrets: [{name: regcred}]' : ''}
  containers: [{name: app, image: ${env.authImage}, command: [sleep, "3600"]}]
`;
    await env.apply(pod('no-creds', false));
    let p = await waitForPod(env, 'no-creds', (x) => x.status.containerStatuses?.[0]?.state.waiting?.reason === 'ErrImagePull', 30_000);
    assert.match(p.status.containerStatuses?.[0]?.state.waiting?.message ?? '', /rpc error: code = \w+ desc = .*(401|unauthorized|authorization)/i);
    p = await waitForPod(env, 'no-creds', (x) => x.status.containerStatuses?.[0]?.state.waiting?.reason === 'ImagePullBackOff', 60_000);
    assert.match(p.status.containerStatuses?.[0]?.state.waiting?.message ?? '', /^Back-off pulling image "/);
    assert.match(await env.k('get', 'pod', 'no-creds'), /no-creds\s+0\/1\s+ImagePullBackOff/);
    await env.k('create', 'secret', 'docker-registry', 'regcred', `--docker-server=${env.authImage.split('/')[0]}`, `--docker-username=${env.authUser}`, `--docker-password=${env.authPassword}`);
    await env.apply(pod('with-creds', true));
    await waitForPod(env, 'with-creds', running, 60_000);
    const events = await env.k('get', 'events', '--field-selector', 'involvedObject.name=with-creds', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
    assert.match(events, new RegExp(`Pulled: Successfully pulled image "${env.authImage.replace(/[.]/g, '\\.')}" in \\S+ \\(\\S+ including waiting\\)\\. Image size: \\d+ bytes\\.`));
    await env.k('delete', 'pod', 'no-creds', 'with-creds', '--grace-period=1');
  });

  it('finishes run-to-completion pods as Succeeded or Failed', async () => {
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: job-ok}
spec:
  restartPolicy: Never
  containers: [{name: app, image: ${image}, command: [sh, -c, "echo done"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: job-fail}
spec:
  restartPolicy: Never
  containers: [{name: app, image: ${image}, command: [sh, -c, "echo oops >&2; exit 7"], terminationMessagePolicy: FallbackToLogsOnError}]
`);
    const ok = await waitForPod(env, 'job-ok', (x) => x.status.phase === 'Succeeded', 60_000);
    assert.equal(ok.status.containerStatuses?.[0]?.state.terminated?.reason, 'Completed');
    const bad = await waitForPod(env, 'job-fail', (x) => x.status.phase === 'Failed', 60_000);
    const t = bad.status.containerStatuses?.[0]?.state.terminated;
    assert.equal(t?.exitCode, 7);
    assert.equal(t?.reason, 'Error');
    assert.equal((t as { message?: string } | undefined)?.message, 'oops\n');
    const table = await env.k('get', 'pods', 'job-ok', 'job-fail');
    assert.match(table, /job-ok\s+0\/1\s+Completed\s+0/);
    assert.match(table, /job-fail\s+0\/1\s+Error\s+0/);
    assert.equal(await env.k('logs', 'job-ok'), 'done\n');
    await env.k('delete', 'pod', 'job-ok', 'job-fail');
  });

  it('maps hostPort to the pod and runs host-network pods with the node name and IP', async () => {
    const hostPort = 30000 + (parseInt(env.id, 16) % 2000);
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: hostport}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: web, image: ${image}, command: [httpd, -f, -p, "8080", -h, /var/www], ports: [{containerPort: 8080, hostPort: ${hostPort}}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: hostnet}
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers: [{name: app, image: ${image}, command: [sleep, "3600"]}]
`);
    await waitForPod(env, 'hostport', running);
    const node = JSON.parse(await env.k('get', 'node', env.nodeName, '-o', 'json')) as { status: { addresses: { type: string; address: string }[] } };
    const nodeIP = node.status.addresses.find((a) => a.type === 'InternalIP')?.address;
    const body = await eventually(() => fetch(`http://${nodeIP}:${hostPort}/index.html`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text()), 15_000);
    assert.equal(body, 'hello from k8ts busybox\n');
    const hn = await waitForPod(env, 'hostnet', running);
    assert.equal(hn.status.podIP, nodeIP);
    assert.match(await env.k('exec', 'hostnet', '--', 'cat', '/etc/hosts'), /^# Kubernetes-managed hosts file \(host network\)\./);
    await env.k('delete', 'pod', 'hostport', 'hostnet');
  });

  it('runs a static pod, mirrors it in the API, restarts it on edit and removes it with its manifest', async () => {
    const manifest = join(env.manifests, 'static-web.yaml');
    const yaml = (port: number) => `apiVersion: v1
kind: Pod
metadata: {name: static-web, namespace: default}
spec:
  containers:
  - {name: web, image: ${image}, imagePullPolicy: IfNotPresent, command: [httpd, -f, -p, "${port}", -h, /var/www]}
`;
    await writeFile(manifest, yaml(8080));
    const mirror = `static-web-${env.nodeName}`;
    const first = await waitForPod(env, mirror, running, 60_000);
    assert.ok(first.metadata.annotations?.['kubernetes.io/config.mirror'], 'the API copy is a mirror pod');
    assert.equal(first.metadata.annotations?.['kubernetes.io/config.source'], 'file');
    const body = await eventually(() => fetch(`http://${first.status.podIP}:8080/index.html`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text()), 10_000);
    assert.equal(body, 'hello from k8ts busybox\n');
    // Deleting the mirror pod does not stop the static pod: the mirror comes back.
    await env.k('delete', 'pod', mirror, '--wait=false');
    const back = await waitForPod(env, mirror, (p) => p.metadata.uid !== first.metadata.uid && running(p), 30_000);
    assert.equal(back.status.containerStatuses?.[0]?.containerID, first.status.containerStatuses?.[0]?.containerID);
    // An edit is a new pod.
    await writeFile(manifest, yaml(8081));
    const edited = await waitForPod(env, mirror, (p) => p.metadata.annotations?.['kubernetes.io/config.mirror'] !== first.metadata.annotations?.['kubernetes.io/config.mirror'] && running(p), 60_000);
    assert.notEqual(edited.status.containerStatuses?.[0]?.containerID, first.status.containerStatuses?.[0]?.containerID);
    await rm(manifest);
    await eventually(async () => (await env.c.kubectl(['get', 'pod', mirror])).code !== 0, 60_000, 250);
  });

  it('runs static pods while the API server is unreachable, and mirrors them once it answers', async () => {
    await env.stopAgent();
    await writeFile(join(env.manifests, 'offline.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: offline, namespace: default}
spec:
  containers: [{name: app, image: ${image}, imagePullPolicy: IfNotPresent, command: [sleep, "3600"]}]
`);
    // An API server that is not there: the agent still runs what its manifests ask for.
    await env.startAgent({ server: 'https://127.0.0.1:1' });
    const mirror = `offline-${env.nodeName}`;
    const cri = connectCri('unix://' + env.criSocket);
    try {
      const t0 = Date.now();
      const running = await eventually(async () => {
        const cs = await cri.runtime.listContainers({ state: { state: 'CONTAINER_RUNNING' }, label_selector: { 'io.kubernetes.pod.name': mirror } });
        return cs[0]?.id;
      }, 60_000, 250);
      const t1 = Date.now();
      await env.stopAgent();
      const t2 = Date.now();
      await env.startAgent();
      console.log(`# offline static pod running after ${t1 - t0} ms; agent stop ${t2 - t1} ms, start ${Date.now() - t2} ms`);
      const p = await waitForPod(env, mirror, (x) => x.status.containerStatuses?.[0]?.state.running !== undefined, 30_000);
      assert.equal(p.status.containerStatuses?.[0]?.containerID, `containerd://${running}`, 'adopted, not restarted');
      await rm(join(env.manifests, 'offline.yaml'));
      await eventually(async () => (await env.c.kubectl(['get', 'pod', mirror])).code !== 0, 60_000, 250);
    } finally {
      cri.close();
    }
  });

  it('keeps containers running across an agent restart (same container IDs, no restarts)', async () => {
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: survivor}
spec:
  containers:
  - {name: app, image: ${image}, command: [sleep, "3600"]}
`);
    const before = await waitForPod(env, 'survivor', running);
    await env.stopAgent();
    await sleep(1000);
    await env.startAgent();
    await sleep(3000);
    const after = await env.pod('survivor');
    assert.equal(after.metadata.uid, before.metadata.uid);
    assert.equal(after.status.containerStatuses?.[0]?.containerID, before.status.containerStatuses?.[0]?.containerID);
    assert.equal(after.status.containerStatuses?.[0]?.restartCount, 0);
    assert.ok(after.status.containerStatuses?.[0]?.state.running);
    assert.equal(after.status.podIP, before.status.podIP);
  });

  it('stops a deleted pod with its preStop hook and grace period, then removes it', async () => {
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: graceful}
spec:
  terminationGracePeriodSeconds: 3
  containers:
  - name: app
    image: ${image}
    command: [sleep, "3600"]
    lifecycle:
      postStart: {exec: {command: [touch, /tmp/post-start-ran]}}
      preStop: {exec: {command: [sh, -c, "sleep 1"]}}
`);
    await waitForPod(env, 'graceful', running);
    assert.equal((await env.k('exec', 'graceful', '--', 'ls', '/tmp/post-start-ran')).trim(), '/tmp/post-start-ran');
    const t0 = Date.now();
    await env.k('delete', 'pod', 'graceful');
    const took = (Date.now() - t0) / 1000;
    // sleep ignores SIGTERM as PID 1: the preStop second, then SIGKILL when the grace period ends.
    assert.ok(took >= 2.5 && took < 15, `deletion took ${took}s`);
    const events = await env.k('get', 'events', '--field-selector', 'involvedObject.name=graceful', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}');
    assert.ok(events.includes('Killing'));
  });

  it('k8ts killall --data-dir stops every pod of that agent and leaves nothing of the node behind', async () => {
    await env.stopAgent();
    // Only --data-dir: the run dir, cgroup root, bridge and IPAM dir are the ones the agent recorded.
    const out = await env.killall({ byDataDir: true });
    assert.match(out, /^stopped \d+ pod\(s\), killed \d+ process\(es\), unmounted \d+ mount\(s\)\n$/);
    // Before teardown's own killall (with every flag) could mend it: that agent's bridge is gone.
    const link = await run('ip', ['link', 'show', env.bridge]);
    assert.notEqual(link.code, 0, `bridge ${env.bridge} still there after killall --data-dir`);
    const problems = await env.teardown();
    assert.deepEqual(problems, []);
    assert.deepEqual(await env.leftovers(), []);
  });
});
