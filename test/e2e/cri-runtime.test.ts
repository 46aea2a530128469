// The runtime layer against the real thing: our supervised containerd, runc, the bridge
// CNI plugins, iptables, and images pulled over HTTP from a local registry. Needs root and
// the Debian packages containerd runc containernetworking-plugins iptables busybox-static
// docker-registry skopeo umoci gcc; skips (saying what is missing) otherwise.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CriError, type PodSandboxConfig } from '../../node-agent/cri/index.js';
import { conditionStatus } from '../../node-agent/cri/client.js';
import { startContainerRuntime } from '../../node-agent/containerd/index.js';
import { PAUSE_IMAGE } from '../images/images.js';
import { measurePodStartFloor, formatFloorTable } from '../../bench/cri-floor.js';
import { AUTH, TEST_POD_CIDR, missingPrerequisites, setupCriEnv, type CriEnv } from './cri-harness.js';
import { cidrContains } from '../../lib/ipv4.js';

const missing = missingPrerequisites();

describe('CRI runtime on real containerd', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, () => {
  let env: CriEnv;
  let busybox: string;
  let podId = '';
  let webId = '';
  let podIp = '';
  const uid = `e2e-${process.pid}`;
  let sandbox: PodSandboxConfig;

  before(async () => {
    env = await setupCriEnv();
    busybox = `${env.registry.host}/library/busybox:latest`;
  });

  after(async () => {
    if (env) await env.teardown();
  });

  it('runs our own containerd, ready, with the host-specific config', async () => {
    const v = await env.cri.runtime.version();
    assert.equal(v.runtime_name, 'containerd');
    assert.equal(v.runtime_api_version, 'v1');
    const st = await env.cri.runtime.status();
    assert.ok(conditionStatus(st, 'RuntimeReady'));
    assert.ok(conditionStatus(st, 'NetworkReady'), 'the bridge conflist makes the network ready');
    const cfg = await readFile(env.runtime.paths?.configFile ?? '', 'utf8');
    assert.match(cfg, new RegExp(`^  restrict_oom_score_adj = ${!env.runtime.host.canLowerOomScoreAdj}$`, 'm'));
    assert.match(cfg, new RegExp(`^  Root = "${env.runDir}/runc"$`, 'm'));
    assert.ok(env.runtime.paths?.socket.startsWith(env.runDir + '/'));
  });

  it('attaches to an existing endpoint instead of starting containerd', async () => {
    const stop = new AbortController();
    const ext = await startContainerRuntime({ dataDir: env.dataDir, endpoint: env.runtime.endpoint, signal: stop.signal });
    assert.equal(ext.managed, false);
    assert.equal(ext.supervisor, undefined);
    assert.equal((await ext.cri.runtime.version()).runtime_name, 'containerd');
    stop.abort();
    await ext.stopped;
    // Detaching leaves the runtime running.
    assert.equal((await env.cri.runtime.version()).runtime_name, 'containerd');
  });

  it('imported the airgap pause image at start', async () => {
    const img = await env.cri.image.imageStatus({ image: PAUSE_IMAGE });
    assert.ok(img.image, 'pause image present without any pull');
    assert.ok(img.image.repo_tags.includes(PAUSE_IMAGE));
  });

  it('pulls busybox through CRI from the plain-http registry (hosts.toml)', async () => {
    const hosts = await readFile(join(env.runtime.paths?.certsDir ?? '', env.registry.host, 'hosts.toml'), 'utf8');
    assert.match(hosts, new RegExp(`server = "http://${env.registry.host}"`));
    assert.equal((await env.cri.image.imageStatus({ image: busybox })).image, null);
    const t0 = performance.now();
    const ref = await env.cri.image.pullImage({ image: busybox });
    const ms = Math.round(performance.now() - t0);
    console.log(`# PullImage ${busybox} (cold): ${ms} ms`);
    assert.match(ref, /^sha256:[0-9a-f]{64}$/);
    const img = await env.cri.image.imageStatus({ image: busybox });
    assert.equal(img.image?.id, ref);
  });

  it('pulls from a registry that demands auth, with credentials from registries.yaml', async () => {
    const image = `${env.authRegistry.host}/library/busybox:latest`;
    const anon = await fetch(`http://${env.authRegistry.host}/v2/library/busybox/manifests/latest`);
    assert.equal(anon.status, 401, 'the registry really requires credentials');
    // Credentials passed with the request override config.toml's: wrong ones must fail...
    await assert.rejects(env.cri.image.pullImage({ image }, { username: AUTH.username, password: 'wrong' }), CriError);
    // ...so the pull without any succeeds only thanks to registry.configs.<host>.auth.
    const ref = await env.cri.image.pullImage({ image });
    assert.match(ref, /^sha256:/);
  });

  it('maps runtime errors to CriError codes', async () => {
    await assert.rejects(env.cri.runtime.containerStatus('0123456789abcdef'), (e: unknown) => e instanceof CriError && e.code === 'NotFound');
    await assert.rejects(env.cri.runtime.runtimeConfig(), (e: unknown) => e instanceof CriError && e.code === 'Unimplemented');
    await assert.rejects(env.cri.image.pullImage({ image: `${env.registry.host}/library/nope:latest` }), (e: unknown) => e instanceof CriError);
  });

  it('runs a pod on the bridge network whose httpd answers the host over HTTP', async () => {
    sandbox = {
      metadata: { name: 'web', uid, namespace: 'e2e', attempt: 0 },
      hostname: 'web',
      log_directory: join(env.logRoot, `e2e_web_${uid}`),
      linux: {
        cgroup_parent: env.cgroupParent,
        security_context: {
          namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' },
          seccomp: { profile_type: 'RuntimeDefault' },
        },
      },
    };
    await mkdir(sandbox.log_directory as string, { recursive: true });
    podId = await env.cri.runtime.runPodSandbox(sandbox);
    webId = await env.cri.runtime.createContainer(
      podId,
      {
        metadata: { name: 'httpd' },
        image: { image: busybox },
        command: ['httpd', '-f', '-v', '-p', '8080', '-h', '/var/www'],
        log_path: 'httpd/0.log',
        linux: {
          resources: { memory_limit_in_bytes: 64 * 1024 * 1024 },
          security_context: { seccomp: { profile_type: 'RuntimeDefault' } },
        },
      },
      sandbox,
    );
    await env.cri.runtime.startContainer(webId);
    const st = await env.cri.runtime.containerStatus(webId);
    assert.equal(st.status?.state, 'CONTAINER_RUNNING');
    const ps = await env.cri.runtime.podSandboxStatus(podId);
    assert.equal(ps.status?.state, 'SANDBOX_READY');
    podIp = ps.status?.network?.ip ?? '';
    assert.ok(cidrContains(TEST_POD_CIDR, podIp), `pod IP ${podIp} in ${TEST_POD_CIDR}`);

    let body = '';
    for (let i = 0; i < 50 && !body; i++) {
      body = await fetch(`http://${podIp}:8080/index.html`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.text())
        .catch(() => '');
      if (!body) await sleep(100);
    }
    assert.equal(body, 'hello from k8ts busybox\n');
    // The CRI log file records the request (kubelet reads these for `kubectl logs`).
    await sleep(200);
    const logText = await readFile(join(sandbox.log_directory as string, 'httpd', '0.log'), 'utf8');
    assert.match(logText, /^\S+Z stderr F .*response:200/m);
  });

  it('ExecSync returns stdout, stderr and the exit code', async () => {
    const ok = await env.cri.runtime.execSync(webId, ['sh', '-c', 'echo hi; echo oops >&2; hostname'], 10);
    assert.equal(ok.exit_code, 0);
    assert.equal(ok.stdout.toString(), 'hi\nweb\n');
    assert.equal(ok.stderr.toString(), 'oops\n');
    const fail = await env.cri.runtime.execSync(webId, ['sh', '-c', 'exit 3'], 10);
    assert.equal(fail.exit_code, 3);
  });

  it('hands out streaming URLs on the loopback stream server', async () => {
    const url = await env.cri.runtime.exec({ container_id: webId, cmd: ['true'], stdout: true });
    assert.match(url, new RegExp(`^http://127\\.0\\.0\\.1:${env.streamPort}/exec/\\S+$`));
  });

  it('restarts a killed containerd; the running pod survives', async () => {
    const sup = env.runtime.supervisor;
    assert.ok(sup?.pid);
    const before = sup.readyTimes;
    process.kill(sup.pid, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    while (sup.readyTimes === before) {
      assert.ok(Date.now() < deadline, 'containerd back within 30 s');
      await sleep(50);
    }
    const st = await env.cri.runtime.containerStatus(webId);
    assert.equal(st.status?.state, 'CONTAINER_RUNNING');
    const r = await fetch(`http://${podIp}:8080/index.html`, { signal: AbortSignal.timeout(2000) });
    assert.equal(r.status, 200);
  });

  it('stops and removes the pod', async () => {
    await env.cri.runtime.stopPodSandbox(podId);
    await env.cri.runtime.removePodSandbox(podId);
    await assert.rejects(env.cri.runtime.podSandboxStatus(podId), (e: unknown) => e instanceof CriError && e.code === 'NotFound');
    // Removing again is fine (idempotent), as the kubelet relies on.
    await env.cri.runtime.removePodSandbox(podId);
  });

  it('measures the pod start floor (RunPodSandbox..container running)', async () => {
    const r = await measurePodStartFloor({ cri: env.cri, image: busybox, pods: 5, logRoot: env.logRoot, cgroupParent: env.cgroupParent });
    console.log(formatFloorTable(r).replace(/^/gm, '# '));
    assert.equal(r.samples.length, 5);
    assert.ok(r.total.p50 > 0 && r.total.p50 <= r.total.p99);
    assert.deepEqual(await env.cri.runtime.listPodSandbox(), []);
  });

  it('tears down everything it created', async () => {
    const problems = await env.teardown();
    assert.deepEqual(problems, []);
    assert.deepEqual(await env.leftovers(), []);
  });
});
