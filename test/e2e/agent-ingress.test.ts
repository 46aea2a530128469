// The built-in Ingress controller against the real thing: a real agent, real pods (busybox httpd,
// and a shell WebSocket endpoint) on containerd behind the CNI bridge, real kubectl. The test
// talks to the controller on 127.0.0.1 at the agent's own high ports; the controller talks to pod
// IPs, which the off-host guard keeps on this machine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { connect as netConnect } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createCA, issueCertificate } from '../../lib/pki.js';
import { eventually } from '../lib/cluster.js';
import { freePort } from './cri-harness.js';
import { missingPrerequisites, setupAgentEnv, type AgentEnv } from './agent-harness.js';
import { guardOffHost } from './off-host-guard.js';

const missing = missingPrerequisites();

/** busybox httpd answering every path with "<name>:<pod>" (its 404 page is the index), plus a CGI that counts the bytes it is sent. */
const httpd = (name: string, replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: ${image}
        command: [sh, -c, "mkdir -p /tmp/www/cgi-bin && echo ${name}:$(hostname) > /tmp/www/index.html && cp /scripts/count /tmp/www/cgi-bin/ && echo E404:/tmp/www/index.html > /tmp/httpd.conf && exec httpd -f -p 8080 -h /tmp/www -c /tmp/httpd.conf"]
        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
        volumeMounts: [{name: scripts, mountPath: /scripts}]
      volumes: [{name: scripts, configMap: {name: scripts, defaultMode: 0755}}]
---
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {app: ${name}}
  ports: [{name: http, port: 80, targetPort: 8080}]
`;

// A WebSocket endpoint in shell: it answers the handshake (Sec-WebSocket-Accept from sha1sum),
// then echoes every byte back.
const scripts = `apiVersion: v1
kind: ConfigMap
metadata: {name: scripts}
data:
  count: |
    #!/bin/sh
    printf 'Content-Type: text/plain\\r\\n\\r\\n'
    wc -c
  ws: |
    #!/bin/sh
    key=""
    while IFS= read -r line; do
      line=$(printf %s "$line" | tr -d '\\r')
      [ -z "$line" ] && break
      case "$line" in [Ss]ec-[Ww]eb[Ss]ocket-[Kk]ey:*) key=$(echo "\${line#*:}" | tr -d ' ');; esac
    done
    h=$(printf %s "\${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11" | sha1sum | cut -d" " -f1)
    acc=$(printf "$(echo $h | sed 's/../\\\\x&/g')" | base64)
    printf 'HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: %s\\r\\n\\r\\n' "$acc"
    exec cat
`;

const wsDeployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ws}
spec:
  replicas: 1
  selector: {matchLabels: {app: ws}}
  template:
    metadata: {labels: {app: ws}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: ws
        image: ${image}
        command: [nc, -ll, -p, "8080", -e, /scripts/ws]
        volumeMounts: [{name: scripts, mountPath: /scripts}]
      volumes: [{name: scripts, configMap: {name: scripts, defaultMode: 0755}}]
---
apiVersion: v1
kind: Service
metadata: {name: ws}
spec:
  selector: {app: ws}
  ports: [{name: ws, port: 8080}]
`;

const backend = (service: string, port = 'number: 80') => `{service: {name: ${service}, port: {${port}}}}`;

function tlsSecret(name: string, kp: { cert: string; key: string }): string {
  return `apiVersion: v1
kind: Secret
metadata: {name: ${name}}
type: kubernetes.io/tls
data: {tls.crt: ${Buffer.from(kp.cert).toString('base64')}, tls.key: ${Buffer.from(kp.key).toString('base64')}}
`;
}

