// The HTTPS front: authenticates, authorizes and routes every request, and answers health,
// version and discovery. Everything that is not a resource request is handled here.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { createServer as createPlainServer, ServerResponse, type IncomingMessage, type Server as PlainServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { logger } from '../../lib/log.js';
import { metricsContentType } from '../../lib/metrics.js';
import { notFoundPath, unauthorized } from '../api/errors.js';
import type { Authenticator } from '../auth/authenticate.js';
import { forbiddenFor, type Authorizer } from '../auth/authorize.js';
import { impersonatedUser } from '../auth/impersonation.js';
import type { UserInfo } from '../registry/context.js';
import type { ServedResource } from '../api/registry.js';
import type { ApiContext } from '../registry/api-context.js';
import { serveDiscovery, subresourcesOf } from './handlers/discovery.js';
import { authorizationInfo, requestInfo, type RequestInfo, type ResourceRequest } from './request-info.js';
import { RequestMetrics } from './request-metrics.js';
import { handleResource } from './resource-handler.js';
import { send, sendError, sendStatus } from './respond.js';

const log = logger('apiserver');

/** A handler for a non-resource path prefix (OpenAPI, metrics, join endpoints, ...). */
export type PathHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export interface HttpServerOptions {
  bindAddress: string;
  port: number;
  tls: { cert: string; key: string; ca: string };
  /** The address clients are told to use (discovery's serverAddressByClientCIDRs). */
  advertiseAddress: string;
  version: Record<string, string>;
}

export class ApiHttpServer {
  readonly server: Server;
  /** Serves the in-process connections of acceptInProcess: the same API, no TLS. */
  private readonly inProcess: PlainServer;
  private readonly sockets = new Set<Duplex>();
  private readonly paths = new Map<string, PathHandler>();
  private readonly metrics: RequestMetrics;
  private ready = false;

