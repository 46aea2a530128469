// SPDY/3.1 framing (SPDY/3 draft section 2.2, plus the 3.1 session-level WINDOW_UPDATE): frames
// to bytes and bytes to frames. Pure: header blocks stay compressed here (header-compression.ts
// handles zlib), so this file can be tested byte for byte.

export const SPDY_VERSION = 3;
/** Lengths are 24 bits. */
export const MAX_FRAME_LENGTH = 0xffffff;

export const ControlType = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
export const FLAG_SETTINGS_CLEAR = 0x01;

/** RST_STREAM status codes. */
export const RstStatus = {
  protocolError: 1,
  invalidStream: 2,
  refusedStream: 3,
  unsupportedVersion: 4,
  cancel: 5,
  internalError: 6,
  flowControlError: 7,
  streamInUse: 8,
  streamAlreadyClosed: 9,
  frameTooLarge: 11,
} as const;

/** GOAWAY status codes. */
export const GoAwayStatus = { ok: 0, protocolError: 1, internalError: 2 } as const;

export interface DataFrame {
  kind: 'data';
  streamId: number;
  fin: boolean;
  data: Buffer;
}

export interface SynStreamFrame {
  kind: 'syn_stream';
  streamId: number;
  associatedId: number;
  /** 0 (highest) to 7. */
  priority: number;
  fin: boolean;
  unidirectional: boolean;
  /** The compressed name/value header block. */
  headerBlock: Buffer;
}

export interface SynReplyFrame {
  kind: 'syn_reply';
  streamId: number;
  fin: boolean;
  headerBlock: Buffer;
}

export interface HeadersFrame {
  kind: 'headers';
  streamId: number;
  fin: boolean;
  headerBlock: Buffer;
}

export interface RstStreamFrame {
  kind: 'rst_stream';
  streamId: number;
  status: number;
}

export interface Setting {
  flags: number;
  id: number;
  value: number;
}

export interface SettingsFrame {
  kind: 'settings';
  clear: boolean;
  settings: Setting[];
}

export interface PingFrame {
  kind: 'ping';
  id: number;
}

export interface GoAwayFrame {
  kind: 'goaway';
  lastGoodStreamId: number;
  status: number;
}

export interface WindowUpdateFrame {
  kind: 'window_update';
  /** 0 for the session-level window (SPDY/3.1). */
  streamId: number;
  delta: number;
}

/** A control frame of a type this version does not define: the spec says to ignore it. */
export interface UnknownControlFrame {
  kind: 'unknown';
  type: number;
  flags: number;
  payload: Buffer;
}

export type Frame =
  | DataFrame | SynStreamFrame | SynReplyFrame | HeadersFrame | RstStreamFrame | SettingsFrame
  | PingFrame | GoAwayFrame | WindowUpdateFrame | UnknownControlFrame;

export class SpdyProtocolError extends Error {
  override readonly name = 'SpdyProtocolError';
}

const STREAM_ID_MASK = 0x7fffffff;

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_LENGTH) throw new SpdyProtocolError(`control frame payload of ${payload.length} bytes exceeds 2^24-1`);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4);
  return Buffer.concat([head, payload]);
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** Serializes one frame (header blocks must already be compressed). */
export function encodeFrame(f: Frame): Buffer {
  switch (f.kind) {
    case 'data': {
      if (f.data.length > MAX_FRAME_LENGTH) throw new SpdyProtocolError(`data frame of ${f.data.length} bytes exceeds 2^24-1`);
      const head = u32s(f.streamId & STREAM_ID_MASK, ((f.fin ? FLAG_FIN : 0) << 24 | f.data.length) >>> 0);
      return Buffer.concat([head, f.data]);
    }
    case 'syn_stream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(f.streamId & STREAM_ID_MASK, 0);
      fixed.writeUInt32BE(f.associatedId & STREAM_ID_MASK, 4);
      fixed.writeUInt8((f.priority & 0x7) << 5, 8);
      fixed.writeUInt8(0, 9); // credential slot: unused
      const flags = (f.fin ? FLAG_FIN : 0) | (f.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
      return controlFrame(ControlType.synStream, flags, Buffer.concat([fixed, f.headerBlock]));
    }
    case 'syn_reply':
      return controlFrame(ControlType.synReply, f.fin ? FLAG_FIN : 0, Buffer.concat([u32s(f.streamId & STREAM_ID_MASK), f.headerBlock]));
    case 'headers':
      return controlFrame(ControlType.headers, f.fin ? FLAG_FIN : 0, Buffer.concat([u32s(f.streamId & STREAM_ID_MASK), f.headerBlock]));
    case 'rst_stream':
      return controlFrame(ControlType.rstStream, 0, u32s(f.streamId & STREAM_ID_MASK, f.status));
    case 'settings': {
      const body = Buffer.alloc(4 + f.settings.length * 8);
      body.writeUInt32BE(f.settings.length, 0);
      f.settings.forEach((s, i) => {
        body.writeUInt32BE(((s.flags & 0xff) << 24 | (s.id & 0xffffff)) >>> 0, 4 + i * 8);
        body.writeUInt32BE(s.value >>> 0, 8 + i * 8);
      });
      return controlFrame(ControlType.settings, f.clear ? FLAG_SETTINGS_CLEAR : 0, body);
    }
    case 'ping':
      return controlFrame(ControlType.ping, 0, u32s(f.id));
    case 'goaway':
      return controlFrame(ControlType.goAway, 0, u32s(f.lastGoodStreamId & STREAM_ID_MASK, f.status));
    case 'window_update':
      return controlFrame(ControlType.windowUpdate, 0, u32s(f.streamId & STREAM_ID_MASK, f.delta & STREAM_ID_MASK));
    case 'unknown':
      return controlFrame(f.type, f.flags, f.payload);
  }
}