describe('built-in Ingress controller on a real node', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, () => {
  let env: AgentEnv;
  let unguard: (() => Promise<void>) | undefined;
  let httpPort = 0;
  let httpsPort = 0;
  const ca = createCA('ingress-test-ca');

  /** One request to the controller on 127.0.0.1 with this Host. */
  const send = (host: string, path: string, opts: { method?: string; body?: AsyncIterable<Buffer>; length?: number } = {}) => new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: httpPort, path, method: opts.method ?? 'GET', headers: { host, ...(opts.length !== undefined ? { 'content-length': String(opts.length) } : {}) }, timeout: 60_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim(), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (opts.body) void (async () => {
      for await (const chunk of opts.body!) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      req.end();
    })().catch(reject);
    else req.end();
  });
  /** Which backend answered ("a", "b", ...), or the controller's own status line. */
  const who = async (host: string, path: string) => {
    const r = await send(host, path);
    return /^[a-z]+:/.test(r.body) ? r.body.split(':')[0] : `${r.status}`;
  };
  /** The certificate the HTTPS listener presents for a server name. */
  const presented = (servername: string) => new Promise<{ cn: string; fingerprint: string }>((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: httpsPort, servername, rejectUnauthorized: false }, () => {
      const c = s.getPeerCertificate();
      s.end();
      resolve({ cn: String(c.subject?.CN ?? ''), fingerprint: c.fingerprint256 });
    });
    s.on('error', reject);
  });

  before(async () => {
    httpPort = await freePort();
    httpsPort = await freePort();
    // Joined with a token: the agent reads Ingresses and TLS Secrets as its node, through the Node authorizer.
    env = await setupAgentEnv({ join: true, agentArgs: ['--ingress-http-port', String(httpPort), '--ingress-https-port', String(httpsPort)] });
    unguard = await guardOffHost(['10.43.0.0/16', '10.42.0.0/16', '198.18.0.0/15']);
    await env.apply(scripts);
    await env.apply([httpd('a', 2, env.image), httpd('b', 1, env.image), httpd('c', 1, env.image), httpd('d', 1, env.image), wsDeployment(env.image)].join('---\n'));
    await env.apply(`apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: other}
spec: {controller: example.com/other}
`);
    for (const d of ['a', 'b', 'c', 'd', 'ws']) {
      await eventually(async () => (await env.k('get', 'deploy', d, '-o', 'jsonpath={.status.readyReplicas}')) === (d === 'a' ? '2' : '1'), 120_000, 250);
    }
  });

  after(async () => {
    await unguard?.();
    if (env) {
      await env.teardown();
      const left = await env.leftovers();
      assert.deepEqual(left, [], `left on the host: ${left.join('; ')}`);
    }
  });

  it('answers 404 with a clear body while no rule matches and there is no default backend', async () => {
    const r = await send('nothing.test', '/x');
    assert.equal(r.status, 404);
    assert.match(r.body, /no Ingress rule matches host "nothing.test" and path "\/x"/);
  });

  it('routes by host and path with each pathType and the spec\'s precedence; kubectl shows CLASS k8ts and ADDRESS', async () => {
    // Written out of precedence order on purpose: YAML order does not matter.
    await env.apply(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: routes}
spec:
  rules:
  - host: app.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: ${backend('a')}}
      - {path: /foo, pathType: Prefix, backend: ${backend('c', 'name: http')}}
      - {path: /foo/bar, pathType: ImplementationSpecific, backend: ${backend('a')}}
      - {path: /foo, pathType: Exact, backend: ${backend('b')}}
      - {path: /ws, pathType: Prefix, backend: ${backend('ws', 'number: 8080')}}
  - host: '*.wild.test'
    http:
      paths:
      - {path: /, pathType: Prefix, backend: ${backend('b')}}
`);
    await eventually(async () => (await who('app.test', '/')) === 'a', 30_000, 200);
    const cases: Array<[string, string, string]> = [
      ['app.test', '/', 'a'], ['app.test', '/foobar', 'a'], ['app.test', '/foo', 'b'], ['app.test', '/foo/', 'c'],
      ['app.test', '/foo/x', 'c'], ['app.test', '/foo/bar/baz', 'a'], ['app.test', '/foo/barn', 'c'], ['APP.test:80', '/foo?q=1', 'b'],
      ['x.wild.test', '/any', 'b'], ['x.y.wild.test', '/any', '404'], ['wild.test', '/', '404'],
    ];
    for (const [host, path, want] of cases) assert.equal(await who(host, path), want, `${host}${path}`);
    const row = await eventually(async () => {
      const out = await env.k('get', 'ingress', 'routes');
      return /\bk8ts\b/.test(out) && /\d+\.\d+\.\d+\.\d+/.test(out.split('\n')[1] ?? '') ? out : undefined;
    }, 30_000, 250);
    const [header, line] = row.split('\n');
    assert.match(header!, /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE/);
    const nodeIP = await env.k('get', 'node', env.nodeName, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
    assert.match(line!, new RegExp(`^routes\\s+k8ts\\s+app.test,\\*.wild.test\\s+${nodeIP.replace(/\./g, '\\.')}\\s+80\\s`));
  });

  it('sends what no rule matches to the default backend; an Ingress of another class is ignored', async () => {
    await env.apply(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: fallback}
spec:
  defaultBackend: ${backend('d')}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: theirs}
spec:
  ingressClassName: other
  rules:
  - host: other.test
    http: {paths: [{path: /, pathType: Prefix, backend: ${backend('a')}}]}
`);
    await eventually(async () => (await who('nothing.test', '/')) === 'd', 30_000, 200);
    assert.equal(await who('app.test', '/foo'), 'b');
    assert.equal(await who('x.y.wild.test', '/'), 'd');
    assert.equal(await who('other.test', '/'), 'd');
    // Not ours: its status stays empty.
    assert.equal(await env.k('get', 'ingress', 'theirs', '-o', 'jsonpath={.status.loadBalancer.ingress}'), '');
  });

  it('serves TLS by SNI with two certificates, the default one for other names, and picks up a changed certificate', async () => {
    const one = issueCertificate(ca, { commonName: 'one.test', dnsNames: ['one.test'], usage: 'server' });
    const two = issueCertificate(ca, { commonName: 'two.test', dnsNames: ['two.test'], usage: 'server' });
    await env.apply(`${tlsSecret('one-cert', one)}---\n${tlsSecret('two-cert', two)}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: secure, annotations: {ingress.k8ts.io/ssl-redirect: "true"}}
spec:
  tls:
  - {hosts: [one.test], secretName: one-cert}
  - {hosts: [two.test], secretName: two-cert}
  rules:
  - host: one.test
    http: {paths: [{path: /, pathType: Prefix, backend: ${backend('a')}}]}
  - host: two.test
    http: {paths: [{path: /, pathType: Prefix, backend: ${backend('b')}}]}
`);
    await eventually(async () => (await presented('one.test')).cn === 'one.test', 30_000, 250);
    assert.equal((await presented('two.test')).cn, 'two.test');
    assert.equal((await presented('unknown.test')).cn, 'k8ts ingress default certificate');
    // Plain HTTP to an ssl-redirect Ingress: a permanent redirect keeping path and query.
    const r = await send('one.test', '/p?q=1');
    assert.equal(r.status, 308);
    assert.equal(r.headers.location, `https://one.test:${httpsPort}/p?q=1`);
    // Through TLS, the request reaches the backend, which sees X-Forwarded-Proto https (busybox cannot echo it: the route is what we check).
    const before = (await presented('two.test')).fingerprint;
    const renewed = issueCertificate(ca, { commonName: 'two.test', dnsNames: ['two.test', 'www.two.test'], usage: 'server' });
    await env.apply(tlsSecret('two-cert', renewed));
    // The Secret is watched, not polled: the new certificate is served within about a second of the update.
    const stored = performance.now();
    const after = await eventually(async () => {
      const fp = (await presented('two.test')).fingerprint;
      return fp !== before ? fp : undefined;
    }, 30_000, 50);
    const pickedUpMs = performance.now() - stored;
    assert.notEqual(after, before);
    assert.ok(pickedUpMs <= 1_000, `the renewed certificate was served ${Math.round(pickedUpMs)} ms after the Secret changed (bound: 1 s)`);
    assert.equal((await presented('one.test')).cn, 'one.test');
  });

  it('passes a WebSocket upgrade through, and the connection echoes both ways', async () => {
    const key = randomBytes(16).toString('base64');
    const socket = netConnect({ host: '127.0.0.1', port: httpPort });
    await new Promise((r, j) => socket.once('connect', r).once('error', j));
    socket.write(`GET /ws HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    let got = Buffer.alloc(0);
    const waitFor = (pred: (b: Buffer) => boolean) => new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pred(got)) {
          socket.off('data', onData);
          resolve();
        }
      };
      const onData = (c: Buffer) => {
        got = Buffer.concat([got, c]);
        check();
      };
      socket.on('data', onData);
      socket.once('error', reject);
      setTimeout(() => reject(new Error(`no answer; got ${JSON.stringify(got.toString('latin1'))}`)), 10_000).unref();
      check();
    });
    await waitFor((b) => b.includes('\r\n\r\n'));
    const head = got.toString('latin1', 0, got.indexOf('\r\n\r\n'));
    assert.match(head, /^HTTP\/1\.1 101 /);
    const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    assert.match(head, new RegExp(`Sec-WebSocket-Accept: ${accept.replace(/[+/=]/g, (c) => `\\${c}`)}`, 'i'));
    got = got.subarray(got.indexOf('\r\n\r\n') + 4);
    // A masked text frame "hello", as a browser sends it; the endpoint echoes its bytes.
    const mask = randomBytes(4);
    const payload = Buffer.from('hello');
    const frame = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]);
    socket.write(frame);
    await waitFor((b) => b.length >= frame.length);
    assert.deepEqual(got.subarray(0, frame.length), frame);
    socket.destroy();
  });

  it('streams a 100 MB upload to the backend without holding it', async () => {
    const pid = env.agentPid();
    const status = async () => (pid ? await readFile(`/proc/${pid}/status`, 'utf8') : '');
    const kb = (s: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0);
    const rssBefore = kb(await status(), 'VmRSS');
    const chunk = Buffer.alloc(1 << 20, 0x61);
    const total = 100 * (1 << 20);
    // With a Content-Length, as curl sends a file (busybox httpd's CGI takes no chunked bodies).
    const r = await send('app.test', '/cgi-bin/count', {
      method: 'POST', length: total,
      body: (async function* () {
        for (let sent = 0; sent < total; sent += chunk.length) yield chunk;
      })(),
    });
    assert.equal(r.status, 200, r.body);
    assert.equal(Number(r.body), total);
    // VmHWM is the agent's peak RSS: buffered, 100 MB would show.
    const peak = kb(await status(), 'VmHWM');
    if (pid) assert.ok(peak - rssBefore < 40 * 1024, `agent peak RSS ${peak} kB vs ${rssBefore} kB before the upload`);
  });

  it('loses no requests beyond those in flight when a backend pod is killed mid-run', async (t) => {
    const pods = (await env.k('get', 'pods', '-l', 'app=a', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ');
    assert.equal(pods.length, 2);
    const seen = new Set<string>();
    let ok = 0;
    const failures: string[] = [];
    let running = true;
    const CONCURRENCY = 4;
    const worker = async () => {
      while (running) {
        try {
          const r = await send('app.test', '/');
          if (r.status === 200 || (r.status === 404 && r.body.startsWith('a:'))) {
            ok++;
            seen.add(r.body.split(':')[1]!);
          } else failures.push(`${r.status} ${r.body}`);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    };
    const workers = Array.from({ length: CONCURRENCY }, worker);
    await new Promise((r) => setTimeout(r, 2_000));
    await env.k('delete', 'pod', pods[0]!, '--grace-period=0', '--force', '--wait=false');
    await new Promise((r) => setTimeout(r, 6_000));
    running = false;
    await Promise.all(workers);
    t.diagnostic(`${ok} answered, ${failures.length} failed: ${failures.slice(0, 5).join(' | ')}`);
    assert.ok(ok > 100, `only ${ok} requests answered`);
    // At most the requests in flight on the killed pod when it died.
    assert.ok(failures.length <= CONCURRENCY, `${failures.length} failed: ${failures.slice(0, 5).join(' | ')}`);
    assert.ok(seen.has(pods[1]!), 'the surviving pod answered');
    const log = await readFile(env.agentLog, 'utf8');
    assert.match(log, /"component":"ingress-access".*"ingress":"default\/routes","service":"a".*"code":404/);
  });
});
