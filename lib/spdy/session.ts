// A SPDY/3.1 session over one upgraded connection, as Kubernetes' streaming endpoints use it
// (moby/spdystream on the other side): streams opened with SYN_STREAM and answered with
// SYN_REPLY, data frames, half-close with FIN, RST_STREAM, PING, GOAWAY.
//
// Flow control: moby/spdystream neither sends nor honours WINDOW_UPDATE, so a peer enforcing
// windows would stall it after 64 KiB. Like it, this session ignores windows and relies on
// TCP backpressure: a stream whose reader lags pauses the socket until it catches up.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import {
  encodeFrame,
  FrameDecoder,
  GoAwayStatus,
  RstStatus,
  SpdyProtocolError,
  type Frame,
  type SpdyHeaders,
} from './frames.js';
import { HeaderCompressor, HeaderDecompressor } from './header-compression.js';

/** Data frames are cut at this size so one busy stream cannot hold the connection for long. */
const MAX_DATA_CHUNK = 64 * 1024;

export type SpdyRole = 'client' | 'server';

export interface SpdySessionEvents {
  /** The peer opened a stream; answer with `stream.reply()` or `stream.reset()`. */
  stream: [SpdyStream];
  goaway: [{ lastGoodStreamId: number; status: number }];
  close: [Error | undefined];
}

export class SpdySession extends EventEmitter<SpdySessionEvents> {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly decoder = new FrameDecoder();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly pings = new Map<number, () => void>();
  private readonly pausedBy = new Set<SpdyStream>();
  private processing: Promise<void> = Promise.resolve();
  private nextStreamId: number;
  private nextPingId: number;
  private lastRemoteStreamId = 0;
  private goneAway = false;
  private closedWith: { err: Error | undefined } | undefined;

