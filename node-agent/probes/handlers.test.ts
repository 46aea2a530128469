import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { Server, ServerCredentials, status as grpcStatus } from '@grpc/grpc-js';
import { httpCheck, httpTarget, resolvePort, tcpCheck } from './handlers.js';
import { decodeHealthStatus, encodeHealthRequest, grpcHealthCheck } from './grpc-health.js';

async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('named ports resolve through the container', () => {
  assert.equal(resolvePort('http', { name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }), 8080);
  assert.equal(resolvePort('81', { name: 'c' }), 81);
  assert.throws(() => resolvePort('nope', { name: 'c' }));
});

test('tcp probes: connect succeeds; refused is worded as Go does', async () => {
  const s = createTcpServer((c) => c.end());
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  try {
    assert.equal((await tcpCheck('127.0.0.1', (s.address() as AddressInfo).port, 1000)).ok, true);
  } finally {
    s.close();
  }
  const port = await closedPort();
  assert.deepEqual(await tcpCheck('127.0.0.1', port, 1000), { ok: false, output: `dial tcp 127.0.0.1:${port}: connect: connection refused` });
});

test('http probes: 2xx/3xx pass, others fail with the status code, headers and agent are sent', async () => {
  let seen: Record<string, unknown> = {};
  const s = createHttpServer((req, res) => {
    seen = { path: req.url, agent: req.headers['user-agent'], custom: req.headers['x-probe'] };
    res.writeHead(req.url === '/bad' ? 503 : 200);
    res.end('ok');
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  try {
    const c = { name: 'c', ports: [{ name: 'web', containerPort: port }] };
    const good = await httpCheck(httpTarget({ path: 'healthz', port: 'web', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] }, c, '127.0.0.1'), 1000);
    assert.equal(good.ok, true);
    assert.deepEqual(seen, { path: '/healthz', agent: 'kube-probe/1.32', custom: 'yes' });
    assert.deepEqual(await httpCheck(httpTarget({ path: '/bad', port }, c, '127.0.0.1'), 1000), { ok: false, output: 'HTTP probe failed with statuscode: 503' });
  } finally {
    s.close();
  }
  const closed = await closedPort();
  const r = await httpCheck(httpTarget({ path: '/', port: closed }, { name: 'c' }, '127.0.0.1'), 1000);
  assert.equal(r.output, `Get "http://127.0.0.1:${closed}/": dial tcp 127.0.0.1:${closed}: connect: connection refused`);
});

test('grpc health messages encode and decode', () => {
  assert.deepEqual([...encodeHealthRequest('')], []);
  assert.deepEqual([...encodeHealthRequest('svc')], [0x0a, 3, 0x73, 0x76, 0x63]);
  assert.equal(decodeHealthStatus(Buffer.from([0x08, 2])), 2);
  assert.equal(decodeHealthStatus(Buffer.alloc(0)), 0);
});

test('grpc probes ask grpc.health.v1.Health/Check', async () => {
  const server = new Server();
  server.addService({
    Check: {
      path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false,
      // The request as an object: grpc-js treats a falsy request as a missing one.
      requestSerialize: (r: { service: string }) => encodeHealthRequest(r.service), requestDeserialize: (b: Buffer) => ({ service: b.length > 2 ? b.subarray(2).toString() : '' }),
      responseSerialize: (n: number) => Buffer.from([0x08, n]), responseDeserialize: (b: Buffer) => decodeHealthStatus(b),
    },
  }, {
    Check: (call: { request: { service: string } }, cb: (e: { code: number; details: string } | null, r?: number) => void) => {
      if (call.request.service === 'missing') cb({ code: grpcStatus.NOT_FOUND, details: 'unknown service' });
      else cb(null, call.request.service === 'down' ? 2 : 1);
    },
  } as never);
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  try {
    assert.deepEqual(await grpcHealthCheck('127.0.0.1', port, '', 2000), { ok: true, output: '' });
    assert.deepEqual(await grpcHealthCheck('127.0.0.1', port, 'down', 2000), { ok: false, output: 'service unhealthy (responded with "NOT_SERVING")' });
    assert.deepEqual(await grpcHealthCheck('127.0.0.1', port, 'missing', 2000), { ok: false, output: 'rpc error: code = NotFound desc = unknown service' });
  } finally {
    server.forceShutdown();
  }
});
