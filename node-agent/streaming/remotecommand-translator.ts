// Serves a v5.channel.k8s.io WebSocket client (kubectl 1.30+ exec and attach) from a SPDY
// remote command endpoint speaking v4.channel.k8s.io (the CRI streaming server: containerd
// knows WebSocket only up to v4, which cannot half-close stdin). What apiserver's
// StreamTranslatorHandler does: channels become SPDY streams, the CLOSE signal becomes FIN, and
// the Status the error stream carries goes back on channel 3 before a normal close.
import type { WebSocket } from 'ws';
import { SpdySession, type SpdyStream } from '../../lib/spdy/session.js';
import { dialUpgrade, readLimited, type ProxyTarget } from '../../lib/streaming/http-proxy.js';
import { logger } from '../../lib/log.js';
import {
  Channel,
  StreamProtocolV4,
  StreamType,
  channelMessage,
  closeSignal,
  internalErrorStatus,
  parseChannelMessage,
  successStatus,
  type StreamOptions,
} from './remotecommand.js';

const log = logger('streaming');

/** Output waiting in the WebSocket's buffer beyond which SPDY streams stop being read. */
const HIGH_WATER = 1 << 20;

/** Opens the upstream SPDY connection (v4 remote command protocol). */
export async function dialRemoteCommand(target: ProxyTarget): Promise<SpdySession> {
  const r = await dialUpgrade(target, 'POST', {
    connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': StreamProtocolV4,
  });
  if (r.kind === 'response') {
    const body = (await readLimited(r.response)).toString().trim();
    throw new Error(`unable to upgrade connection: ${body || r.response.statusMessage || r.response.statusCode}`);
  }
  return new SpdySession(r.socket, 'client', r.head);
}

/** Ends a WebSocket session with a Status on the error channel, then a normal close. */
export function finishWebSocket(ws: WebSocket, status: Record<string, unknown>): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(channelMessage(Channel.error, Buffer.from(JSON.stringify(status))));
  ws.close(1000);
}

/**
 * Relays one exec/attach session between `ws` (already accepted with v5) and the SPDY endpoint
 * `dial` reaches. Resolves when both sides are done.
 */
export async function translateRemoteCommand(ws: WebSocket, opts: StreamOptions, dial: () => Promise<SpdySession>): Promise<void> {
  ws.on('error', () => ws.terminate());
  // Tell the client the connection is up (empty message on the lowest writable channel).
  ws.send(channelMessage(opts.stdout ? Channel.stdout : opts.stderr ? Channel.stderr : Channel.error));

  // Client messages can arrive before the upstream streams exist: hold them until then.
  const early: Buffer[] = [];
  let deliver = (m: Buffer): void => void early.push(m);
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) deliver(data);
  });
  const clientGone = new Promise<void>((resolve) => ws.once('close', () => resolve()));

  let session: SpdySession;
  try {
    session = await dial();
  } catch (err) {
    finishWebSocket(ws, internalErrorStatus((err as Error).message));
    await clientGone;
    return;
  }
  if (ws.readyState !== ws.OPEN) {
    session.destroy();
    return;
  }
  void clientGone.then(() => session.destroy());

  const open = (type: string): SpdyStream => session.openStream({ streamtype: [type] });
  const error = open(StreamType.error);
  const stdin = opts.stdin ? open(StreamType.stdin) : undefined;
  const stdout = opts.stdout ? open(StreamType.stdout) : undefined;
  const stderr = opts.stderr ? open(StreamType.stderr) : undefined;
  const resize = opts.tty ? open(StreamType.resize) : undefined;

  // A misbehaving client (data after CLOSE) or a session already gone must not crash the agent.
  for (const s of [error, stdin, stdout, stderr, resize]) s?.on('error', () => undefined);
  const writable = (s: SpdyStream | undefined): s is SpdyStream => s !== undefined && !s.writableEnded && !s.destroyed;
  deliver = (m: Buffer): void => {
    const msg = parseChannelMessage(m);
    if (!msg) return;
    const closed = closeSignal(msg);
    if (closed === Channel.stdin && writable(stdin)) stdin.end();
    else if (closed === Channel.resize && writable(resize)) resize.end();
    else if (msg.channel === Channel.stdin && writable(stdin)) stdin.write(msg.data);
    else if (msg.channel === Channel.resize && writable(resize)) resize.write(msg.data);
  };
  for (const m of early.splice(0)) deliver(m);

  const errorText: Buffer[] = [];
  error.on('data', (d: Buffer) => errorText.push(d));
  const ended = (s: SpdyStream | undefined): Promise<void> =>
    s ? new Promise((resolve) => (s.readableEnded ? resolve() : s.once('end', resolve).once('close', resolve))) : Promise.resolve();
  forward(stdout, Channel.stdout, ws);
  forward(stderr, Channel.stderr, ws);

  // The command is over once every stream the runtime writes has ended (it resets them all
  // and closes the connection right after writing the exit status).
  await Promise.all([ended(error), ended(stdout), ended(stderr)]);
  session.destroy();
  const text = Buffer.concat(errorText).toString();
  let status: Record<string, unknown> = successStatus();
  if (text.trim()) {
    try {
      status = JSON.parse(text) as Record<string, unknown>;
    } catch {
      log.warn({ text }, 'remote command error stream is not a Status');
      status = internalErrorStatus(text);
    }
  }
  finishWebSocket(ws, status);
  await clientGone;
}

/** Copies a SPDY stream to a WebSocket channel, pausing it while the client lags. */
function forward(s: SpdyStream | undefined, channel: number, ws: WebSocket): void {
  if (!s) return;
  let inFlight = 0;
  s.on('data', (d: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    inFlight += d.length;
    ws.send(channelMessage(channel, d), () => {
      inFlight -= d.length;
      if (inFlight < HIGH_WATER && s.isPaused()) s.resume();
    });
    if (inFlight >= HIGH_WATER) s.pause();
  });
}
