// The remote command protocols of exec and attach (k8s.io/apimachinery util/remotecommand):
// stream names, the WebSocket channel framing, and the Status the error stream carries. Pure.
import { queryFlag } from '../../lib/parse-bool.js';

/** WebSocket subprotocols. v5 adds the CLOSE signal, which is how a client half-closes stdin. */
export const StreamProtocolV5 = 'v5.channel.k8s.io';
export const StreamProtocolV4 = 'v4.channel.k8s.io';

/** Channel numbers on the WebSocket protocols (one byte before each message's data). */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** SPDY stream types, sent as the `streamType` header of each stream. */
export const StreamType = { stdin: 'stdin', stdout: 'stdout', stderr: 'stderr', error: 'error', resize: 'resize' } as const;

/** What the client asked for (kubelet query: input, output, error, tty; API: stdin, stdout, ...). */
export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * The kubelet's reading of an exec/attach query: `input=1&output=1&error=1&tty=1`. The API server
 * sends 1; other spellings (`true`, `True`) are read as its options are.
 */
export function streamOptionsFromQuery(q: URLSearchParams): StreamOptions {
  const on = (k: string): boolean => queryFlag(q, k);
  const tty = on('tty');
  // A terminal merges stderr into stdout: the kubelet drops stderr when both are asked for.
  return { stdin: on('input'), stdout: on('output'), stderr: on('error') && !tty, tty };
}

/** Why a request cannot be served (the kubelet's message), or undefined. */
export function streamOptionsProblem(o: StreamOptions): string | undefined {
  if (!o.stdin && !o.stdout && !o.stderr) return 'you must specify at least 1 of stdin, stdout, stderr';
  return undefined;
}

/** One binary WebSocket message: the channel byte, then data. */
export function channelMessage(channel: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.allocUnsafe(data.length + 1);
  b[0] = channel;
  data.copy(b, 1);
  return b;
}

export function parseChannelMessage(msg: Buffer): { channel: number; data: Buffer } | undefined {
  if (msg.length === 0) return undefined;
  return { channel: msg[0], data: msg.subarray(1) };
}

/** v5's CLOSE signal: the peer will send nothing more on `channel`. */
export function closeSignal(msg: { channel: number; data: Buffer }): number | undefined {
  return msg.channel === Channel.close && msg.data.length >= 1 ? msg.data[0] : undefined;
}

/** The v4 error-stream Status that reports success. */
export function successStatus(): Record<string, unknown> {
  return { metadata: {}, status: 'Success' };
}

/** The v4 error-stream Status for a failure the translator itself hit (not the command's). */
export function internalErrorStatus(message: string): Record<string, unknown> {
  return {
    metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError',
    details: { causes: [{ message }] }, code: 500,
  };
}

/**
 * The exit code a v4 error-stream Status reports: 0 for Success (or nothing), the ExitCode
 * cause of a NonZeroExitCode failure, undefined for other failures.
 */
export function exitCodeOf(statusJson: string): number | undefined {
  if (statusJson.trim() === '') return 0;
  const s = JSON.parse(statusJson) as { status?: string; reason?: string; details?: { causes?: { reason?: string; message?: string }[] } };
  if (s.status === 'Success') return 0;
  if (s.reason !== 'NonZeroExitCode') return undefined;
  const cause = s.details?.causes?.find((c) => c.reason === 'ExitCode');
  const n = Number(cause?.message);
  return Number.isInteger(n) ? n : undefined;
}