  /** `head`: bytes that arrived with the upgrade response, before the socket was handed over. */
  constructor(readonly socket: Duplex, readonly role: SpdyRole, head?: Buffer) {
    super();
    // Clients use odd stream and ping ids, servers even (SPDY/3 sections 2.3.2 and 2.6.5).
    this.nextStreamId = role === 'client' ? 1 : 2;
    this.nextPingId = role === 'client' ? 1 : 2;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => this.enqueue(() => this.finish(undefined)));
    socket.on('close', () => this.enqueue(() => this.finish(undefined)));
    socket.on('error', (err: Error) => this.finish(err));
    if (head?.length) this.receive(head);
  }

  /** Opens a stream by sending SYN_STREAM; data written to it waits for the peer's SYN_REPLY. */
  openStream(headers: SpdyHeaders, opts: { fin?: boolean; priority?: number } = {}): SpdyStream {
    if (this.closedWith || this.goneAway) throw new SpdyProtocolError('session is closing: no new streams');
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(this, id, headers, true);
    this.streams.set(id, stream);
    this.send({
      kind: 'syn_stream', streamId: id, associatedId: 0, priority: opts.priority ?? 0,
      fin: opts.fin ?? false, unidirectional: false, headerBlock: this.compressor.compress(headers),
    });
    if (opts.fin) stream.end();
    return stream;
  }

  /** Round-trip time of a PING. */
  ping(): Promise<number> {
    const id = this.nextPingId;
    this.nextPingId = (this.nextPingId + 2) % 0x100000000;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      if (this.closedWith) return reject(new SpdyProtocolError('session closed'));
      this.pings.set(id, () => resolve(performance.now() - started));
      this.send({ kind: 'ping', id });
    });
  }

  /** Tells the peer no more streams will be accepted (GOAWAY), keeping open ones running. */
  goAway(status: number = GoAwayStatus.ok): void {
    if (this.goneAway || this.closedWith) return;
    this.goneAway = true;
    this.send({ kind: 'goaway', lastGoodStreamId: this.lastRemoteStreamId, status });
  }

  /** Ends the connection now; open streams end as if the peer had closed them. */
  destroy(err?: Error): void {
    this.socket.destroy();
    this.finish(err);
  }

  get isClosed(): boolean {
    return this.closedWith !== undefined;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  // ---- used by SpdyStream ------------------------------------------------------------------

  /** Writes a frame; false when the socket's buffer is full (wait for `drained`). */
  send(frame: Frame): boolean {
    if (this.closedWith || this.socket.destroyed || this.socket.writableEnded) return true;
    return this.socket.write(encodeFrame(frame));
  }

  sendData(streamId: number, data: Buffer, fin: boolean): boolean {
    let ok = true;
    for (let off = 0; off < data.length; off += MAX_DATA_CHUNK) {
      const last = off + MAX_DATA_CHUNK >= data.length;
      ok = this.send({ kind: 'data', streamId, fin: fin && last, data: data.subarray(off, off + MAX_DATA_CHUNK) });
    }
    if (data.length === 0) ok = this.send({ kind: 'data', streamId, fin, data });
    return ok;
  }

  sendReply(streamId: number, headers: SpdyHeaders, fin: boolean): void {
    this.send({ kind: 'syn_reply', streamId, fin, headerBlock: this.compressor.compress(headers) });
  }

  /** Calls `fn` once the socket can take more. */
  drained(fn: () => void): void {
    if (this.closedWith || !this.socket.writableNeedDrain) fn();
    else this.socket.once('drain', fn);
  }

  pauseFor(stream: SpdyStream): void {
    this.pausedBy.add(stream);
    this.socket.pause();
  }

  resumeFor(stream: SpdyStream): void {
    if (!this.pausedBy.delete(stream)) return;
    if (this.pausedBy.size === 0 && !this.closedWith) this.socket.resume();
  }

  forget(stream: SpdyStream): void {
    this.streams.delete(stream.id);
    this.resumeFor(stream);
    if (this.goneAway && this.streams.size === 0) this.socket.end();
  }

  // ---- receiving ---------------------------------------------------------------------------

  private receive(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.protocolError(err as Error);
      return;
    }
    for (const f of frames) this.enqueue(() => this.handle(f));
  }

  /** Frames are handled strictly in order: header blocks decompress asynchronously. */
  private enqueue(fn: () => Promise<void> | void): void {
    this.processing = this.processing.then(fn).catch((err: Error) => this.protocolError(err));
  }

  private async handle(f: Frame): Promise<void> {
    if (this.closedWith) return;
    switch (f.kind) {
      case 'syn_stream': {
        const headers = await this.decompressor.decompress(f.headerBlock);
        const remoteParity = this.role === 'client' ? 0 : 1;
        if (f.streamId === 0 || f.streamId % 2 !== remoteParity || f.streamId <= this.lastRemoteStreamId) {
          this.send({ kind: 'rst_stream', streamId: f.streamId, status: RstStatus.protocolError });
          return;
        }
        this.lastRemoteStreamId = f.streamId;
        if (this.goneAway || this.listenerCount('stream') === 0) {
          this.send({ kind: 'rst_stream', streamId: f.streamId, status: RstStatus.refusedStream });
          return;
        }
        const stream = new SpdyStream(this, f.streamId, headers, false);
        this.streams.set(f.streamId, stream);
        if (f.fin) stream.remoteFinished();
        try {
          this.emit('stream', stream);
        } catch (err) {
          // A listener's bug is not the peer's protocol error: let it surface as usual.
          process.nextTick(() => {
            throw err;
          });
        }
        return;
      }
      case 'syn_reply': {
        const headers = await this.decompressor.decompress(f.headerBlock);
        const s = this.streams.get(f.streamId);
        s?.replied(headers);
        if (f.fin) s?.remoteFinished();
        return;
      }
      case 'headers': {
        const headers = await this.decompressor.decompress(f.headerBlock);
        const s = this.streams.get(f.streamId);
        s?.emit('headers', headers);
        if (f.fin) s?.remoteFinished();
        return;
      }
      case 'data': {
        const s = this.streams.get(f.streamId);
        // Data for a stream that is gone is dropped, as spdystream does.
        if (!s) return;
        if (f.data.length) s.remoteData(f.data);
        if (f.fin) s.remoteFinished();
        return;
      }
      case 'rst_stream':
        this.streams.get(f.streamId)?.remoteReset(f.status);
        return;
      case 'ping': {
        const ours = f.id % 2 === (this.role === 'client' ? 1 : 0);
        if (!ours) {
          this.send({ kind: 'ping', id: f.id });
          return;
        }
        const done = this.pings.get(f.id);
        this.pings.delete(f.id);
        done?.();
        return;
      }
      case 'goaway':
        this.goneAway = true;
        this.emit('goaway', { lastGoodStreamId: f.lastGoodStreamId, status: f.status });
        if (this.streams.size === 0) this.socket.end();
        return;
      case 'settings':
      case 'window_update':
      case 'unknown':
        // Settings carry nothing this session acts on; windows are not enforced (see top).
        return;
    }
  }

  private protocolError(err: Error): void {
    if (this.closedWith) return;
    this.send({ kind: 'goaway', lastGoodStreamId: this.lastRemoteStreamId, status: GoAwayStatus.protocolError });
    this.socket.end();
    this.finish(err);
  }

  private finish(err: Error | undefined): void {
    if (this.closedWith) return;
    this.closedWith = { err };
    this.decompressor.close();
    for (const s of [...this.streams.values()]) s.sessionClosed();
    this.streams.clear();
    this.pings.clear();
    if (err) this.socket.destroy();
    else if (!this.socket.destroyed) this.socket.end();
    this.emit('close', err);
  }
}

