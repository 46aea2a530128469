// kubectl logs, exec, attach, port-forward and cp through a real `k8ts server` to the node
// agent's HTTPS server and our supervised containerd, with kubectl 1.33 (WebSocket: v5
// channels, SPDY tunneled for port-forward) and kubectl 1.27 (SPDY/3.1 only). Also node,
// pod and service proxies, and the agent refusing anyone but the API server. Needs root and
// the CRI test tools (see cri-harness.ts); skips, saying what is missing, otherwise.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../lib/cluster.js';
import { missingPrerequisites } from './cri-harness.js';
import { KUBECTL_SPDY, KUBECTL_WS, NODE, RunningKubectl, setupStreamingFixture, type StreamingFixture } from './streaming-fixture.js';

const missing = [...missingPrerequisites(), ...[KUBECTL_WS, KUBECTL_SPDY].filter((k) => !existsSync(k))];
const hasScript = existsSync('/usr/bin/script');
const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

describe('streaming: logs, exec, attach, port-forward, cp, proxies', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, () => {
  let f: StreamingFixture;
  let work = '';
  const k = (bin: string, args: string[], stdin?: string) => f.cluster.kubectl(args, { binary: bin, stdin, timeoutMs: 60_000 });

  before(async () => {
    f = await setupStreamingFixture(['short', 'crash']);
    work = await mkdtemp(join(tmpdir(), 'k8ts-stream-work-'));
    // A container that already restarted once: its first run printed and failed.
    const first = await f.startContainer('crash', ['sh', '-c', 'echo first run; exit 1'], 0);
    for (let i = 0; i < 100 && (await f.env.cri.runtime.containerStatus(first)).status?.state !== 'CONTAINER_EXITED'; i++) await sleep(100);
    const second = await f.startContainer('crash', ['sh', '-c', 'echo second run; exec sleep 3600'], 1);
    f.setContainerStatus('crash', {
      ready: true, restartCount: 1, containerID: `containerd://${second}`, state: { running: { startedAt: new Date().toISOString() } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', containerID: `containerd://${first}` } },
    });
    // Wait for the logger's late stderr line, so every log assertion sees the whole output.
    for (let i = 0; i < 50 && !(await readLog('logger')).includes('oops'); i++) await sleep(100);
  });

  after(async () => {
    await f?.teardown();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function readLog(container: string): Promise<string> {
    return (await f.cluster.kubectl(['logs', 'web', '-c', container])).stdout;
  }

  const versions: [string, string][] = [['kubectl 1.33 (WebSocket)', KUBECTL_WS], ['kubectl 1.27 (SPDY)', KUBECTL_SPDY]];
  versions.forEach(([label, bin], n) => {
    describe(label, () => {
      it('logs: everything, --tail, --timestamps, --since, --since-time, --limit-bytes', async () => {
        const all = await k(bin, ['logs', 'web', '-c', 'logger']);
        assert.equal(all.code, 0, all.stderr);
        assert.equal(all.stdout, 'line 1\nline 2\nline 3\nline 4\nline 5\noops\n');
        assert.equal((await k(bin, ['logs', 'web', '-c', 'logger', '--tail=2'])).stdout, 'line 5\noops\n');
        const stamped = (await k(bin, ['logs', 'web', '-c', 'logger', '--timestamps', '--tail=1'])).stdout;
        assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) oops\n$/);
        assert.equal((await k(bin, ['logs', 'web', '-c', 'logger', '--since=1h'])).stdout, all.stdout);
        assert.equal((await k(bin, ['logs', 'web', '-c', 'logger', '--since-time=2099-01-01T00:00:00Z'])).stdout, '');
        assert.equal((await k(bin, ['logs', 'web', '-c', 'logger', '--limit-bytes=10'])).stdout, 'line 1\nlin');
        // One container not named: the pod has several, kubectl picks the first and says so.
        const defaulted = await k(bin, ['logs', 'web']);
        assert.equal(defaulted.code, 0);
        assert.match(defaulted.stderr, /Defaulted container "httpd" out of: httpd, logger, reader, short, crash/);
      });

      it('logs --previous: the last instance, or the kubelet\'s refusal when there is none', async () => {
        assert.equal((await k(bin, ['logs', 'web', '-c', 'crash', '--previous'])).stdout, 'first run\n');
        assert.equal((await k(bin, ['logs', 'web', '-c', 'crash'])).stdout, 'second run\n');
        const none = await k(bin, ['logs', 'web', '-c', 'logger', '--previous']);
        assert.equal(none.code, 1);
        assert.equal(none.stderr, 'Error from server (BadRequest): previous terminated container "logger" in pod "web" not found\n');
      });

      it('logs -f: lines as they are written, to the end when the container exits', async () => {
        await f.startContainer('short', ['sh', '-c', 'echo start; sleep 2; echo bye'], n);
        const follow = new RunningKubectl(bin, f.cluster, ['logs', '-f', 'web', '-c', 'short']);
        await follow.waitFor(/^start\n/);
        assert.doesNotMatch(follow.stdout, /bye/, 'still following while the container runs');
        assert.equal(await follow.exited, 0, follow.stderr);
        assert.equal(follow.stdout, 'start\nbye\n');
      });

      it('exec: stdout, stderr and the exit code', async () => {
        const r = await k(bin, ['exec', 'web', '-c', 'httpd', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
        assert.equal(r.code, 3);
        assert.equal(r.stdout, 'out\n');
        // kubectl 1.30+ logs this when the empty "connection established" frame that Kubernetes'
        // servers send first (k8ts' too) beats its own stream setup, which a busy host allows;
        // the frame is empty, so nothing is lost.
        const stderr = r.stderr.replace(/^E\d{4} [\d:.]+ +\d+ websocket\.go:\d+\] Unknown stream id \d, discarding message\n/m, '');
        assert.equal(stderr, 'err\ncommand terminated with exit code 3\n');
        const ok = await k(bin, ['exec', '-v=7', 'web', '-c', 'httpd', '--', 'hostname']);
        assert.equal(ok.code, 0);
        assert.equal(ok.stdout, 'web\n');
        // The protocol really spoken: no silent fallback from WebSocket to SPDY.
        if (bin === KUBECTL_WS) assert.match(ok.stderr, /The subprotocol is v5\.channel\.k8s\.io/);
        assert.doesNotMatch(ok.stderr, /fallback/i);
      });

      it('exec -i: stdin reaches the command and its end is seen', async () => {
        const r = await k(bin, ['exec', '-i', 'web', '-c', 'httpd', '--', 'sh', '-c', 'cat; echo done'], 'hello\nworld\n');
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'hello\nworld\ndone\n');
      });

      it('exec -it: a terminal, and the exit code through it', { skip: hasScript ? false : 'needs script(1)' }, async () => {
        const cmd = `${bin} --kubeconfig ${f.cluster.kubeconfig} exec -it web -c httpd -- sh -c 'tty; exit 4'`;
        const r = await run('script', ['-q', '-e', '-c', cmd, '/dev/null'], undefined, 60_000);
        assert.equal(r.code, 4, r.stdout + r.stderr);
        assert.match(r.stdout, /\/dev\/pts\/\d+/);
        assert.match(r.stdout, /command terminated with exit code 4/);
      });

      it('attach -i: input to the container\'s stdin, its answer back', async () => {
        const attach = new RunningKubectl(bin, f.cluster, ['attach', '-i', 'web', '-c', 'reader']);
        await sleep(1000);
        attach.proc.stdin!.write(`hi-${n}\n`);
        await attach.waitFor(new RegExp(`got:hi-${n}`));
        await attach.stop();
      });

      it('port-forward: HTTP to busybox httpd through a local port, small and large', async () => {
        const size = (await k(bin, ['exec', 'web', '-c', 'httpd', '--', 'sh', '-c', 'head -c 5000000 /dev/urandom > /var/www/big; sha256sum /var/www/big'])).stdout.split(' ')[0];
        const pf = new RunningKubectl(bin, f.cluster, ['port-forward', '-v=4', 'pod/web', ':8080']);
        const [, port] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 8080/);
        try {
          for (let i = 0; i < 3; i++) {
            const r = await fetch(`http://127.0.0.1:${port}/index.html`, { signal: AbortSignal.timeout(10_000) });
            assert.equal(await r.text(), 'hello from k8ts busybox\n');
          }
          const big = Buffer.from(await (await fetch(`http://127.0.0.1:${port}/big`, { signal: AbortSignal.timeout(30_000) })).arrayBuffer());
          assert.equal(big.length, 5_000_000);
          assert.equal(sha256(big), size);
        } finally {
          await pf.stop();
        }
        if (bin === KUBECTL_WS) assert.match(pf.stderr, /negotiated protocol: portforward\.k8s\.io/, 'SPDY tunneled through WebSocket');
        assert.doesNotMatch(pf.stderr, /fallback/i);
      });

      it('cp: a file into the container and back, byte for byte', async () => {
        const data = randomBytes(3_000_000);
        const local = join(work, `up-${n}.bin`);
        await writeFile(local, data);
        const up = await k(bin, ['cp', local, `default/web:/tmp/up-${n}.bin`, '-c', 'httpd']);
        assert.equal(up.code, 0, up.stderr);
        const inside = await k(bin, ['exec', 'web', '-c', 'httpd', '--', 'sha256sum', `/tmp/up-${n}.bin`]);
        assert.equal(inside.stdout.split(' ')[0], sha256(data));
        const back = join(work, `back-${n}.bin`);
        const down = await k(bin, ['cp', `default/web:/tmp/up-${n}.bin`, back, '-c', 'httpd']);
        assert.equal(down.code, 0, down.stderr);
        assert.equal(sha256(await readFile(back)), sha256(data));
      });

      it('errors: an unknown container, a pod with no node, an agent that cannot be reached', async () => {
        const noContainer = await k(bin, ['exec', 'web', '-c', 'nope', '--', 'true']);
        assert.equal(noContainer.code, 1);
        assert.match(noContainer.stderr, /container nope is not valid for pod web|container not found \("nope"\)/);
        const pending = await k(bin, ['exec', 'pending', '--', 'true']);
        assert.equal(pending.code, 1);
        assert.match(pending.stderr, /pod pending does not have a host assigned/);
        const lostLogs = await k(bin, ['logs', 'lost']);
        assert.equal(lostLogs.code, 1);
        assert.equal(lostLogs.stderr, 'Error from server: Get "https://127.0.0.1:1/containerLogs/default/lost/app": dial tcp 127.0.0.1:1: connect: connection refused\n');
        const lostExec = await k(bin, ['exec', 'lost', '--', 'true']);
        assert.equal(lostExec.code, 1);
        assert.match(lostExec.stderr, /error dialing backend: dial tcp 127\.0\.0\.1:1: connect: connection refused/);
      });
    });
  });

  before(async () => {
    // Pods for the error cases: one never scheduled, one on a node whose agent is gone.
    const pod = (name: string, nodeName?: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'app', image: 'busybox' }] } });
    assert.equal((await f.cluster.http('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'gone' } })).status, 201);
    const st = await f.cluster.http('PATCH', '/api/v1/nodes/gone/status', { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: 1 } } } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(st.status, 200, st.body);
    assert.equal((await f.cluster.http('POST', '/api/v1/namespaces/default/pods', pod('pending'))).status, 201);
    assert.equal((await f.cluster.http('POST', '/api/v1/namespaces/default/pods', pod('lost', 'gone'))).status, 201);
  });

  it('every kubectl from 1.27 to 1.33: exec with stdin and exit code, port-forward', async () => {
    for (let minor = 27; minor <= 33; minor++) {
      const bin = `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`;
      if (!existsSync(bin)) continue;
      const r = await k(bin, ['exec', '-i', 'web', '-c', 'httpd', '--', 'sh', '-c', 'cat; exit 5'], `v1.${minor}`);
      assert.equal(r.code, 5, `1.${minor}: ${r.stderr}`);
      assert.equal(r.stdout, `v1.${minor}`);
      const pf = new RunningKubectl(bin, f.cluster, ['port-forward', 'pod/web', ':8080']);
      try {
        const [, port] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 8080/);
        const body = await (await fetch(`http://127.0.0.1:${port}/index.html`, { signal: AbortSignal.timeout(10_000) })).text();
        assert.equal(body, 'hello from k8ts busybox\n', `1.${minor}`);
      } finally {
        await pf.stop();
      }
    }
  });

  it('WebSocket v4 clients (client libraries) are relayed to the runtime as they are', async () => {
    const pki = join(f.cluster.dataDir, 'pki');
    const tls = { ca: await readFile(join(pki, 'ca.crt'), 'utf8'), cert: await readFile(join(pki, 'admin.crt'), 'utf8'), key: await readFile(join(pki, 'admin.key'), 'utf8') };
    const q = new URLSearchParams([['container', 'httpd'], ['command', 'sh'], ['command', '-c'], ['command', 'echo hi; echo oops >&2; exit 2'], ['stdout', 'true'], ['stderr', 'true']]);
    const ws = new WebSocket(`wss://127.0.0.1:${f.cluster.port}/api/v1/namespaces/default/pods/web/exec?${q}`, ['v4.channel.k8s.io'], tls);
    const byChannel = new Map<number, string>();
    ws.on('message', (d: Buffer) => byChannel.set(d[0], (byChannel.get(d[0]) ?? '') + d.subarray(1).toString()));
    await once(ws, 'close');
    assert.equal(ws.protocol, 'v4.channel.k8s.io');
    assert.equal(byChannel.get(1), 'hi\n');
    assert.equal(byChannel.get(2), 'oops\n');
    const status = JSON.parse(byChannel.get(3) ?? '{}') as { reason?: string; details?: { causes?: { message: string }[] } };
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.equal(status.details?.causes?.[0].message, '2');
  });

  it('log options spelled as the Python client sends them (True, False) are honoured', async () => {
    const log = (q: string) => f.cluster.k('get', '--raw', `/api/v1/namespaces/default/pods/web/log?${q}`);
    assert.match(await log('container=logger&timestamps=True&tailLines=1'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) oops\n$/);
    assert.equal(await log('container=logger&timestamps=False&tailLines=1'), 'oops\n');
    assert.equal(await log('container=crash&previous=True'), 'first run\n');
  });

  it('nodes/proxy reaches the agent: healthz, node logs, pods, stats', async () => {
    const raw = (p: string) => f.cluster.k('get', '--raw', `/api/v1/nodes/${NODE}/proxy${p}`);
    assert.equal(await raw('/healthz'), 'ok');
    assert.equal(await raw('/logs/'), '<pre>\n<a href="k8ts/">k8ts/</a>\n<a href="syslog">syslog</a>\n</pre>\n');
    assert.equal(await raw('/logs/syslog'), 'node log line\n');
    const pods = JSON.parse(await raw('/pods')) as { kind: string; items: { metadata: { name: string } }[] };
    assert.equal(pods.kind, 'PodList');
    assert.deepEqual(pods.items.map((p) => p.metadata.name), ['web']);
    const stats = JSON.parse(await raw('/stats/summary')) as { node: { nodeName: string }; pods: { podRef: { name: string } }[] };
    assert.equal(stats.node.nodeName, NODE);
    assert.ok(stats.pods.some((p) => p.podRef.name === 'web'));
  });

  it('pods/proxy and services/proxy reach the pod\'s httpd', async () => {
    assert.equal(await f.cluster.k('get', '--raw', '/api/v1/namespaces/default/pods/web:8080/proxy/index.html'), 'hello from k8ts busybox\n');
    // No port: the first declared container port.
    assert.equal(await f.cluster.k('get', '--raw', '/api/v1/namespaces/default/pods/web/proxy/index.html'), 'hello from k8ts busybox\n');
    const svc = await f.cluster.http('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'websvc' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    assert.equal(svc.status, 201, svc.body);
    const eps = await f.cluster.http('POST', '/api/v1/namespaces/default/endpoints', {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'websvc' }, subsets: [{ addresses: [{ ip: f.podIP }], ports: [{ name: 'http', port: 8080 }] }],
    });
    assert.equal(eps.status, 201, eps.body);
    assert.equal(await f.cluster.k('get', '--raw', '/api/v1/namespaces/default/services/websvc:http/proxy/index.html'), 'hello from k8ts busybox\n');
    assert.equal(await f.cluster.k('get', '--raw', '/api/v1/namespaces/default/services/http:websvc:80/proxy/index.html'), 'hello from k8ts busybox\n');
    const refused = await f.cluster.kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/web:9999/proxy/']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `Error from server: dial tcp ${f.podIP}:9999: connect: connection refused\n`);
  });

  it('the agent lets only the API server in', async () => {
    const pki = join(f.cluster.dataDir, 'pki');
    const ca = await readFile(join(pki, 'ca.crt'), 'utf8');
    const get = (cert?: { cert: string; key: string }) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: f.agent.port, path: '/pods', ca, ...cert }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.deepEqual(await get(), { status: 401, body: 'Unauthorized' });
    const admin = { cert: await readFile(join(pki, 'admin.crt'), 'utf8'), key: await readFile(join(pki, 'admin.key'), 'utf8') };
    assert.deepEqual(await get(admin), { status: 403, body: 'Forbidden (user=admin, verb=get, resource=nodes, subresource=proxy)' });
    const apiserver = { cert: await readFile(join(pki, 'apiserver-kubelet-client.crt'), 'utf8'), key: await readFile(join(pki, 'apiserver-kubelet-client.key'), 'utf8') };
    assert.equal((await get(apiserver)).status, 200);
  });
});
