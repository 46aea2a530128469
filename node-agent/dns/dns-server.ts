// The sockets of the DNS server: UDP and TCP on each address, bytes handed to the handler and
// its answer sent back. TCP carries length-prefixed messages, several per connection (RFC 7766),
// answered in order; an idle connection is closed after 10 s, as CoreDNS does.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket as TcpSocket } from 'node:net';
import { logger } from '../../lib/log.js';
import { frame, TcpFrames, type Upstream } from './exchange.js';
import type { DnsHandler } from './handler.js';

const log = logger('dns');

const tcpIdleMs = 10_000;
/** Bytes a TCP client may leave half-sent (a message is at most 65535 + 2). */
const maxTcpBuffered = 65_537;
/** Queries answered at once per TCP connection (a client piping thousands waits its turn). */
const maxTcpInFlight = 16;

export interface RunningDnsServer {
  /** Where it listens (the port as bound: 0 picks one). */
  readonly addresses: Upstream[];
  stop(): Promise<void>;
}

export async function startDnsServer(opts: { addresses: readonly string[]; port: number; handler: DnsHandler }): Promise<RunningDnsServer> {
  if (opts.addresses.length === 0) throw new Error('the DNS server needs at least one address to listen on');
  const udp: Socket[] = [];
  const tcp: TcpListener[] = [];
  const bound: Upstream[] = [];
  try {
    for (const host of opts.addresses) {
      // UDP first: with port 0 the kernel picks it, and TCP takes the same number.
      const u = await listenUdp(host, opts.port, opts.handler);
      udp.push(u);
      const port = u.address().port;
      tcp.push(await listenTcp(host, port, opts.handler));
      bound.push({ host, port });
    }
  } catch (err) {
    await closeAll(udp, tcp);
    throw err;
  }
  log.info({ addresses: bound.map((b) => `${b.host}:${b.port}`) }, 'DNS server listening (UDP and TCP)');
  return { addresses: bound, stop: () => closeAll(udp, tcp) };
}

function listenUdp(host: string, port: number, handler: DnsHandler): Promise<Socket> {
  const family = isIPv6(host) ? 6 : 4;
  const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
  const reply = (buf: Buffer | undefined, to: { port: number; address: string }) => {
    if (buf) socket.send(buf, to.port, to.address, (err) => err && log.debug({ to: to.address, err: err.message }, 'UDP send failed'));
  };
  socket.on('message', (msg, rinfo) => {
    try {
      const out = handler.handle(msg, 'udp', family);
      if (out instanceof Promise) out.then((b) => reply(b, rinfo), (err: unknown) => log.warn({ err: (err as Error).message }, 'DNS request failed'));
      else reply(out, rinfo);
    } catch (err) {
      log.warn({ from: rinfo.address, err: (err as Error).message }, 'DNS request failed');
    }
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject);
      socket.on('error', (err) => log.warn({ address: host, err: err.message }, 'UDP socket error'));
      resolve(socket);
    });
  });
}

interface TcpListener {
  server: Server;
  conns: Set<TcpSocket>;
}

function listenTcp(host: string, port: number, handler: DnsHandler): Promise<TcpListener> {
  const family = isIPv6(host) ? 6 : 4;
  const conns = new Set<TcpSocket>();
  const server = createServer((conn) => {
    conns.add(conn);
    conn.on('close', () => conns.delete(conn));
    const frames = new TcpFrames();
    // Answers go out in request order; a chain of promises keeps it so without blocking reads.
    let queue: Promise<void> = Promise.resolve();
    let inFlight = 0;
    conn.setTimeout(tcpIdleMs, () => conn.destroy());
    conn.on('error', () => conn.destroy());
    conn.on('data', (chunk) => {
      for (const msg of frames.push(chunk)) {
        inFlight++;
        if (inFlight > maxTcpInFlight) conn.pause();
        const answer = Promise.resolve().then(() => handler.handle(msg, 'tcp', family));
        queue = queue.then(async () => {
          const out = await answer.catch(() => undefined);
          if (out && !conn.destroyed) conn.write(frame(out));
          if (--inFlight <= maxTcpInFlight) conn.resume();
        });
      }
      if (frames.buffered > maxTcpBuffered) conn.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve({ server, conns });
    });
  });
}

async function closeAll(udp: Socket[], tcp: TcpListener[]): Promise<void> {
  for (const u of udp) u.close();
  await Promise.all(tcp.map((t) => new Promise<void>((resolve) => {
    t.server.close(() => resolve());
    // Open connections would hold close(): end them.
    for (const c of t.conns) c.destroy();
  })));
}
