// Proxying one HTTP request to another server, upgrades included (what apimachinery's
// UpgradeAwareHandler does): plain requests are forwarded with their bodies streamed both ways;
// an upgrade request (SPDY/3.1, WebSocket) is sent on, and once the upstream answers 101 the
// two connections are joined byte for byte, so neither side's protocol needs to be understood.
// The API server uses it towards node agents and pods, the agent towards the CRI stream server.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/** Where a request goes, and how to talk TLS to it. */
export interface ProxyTarget {
  url: URL;
  tls?: { ca?: string; cert?: string; key?: string; servername?: string; rejectUnauthorized?: boolean };
}

/** Hop-by-hop headers (RFC 7230 section 6.1) and credentials meant for us, not the upstream. */
const dropped = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding',
  'upgrade', 'host', 'authorization',
]);

export function isUpgradeRequest(req: IncomingMessage): boolean {
  const connection = String(req.headers.connection ?? '').toLowerCase();
  return connection.split(',').some((t) => t.trim() === 'upgrade') && Boolean(req.headers.upgrade);
}

export function isWebSocketRequest(req: IncomingMessage): boolean {
  return isUpgradeRequest(req) && String(req.headers.upgrade).toLowerCase() === 'websocket';
}

/** The subprotocols a WebSocket client offers, in its order of preference. */
export function webSocketProtocols(headers: IncomingHttpHeaders): string[] {
  const raw = headers['sec-websocket-protocol'];
  const text = Array.isArray(raw) ? raw.join(',') : raw ?? '';
  return text.split(',').map((p) => p.trim()).filter(Boolean);
}

/**
 * Request headers to send upstream: the client's, minus hop-by-hop ones and its credentials.
 * Read from the raw headers so repeated ones (X-Stream-Protocol-Version) stay separate lines.
 */
export function forwardedHeaders(req: Pick<IncomingMessage, 'rawHeaders' | 'headers'>, upgrade: boolean): OutgoingHttpHeaders {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    if (dropped.has(name) || name.startsWith('impersonate-')) continue;
    (out[name] ??= []).push(req.rawHeaders[i + 1]);
  }
  const headers: OutgoingHttpHeaders = {};
  for (const [name, values] of Object.entries(out)) headers[name] = values.length === 1 ? values[0] : values;
  if (upgrade) {
    headers.connection = 'Upgrade';
    headers.upgrade = req.headers.upgrade;
  }
  return headers;
}

export type UpgradeResult =
  | { kind: 'upgraded'; response: IncomingMessage; socket: Duplex; head: Buffer }
  | { kind: 'response'; response: IncomingMessage };

/** Sends an upgrade request; resolves with the joined socket on 101, or with the plain answer. */
export function dialUpgrade(target: ProxyTarget, method: string, headers: OutgoingHttpHeaders): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    const req = sendRequest(target, method, headers);
    req.once('upgrade', (response: IncomingMessage, socket: Duplex, head: Buffer) => resolve({ kind: 'upgraded', response, socket, head }));
    req.once('response', (response: IncomingMessage) => resolve({ kind: 'response', response }));
    // Errors after the answer (a reset while reading a refusal) must not go unheard.
    req.on('error', reject);
    req.end();
  });
}

function sendRequest(target: ProxyTarget, method: string, headers: OutgoingHttpHeaders) {
  const u = target.url;
  const common = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port || (u.protocol === 'https:' ? 443 : 80),
    path: `${u.pathname}${u.search}`,
    method,
    headers: { ...headers, host: u.host },
    agent: false as const,
  };
  if (u.protocol !== 'https:') return httpRequest(common);
  const t = target.tls ?? {};
  return httpsRequest({ ...common, ca: t.ca, cert: t.cert, key: t.key, servername: t.servername, rejectUnauthorized: t.rejectUnauthorized ?? true });
}

/** The status line and headers of a response, as raw HTTP/1.1 bytes. */
export function rawResponseHead(status: number, message: string, rawHeaders: readonly string[]): Buffer {
  let text = `HTTP/1.1 ${status} ${message}\r\n`;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) text += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return Buffer.from(`${text}\r\n`, 'latin1');
}

