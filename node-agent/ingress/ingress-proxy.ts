// What the listeners do with a request: look it up in the route table, then answer 404 (no rule),
// 308 (ssl-redirect on plain HTTP), 503 (no ready endpoint) or forward it to an endpoint. The
// body streams both ways (never buffered); an endpoint that cannot be connected to (refused,
// unreachable, no answer within the connect timeout) is retried on another before anything of
// the request was sent, so a pod going away fails only requests already in flight on it.
// Upgrades (WebSocket) are tunnelled byte for byte once the endpoint accepts. One access log line
// and one metrics observation per request.
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../lib/log.js';
import { Balancer } from './balancer.js';
import { backendKey, type Upstream } from './backends.js';
import { clientAddress, forwardedHeaders, responseHeaders } from './forwarded.js';
import { hostName, requestPath } from './match.js';
import type { IngressMetrics } from './metrics.js';
import { lookup, type Backend, type RouteTable } from './route-table.js';

/** What a request is routed with; swapped whole on every change. */
export interface ProxyState {
  routes: RouteTable;
  upstreams: Map<string, Upstream[]>;
}

export interface IngressProxyOptions {
  state: () => ProxyState;
  /** The HTTPS port, for redirects (443 is left out of the URL). */
  httpsPort: () => number;
  metrics: IngressMetrics;
  log: Logger;
  /** An endpoint that has not accepted the connection by then is given up for another. */
  connectTimeoutMs?: number;
  /** Attempts per request, on different endpoints. */
  maxAttempts?: number;
}

type Proto = 'http' | 'https';

/** Errors that mean the request never reached the endpoint. */
const connectErrors = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

const idempotent = new Set(['GET', 'HEAD', 'OPTIONS']);

class ConnectTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}

