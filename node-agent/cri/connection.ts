// The only file that touches @grpc/grpc-js: opens one channel to the runtime's unix socket and
// turns unary and server-streaming calls into promises with deadlines, abort signals and
// `CriError`s. Messages are encoded by the wire codec from proto/cri-api.wire.json (cri-api.proto's
// services and messages as data; see wire-schema.ts for why not @grpc/proto-loader).
import * as grpc from '@grpc/grpc-js';
import { logger } from '../../lib/log.js';
import { CriError, toCriError } from './errors.js';
import { WireCodec } from './wire-codec.js';
import { loadWireSchema } from './wire-schema.js';

const log = logger('cri');

export type CriServiceName = 'RuntimeService' | 'ImageService';

export interface CallOptions {
  /** Deadline for this call; defaults to the connection's `defaultTimeoutMs`. 0 = none. */
  timeoutMs?: number;
  /** Cancels the call; it then fails with code `Cancelled`. */
  signal?: AbortSignal;
}

export interface ConnectionOptions {
  /** Per-call deadline unless a call says otherwise (kubelet's runtime-request-timeout is 2 min). */
  defaultTimeoutMs?: number;
  /** Told of every unary call when it ends (the agent's kubelet_runtime_operations_* metrics). */
  observe?: (method: string, seconds: number, failed: boolean) => void;
}

/** A method's path and its message (de)serializers. */
interface Method {
  path: string;
  stream: boolean;
  serialize: (req: object) => Buffer;
  deserialize: (buf: Buffer) => unknown;
}

let codec: WireCodec | undefined;
const methods = new Map<string, Method | undefined>();

function method(service: CriServiceName, name: string): Method | undefined {
  const key = `${service}/${name}`;
  if (methods.has(key)) return methods.get(key);
  codec ??= new WireCodec(loadWireSchema());
  const c = codec;
  const spec = c.schema.services[service]?.[name];
  const m = spec && {
    path: `/${c.schema.package}.${service}/${name}`,
    stream: spec[2] === 'stream',
    serialize: (o: object) => c.encode(spec[0], o),
    deserialize: (b: Buffer) => c.decode(spec[1], b),
  };
  methods.set(key, m);
  return m;
}

/** `unix:///run/x.sock`, `unix:/run/x.sock` or a bare path → a grpc-js target. */
export function toGrpcTarget(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return 'unix://' + endpoint.slice('unix://'.length).replace(/^\/*/, '/');
  if (endpoint.startsWith('unix:')) return 'unix://' + endpoint.slice('unix:'.length).replace(/^\/*/, '/');
  if (endpoint.startsWith('/')) return 'unix://' + endpoint;
  throw new CriError('InvalidArgument', 'connect', `unsupported CRI endpoint ${JSON.stringify(endpoint)} (want unix://<path>)`);
}

export class CriConnection {
  readonly target: string;
  private readonly channel: grpc.Channel;
  private closed = false;
  private readonly client: grpc.Client;
  private readonly defaultTimeoutMs: number;
  private readonly observe: NonNullable<ConnectionOptions['observe']>;

  constructor(endpoint: string, opts: ConnectionOptions = {}) {
    this.target = toGrpcTarget(endpoint);
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 120_000;
    this.observe = opts.observe ?? (() => undefined);
    const channelOptions: grpc.ChannelOptions = {
      // A local socket: reconnect fast after a runtime restart instead of grpc's 1 s..120 s backoff.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2000,
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
    };
    const creds = grpc.credentials.createInsecure();
    // One channel (one HTTP/2 connection) for both services, as kubelet does.
    this.channel = new grpc.Channel(this.target, creds, channelOptions);
    this.client = new grpc.Client(this.target, creds, { channelOverride: this.channel });
  }

  /** Calls `service/method` once; resolves with the decoded response or rejects with `CriError`. */
  unary<Res>(service: CriServiceName, methodName: string, req: object, opts: CallOptions = {}): Promise<Res> {
    const name = `${service}/${methodName}`;
    const m = method(service, methodName);
    if (!m || m.stream) return Promise.reject(new CriError('Unimplemented', name, 'not a unary call in cri-api.proto'));
    if (opts.signal?.aborted) return Promise.reject(new CriError('Cancelled', name, 'aborted before the call'));
    if (this.closed) return Promise.reject(new CriError('Cancelled', name, 'CRI client closed'));
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const callOpts: grpc.CallOptions = timeoutMs > 0 ? { deadline: Date.now() + timeoutMs } : {};
    const started = performance.now();
    return new Promise<Res>((resolve, reject) => {
      const onAbort = (): void => call.cancel();
      const call = this.client.makeUnaryRequest(m.path, m.serialize, m.deserialize, req, new grpc.Metadata(), callOpts, (err, res) => {
        opts.signal?.removeEventListener('abort', onAbort);
        const ms = Math.round((performance.now() - started) * 10) / 10;
        this.observe(methodName, ms / 1000, !!err);
        if (err) {
          const e = toCriError(name, err);
          log.debug({ method: name, ms, code: e.code, err: e.details }, 'cri call failed');
          reject(e);
        } else {
          log.trace({ method: name, ms }, 'cri call');
          resolve(res as Res);
        }
      });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Opens a server-streaming call (GetContainerEvents): each message goes to `onMessage`;
   * resolves when the stream ends or `signal` aborts, rejects with `CriError` (e.g. Unimplemented).
   */
  serverStream<Res>(service: CriServiceName, methodName: string, req: object, onMessage: (m: Res) => void, signal: AbortSignal): Promise<void> {
    const name = `${service}/${methodName}`;
    const m = method(service, methodName);
    if (!m || !m.stream) return Promise.reject(new CriError('Unimplemented', name, 'not a server stream in cri-api.proto'));
    if (this.closed) return Promise.reject(new CriError('Cancelled', name, 'CRI client closed'));
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const call = this.client.makeServerStreamRequest(m.path, m.serialize, m.deserialize, req, new grpc.Metadata(), {});
      const onAbort = (): void => call.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (err?: unknown): void => {
        signal.removeEventListener('abort', onAbort);
        if (err && !signal.aborted) reject(toCriError(name, err));
        else resolve();
      };
      call.on('data', (m: unknown) => onMessage(m as Res));
      call.on('error', (err) => done(err));
      call.on('end', () => done());
    });
  }

  /** Idempotent. Calls in flight finish; new calls fail with code `Cancelled`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.close();
  }
}