/** A complete non-upgrade answer on a connection that asked for an upgrade, then closes it. */
export function writeRawResponse(socket: Duplex, status: number, message: string, body: Buffer | string, contentType = 'text/plain; charset=utf-8'): void {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  const head = rawResponseHead(status, message, ['Content-Type', contentType, 'Content-Length', String(b.length), 'Connection', 'close']);
  socket.end(Buffer.concat([head, b]));
}

/** Joins two connections until either closes; resolves once both are gone. */
export function joinSockets(a: Duplex, b: Duplex): Promise<void> {
  // Streaming protocols exchange small frames and wait for answers (a SPDY client waits for each
  // stream's reply): Nagle's algorithm would hold each one back for a delayed ACK per hop.
  for (const s of [a, b]) (s as Partial<Socket>).setNoDelay?.(true);
  return new Promise((resolve) => {
    let closed = 0;
    const onClose = (): void => {
      a.destroy();
      b.destroy();
      if (++closed === 2) resolve();
    };
    a.once('close', onClose);
    b.once('close', onClose);
    // A reset on one side ends both; errors are not interesting beyond that.
    a.on('error', () => a.destroy());
    b.on('error', () => b.destroy());
    a.pipe(b);
    b.pipe(a);
  });
}

/** Reads a (small) response body, at most `limit` bytes. */
export async function readLimited(res: IncomingMessage, limit = 1 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res) {
    const chunk = c as Buffer;
    size += chunk.length;
    if (size > limit) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Sends a plain request (no body) and resolves with the response once its headers arrive. */
export function fetchUpstream(target: ProxyTarget, method: string, headers: OutgoingHttpHeaders, signal?: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = sendRequest(target, method, headers);
    signal?.addEventListener('abort', () => req.destroy(), { once: true });
    req.once('response', resolve);
    req.on('error', reject);
    req.end();
  });
}

/**
 * Finishes an upgrade on the client's connection: the upstream's 101 and everything after it
 * reach the client unchanged; any other answer is passed on and the connection closed (clients
 * print it: "unable to upgrade connection: ...").
 */
export async function completeUpgrade(client: Duplex, result: UpgradeResult): Promise<void> {
  if (result.kind === 'response') {
    const { response } = result;
    const body = await readLimited(response);
    writeRawResponse(client, response.statusCode ?? 502, response.statusMessage ?? '', body, String(response.headers['content-type'] ?? 'text/plain; charset=utf-8'));
    return;
  }
  const { response, socket, head } = result;
  client.write(rawResponseHead(101, response.statusMessage || 'Switching Protocols', response.rawHeaders));
  if (head.length) client.write(head);
  await joinSockets(client, socket);
}

/** Proxies an upgrade request whose connection the caller took over; dial errors are answered 502. */
export async function proxyUpgrade(client: Duplex, req: IncomingMessage, target: ProxyTarget): Promise<void> {
  let result: UpgradeResult;
  try {
    result = await dialUpgrade(target, req.method ?? 'GET', forwardedHeaders(req, true));
  } catch (err) {
    writeRawResponse(client, 502, 'Bad Gateway', `error dialing backend: ${(err as Error).message}`);
    return;
  }
  await completeUpgrade(client, result);
}

/**
 * Proxies a plain request: body up; status, headers and body (streamed, for follows) down.
 * Rejects, with nothing written, when the upstream cannot be reached.
 */
export function proxyPlain(req: IncomingMessage, res: ServerResponse, target: ProxyTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    const up = sendRequest(target, req.method ?? 'GET', forwardedHeaders(req, false));
    res.once('close', () => {
      up.destroy();
      resolve();
    });
    up.once('response', (answer) => {
      const headers: OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !dropped.has(k)) headers[k] = v;
      res.writeHead(answer.statusCode ?? 502, headers);
      // Streamed responses (log follows, watches) must reach the client as they come.
      res.flushHeaders();
      answer.pipe(res);
      answer.once('end', () => resolve());
      answer.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    up.on('error', (err) => {
      if (res.headersSent) {
        res.destroy();
        resolve();
      } else {
        reject(err);
      }
    });
    req.pipe(up);
  });
}
