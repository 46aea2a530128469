import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHeaderBlock, encodeFrame, encodeHeaderBlock, FrameDecoder, SpdyProtocolError, type Frame } from './frames.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('SPDY/3 frames', () => {
  it('encodes a data frame: stream id, FIN flag and 24-bit length before the payload', () => {
    const b = encodeFrame({ kind: 'data', streamId: 3, fin: true, data: Buffer.from('out\n') });
    assert.deepEqual(b, hex('00000003 01000004 6f75740a'));
  });

  it('encodes control frames with the version and type in the first word', () => {
    assert.deepEqual(encodeFrame({ kind: 'rst_stream', streamId: 1, status: 5 }), hex('80030003 00000008 00000001 00000005'));
    assert.deepEqual(encodeFrame({ kind: 'goaway', lastGoodStreamId: 5, status: 0 }), hex('80030007 00000008 00000005 00000000'));
    assert.deepEqual(encodeFrame({ kind: 'ping', id: 7 }), hex('80030006 00000004 00000007'));
    assert.deepEqual(encodeFrame({ kind: 'window_update', streamId: 0, delta: 65536 }), hex('80030009 00000008 00000000 00010000'));
  });

  it('decodes what containerd (moby/spdystream) sends: SYN_REPLY, data, RST_STREAM, GOAWAY', () => {
    const d = new FrameDecoder();
    const frames = d.push(hex(`
      80030002 0000000c 00000003 026100000000ffff
      00000003 00000004 6f75740a
      00000003 01000000
      80030003 00000008 00000001 00000005
      80030007 00000008 00000005 00000000`));
    assert.deepEqual(frames.map((f) => f.kind), ['syn_reply', 'data', 'data', 'rst_stream', 'goaway']);
    assert.deepEqual(frames[0], { kind: 'syn_reply', streamId: 3, fin: false, headerBlock: hex('026100000000ffff') });
    assert.deepEqual(frames[1], { kind: 'data', streamId: 3, fin: false, data: Buffer.from('out\n') });
    assert.equal((frames[2] as { fin: boolean }).fin, true);
    assert.deepEqual(frames[3], { kind: 'rst_stream', streamId: 1, status: 5 });
    assert.deepEqual(frames[4], { kind: 'goaway', lastGoodStreamId: 5, status: 0 });
  });

  it('round-trips every frame kind', () => {
    const all: Frame[] = [
      { kind: 'syn_stream', streamId: 5, associatedId: 0, priority: 3, fin: false, unidirectional: true, headerBlock: hex('0102') },
      { kind: 'syn_reply', streamId: 5, fin: true, headerBlock: hex('03') },
      { kind: 'headers', streamId: 7, fin: false, headerBlock: hex('0405') },
      { kind: 'rst_stream', streamId: 9, status: 1 },
      { kind: 'settings', clear: true, settings: [{ flags: 1, id: 4, value: 100 }, { flags: 0, id: 7, value: 65536 }] },
      { kind: 'ping', id: 0xfffffffe },
      { kind: 'goaway', lastGoodStreamId: 11, status: 2 },
      { kind: 'window_update', streamId: 13, delta: 4096 },
      { kind: 'data', streamId: 15, fin: false, data: Buffer.alloc(70_000, 7) },
      { kind: 'unknown', type: 10, flags: 0, payload: hex('abcd') },
    ];
    const d = new FrameDecoder();
    assert.deepEqual(d.push(Buffer.concat(all.map(encodeFrame))), all);
  });

  it('waits for the rest of a frame split across reads', () => {
    const bytes = encodeFrame({ kind: 'data', streamId: 1, fin: false, data: Buffer.from('hello world') });
    const d = new FrameDecoder();
    for (let i = 0; i < bytes.length - 1; i++) assert.deepEqual(d.push(bytes.subarray(i, i + 1)), []);
    assert.deepEqual(d.push(bytes.subarray(bytes.length - 1)), [{ kind: 'data', streamId: 1, fin: false, data: Buffer.from('hello world') }]);
    assert.equal(d.pending, 0);
  });

  it('refuses other SPDY versions and short control frames', () => {
    assert.throws(() => new FrameDecoder().push(hex('80020006 00000004 00000001')), SpdyProtocolError);
    assert.throws(() => new FrameDecoder().push(hex('80030003 00000004 00000001')), /RST_STREAM frame too short/);
  });

  it('encodes header blocks with lower-case names and NUL-joined values', () => {
    const b = encodeHeaderBlock({ streamType: ['error'], port: ['80', '8080'] });
    assert.deepEqual(decodeHeaderBlock(b), { headers: { streamtype: ['error'], port: ['80', '8080'] }, size: b.length });
    assert.equal(decodeHeaderBlock(b.subarray(0, b.length - 1)), undefined, 'incomplete');
    assert.deepEqual(decodeHeaderBlock(hex('00000000')), { headers: {}, size: 4 });
  });

  it('rejects header blocks Go would reject: upper-case or repeated names', () => {
    const upper = Buffer.concat([hex('00000001 00000001'), Buffer.from('A'), hex('00000000')]);
    assert.throws(() => decodeHeaderBlock(upper), /invalid header name/);
    const twice = Buffer.concat([hex('00000002'), ...[0, 1].map(() => Buffer.concat([hex('00000001'), Buffer.from('a'), hex('00000000')]))]);
    assert.throws(() => decodeHeaderBlock(twice), /duplicate header a/);
  });
});