export class IngressProxy {
  private readonly balancer = new Balancer();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' });
  private readonly connectTimeoutMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly opts: IngressProxyOptions) {
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 2_000;
    this.maxAttempts = opts.maxAttempts ?? 3;
  }

  close(): void {
    this.agent.destroy();
  }

  readonly handleRequest = (req: IncomingMessage, res: ServerResponse, proto: Proto): void => {
    const started = performance.now();
    const host = hostName(req.headers.host);
    const path = requestPath(req.url);
    const state = this.opts.state();
    const match = lookup(state.routes, host, path);
    const done = (backend: Backend | undefined, code: number, upstream?: string) => {
      const seconds = (performance.now() - started) / 1000;
      this.opts.metrics.observe(backend, code, seconds);
      this.opts.log.info({
        ingress: backend?.ingress, service: backend?.service, upstream, method: req.method, host, path, proto, code,
        ms: Math.round(seconds * 1e4) / 10, client: clientAddress(req.socket.remoteAddress),
      }, 'request');
    };
    if (!match) {
      plain(res, 404, `404 page not found: no Ingress rule matches host "${host}" and path "${path}", and no Ingress has a defaultBackend (k8ts ingress)\n`);
      return done(undefined, 404);
    }
    const { backend } = match;
    if (proto === 'http' && backend.sslRedirect) {
      const httpsPort = this.opts.httpsPort();
      const port = httpsPort === 443 ? '' : `:${httpsPort}`;
      res.writeHead(308, { location: `https://${host}${port}${req.url ?? '/'}`, 'content-type': 'text/plain; charset=utf-8' });
      res.end('308 Permanent Redirect to HTTPS (ingress.k8ts.io/ssl-redirect)\n');
      return done(backend, 308);
    }
    if (backend.unsupported) {
      plain(res, 503, `503 Service Unavailable: Ingress ${backend.ingress} routes to a ${backend.unsupported}, which the k8ts ingress controller cannot serve\n`);
      return done(backend, 503);
    }
    const key = backendKey(backend);
    const upstreams = state.upstreams.get(key) ?? [];
    const headers = forwardedHeaders(req.headers, { client: clientAddress(req.socket.remoteAddress), proto, port: req.socket.localPort ?? 0 });
    const tried = new Set<string>();
    const attempt = (): void => {
      const upstream = tried.size < this.maxAttempts ? this.balancer.pick(key, upstreams, tried) : undefined;
      if (!upstream) {
        const why = upstreams.length === 0 ? `Service ${backend.namespace}/${backend.service} port ${backend.port.name ?? backend.port.number} has no ready endpoints` : `no endpoint of Service ${backend.namespace}/${backend.service} could be reached (tried ${[...tried].join(', ')})`;
        if (!res.headersSent) plain(res, upstreams.length === 0 ? 503 : 502, `${upstreams.length === 0 ? '503 Service Unavailable' : '502 Bad Gateway'}: ${why}\n`);
        else res.destroy();
        return done(backend, upstreams.length === 0 ? 503 : 502);
      }
      tried.add(upstream.address);
      let sent = false;
      const out = httpRequest({ host: upstream.ip, port: upstream.port, method: req.method, path: req.url, headers, agent: this.agent, setHost: false });
      const sendBody = () => {
        sent = true;
        req.pipe(out);
      };
      out.on('socket', (socket: Socket) => {
        if (!socket.connecting) return sendBody();
        const timer = setTimeout(() => out.destroy(new ConnectTimeout(`connect to ${upstream.address} timed out`)), this.connectTimeoutMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          sendBody();
        });
        socket.once('close', () => clearTimeout(timer));
      });
      out.on('response', (upstreamRes: IncomingMessage) => {
        this.balancer.succeeded(upstream);
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, responseHeaders(upstreamRes.headers));
        upstreamRes.pipe(res);
        upstreamRes.once('end', () => done(backend, upstreamRes.statusCode ?? 502, upstream.address));
        upstreamRes.once('error', () => res.destroy());
      });
      out.on('error', (err: NodeJS.ErrnoException) => {
        // Nothing of the request reached the endpoint (or a kept-alive connection it had closed
        // failed an idempotent request): another endpoint may take it.
        if ((!sent || (out.reusedSocket && idempotent.has(req.method ?? ''))) && !res.headersSent && connectErrors.has(err.code ?? '')) {
          if (!sent) this.balancer.failed(upstream);
          this.opts.log.debug({ upstream: upstream.address, err: err.message }, 'endpoint not reached, retrying another');
          return attempt();
        }
        if (!res.headersSent) plain(res, 502, `502 Bad Gateway: ${upstream.address}: ${err.message}\n`);
        else res.destroy();
        done(backend, 502, upstream.address);
      });
      res.once('close', () => {
        if (!res.writableFinished) out.destroy();
      });
    };
    attempt();
  };

  readonly handleUpgrade = (req: IncomingMessage, client: Duplex, head: Buffer, proto: Proto): void => {
    const started = performance.now();
    const host = hostName(req.headers.host);
    const path = requestPath(req.url);
    const state = this.opts.state();
    const match = lookup(state.routes, host, path);
    const finish = (backend: Backend | undefined, code: number, upstream?: string) => {
      const seconds = (performance.now() - started) / 1000;
      this.opts.metrics.observe(backend, code, seconds);
      this.opts.log.info({ ingress: backend?.ingress, service: backend?.service, upstream, method: req.method, host, path, proto, code, upgrade: req.headers.upgrade, client: clientAddress(req.socket.remoteAddress) }, 'request');
    };
    client.on('error', () => client.destroy());
    if (!match || match.backend.unsupported) {
      rawAnswer(client, 404, `404 page not found: no Ingress rule matches host "${host}" and path "${path}" (k8ts ingress)\n`);
      return finish(match?.backend, 404);
    }
    const { backend } = match;
    const key = backendKey(backend);
    const upstreams = state.upstreams.get(key) ?? [];
    const headers = forwardedHeaders(req.headers, { client: clientAddress(req.socket.remoteAddress), proto, port: req.socket.localPort ?? 0 }, true);
    const tried = new Set<string>();
    const attempt = (): void => {
      const upstream = tried.size < this.maxAttempts ? this.balancer.pick(key, upstreams, tried) : undefined;
      if (!upstream) {
        rawAnswer(client, 503, `503 Service Unavailable: Service ${backend.namespace}/${backend.service} has no endpoint that can be reached\n`);
        return finish(backend, 503);
      }
      tried.add(upstream.address);
      const socket = connect({ host: upstream.ip, port: upstream.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => socket.destroy(new ConnectTimeout('connect timeout')), this.connectTimeoutMs);
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (socket.connecting || err instanceof ConnectTimeout) {
          this.balancer.failed(upstream);
          return attempt();
        }
        client.destroy();
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        this.balancer.succeeded(upstream);
        let head_ = `${req.method} ${req.url} HTTP/1.1\r\n`;
        for (const [name, value] of Object.entries(headers)) {
          for (const v of Array.isArray(value) ? value : [value]) head_ += `${name}: ${v}\r\n`;
        }
        socket.write(head_ + '\r\n');
        if (head.length) socket.write(head);
        socket.pipe(client);
        client.pipe(socket);
        socket.once('close', () => client.destroy());
        client.once('close', () => socket.destroy());
        // The status is the endpoint's; 101 is what an accepted upgrade answers.
        socket.once('data', (chunk: Buffer) => finish(backend, Number(/^HTTP\/1\.[01] (\d{3})/.exec(chunk.toString('latin1', 0, 16))?.[1] ?? 0), upstream.address));
      });
    };
    attempt();
  };
}

function plain(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** An HTTP answer on a socket the server handed over for an upgrade. */
function rawAnswer(socket: Duplex, code: number, body: string): void {
  const reason = code === 404 ? 'Not Found' : code === 503 ? 'Service Unavailable' : 'Bad Gateway';
  socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
