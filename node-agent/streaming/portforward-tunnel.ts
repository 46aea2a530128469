// Port-forward over WebSocket as kubectl 1.31+ does it: SPDY tunneled through WebSocket. The
// client offers subprotocol "SPDY/3.1+portforward.k8s.io" and sends raw SPDY bytes in binary
// messages; the upstream is a plain SPDY port-forward endpoint. So the upstream is dialed
// first, its chosen protocol is offered back with the prefix, and bytes are relayed as they
// are (apiserver's TunnelingHandler).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { dialUpgrade, readLimited, webSocketProtocols, writeRawResponse, type ProxyTarget } from '../../lib/streaming/http-proxy.js';

export const TUNNELING_PREFIX = 'SPDY/3.1+';

/** The SPDY protocols a tunneling WebSocket client offers (prefix removed), in its order. */
export function tunneledProtocols(req: IncomingMessage): string[] {
  return webSocketProtocols(req.headers)
    .filter((p) => p.startsWith(TUNNELING_PREFIX) && p.endsWith('.k8s.io'))
    .map((p) => p.slice(TUNNELING_PREFIX.length));
}

export async function tunnelPortForward(req: IncomingMessage, client: Duplex, head: Buffer, target: ProxyTarget): Promise<void> {
  const protocols = tunneledProtocols(req);
  const up = await dialUpgrade(target, 'POST', {
    connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': protocols,
  }).catch((err: Error) => err);
  if (up instanceof Error) {
    writeRawResponse(client, 502, 'Bad Gateway', `error dialing backend: ${up.message}`);
    return;
  }
  if (up.kind === 'response') {
    writeRawResponse(client, up.response.statusCode ?? 502, up.response.statusMessage ?? '', await readLimited(up.response));
    return;
  }
  const chosen = String(up.response.headers['x-stream-protocol-version'] ?? '').trim();
  // "SPDY/3.1+..." is not an RFC 7230 token, which `ws` insists on, so the offer is taken off
  // the request and the answer put on the response by hand (gorilla/websocket, on the
  // client, does not mind; kubectl checks that the answer names its protocol).
  delete req.headers['sec-websocket-protocol'];
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  if (chosen) wss.on('headers', (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${TUNNELING_PREFIX}${chosen}`));
  const ws = await new Promise<WebSocket>((resolve) => wss.handleUpgrade(req, client, head, resolve));
  const upstream = up.socket;
  upstream.on('error', () => upstream.destroy());
  if (up.head.length) ws.send(up.head);
  await relay(ws, upstream);
  wss.close();
}

/** Binary WebSocket messages to and from a byte stream, until either side closes. */
export function relay(ws: WebSocket, socket: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      socket.destroy();
      if (ws.readyState === ws.OPEN) ws.close(1000);
      resolve();
    };
    ws.on('message', (data: Buffer) => {
      if (!socket.write(data)) {
        ws.pause();
        socket.once('drain', () => ws.resume());
      }
    });
    socket.on('data', (d: Buffer) => {
      ws.send(d, { binary: true });
      if (ws.bufferedAmount > 1 << 20) {
        socket.pause();
        const check = (): void => {
          if (done) return;
          if (ws.bufferedAmount < 1 << 18) socket.resume();
          else setTimeout(check, 10);
        };
        setTimeout(check, 10);
      }
    });
    ws.once('close', finish);
    socket.once('close', finish);
    socket.on('error', finish);
    ws.on('error', finish);
  });
}
