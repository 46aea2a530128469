// Exercises the wire layer (decoding options, deadlines, aborts, error mapping) against an
// in-process gRPC server speaking proto/cri-api.proto. The runtime behind it is a FAKE;
// the real path against containerd is covered by test/e2e/cri-runtime.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { packageRoot } from '../../lib/package-root.js';
import { connectCri, waitForCriReady, type CriClient } from './client.js';
import { toGrpcTarget } from './connection.js';
import { CriError } from './errors.js';

type Handler = (call: { request: Record<string, unknown> }, cb: grpc.sendUnaryData<unknown>) => void;

let dir: string;
let server: grpc.Server;
let cri: CriClient;

function serviceDef(name: string): grpc.ServiceDefinition {
  const def = protoLoader.loadSync(join(packageRoot(), 'proto', 'cri-api.proto'), { keepCase: true, longs: String, enums: String, defaults: true });
  const v1 = (grpc.loadPackageDefinition(def).runtime as grpc.GrpcObject).v1 as grpc.GrpcObject;
  return (v1[name] as grpc.ServiceClientConstructor).service;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-cri-'));
  const sock = join(dir, 'fake.sock');
  server = new grpc.Server();
  const runtime: Record<string, Handler> = {
    Version: (_c, cb) => cb(null, { version: '0.1.0', runtime_name: 'fake', runtime_version: '1', runtime_api_version: 'v1' }),
    ContainerStatus: (c, cb) => {
      if (c.request.container_id === 'missing') {
        cb({ code: grpc.status.NOT_FOUND, details: 'container "missing" not found' } as grpc.ServiceError, null);
        return;
      }
      cb(null, { status: { id: c.request.container_id, state: 'CONTAINER_RUNNING', started_at: '1795311107722450072' }, info: {} });
    },
    ExecSync: (_c, cb) => cb(null, { stdout: Buffer.from('hi\n'), stderr: Buffer.alloc(0), exit_code: 3 }),
    // Never answers within the test's deadline.
    StartContainer: (_c, cb) => setTimeout(() => cb(null, {}), 2000).unref(),
    Status: (_c, cb) => cb(null, { status: { conditions: [{ type: 'RuntimeReady', status: true }] } }),
  };
  server.addService(serviceDef('RuntimeService'), runtime as unknown as grpc.UntypedServiceImplementation);
  await new Promise<void>((res, rej) =>
    server.bindAsync('unix://' + sock, grpc.ServerCredentials.createInsecure(), (e) => (e ? rej(e) : res())),
  );
  cri = connectCri('unix://' + sock, { defaultTimeoutMs: 5000 });
});

after(() => {
  cri.close();
  server.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

test('endpoint forms normalise to a grpc unix target', () => {
  assert.equal(toGrpcTarget('unix:///run/k8ts/containerd/containerd.sock'), 'unix:///run/k8ts/containerd/containerd.sock');
  assert.equal(toGrpcTarget('unix:/run/x.sock'), 'unix:///run/x.sock');
  assert.equal(toGrpcTarget('/run/x.sock'), 'unix:///run/x.sock');
  assert.throws(() => toGrpcTarget('tcp://1.2.3.4:1'), (e: unknown) => e instanceof CriError && e.code === 'InvalidArgument');
});

test('responses decode with snake_case names, int64 as strings and enums as names', async () => {
  const v = await cri.runtime.version();
  assert.equal(v.runtime_name, 'fake');
  const st = await cri.runtime.containerStatus('abc');
  assert.equal(st.status?.state, 'CONTAINER_RUNNING');
  assert.equal(st.status?.started_at, '1795311107722450072');
  assert.equal(st.status?.finished_at, '0');
  assert.deepEqual(st.status?.mounts, []);
  assert.equal(st.status?.metadata, null);
});

test('bytes arrive as Buffers', async () => {
  const r = await cri.runtime.execSync('abc', ['echo', 'hi'], 5);
  assert.equal(r.stdout.toString(), 'hi\n');
  assert.equal(r.exit_code, 3);
});

test('NOT_FOUND from the runtime rejects with CriError code NotFound', async () => {
  await assert.rejects(cri.runtime.containerStatus('missing'), (e: unknown) => {
    assert.ok(e instanceof CriError);
    assert.equal(e.code, 'NotFound');
    assert.equal(e.method, 'RuntimeService/ContainerStatus');
    assert.equal(e.details, 'container "missing" not found');
    return true;
  });
});

test('an RPC the runtime lacks rejects with Unimplemented', async () => {
  await assert.rejects(cri.runtime.runtimeConfig(), (e: unknown) => e instanceof CriError && e.code === 'Unimplemented');
  await assert.rejects(cri.image.imageFsInfo(), (e: unknown) => e instanceof CriError && e.code === 'Unimplemented');
});

test('the deadline fires as DeadlineExceeded', async () => {
  await assert.rejects(cri.runtime.startContainer('slow', { timeoutMs: 100 }), (e: unknown) => e instanceof CriError && e.code === 'DeadlineExceeded');
});

test('an abort signal cancels the call', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(cri.runtime.startContainer('slow', { signal: ac.signal }), (e: unknown) => e instanceof CriError && e.code === 'Cancelled');
  await assert.rejects(cri.runtime.version({ signal: ac.signal }), (e: unknown) => e instanceof CriError && e.code === 'Cancelled');
});

test('waitForCriReady returns once Status answers, and times out on a dead socket', async () => {
  const st = await waitForCriReady(cri, { timeoutMs: 2000, requireRuntimeReady: true });
  assert.equal(st.status?.conditions[0]?.type, 'RuntimeReady');
  const dead = connectCri('unix://' + join(dir, 'nobody.sock'));
  try {
    await assert.rejects(waitForCriReady(dead, { timeoutMs: 300 }), (e: unknown) => e instanceof CriError && e.code === 'Unavailable');
  } finally {
    dead.close();
  }
});

test('a closed client fails new calls with Cancelled, and closing twice is fine', async () => {
  const c = connectCri(cri.endpoint);
  assert.equal((await c.runtime.version()).runtime_name, 'fake');
  c.close();
  c.close();
  await assert.rejects(c.runtime.version(), (e: unknown) => e instanceof CriError && e.code === 'Cancelled');
});
