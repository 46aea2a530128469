import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { SpdySession, type SpdyStream } from '../../lib/spdy/session.js';
import { dialRemoteCommand, translateRemoteCommand } from './remotecommand-translator.js';
import { Channel, StreamProtocolV5, channelMessage, type StreamOptions } from './remotecommand.js';

const servers: Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function listen(s: Server): Promise<number> {
  servers.push(s);
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return (s.address() as { port: number }).port;
}

/**
 * A stand-in for the CRI stream server (v4 over SPDY, as containerd): upper-cases stdin onto
 * stdout until stdin ends, says "bye" on stderr, reports exit code 7, then resets every stream
 * and closes, as the kubelet's streaming server does.
 */
const resizes: string[] = [];

async function fakeRuntime(): Promise<number> {
  const server = createServer((_req, res) => {
    res.writeHead(404).end('container not found ("nope")');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    if (req.url !== '/exec/ok') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 28\r\n\r\ncontainer not found ("nope")');
      return;
    }
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n');
    const session = new SpdySession(socket, 'server');
    const streams = new Map<string, SpdyStream>();
    session.on('stream', (s) => {
      s.reply();
      streams.set(s.header('streamtype') ?? '', s);
      if (streams.size < 4) return;
      streams.get('resize')?.on('data', (d: Buffer) => resizes.push(d.toString()));
      const stdin = streams.get('stdin')!;
      stdin.on('data', (d: Buffer) => streams.get('stdout')!.write(d.toString().toUpperCase()));
      stdin.on('end', () => {
        streams.get('stderr')?.write('bye');
        streams.get('error')!.write(JSON.stringify({
          metadata: {}, status: 'Failure', message: 'command terminated with non-zero exit code: exit code 7', reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: '7' }] },
        }));
        setTimeout(() => {
          for (const st of streams.values()) st.reset();
          session.destroy();
        }, 20);
      });
    });
  });
  return listen(server);
}

/** An endpoint that accepts v5 WebSocket clients and translates to the runtime at `upstream`. */
async function translator(upstream: string, opts: StreamOptions): Promise<number> {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has(StreamProtocolV5) ? StreamProtocolV5 : false) });
  const server = createServer();
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => void translateRemoteCommand(ws, opts, () => dialRemoteCommand({ url: new URL(upstream) })));
  });
  return listen(server);
}

interface Session {
  byChannel: Map<number, string>;
  order: number[];
  closeCode: number;
}

async function runClient(port: number, send: (ws: WebSocket) => void): Promise<Session> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, [StreamProtocolV5]);
  const s: Session = { byChannel: new Map(), order: [], closeCode: 0 };
  ws.on('message', (data: Buffer) => {
    s.order.push(data[0]);
    s.byChannel.set(data[0], (s.byChannel.get(data[0]) ?? '') + data.subarray(1).toString());
  });
  await once(ws, 'open');
  assert.equal(ws.protocol, StreamProtocolV5);
  send(ws);
  [s.closeCode] = (await once(ws, 'close')) as [number];
  return s;
}

describe('v5 WebSocket to SPDY translation', () => {
  it('relays stdin, half-closes it on CLOSE, and reports the exit Status before a normal close', async () => {
    const runtime = await fakeRuntime();
    const port = await translator(`http://127.0.0.1:${runtime}/exec/ok`, { stdin: true, stdout: true, stderr: true, tty: false });
    const s = await runClient(port, (ws) => {
      ws.send(channelMessage(Channel.stdin, Buffer.from('hello ')));
      ws.send(channelMessage(Channel.stdin, Buffer.from('world')));
      ws.send(Buffer.from([Channel.close, Channel.stdin]));
    });
    assert.equal(s.order[0], Channel.stdout, 'an empty stdout message first says the session is up');
    assert.equal(s.byChannel.get(Channel.stdout), 'HELLO WORLD');
    assert.equal(s.byChannel.get(Channel.stderr), 'bye');
    const status = JSON.parse(s.byChannel.get(Channel.error) ?? '{}') as { reason: string; details: { causes: { message: string }[] } };
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.equal(status.details.causes[0].message, '7');
    assert.equal(s.order.at(-1), Channel.error, 'the Status comes after all output');
    assert.equal(s.closeCode, 1000);
  });

  it('carries terminal resizes to the resize stream (tty: no stderr)', async () => {
    const runtime = await fakeRuntime();
    const port = await translator(`http://127.0.0.1:${runtime}/exec/ok`, { stdin: true, stdout: true, stderr: false, tty: true });
    const s = await runClient(port, (ws) => {
      ws.send(channelMessage(Channel.resize, Buffer.from('{"Width":120,"Height":40}')));
      ws.send(channelMessage(Channel.stdin, Buffer.from('x')));
      setTimeout(() => ws.send(Buffer.from([Channel.close, Channel.stdin])), 50);
    });
    assert.deepEqual(resizes, ['{"Width":120,"Height":40}']);
    assert.equal(s.byChannel.get(Channel.stdout), 'X');
    assert.equal(s.byChannel.has(Channel.stderr), false);
  });

  it('reports a runtime that refuses the upgrade as an internal error', async () => {
    const runtime = await fakeRuntime();
    const port = await translator(`http://127.0.0.1:${runtime}/exec/gone`, { stdin: false, stdout: true, stderr: false, tty: false });
    const s = await runClient(port, () => undefined);
    const status = JSON.parse(s.byChannel.get(Channel.error) ?? '{}') as { reason: string; message: string };
    assert.equal(status.reason, 'InternalError');
    assert.equal(status.message, 'Internal error occurred: unable to upgrade connection: container not found ("nope")');
    assert.equal(s.closeCode, 1000);
  });
});
