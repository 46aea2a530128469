// One DNS exchange with an upstream server, over UDP or TCP, as a stub resolver does it: a
// socket of its own per query (a fresh random source port, so a spoofed answer must guess it
// and the ID), the answer accepted only from the address asked and with the ID sent.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { isIPv6 } from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

export function upstreamName(u: Upstream): string {
  return isIPv6(u.host) ? `[${u.host}]:${u.port}` : `${u.host}:${u.port}`;
}

export class ExchangeError extends Error {
  constructor(readonly code: 'Timeout' | 'Network' | 'BadResponse', message: string) {
    super(message);
  }
}

/** The 16-bit ID of a DNS message. */
const messageId = (buf: Buffer) => buf.readUInt16BE(0);

/** Sends `query` over UDP; resolves with the first answer from `to` that carries its ID. */
export function udpExchange(to: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(to.host) ? 'udp6' : 'udp4');
    const id = messageId(query);
    let done = false;
    const finish = (err: Error | undefined, buf?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(buf!);
    };
    const timer = setTimeout(() => finish(new ExchangeError('Timeout', `no answer from ${upstreamName(to)} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (err) => finish(new ExchangeError('Network', `${upstreamName(to)}: ${err.message}`)));
    socket.on('message', (msg, rinfo) => {
      // Anything else (another sender, a stale ID) is ignored, as resolvers do.
      if (rinfo.port !== to.port || msg.length < 12 || messageId(msg) !== id) return;
      if (rinfo.address !== to.host && !(isIPv6(to.host) && rinfo.address.split('%')[0] === to.host)) return;
      finish(undefined, msg);
    });
    socket.send(query, to.port, to.host, (err) => {
      if (err) finish(new ExchangeError('Network', `${upstreamName(to)}: ${err.message}`));
    });
  });
}

/** Sends `query` over TCP (2-byte length prefix, RFC 1035 4.2.2) and reads one answer. */
export function tcpExchange(to: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: to.host, port: to.port });
    const reader = new TcpFrames();
    let done = false;
    const finish = (err: Error | undefined, buf?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(buf!);
    };
    const timer = setTimeout(() => finish(new ExchangeError('Timeout', `no answer from ${upstreamName(to)} over TCP within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (err) => finish(new ExchangeError('Network', `${upstreamName(to)}: ${err.message}`)));
    socket.on('close', () => finish(new ExchangeError('BadResponse', `${upstreamName(to)} closed the TCP connection without an answer`)));
    socket.on('connect', () => socket.write(frame(query)));
    socket.on('data', (chunk) => {
      for (const msg of reader.push(chunk)) {
        if (msg.length >= 12 && messageId(msg) === messageId(query)) return finish(undefined, msg);
      }
    });
  });
}

/** A message with its TCP length prefix. */
export function frame(msg: Buffer): Buffer {
  const len = Buffer.allocUnsafe(2);
  len.writeUInt16BE(msg.length, 0);
  return Buffer.concat([len, msg]);
}

/** Splits a TCP byte stream into length-prefixed DNS messages. */
export class TcpFrames {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.pending.length >= 2) {
      const len = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + len) break;
      out.push(this.pending.subarray(2, 2 + len));
      this.pending = this.pending.subarray(2 + len);
    }
    return out;
  }

  /** Bytes held waiting for the rest of a message. */
  get buffered(): number {
    return this.pending.length;
  }
}
