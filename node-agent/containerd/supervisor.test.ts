// Supervision logic against a FAKE containerd: a small Node program that reads the socket
// path from `--config` and answers CRI Status. Real processes, real signals, real gRPC;
// the real containerd is exercised by test/e2e/cri-runtime.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { packageRoot } from '../../lib/package-root.js';
import { ContainerdSupervisor } from './supervisor.js';
import { connectCri, waitForCriReady } from '../cri/client.js';

let dir: string;
let fake: string;

const FAKE = (grpcUrl: string, loaderUrl: string, proto: string): string => `
import { readFileSync } from 'node:fs';
const grpc = await import(${JSON.stringify(grpcUrl)});
const loader = await import(${JSON.stringify(loaderUrl)});
const cfg = readFileSync(process.argv[process.argv.indexOf('--config') + 1], 'utf8');
if (cfg.includes('fail-fast')) process.exit(3);
const sock = /address = "(.*)"/.exec(cfg)[1];
const def = loader.loadSync(${JSON.stringify(proto)}, { keepCase: true, defaults: true, enums: String });
const svc = grpc.loadPackageDefinition(def).runtime.v1.RuntimeService.service;
const server = new grpc.Server();
server.addService(svc, { Status: (_c, cb) => cb(null, { status: { conditions: [{ type: 'RuntimeReady', status: true }] } }) });
server.bindAsync('unix://' + sock, grpc.ServerCredentials.createInsecure(), () => console.log('fake containerd up'));
process.on('SIGTERM', () => { console.log('fake containerd got SIGTERM'); process.exit(0); });
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-sup-'));
  const nm = join(packageRoot(), 'node_modules');
  const script = join(dir, 'fake-containerd.mjs');
  writeFileSync(
    script,
    FAKE(
      pathToFileURL(join(nm, '@grpc/grpc-js/build/src/index.js')).href,
      pathToFileURL(join(nm, '@grpc/proto-loader/build/src/index.js')).href,
      join(packageRoot(), 'proto', 'cri-api.proto'),
    ),
  );
  fake = join(dir, 'containerd');
  writeFileSync(fake, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(script)} "$@"\n`);
  chmodSync(fake, 0o755);
});

after(() => rmSync(dir, { recursive: true, force: true }));

function options(name: string, signal: AbortSignal, configText?: string) {
  const configFile = join(dir, `${name}.toml`);
  const socket = join(dir, `${name}.sock`);
  writeFileSync(configFile, configText ?? `[grpc]\n  address = "${socket}"\n`);
  return {
    configFile,
    socket,
    logFile: join(dir, `${name}.log`),
    pidFile: join(dir, `${name}.pid`),
    signal,
    binary: fake,
    readyTimeoutMs: 10_000,
    backoff: { initialMs: 50, maxMs: 200 },
    stopTimeoutMs: 2000,
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('starts, restarts a killed containerd, and stops it on abort', async () => {
  const ac = new AbortController();
  const o = options('a', ac.signal);
  const sup = new ContainerdSupervisor(o);
  await sup.start();
  const first = sup.pid;
  assert.ok(first && alive(first));
  assert.equal(readFileSync(o.pidFile, 'utf8').trim(), String(first));

  process.kill(first, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (sup.readyTimes < 2) {
    assert.ok(Date.now() < deadline, 'no restart within 10 s');
    await sleep(20);
  }
  const second = sup.pid as number;
  assert.notEqual(second, first);

  ac.abort();
  await sup.stopped();
  assert.equal(alive(second), false);
  assert.equal(existsSync(o.pidFile), false);
  assert.match(readFileSync(o.logFile, 'utf8'), /fake containerd got SIGTERM/);
});

test('a containerd that dies at once fails start() with a pointer to the log', async () => {
  const ac = new AbortController();
  const sup = new ContainerdSupervisor(options('b', ac.signal, '# fail-fast\n'));
  await assert.rejects(sup.start(), /exited \(3\) before it was ready; see .*b\.log/);
  await sup.stopped();
  ac.abort();
});

test('a leftover instance with our config is replaced, not joined', async () => {
  const ac = new AbortController();
  const o = options('c', ac.signal);
  // What a crashed agent leaves behind: a containerd on our config, and its pid file.
  const stale = spawn(fake, ['--config', o.configFile], { stdio: 'ignore' });
  const staleExit = new Promise((res) => stale.once('exit', (code, sig) => res(sig ?? code)));
  // Should the supervisor miss it, the stale one must not keep this test process alive.
  stale.unref();
  const killStale = (): void => void stale.kill('SIGKILL');
  process.once('exit', killStale);
  // Left over means fully up: a process still exec'ing shows someone else's command line.
  const staleCri = connectCri(o.socket, { defaultTimeoutMs: 1000 });
  await waitForCriReady(staleCri, { timeoutMs: 10_000, requireRuntimeReady: true });
  staleCri.close();
  writeFileSync(o.pidFile, `${stale.pid}\n`);
  const sup = new ContainerdSupervisor(o);
  await sup.start();
  process.off('exit', killStale);
  assert.ok([0, 'SIGTERM'].includes((await staleExit) as number | string), 'the stale instance was stopped with SIGTERM');
  assert.notEqual(sup.pid, stale.pid);
  ac.abort();
  await sup.stopped();
});
