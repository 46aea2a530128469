import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createDeflate, inflateSync } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { adler32, HeaderCompressor, HeaderDecompressor } from './header-compression.js';
import { encodeHeaderBlock, type SpdyHeaders } from './frames.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('SPDY/3 header compression', () => {
  it('has the SPDY/3 dictionary: 1423 bytes, the id Go announces (e3c6a7c2)', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(adler32(SPDY3_DICTIONARY).toString(16), 'e3c6a7c2');
    assert.ok(SPDY3_DICTIONARY.subarray(0, 11).equals(hex('00000007 6f7074696f6e73')), 'starts with "options"');
    assert.ok(SPDY3_DICTIONARY.toString('latin1').endsWith('utf-,*,enq=0.'));
  });

  it('decompresses the header blocks containerd sends, one continuous zlib stream per connection', async () => {
    const d = new HeaderDecompressor();
    // The SYN_REPLY blocks of streams 1, 3 and 5 of a real exec (all empty header sets).
    assert.deepEqual(await d.decompress(hex('78f9e3c6a7c2 6260606000000000ffff')), {});
    assert.deepEqual(await d.decompress(hex('026100000000ffff')), {});
    assert.deepEqual(await d.decompress(hex('026100000000ffff')), {});
    d.close();
  });

  it('decompresses what a dictionary-primed deflater with sync flushes produces', async () => {
    const z = createDeflate({ dictionary: SPDY3_DICTIONARY });
    const blocks: SpdyHeaders[] = [{ ':status': ['101'], 'x-stream-protocol-version': ['v4.channel.k8s.io'] }, { streamtype: ['stdout'] }, { a: ['b', 'c'] }];
    const d = new HeaderDecompressor();
    for (const h of blocks) {
      const out: Buffer[] = [];
      z.on('data', (c: Buffer) => out.push(c));
      await new Promise<void>((resolve) => {
        z.write(encodeHeaderBlock(h));
        z.flush(constants.Z_SYNC_FLUSH, () => resolve());
      });
      z.removeAllListeners('data');
      assert.deepEqual(await d.decompress(Buffer.concat(out)), h);
    }
    d.close();
    z.close();
  });

  it('compresses to a stream any inflater reads, each block ending in a sync-flush marker', async () => {
    const c = new HeaderCompressor();
    const first = c.compress({ streamtype: ['error'] });
    const second = c.compress({ streamtype: ['stdout'], port: ['80'] });
    // zlib header announcing the dictionary, then stored blocks.
    assert.deepEqual(first.subarray(0, 6), hex('7820e3c6a7c2'));
    for (const b of [first, second]) assert.deepEqual(b.subarray(b.length - 5), hex('000000ffff'));
    const raw = inflateSync(Buffer.concat([first, second]), { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    assert.deepEqual(raw, Buffer.concat([encodeHeaderBlock({ streamtype: ['error'] }), encodeHeaderBlock({ streamtype: ['stdout'], port: ['80'] })]));
    const d = new HeaderDecompressor();
    assert.deepEqual(await d.decompress(first), { streamtype: ['error'] });
    assert.deepEqual(await d.decompress(second), { streamtype: ['stdout'], port: ['80'] });
    d.close();
  });

  it('splits blocks longer than a stored block holds', async () => {
    const c = new HeaderCompressor();
    const big = { big: ['x'.repeat(100_000)] };
    const d = new HeaderDecompressor();
    assert.deepEqual(await d.decompress(c.compress(big)), big);
    d.close();
  });

  it('fails a block that is cut short instead of waiting forever', async () => {
    const c = new HeaderCompressor();
    const b = c.compress({ streamtype: ['error'] });
    const d = new HeaderDecompressor();
    await assert.rejects(d.decompress(b.subarray(0, b.length - 12)), /truncated/);
    d.close();
  });
});