function need(payload: Buffer, n: number, what: string): void {
  if (payload.length < n) throw new SpdyProtocolError(`${what} frame too short: ${payload.length} bytes`);
}

function decodeControl(type: number, flags: number, p: Buffer): Frame {
  const fin = (flags & FLAG_FIN) !== 0;
  switch (type) {
    case ControlType.synStream:
      need(p, 10, 'SYN_STREAM');
      return {
        kind: 'syn_stream',
        streamId: p.readUInt32BE(0) & STREAM_ID_MASK,
        associatedId: p.readUInt32BE(4) & STREAM_ID_MASK,
        priority: p.readUInt8(8) >> 5,
        fin,
        unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
        headerBlock: p.subarray(10),
      };
    case ControlType.synReply:
      need(p, 4, 'SYN_REPLY');
      return { kind: 'syn_reply', streamId: p.readUInt32BE(0) & STREAM_ID_MASK, fin, headerBlock: p.subarray(4) };
    case ControlType.headers:
      need(p, 4, 'HEADERS');
      return { kind: 'headers', streamId: p.readUInt32BE(0) & STREAM_ID_MASK, fin, headerBlock: p.subarray(4) };
    case ControlType.rstStream:
      need(p, 8, 'RST_STREAM');
      return { kind: 'rst_stream', streamId: p.readUInt32BE(0) & STREAM_ID_MASK, status: p.readUInt32BE(4) };
    case ControlType.settings: {
      need(p, 4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      need(p, 4 + n * 8, 'SETTINGS');
      const settings: Setting[] = [];
      for (let i = 0; i < n; i++) {
        const word = p.readUInt32BE(4 + i * 8);
        settings.push({ flags: word >>> 24, id: word & 0xffffff, value: p.readUInt32BE(8 + i * 8) });
      }
      return { kind: 'settings', clear: (flags & FLAG_SETTINGS_CLEAR) !== 0, settings };
    }
    case ControlType.ping:
      need(p, 4, 'PING');
      return { kind: 'ping', id: p.readUInt32BE(0) };
    case ControlType.goAway:
      need(p, 8, 'GOAWAY');
      return { kind: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & STREAM_ID_MASK, status: p.readUInt32BE(4) };
    case ControlType.windowUpdate:
      need(p, 8, 'WINDOW_UPDATE');
      return { kind: 'window_update', streamId: p.readUInt32BE(0) & STREAM_ID_MASK, delta: p.readUInt32BE(4) & STREAM_ID_MASK };
    default:
      return { kind: 'unknown', type, flags, payload: p };
  }
}

/** Splits a byte stream into frames; feed it whatever the socket delivers. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  /** Every frame completed by `chunk`, in order; a partial frame waits for more bytes. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    let off = 0;
    while (this.buf.length - off >= 8) {
      const w0 = this.buf.readUInt32BE(off);
      const w1 = this.buf.readUInt32BE(off + 4);
      const length = w1 & 0xffffff;
      if (this.buf.length - off < 8 + length) break;
      const payload = this.buf.subarray(off + 8, off + 8 + length);
      const flags = w1 >>> 24;
      if (w0 & 0x80000000) {
        const version = (w0 >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        frames.push(decodeControl(w0 & 0xffff, flags, Buffer.from(payload)));
      } else {
        frames.push({ kind: 'data', streamId: w0 & STREAM_ID_MASK, fin: (flags & FLAG_FIN) !== 0, data: Buffer.from(payload) });
      }
      off += 8 + length;
    }
    this.buf = this.buf.subarray(off);
    return frames;
  }

  /** Bytes of an incomplete frame still waiting. */
  get pending(): number {
    return this.buf.length;
  }
}

/** Header names and values; several values of one name travel NUL-joined (SPDY/3 2.6.10). */
export type SpdyHeaders = Record<string, string[]>;

/** The uncompressed name/value block: count, then length-prefixed names and values. */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const entries = Object.entries(headers);
  parts.push(u32s(entries.length));
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32s(n.length), n, u32s(v.length), v);
  }
  return Buffer.concat(parts);
}

/**
 * Parses one uncompressed name/value block from the start of `buf`. Returns undefined while the
 * block is incomplete, else the headers and how many bytes it took.
 */
export function decodeHeaderBlock(buf: Buffer): { headers: SpdyHeaders; size: number } | undefined {
  if (buf.length < 4) return undefined;
  const count = buf.readUInt32BE(0);
  let off = 4;
  const headers: SpdyHeaders = {};
  for (let i = 0; i < count; i++) {
    if (buf.length < off + 4) return undefined;
    const nlen = buf.readUInt32BE(off);
    if (buf.length < off + 4 + nlen + 4) return undefined;
    const name = buf.toString('utf8', off + 4, off + 4 + nlen);
    off += 4 + nlen;
    const vlen = buf.readUInt32BE(off);
    if (buf.length < off + 4 + vlen) return undefined;
    const value = buf.toString('utf8', off + 4, off + 4 + vlen);
    off += 4 + vlen;
    if (name === '' || name !== name.toLowerCase()) throw new SpdyProtocolError(`invalid header name ${JSON.stringify(name)}`);
    if (headers[name]) throw new SpdyProtocolError(`duplicate header ${name}`);
    headers[name] = value.split('\0');
  }
  return { headers, size: off };
}
