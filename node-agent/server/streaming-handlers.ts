// /exec, /attach and /portForward: find the container or sandbox, ask the runtime for a
// one-shot streaming URL (CRI Exec/Attach/PortForward), then serve the client from it. Where
// the client and the runtime's stream server speak the same protocol (SPDY/3.1; WebSocket up to
// v4) the upgraded connection is relayed byte for byte; kubectl 1.30+'s v5 WebSocket is
// translated to SPDY, and 1.31+'s SPDY-over-WebSocket port-forward is unwrapped.
import { WebSocketServer, type WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isUpgradeRequest, isWebSocketRequest, proxyUpgrade, webSocketProtocols } from '../../lib/streaming/http-proxy.js';
import { logger } from '../../lib/log.js';
import { StreamProtocolV5, internalErrorStatus, streamOptionsFromQuery, streamOptionsProblem, type StreamOptions } from '../streaming/remotecommand.js';
import { dialRemoteCommand, finishWebSocket, translateRemoteCommand } from '../streaming/remotecommand-translator.js';
import { tunnelPortForward, tunneledProtocols } from '../streaming/portforward-tunnel.js';
import { findReadySandbox, findRunningContainer } from './runtime-lookup.js';
import { replyText, type AgentContext, type Connection } from './context.js';

const log = logger('agent-server');

/** Accepts v5 WebSocket clients (only that: older ones are relayed to the runtime, which speaks them). */
const v5Server = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has(StreamProtocolV5) ? StreamProtocolV5 : false),
});

function acceptV5(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<WebSocket> {
  return new Promise((resolve) => v5Server.handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', () => ws.terminate());
    resolve(ws);
  }));
}

function wantsV5(req: IncomingMessage): boolean {
  return isWebSocketRequest(req) && webSocketProtocols(req.headers).includes(StreamProtocolV5);
}

/**
 * A failure before the stream exists. A v5 client hears it the way the API server's translator
 * reports a kubelet that refused the upgrade: an internal error Status on the error channel.
 */
async function refuse(conn: Connection, code: number, message: string): Promise<void> {
  if (conn.kind === 'upgrade' && wantsV5(conn.req)) {
    const ws = await acceptV5(conn.req, conn.socket, conn.head);
    finishWebSocket(ws, internalErrorStatus(`unable to upgrade connection: ${message}`));
    return;
  }
  replyText(conn, code, message);
}

export async function serveRemoteCommand(ctx: AgentContext, conn: Connection, kind: 'exec' | 'attach', namespace: string, podName: string, uid: string | undefined, container: string): Promise<void> {
  const q = conn.url.searchParams;
  const opts: StreamOptions = streamOptionsFromQuery(q);
  const problem = streamOptionsProblem(opts);
  if (problem) return refuse(conn, 400, problem);
  const pod = ctx.pods.getPod(namespace, podName);
  if (!pod || (uid && pod.metadata?.uid !== uid)) return refuse(conn, 404, 'pod does not exist');
  if (conn.kind !== 'upgrade' || !isUpgradeRequest(conn.req)) return replyText(conn, 400, 'Upgrade request required');
  const id = await findRunningContainer(ctx.cri, { namespace, name: podName, uid: pod.metadata?.uid }, container);
  if (!id) return refuse(conn, 500, `container not found (${JSON.stringify(container)})`);
  let url: string;
  try {
    url = kind === 'exec'
      ? await ctx.cri.runtime.exec({ container_id: id, cmd: q.getAll('command'), ...streamFlags(opts) })
      : await ctx.cri.runtime.attach({ container_id: id, ...streamFlags(opts) });
  } catch (err) {
    return refuse(conn, 500, (err as Error).message);
  }
  log.debug({ kind, namespace, pod: podName, container, v5: wantsV5(conn.req) }, 'streaming');
  const target = { url: new URL(url) };
  if (wantsV5(conn.req)) {
    const ws = await acceptV5(conn.req, conn.socket, conn.head);
    await translateRemoteCommand(ws, opts, () => dialRemoteCommand(target));
    return;
  }
  if (conn.head.length) conn.socket.unshift(conn.head);
  await proxyUpgrade(conn.socket, conn.req, target);
}

function streamFlags(o: StreamOptions): { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean } {
  return { stdin: o.stdin, stdout: o.stdout, stderr: o.stderr, tty: o.tty };
}

export async function servePortForward(ctx: AgentContext, conn: Connection, namespace: string, podName: string, uid: string | undefined): Promise<void> {
  const pod = ctx.pods.getPod(namespace, podName);
  if (!pod) return replyText(conn, 404, 'pod does not exist');
  if (uid && pod.metadata?.uid !== uid) return replyText(conn, 404, 'pod not found');
  if (conn.kind !== 'upgrade' || !isUpgradeRequest(conn.req)) return replyText(conn, 400, 'Upgrade request required');
  const sandbox = await findReadySandbox(ctx.cri, { namespace, name: podName, uid: pod.metadata?.uid });
  if (!sandbox) return replyText(conn, 500, `pod not found (${JSON.stringify(`${podName}_${namespace}`)})`);
  const ports = (conn.url.searchParams.get('port') ?? '').split(',').filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 0 && n < 65536);
  let url: string;
  try {
    url = await ctx.cri.runtime.portForward(sandbox, ports);
  } catch (err) {
    return replyText(conn, 500, (err as Error).message);
  }
  const target = { url: new URL(url) };
  if (isWebSocketRequest(conn.req) && tunneledProtocols(conn.req).length) {
    await tunnelPortForward(conn.req, conn.socket, conn.head, target);
    return;
  }
  if (conn.head.length) conn.socket.unshift(conn.head);
  await proxyUpgrade(conn.socket, conn.req, target);
}
