// SPDY/3 header compression: every header block of a connection, in each direction, is one
// continuous zlib stream primed with the SPDY/3 dictionary and sync-flushed after each block.
import { constants, createInflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { decodeHeaderBlock, encodeHeaderBlock, SpdyProtocolError, type SpdyHeaders } from './frames.js';

/** Adler-32 (RFC 1950), the dictionary id a zlib header announces. */
export function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < buf.length; i++) {
    a = (a + buf[i]) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const MAX_STORED = 0xffff;
const EMPTY_STORED_BLOCK = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

/**
 * Compresses outgoing header blocks. Blocks are emitted as deflate "stored" (uncompressed)
 * blocks: any inflater reads them, they never reference the dictionary, and producing them is
 * synchronous, so frames keep their order without an async zlib round trip per block. Header
 * blocks are a few dozen bytes per stream, so the lost compression does not matter.
 */
export class HeaderCompressor {
  private started = false;

  compress(headers: SpdyHeaders): Buffer {
    const raw = encodeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.started) {
      // zlib header: deflate, 32K window, preset dictionary (FDICT) with its Adler-32 id.
      const head = Buffer.alloc(6);
      head[0] = 0x78;
      head[1] = 0x20;
      head.writeUInt32BE(adler32(SPDY3_DICTIONARY), 2);
      parts.push(head);
      this.started = true;
    }
    for (let off = 0; off < raw.length; off += MAX_STORED) {
      const chunk = raw.subarray(off, off + MAX_STORED);
      // BFINAL=0, BTYPE=00 (stored), padded to the byte; then LEN and its one's complement (LE).
      const h = Buffer.alloc(5);
      h[0] = 0x00;
      h.writeUInt16LE(chunk.length, 1);
      h.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(h, chunk);
    }
    // An empty stored block ends each header block, as a zlib sync flush does. Go's inflater
    // (moby/spdystream) only hands out a stored block's bytes once it has read the next block
    // header: without this it would read past the frame and fail every later header block.
    parts.push(EMPTY_STORED_BLOCK);
    return Buffer.concat(parts);
  }
}

/**
 * Decompresses incoming header blocks. zlib's streaming inflater is asynchronous, so callers
 * await each block in frame order; the block format is self-delimiting, which is what tells
 * when a block's output is complete.
 */
export class HeaderDecompressor {
  private readonly inflate: Inflate;
  private out: Buffer = Buffer.alloc(0);
  private failure: Error | undefined;
  private waiter: (() => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor() {
    this.inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
    this.inflate.on('data', (d: Buffer) => {
      this.out = this.out.length ? Buffer.concat([this.out, d]) : d;
      this.wake();
    });
    this.inflate.on('error', (err: Error) => {
      this.failure = new SpdyProtocolError(`header block decompression failed: ${err.message}`);
      this.wake();
    });
  }

  /** The headers of one frame's compressed block; call in the order frames arrived. */
  decompress(compressed: Buffer): Promise<SpdyHeaders> {
    const next = this.queue.then(() => this.readBlock(compressed));
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.inflate.destroy();
  }

  private async readBlock(compressed: Buffer): Promise<SpdyHeaders> {
    if (compressed.length === 0) return {};
    let flushed = false;
    this.inflate.write(compressed);
    this.inflate.flush(constants.Z_SYNC_FLUSH, () => {
      // Output of a flush may still be on its way to 'data': give it one turn before judging.
      setImmediate(() => {
        flushed = true;
        this.wake();
      });
    });
    for (;;) {
      if (this.failure) throw this.failure;
      const block = decodeHeaderBlock(this.out);
      if (block) {
        this.out = this.out.subarray(block.size);
        return block.headers;
      }
      if (flushed) throw new SpdyProtocolError('header block is truncated');
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
