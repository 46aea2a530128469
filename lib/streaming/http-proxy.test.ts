import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { once } from 'node:events';
import { forwardedHeaders, isUpgradeRequest, proxyPlain, proxyUpgrade, webSocketProtocols } from './http-proxy.js';

const servers: Server[] = [];
const sockets = new Set<Duplex>();
after(() => {
  // Upgraded connections are no longer the HTTP server's to close.
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
});

async function listen(s: Server): Promise<number> {
  servers.push(s);
  s.on('connection', (c: Duplex) => sockets.add(c));
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return (s.address() as { port: number }).port;
}

/** Upstream: upgrades /echo (then echoes bytes upper-cased), refuses /refuse, answers plain requests. */
async function upstream(): Promise<number> {
  const s = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (d: Buffer) => body.push(d));
    req.on('end', () => {
      res.writeHead(201, { 'Content-Type': 'text/plain', 'X-Seen-Auth': String(req.headers.authorization ?? 'none') });
      res.write(`${req.method} ${req.url} `);
      setTimeout(() => res.end(Buffer.concat(body)), 20);
    });
  });
  s.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    if (req.url === '/refuse') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 27\r\n\r\ncontainer not found ("app")');
      return;
    }
    const protocols = req.headersDistinct['x-stream-protocol-version'] ?? [];
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocols[0]}\r\nX-Offered: ${protocols.length}\r\n\r\n`);
    socket.on('data', (d: Buffer) => socket.write(d.toString().toUpperCase()));
  });
  return listen(s);
}

/** The proxy: takes upgrade connections over and relays them, streams plain requests. */
async function proxy(target: number): Promise<number> {
  const s = createServer((req, res) => void proxyPlain(req, res, { url: new URL(`http://127.0.0.1:${target}${req.url}`) }));
  s.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (head.length) socket.unshift(head);
    void proxyUpgrade(socket, req, { url: new URL(`http://127.0.0.1:${target}${req.url}`) });
  });
  return listen(s);
}

/** A raw SPDY-style upgrade client: sends the request, returns what comes back. */
async function rawUpgrade(port: number, path: string, then?: string): Promise<string> {
  const sock = connect(port, '127.0.0.1');
  await once(sock, 'connect');
  let got = '';
  sock.on('data', (d: Buffer) => {
    got += d.toString();
    if (then && got.includes('\r\n\r\n') && !got.includes(then.toUpperCase()) && !sock.writableEnded) {
      sock.write(then);
      then = undefined;
    }
  });
  sock.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nX-Stream-Protocol-Version: v3.channel.k8s.io\r\nAuthorization: Bearer secret\r\n\r\n`);
  await new Promise((r) => setTimeout(r, 150));
  sock.destroy();
  return got;
}

describe('upgrade-aware proxying', () => {
  it('joins an upgraded connection end to end, keeping repeated protocol headers apart', async () => {
    const port = await proxy(await upstream());
    const got = await rawUpgrade(port, '/exec', 'ping');
    assert.match(got, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(got, /X-Stream-Protocol-Version: v4\.channel\.k8s\.io\r\n/);
    assert.match(got, /X-Offered: 2\r\n/, 'both offered versions reached the upstream as separate headers');
    assert.ok(got.endsWith('PING'), 'bytes flow through after the 101');
  });

  it('passes a refused upgrade on as a plain answer', async () => {
    const port = await proxy(await upstream());
    const got = await rawUpgrade(port, '/refuse');
    assert.match(got, /^HTTP\/1\.1 404 Not Found\r\n/);
    assert.ok(got.endsWith('container not found ("app")'));
  });

  it('streams plain requests both ways without the caller\'s credentials', async () => {
    const port = await proxy(await upstream());
    const answer = await new Promise<{ status: number; auth: string; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/x?y=1', method: 'POST', headers: { Authorization: 'Bearer secret' } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, auth: String(res.headers['x-seen-auth']), body }));
      });
      req.on('error', reject);
      req.end('payload');
    });
    assert.deepEqual(answer, { status: 201, auth: 'none', body: 'POST /x?y=1 payload' });
  });

  it('recognises upgrades and WebSocket subprotocol offers', () => {
    const msg = { headers: { connection: 'keep-alive, Upgrade', upgrade: 'websocket', 'sec-websocket-protocol': 'v5.channel.k8s.io, v4.channel.k8s.io' } } as unknown as IncomingMessage;
    assert.equal(isUpgradeRequest(msg), true);
    assert.deepEqual(webSocketProtocols(msg.headers), ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    const headers = forwardedHeaders({ rawHeaders: ['Host', 'a', 'Connection', 'Upgrade', 'Upgrade', 'SPDY/3.1', 'Impersonate-User', 'x', 'X-A', '1', 'x-a', '2'], headers: { upgrade: 'SPDY/3.1' } }, true);
    assert.deepEqual(headers, { 'x-a': ['1', '2'], connection: 'Upgrade', upgrade: 'SPDY/3.1' });
  });
});
