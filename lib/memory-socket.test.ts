import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import { test } from 'node:test';
import { MessageChannel, Worker } from 'node:worker_threads';
import { MemorySocket } from './memory-socket.js';

test('memory sockets carry HTTP both ways, and a keep-alive agent reuses one connection', async () => {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => res.end(`${req.method} ${req.url} ${body}`));
  });
  let opened = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  (agent as unknown as { createConnection: () => MemorySocket }).createConnection = () => {
    opened++;
    const [client, served] = MemorySocket.pair();
    server.emit('connection', served);
    return client;
  };
  const call = (path: string, body: string) => new Promise<string>((resolve, reject) => {
    const req = request({ host: 'in-memory', path, method: 'POST', agent, headers: { 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
  assert.deepEqual(await Promise.all([call('/a', 'one'), call('/b', 'x'.repeat(100_000))]), ['POST /a one', `POST /b ${'x'.repeat(100_000)}`]);
  assert.equal(opened, 1);
  agent.destroy();
});

test('a write waits until the other end reads (backpressure)', async () => {
  const [a, b] = MemorySocket.pair();
  b.pause();
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024);
  while (a.write(chunk)) written++;
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(a.writableLength > 0, 'the writer keeps what the reader has not taken');
  let read = 0;
  b.on('data', (c: Buffer) => (read += c.length));
  b.resume();
  await once(a, 'drain');
  assert.ok(read >= (written + 1) * chunk.length);
  a.destroy();
});

test('ending or destroying one end ends the other', async () => {
  const [a, b] = MemorySocket.pair();
  b.resume();
  a.end();
  await once(b, 'end');
  const [c, d] = MemorySocket.pair();
  d.resume();
  c.destroy();
  await once(d, 'close');
  assert.ok(d.destroyed);
});

test('timeout fires after the idle time; setTimeout(0, cb) drops cb as net.Socket does', async () => {
  const [a] = MemorySocket.pair();
  let dropped = 0;
  const cb = () => dropped++;
  a.setTimeout(10, cb);
  a.setTimeout(0, cb);
  assert.equal(a.listenerCount('timeout'), 0);
  a.setTimeout(10);
  // Its timer does not hold the process open (as net.Socket's): something else must here.
  const hold = setTimeout(() => {}, 1000);
  await once(a, 'timeout');
  clearTimeout(hold);
  assert.equal(dropped, 0);
  a.destroy();
});

test('data arrives on a later turn of the event loop, never inside the write', async () => {
  const [a, b] = MemorySocket.pair();
  let got = 0;
  b.on('data', () => got++);
  await new Promise((r) => setImmediate(r));
  const arrived = once(b, 'data');
  a.write('x');
  assert.equal(got, 0);
  await arrived;
  assert.equal(got, 1);
  a.destroy();
});

test('everything written in one turn arrives together on the next (not a chunk per turn)', async () => {
  const [a, b] = MemorySocket.pair();
  const got: string[] = [];
  b.on('data', (c: Buffer) => got.push(String(c)));
  await new Promise((r) => setImmediate(r));
  for (const line of ['one\n', 'two\n', 'three\n']) a.write(line);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.equal(got.join(''), 'one\ntwo\nthree\n');
  a.destroy();
});

test('the two ends may live in different threads; a thread that ends closes its connections', async () => {
  // A worker serving HTTP on the ends it is sent, as the API server serves the control plane's.
  const worker = new Worker(`
    const { parentPort } = require('node:worker_threads');
    const server = require('node:http').createServer((req, res) => res.end('served in the worker: ' + req.url));
    import(${JSON.stringify(new URL('./memory-socket.js', import.meta.url).href)}).then(({ MemorySocket }) => {
      parentPort.on('message', (port) => server.emit('connection', new MemorySocket(port)));
      parentPort.postMessage('ready');
    });`, { eval: true });
  await once(worker, 'message');
  const { port1, port2 } = new MessageChannel();
  worker.postMessage(port2, [port2]);
  const socket = new MemorySocket(port1);
  const answer = await new Promise<string>((resolve, reject) => {
    const req = request({ host: 'in-memory', path: '/hello', createConnection: () => socket as never }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(answer, 'served in the worker: /hello');
  const closed = once(socket, 'close');
  await worker.terminate();
  await closed;
  assert.ok(socket.destroyed);
});
