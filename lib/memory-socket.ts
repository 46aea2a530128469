// A connected pair of in-memory sockets: what one end writes, the other reads. The controllers
// and scheduler inside `k8ts server` speak HTTP to the API server over such a pair, as they
// would over loopback TCP, without TLS, system calls or the accept queue of a busy server.
// The ends offer the parts of net.Socket that node:http uses (timeouts, keep-alive, ref).
import { Duplex } from 'node:stream';

/** Bytes a writer may have on the way before it waits for the reader (a socket buffer's worth). */
const windowBytes = 256 * 1024;

export class MemorySocket extends Duplex {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 0;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 0;
  /** Set by node:http's agent and server, as on net.Socket. */
  timeout = 0;
  private peer!: MemorySocket;
  /** The peer's write waits for this end to read (backpressure, as a full socket buffer). */
  private resumeWriter?: () => void;
  private idleTimer?: NodeJS.Timeout;
  private outgoing: Buffer[] = [];
  private outgoingBytes = 0;
  private flushQueued = false;
  private idleMs = 0;

  static pair(): [MemorySocket, MemorySocket] {
    const a = new MemorySocket();
    const b = new MemorySocket();
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  override _read(): void {
    const resume = this.resumeWriter;
    this.resumeWriter = undefined;
    resume?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.peer.destroyed) return done(new Error('socket hang up: peer closed'));
    this.outgoing.push(chunk);
    this.outgoingBytes += chunk.length;
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(this.flush);
    }
    // Like a kernel socket buffer: writes complete at once until a window's worth waits unread.
    if (this.outgoingBytes + this.peer.readableLength < windowBytes) done();
    else this.peer.resumeWriter = () => done();
  }

  override _final(done: (err?: Error | null) => void): void {
    setImmediate(() => {
      this.flush();
      this.peer.push(null);
      done();
    });
  }

  /**
   * Hands what was written to the peer on a later turn of the event loop, as a kernel socket
   * would: the reader would otherwise run inside the writer's call, and in-process clients
   * could keep the server from ever reaching its network connections. Everything written
   * since the last turn goes at once.
   */
  private readonly flush = (): void => {
    this.flushQueued = false;
    const chunks = this.outgoing;
    this.outgoing = [];
    this.outgoingBytes = 0;
    if (this.peer.destroyed || chunks.length === 0) return;
    this.active();
    this.peer.active();
    for (const c of chunks) this.peer.push(c);
  };

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    const resume = this.resumeWriter;
    this.resumeWriter = undefined;
    resume?.();
    // As a reset connection: the other end ends and closes too.
    if (!this.peer.destroyed) {
      this.peer.push(null);
      this.peer.destroy();
    }
    done(err);
  }

  /** Emits 'timeout' after `ms` without reads or writes (0 turns it off), as net.Socket does. */
  setTimeout(ms: number, onTimeout?: () => void): this {
    this.timeout = ms;
    // As net.Socket: turning the timeout off also drops the callback given with it.
    if (onTimeout) {
      if (ms === 0) this.removeListener('timeout', onTimeout);
      else this.once('timeout', onTimeout);
    }
    this.active();
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  private active(): void {
    if (this.timeout <= 0 || this.destroyed) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    } else if (this.idleTimer && this.idleMs === this.timeout) {
      this.idleTimer.refresh();
    } else {
      clearTimeout(this.idleTimer);
      this.idleMs = this.timeout;
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        this.emit('timeout');
      }, this.timeout).unref();
    }
  }
}
