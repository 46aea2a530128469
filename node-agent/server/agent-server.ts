// The node agent's HTTPS server (the kubelet's :10250): TLS with client certificates, then
// authentication and authorization per request, then the route's handler. Plain requests and
// upgrades (exec, attach, port-forward) go through the same checks.
import { collectFs } from '../stats/fs-snapshot.js';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { logger } from '../../lib/log.js';
import { allowUsers, clientCertificateAuthenticator, forbiddenMessage, verbOf, type AgentAuthenticator, type AgentAuthorizer } from './auth.js';
import { serveContainerLogs } from './container-logs.js';
import { replyJson, replyText, type AgentContext, type Connection } from './context.js';
import { serveNodeLogs } from './node-logs.js';
import { matchRoute, subresourceOf, type AgentRoute } from './routes.js';
import { buildSummary } from '../stats/summary.js';
import { renderResourceMetrics } from '../stats/resource-metrics.js';
import { renderCadvisorMetrics } from '../stats/cadvisor-metrics.js';
import { agentMetrics } from '../stats/agent-metrics.js';
import { metricsContentType } from '../../lib/metrics.js';

const log = logger('agent-server');

export interface AgentServerOptions {
  context: AgentContext;
  address: string;
  /** 0 = any free port. */
  port: number;
  tls: { cert: string; key: string };
  /** CA that signs the certificates of allowed callers (the cluster CA). */
  clientCA?: string;
  authenticate?: AgentAuthenticator;
  authorize?: AgentAuthorizer;
}

export interface AgentServer {
  /** The port it listens on. */
  readonly port: number;
  /** New connections get this certificate (a renewed one); open ones keep theirs. */
  setServingCertificate(tls: { cert: string; key: string }): void;
  close(): Promise<void>;
}

async function dispatch(ctx: AgentContext, conn: Connection, route: AgentRoute): Promise<void> {
  switch (route.kind) {
    case 'healthz':
      return replyText(conn, 200, 'ok');
    case 'pods':
      return replyJson(conn, 200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: ctx.pods.listPods() });
    case 'statsSummary': {
      const snapshot = await ctx.resources.snapshot();
      const onlyCpuAndMemory = conn.url.searchParams.get('only_cpu_and_memory') === 'true';
      const fs = ctx.filesystems && !onlyCpuAndMemory ? await collectFs(snapshot, ctx.filesystems.paths, ctx.filesystems.dirs) : undefined;
      return replyJson(conn, 200, buildSummary(snapshot, { onlyCpuAndMemory, fs }));
    }
    case 'metricsResource':
      return replyText(conn, 200, renderResourceMetrics(await ctx.resources.snapshot()), metricsContentType);
    case 'metrics':
      return replyText(conn, 200, agentMetrics.registry.expose(), metricsContentType);
    case 'metricsProbes':
      return replyText(conn, 200, agentMetrics.probes.expose(), metricsContentType);
    case 'metricsCadvisor':
      return replyText(conn, 200, renderCadvisorMetrics(await ctx.resources.snapshot()), metricsContentType);
    case 'nodeLogs':
      return serveNodeLogs(ctx, conn, route.path);
    case 'containerLogs':
      return serveContainerLogs(ctx, conn, route.namespace, route.pod, route.container);
    // Streams load on first use: ws, SPDY and the translators are ~1.5 MiB of RSS that an
    // agent nobody execs into would keep for nothing.
    case 'exec':
    case 'attach':
      return (await import('./streaming-handlers.js')).serveRemoteCommand(ctx, conn, route.kind, route.namespace, route.pod, route.uid, route.container);
    case 'portForward':
      return (await import('./streaming-handlers.js')).servePortForward(ctx, conn, route.namespace, route.pod, route.uid);
  }
}

export async function startAgentServer(opts: AgentServerOptions): Promise<AgentServer> {
  const authenticate = opts.authenticate ?? clientCertificateAuthenticator;
  const authorize = opts.authorize ?? allowUsers();

  const handle = (conn: Connection): void => {
    const route = matchRoute(conn.url.pathname);
    const caller = authenticate(conn.req);
    if (!caller) return replyText(conn, 401, 'Unauthorized');
    const verb = verbOf(conn.req.method);
    const sub = subresourceOf(route);
    if (!authorize(caller, verb, sub)) return replyText(conn, 403, forbiddenMessage(caller, verb, sub));
    if (!route) return replyText(conn, 404, '404 page not found\n');
    dispatch(opts.context, conn, route).catch((err: unknown) => {
      log.warn({ path: conn.url.pathname, err: (err as Error).message }, 'request failed');
      replyText(conn, 500, (err as Error).message);
    });
  };

  const server: Server = createServer({
    cert: opts.tls.cert, key: opts.tls.key, ca: opts.clientCA,
    requestCert: true, rejectUnauthorized: false,
  });
  // Upgraded connections (exec, attach, port-forward) leave the HTTP server's books, so
  // closeAllConnections() would not end them: every connection is tracked here instead.
  const sockets = new Set<Socket>();
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle({ kind: 'plain', req, res, url: new URL(req.url ?? '/', 'https://agent') });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    handle({ kind: 'upgrade', req, socket, head, url: new URL(req.url ?? '/', 'https://agent') });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : opts.port;
  log.info({ address: opts.address, port }, 'agent server listening');
  return {
    port,
    setServingCertificate: (tls) => server.setSecureContext({ cert: tls.cert, key: tls.key, ca: opts.clientCA }),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}