  constructor(
    private readonly api: ApiContext,
    private readonly authn: Authenticator,
    private readonly authz: Authorizer,
    private readonly opts: HttpServerOptions,
  ) {
    // Requests go straight to the dispatcher: a framework's router and request decoration cost
    // about 15% of a GET's CPU and give nothing the API needs.
    this.server = createServer({
      cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca,
      requestCert: true, rejectUnauthorized: false,
    }, (req, res) => void this.handle(req, res));
    this.inProcess = createPlainServer((req, res) => void this.handle(req, res));
    this.metrics = new RequestMetrics(api);
    this.handlePath('/metrics', (_req, res) => send(res, 200, this.metrics.registry.expose(), metricsContentType));
    for (const server of [this.server, this.inProcess]) {
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
      server.requestTimeout = 0;
      // Upgrade requests (exec, attach, port-forward, proxies) take the same path: a response bound
      // to their socket answers errors as usual, and a streaming handler takes the socket over once
      // the upstream accepts the upgrade.
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (head.length) socket.unshift(head);
        socket.on('error', () => socket.destroy());
        const res = new ServerResponse(req);
        res.shouldKeepAlive = false;
        res.assignSocket(socket as never);
        res.once('finish', () => socket.end());
        void this.handle(req, res);
      });
      server.on('connection', (s: Duplex) => {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      });
    }
  }

  /**
   * Serves a connection from a client in this process (the controllers and the scheduler, in
   * their thread), whose requests are served as `user`'s. A busy server accepts about one TCP
   * connection per turn of its event loop and spends as much on TLS as on some requests; this
   * one is open at once and costs neither.
   */
  acceptInProcess(socket: Duplex, user: UserInfo): void {
    this.authn.trustConnection(socket, user);
    this.inProcess.emit('connection', socket);
  }

  /** Serves a non-resource path prefix (exact or as a prefix ending in '/'). */
  handlePath(prefix: string, fn: PathHandler): void {
    this.paths.set(prefix, fn);
  }

  setReady(ready: boolean): void {
    this.ready = ready;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.bindAddress, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  get address(): { address: string; port: number } {
    const a = this.server.address();
    return typeof a === 'object' && a ? { address: a.address, port: a.port } : { address: this.opts.bindAddress, port: this.opts.port };
  }

  async close(): Promise<void> {
    this.ready = false;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Watches and idle keep-alive connections would hold close() open: end them.
      for (const s of this.sockets) s.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'https://k8ts');
    res.setHeader('Audit-Id', randomUUID());
    let info: RequestInfo | undefined;
    let served: ServedResource | undefined;
    try {
      if (this.serveHealth(req, res, url)) return;
      if (url.pathname === '/cacerts') {
        // The CA, for nodes about to join (they check it against their token's hash): public,
        // as k3s serves it, before any credential is looked at.
        send(res, 200, this.opts.tls.ca ?? '', 'text/plain; charset=utf-8');
        return;
      }
      const authenticated = await this.authn.authenticate(req);
      if (!authenticated) throw unauthorized();
      const user = await impersonatedUser(req, authenticated, this.authz);
      info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
      // Looked up once: the handler routes by it, and /metrics counts only what is served.
      if (info.kind === 'resource') served = this.api.registry.lookup(info.group, info.version, info.resource);
      const asked = { user, info: authorizationInfo(info, url.searchParams) };
      const verdict = await this.authz.decide(asked);
      if (verdict.decision !== 'allow') throw forbiddenFor(asked, verdict.reason);
      if (info.kind === 'resource') {
        // Watches and streams outlive their handler: they count until their connection closes.
        const done = served && this.metrics.longRunning(info);
        if (done) {
          let once = false;
          const end = () => {
            if (!once) done();
            once = true;
          };
          res.once('close', end);
          req.socket.once('close', end);
        }
        await handleResource(this.api, info, served, req, res, url, user);
        return;
      }
      if (url.pathname === '/version' || url.pathname === '/version/') {
        send(res, 200, JSON.stringify(this.opts.version, null, 2));
        return;
      }
      if (serveDiscovery(this.api, req, res, url.pathname, `${this.opts.advertiseAddress}:${this.address.port}`)) return;
      for (const [prefix, fn] of this.paths) {
        if (url.pathname === prefix || (prefix.endsWith('/') && url.pathname.startsWith(prefix))) {
          await fn(req, res, url);
          return;
        }
      }
      if (url.pathname === '/') {
        send(res, 200, JSON.stringify({ paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/readyz', '/version', '/openapi/v2', '/openapi/v3', '/metrics'] }, null, 2));
        return;
      }
      sendStatus(res, notFoundPath().status);
    } catch (err) {
      sendError(res, err, { method: req.method, path: url.pathname });
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // As Kubernetes' instrumentation does: when the handler has handed over its whole response.
      if (info?.kind === 'resource' && served && servesSubresource(this.api, served, info)) this.metrics.observe(info, req, url, res.statusCode, ms / 1000);
      if (res.statusCode >= 500) log.warn({ method: req.method, path: url.pathname, code: res.statusCode, ms }, 'request');
      else log.debug({ method: req.method, path: url.pathname, code: res.statusCode, ms }, 'request');
    }
  }

  /** /healthz, /livez, /readyz answer without credentials, as Kubernetes' public-info-viewer allows. */
  private serveHealth(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const m = /^\/(healthz|livez|readyz)(\/.*)?$/.exec(url.pathname);
    if (!m) return false;
    const ok = m[1] !== 'readyz' || this.ready;
    if (url.searchParams.has('verbose')) {
      const checks = ['ping', 'log', 'etcd', 'poststarthook/start-apiextensions-controllers'];
      const lines = checks.map((c) => `[+]${c} ok`);
      if (!ok) lines.push('[-]shutdown failed: reason withheld');
      send(res, ok ? 200 : 500, `${lines.join('\n')}\n${m[1]} check ${ok ? 'passed' : 'failed'}\n`, 'text/plain; charset=utf-8');
    } else {
      send(res, ok ? 200 : 500, ok ? 'ok' : `[-]shutdown failed: reason withheld\n${m[1]} check failed`, 'text/plain; charset=utf-8');
    }
    void req;
    return true;
  }
}

/**
 * Whether a request to a served resource names no subresource or one the resource has. Only
 * those are counted in /metrics: made-up paths would otherwise add series without bound.
 */
function servesSubresource(api: ApiContext, served: ServedResource, info: ResourceRequest): boolean {
  return !info.subresource || subresourcesOf(api, served.def).some((s) => s.name === info.subresource);
}
