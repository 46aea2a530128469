// A connected pair of in-memory sockets over a MessageChannel: what one end writes, the other
// reads, in the same thread or in another one. The controllers and scheduler of `k8ts server`
// run in a worker thread and speak HTTP to the API server over such pairs, as they would over
// loopback TCP, without TLS, system calls or the accept queue of a busy server.
// The ends offer the parts of net.Socket that node:http uses (timeouts, keep-alive, ref).
import { Duplex } from 'node:stream';
import { MessageChannel, type MessagePort } from 'node:worker_threads';

/** Bytes a writer may have on the way before it waits for the reader (a socket buffer's worth). */
const windowBytes = 256 * 1024;

/**
 * What travels over the port: bytes (moved, not copied), the number of bytes the reader took
 * (the writer's window opens again), or the writer's end of the stream.
 */
type Message = Uint8Array | number | 'end';

export class MemorySocket extends Duplex {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 0;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 0;
  /** Set by node:http's agent and server, as on net.Socket. */
  timeout = 0;
  private idleTimer?: NodeJS.Timeout;
  private idleMs = 0;
  private outgoing: Buffer[] = [];
  private outgoingBytes = 0;
  private flushQueued = false;
  /** Bytes sent that the peer has not yet read. */
  private unacknowledged = 0;
  /** A write waiting for the window to open. */
  private resumeWriter?: () => void;
  /** Bytes received and buffered that the peer has not been told about. */
  private unreported = 0;

  /** Two connected ends in this thread; `new MemorySocket(port)` makes one end of a channel anywhere. */
  static pair(): [MemorySocket, MemorySocket] {
    const { port1, port2 } = new MessageChannel();
    return [new MemorySocket(port1), new MemorySocket(port2)];
  }

  constructor(private readonly port: MessagePort) {
    // As net.Socket: an end that has read the other's end ends its own side too.
    super({ allowHalfOpen: false });
    port.on('message', (m: Message) => this.receive(m));
    // The other end was destroyed, or its thread ended: as a reset connection.
    port.once('close', () => {
      this.push(null);
      this.destroy();
    });
  }

  private receive(m: Message): void {
    if (typeof m === 'number') {
      this.unacknowledged -= m;
      this.maybeResumeWriter();
    } else if (m === 'end') {
      this.push(null);
    } else {
      this.active();
      this.unreported += m.byteLength;
      if (this.push(Buffer.from(m.buffer, m.byteOffset, m.byteLength))) this.report();
    }
  }

  /** Tells the writer what was read, once the reader wants more (as a socket buffer drains). */
  private report(): void {
    if (this.unreported === 0 || this.destroyed) return;
    this.port.postMessage(this.unreported satisfies Message);
    this.unreported = 0;
  }

  private maybeResumeWriter(): void {
    if (this.unacknowledged + this.outgoingBytes >= windowBytes) return;
    const resume = this.resumeWriter;
    this.resumeWriter = undefined;
    resume?.();
  }

  override _read(): void {
    this.report();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.outgoing.push(chunk);
    this.outgoingBytes += chunk.length;
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(this.flush);
    }
    // Like a kernel socket buffer: writes complete at once until a window's worth waits unread.
    if (this.unacknowledged + this.outgoingBytes < windowBytes) done();
    else this.resumeWriter = () => done();
  }

  override _final(done: (err?: Error | null) => void): void {
    setImmediate(() => {
      this.flush();
      if (!this.destroyed) this.port.postMessage('end' satisfies Message);
      done();
    });
  }

  /**
   * Sends what was written on a later turn of the event loop, as a kernel socket would: the
   * reader would otherwise run inside the writer's call, and in-process clients could keep the
   * server from ever reaching its network connections. Everything written since the last turn
   * goes as one message.
   */
  private readonly flush = (): void => {
    this.flushQueued = false;
    if (this.outgoingBytes === 0 || this.destroyed) return;
    // A buffer of its own (Buffer.concat may hand out a slice of Node's shared pool, which
    // cannot be moved to another thread).
    const bytes = new Uint8Array(this.outgoingBytes);
    let at = 0;
    for (const c of this.outgoing) {
      bytes.set(c, at);
      at += c.length;
    }
    this.outgoing = [];
    this.unacknowledged += this.outgoingBytes;
    this.outgoingBytes = 0;
    this.active();
    this.port.postMessage(bytes satisfies Message, [bytes.buffer]);
  };

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    const resume = this.resumeWriter;
    this.resumeWriter = undefined;
    resume?.();
    this.port.close();
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

  /** As net.Socket: an open connection keeps its thread alive unless unref'd (idle keep-alive). */
  ref(): this {
    this.port.ref();
    return this;
  }

  unref(): this {
    this.port.unref();
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
