import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Duplex } from 'node:stream';
import { defaultControlPlaneSettings } from './control-plane-settings.js';
import { startControlPlaneThread } from './control-plane-thread.js';

// A stand-in for the control plane's entry: it opens one connection, says hello over it, and
// fails once (its first start) before answering stop.
const fakeEntry = new URL('data:text/javascript,' + encodeURIComponent(`
  import { MessageChannel, parentPort, workerData } from 'node:worker_threads';
  const starts = new Int32Array(workerData.starts);
  const { port1, port2 } = new MessageChannel();
  parentPort.postMessage({ connect: 'system:kube-controller-manager', port: port2 }, [port2]);
  const bytes = new TextEncoder().encode('hello ' + Atomics.add(starts, 0, 1));
  port1.postMessage(bytes, [bytes.buffer]);
  if (Atomics.load(starts, 0) === 1) setTimeout(() => { throw new Error('first start fails'); }, 50);
  parentPort.on('message', (m) => m === 'stop' && parentPort.postMessage('stopped'));
`));

test('the control plane thread connects as its user, is restarted after failing, and stops', { timeout: 10_000 }, async () => {
  const starts = new SharedArrayBuffer(4);
  const heard: string[] = [];
  let heardBoth!: () => void;
  const both = new Promise<void>((resolve) => (heardBoth = resolve));
  const accept = (user: string, socket: Duplex) => {
    socket.on('data', (c: Buffer) => {
      heard.push(`${user}: ${c}`);
      if (heard.length === 2) heardBoth();
    });
  };
  const opts = { ...defaultControlPlaneSettings, server: 'https://localhost:6443', rootCA: '', clusterCIDR: '10.42.0.0/16', starts };
  const running = startControlPlaneThread(opts, accept, fakeEntry);
  await both;
  assert.deepEqual(heard, ['system:kube-controller-manager: hello 0', 'system:kube-controller-manager: hello 1']);
  await running.stop();
  assert.equal(new Int32Array(starts)[0], 2, 'no start after stop');
});

// A stand-in that answers pings, except on its first start, where it hangs in a loop that never
// yields (as a controller stuck in a synchronous loop would).
const stallingEntry = new URL('data:text/javascript,' + encodeURIComponent(`
  import { parentPort, workerData } from 'node:worker_threads';
  const starts = new Int32Array(workerData.starts);
  const first = Atomics.add(starts, 0, 1) === 0;
  function stuckInALoop() { for (;;) {} }
  if (first) setTimeout(stuckInALoop, 20);
  parentPort.on('message', (m) => {
    if (m === 'ping') parentPort.postMessage('pong');
    if (m === 'stop') parentPort.postMessage('stopped');
  });
`));

test('a control plane thread that stops answering is reported with its stack and restarted', { timeout: 10_000 }, async () => {
  const starts = new SharedArrayBuffer(4);
  const stalls: Array<{ silentMs: number; stack?: string[] }> = [];
  const opts = { ...defaultControlPlaneSettings, server: 'https://localhost:6443', rootCA: '', clusterCIDR: '10.42.0.0/16', starts };
  const watchdog = { everyMs: 50, stallMs: 300, report: (s: { silentMs: number; stack?: string[] }) => stalls.push(s) };
  const running = startControlPlaneThread(opts, () => undefined, stallingEntry, watchdog);
  try {
    const deadline = Date.now() + 8_000;
    while (new Int32Array(starts)[0] < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(new Int32Array(starts)[0], 2, 'the stuck thread was replaced');
    // The new thread answers: no second report.
    await new Promise((r) => setTimeout(r, 600));
  } finally {
    await running.stop();
  }
  assert.equal(stalls.length, 1);
  assert.ok(stalls[0].silentMs >= 300);
  assert.match(JSON.stringify(stalls[0].stack), /stuckInALoop/);
});