/**
 * One SPDY stream as a Node duplex: write to send DATA, end() to half-close (FIN), read what
 * the peer sends until its FIN. A reset ends it without error; `resetStatus` tells why.
 */
export class SpdyStream extends Duplex {
  /** The headers of the SYN_REPLY (local streams) once it arrived. */
  replyHeaders: SpdyHeaders | undefined;
  /** Set when the stream ended by RST_STREAM (either side). */
  resetStatus: number | undefined;
  private isReplied = false;
  private readonly onReplied: (() => void)[] = [];
  private remoteFin = false;
  private localFin = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    /** The SYN_STREAM headers (what the stream is for). */
    readonly headers: SpdyHeaders,
    /** Whether this side opened it. */
    readonly local: boolean,
  ) {
    super({ allowHalfOpen: true });
  }

  /** First value of a SYN_STREAM header (names are lower case on the wire). */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  /** Accepts a stream the peer opened (SYN_REPLY); data written before waits for this. */
  reply(headers: SpdyHeaders = {}, opts: { fin?: boolean } = {}): void {
    if (this.local || this.isReplied) return;
    this.session.sendReply(this.id, headers, opts.fin ?? false);
    this.replied(headers);
    if (opts.fin) {
      this.localFin = true;
      this.end();
    }
  }

  /** Aborts the stream (RST_STREAM); nothing more is sent or delivered. */
  reset(status: number = RstStatus.cancel): void {
    if (this.resetStatus !== undefined || (this.localFin && this.remoteFin)) return;
    this.resetStatus = status;
    this.session.send({ kind: 'rst_stream', streamId: this.id, status });
    this.destroy();
  }

  /** Resolves once the reply was exchanged (immediately for a replied stream). */
  whenReplied(): Promise<void> {
    return new Promise((resolve) => this.afterReply(resolve));
  }

  // ---- Duplex ------------------------------------------------------------------------------

  override _read(): void {
    this.session.resumeFor(this);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.afterReply(() => {
      if (this.resetStatus !== undefined || this.session.isClosed) return cb();
      if (this.session.sendData(this.id, chunk, false)) cb();
      else this.session.drained(() => cb());
    });
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.afterReply(() => {
      if (this.resetStatus === undefined && !this.localFin) this.session.sendData(this.id, Buffer.alloc(0), true);
      this.localFin = true;
      this.maybeDone();
      cb();
    });
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.resetStatus === undefined && !(this.localFin && this.remoteFin) && !this.session.isClosed) {
      this.resetStatus = RstStatus.cancel;
      this.session.send({ kind: 'rst_stream', streamId: this.id, status: RstStatus.cancel });
    }
    this.session.forget(this);
    // Whoever waits for the reply must not hang on a dead stream.
    this.replied(this.replyHeaders ?? {});
    cb(err);
  }

  // ---- called by the session ---------------------------------------------------------------

  replied(headers: SpdyHeaders): void {
    if (this.isReplied) return;
    this.isReplied = true;
    if (this.local) this.replyHeaders = headers;
    for (const fn of this.onReplied.splice(0)) fn();
    this.emit('reply', headers);
  }

  remoteData(data: Buffer): void {
    if (this.remoteFin || this.resetStatus !== undefined || this.destroyed) return;
    if (!this.push(data)) this.session.pauseFor(this);
  }

  remoteFinished(): void {
    if (this.remoteFin) return;
    this.remoteFin = true;
    if (!this.destroyed) this.push(null);
    this.maybeDone();
  }

  /**
   * The peer reset the stream. What it sent before still reaches the reader (runtimes reset
   * every stream right after the last output and the exit status), then the stream ends;
   * anything still to be written is dropped.
   */
  remoteReset(status: number): void {
    if (this.resetStatus !== undefined) return;
    this.resetStatus = status;
    this.emit('reset', status);
    this.remoteFinished();
    this.localFin = true;
    this.maybeDone();
    if (!this.writableEnded) this.end();
  }

  sessionClosed(): void {
    if (!this.remoteFin) {
      this.remoteFin = true;
      if (!this.destroyed) this.push(null);
    }
    this.localFin = true;
    this.replied(this.replyHeaders ?? {});
    if (!this.writableEnded) this.end();
  }

  private afterReply(fn: () => void): void {
    if (this.isReplied) fn();
    else this.onReplied.push(fn);
  }

  private maybeDone(): void {
    if (this.localFin && this.remoteFin) this.session.forget(this);
  }
}
