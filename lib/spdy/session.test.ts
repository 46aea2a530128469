import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, connect, type Socket, type Server } from 'node:net';
import { once } from 'node:events';
import { SpdySession, type SpdyStream } from './session.js';
import { RstStatus } from './frames.js';

interface Pair {
  client: SpdySession;
  server: SpdySession;
  close(): void;
}

const open: Pair[] = [];

/** A client and a server session joined by a real loopback TCP connection. */
async function pair(): Promise<Pair> {
  const srv: Server = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  const accepted = once(srv, 'connection') as Promise<[Socket]>;
  const c = connect(port, '127.0.0.1');
  await once(c, 'connect');
  const [s] = await accepted;
  const p: Pair = {
    client: new SpdySession(c, 'client'),
    server: new SpdySession(s, 'server'),
    close: () => {
      c.destroy();
      s.destroy();
      srv.close();
    },
  };
  open.push(p);
  return p;
}

function readAll(s: SpdyStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  return new Promise((resolve) => s.once('end', () => resolve(Buffer.concat(chunks))));
}

afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

describe('SPDY session', () => {
  it('opens a stream, exchanges data both ways and half-closes each side with FIN', async () => {
    const { client, server } = await pair();
    server.on('stream', (s) => {
      assert.equal(s.header('streamType'), 'stdin');
      assert.equal(s.id % 2, 1, 'client streams are odd');
      s.reply({ accepted: ['yes'] });
      // An echo that upper-cases, ending its side once the client ended its own.
      s.on('data', (d: Buffer) => s.write(d.toString().toUpperCase()));
      s.on('end', () => s.end());
    });
    const st = client.openStream({ streamtype: ['stdin'] });
    const closed = once(st, 'close');
    const replied = once(st, 'reply');
    const got = readAll(st);
    st.write('hello ');
    st.end('world');
    assert.deepEqual((await replied)[0], { accepted: ['yes'] });
    assert.equal((await got).toString(), 'HELLO WORLD');
    await closed;
    assert.equal(client.openStreams, 0, 'a stream closed both ways is forgotten');
  });

  it('holds data written before the peer replied (spdystream drops data on unreplied streams)', async () => {
    const { client, server } = await pair();
    server.on('stream', (s) => {
      const body = readAll(s);
      setTimeout(() => s.reply(), 50);
      void body.then((b) => s.end(`got ${b.length}`));
    });
    const st = client.openStream({ streamtype: ['data'] });
    st.end(Buffer.alloc(1000, 1));
    assert.equal((await readAll(st)).toString(), 'got 1000');
  });

  it('delivers what arrived before a RST_STREAM, then ends the stream without an error', async () => {
    const { client, server } = await pair();
    server.on('stream', (s) => {
      s.reply();
      s.write('status: exited 3');
      setTimeout(() => s.reset(RstStatus.cancel), 20);
    });
    const st = client.openStream({ streamtype: ['error'] });
    const reset = once(st, 'reset');
    assert.equal((await readAll(st)).toString(), 'status: exited 3');
    assert.deepEqual(await reset, [RstStatus.cancel]);
    assert.equal(st.resetStatus, RstStatus.cancel);
    // Writing to a reset stream is a no-op, not a crash.
    st.write('late');
  });

  it('answers PINGs in both directions', async () => {
    const { client, server } = await pair();
    assert.ok((await client.ping()) >= 0);
    assert.ok((await server.ping()) >= 0);
  });

  it('refuses streams after GOAWAY and closes once the open ones are done', async () => {
    const { client, server } = await pair();
    let first: SpdyStream | undefined;
    server.on('stream', (s) => {
      first = s;
      s.reply();
    });
    const st = client.openStream({ streamtype: ['a'] });
    await once(st, 'reply');
    server.goAway();
    await once(client, 'goaway');
    assert.throws(() => client.openStream({ streamtype: ['b'] }), /no new streams/);
    const closed = once(client, 'close');
    st.end();
    first!.end();
    first!.resume();
    st.resume();
    await closed;
  });

  it('carries many streams at once, megabytes each, intact', async () => {
    const { client, server } = await pair();
    server.on('stream', (s) => {
      s.reply();
      // Hash what arrives, answer with the hash (a slow reader exercises backpressure).
      const h = createHash('sha256');
      s.on('data', (d: Buffer) => h.update(d));
      s.on('end', () => s.end(h.digest('hex')));
    });
    const payloads = Array.from({ length: 8 }, () => randomBytes(1_500_000));
    const results = await Promise.all(payloads.map(async (p) => {
      const st = client.openStream({ streamtype: ['data'] });
      const answer = readAll(st);
      st.end(p);
      return (await answer).toString();
    }));
    assert.deepEqual(results, payloads.map((p) => createHash('sha256').update(p).digest('hex')));
  });

  it('pauses the connection while a stream reader lags, without losing data', async () => {
    const { client, server } = await pair();
    const big = randomBytes(4_000_000);
    server.on('stream', (s) => {
      s.reply();
      s.end(big);
    });
    const st = client.openStream({ streamtype: ['stdout'] });
    st.pause();
    await new Promise((r) => setTimeout(r, 100));
    const got = readAll(st);
    st.resume();
    assert.ok((await got).equals(big));
  });

  it('ends every open stream when the connection goes away', async () => {
    const { client, server } = await pair();
    server.on('stream', (s) => s.reply());
    const st = client.openStream({ streamtype: ['stdout'] });
    await once(st, 'reply');
    const ended = readAll(st);
    const closed = once(client, 'close');
    server.destroy();
    await ended;
    await closed;
    assert.equal(client.isClosed, true);
  });

  it('resets a stream opened with the wrong parity (a client id from the server side)', async () => {
    const { client, server } = await pair();
    let seen = false;
    client.on('stream', () => (seen = true));
    // The client acting as if it were the server: open odd ids towards... itself is not
    // possible, so the server is made to open one with a client-side id.
    (server as unknown as { nextStreamId: number }).nextStreamId = 1;
    const st = server.openStream({ streamtype: ['x'] });
    const reset = once(st, 'reset');
    st.resume();
    assert.deepEqual(await reset, [RstStatus.protocolError]);
    assert.equal(seen, false);
  });
});
