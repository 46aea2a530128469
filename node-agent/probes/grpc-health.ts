// The gRPC health check kubelet's grpc probes make (grpc.health.v1.Health/Check), with the two
// tiny messages encoded by hand rather than loading a .proto for them.
import { credentials, makeGenericClientConstructor, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { goDuration } from '../runtime/go-duration.js';

const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** HealthCheckRequest { string service = 1; } */
export function encodeHealthRequest(service: string): Buffer {
  if (!service) return Buffer.alloc(0);
  const body = Buffer.from(service, 'utf8');
  const len: number[] = [];
  let n = body.length;
  while (n > 0x7f) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...len]), body]);
}

/** HealthCheckResponse { ServingStatus status = 1; } -> the status number (0 when absent). */
export function decodeHealthStatus(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const tag = buf[i++] as number;
    if (tag === 0x08) {
      let v = 0;
      let shift = 0;
      for (;;) {
        const b = buf[i++] as number;
        v |= (b & 0x7f) << shift;
        if (!(b & 0x80)) break;
        shift += 7;
      }
      return v;
    }
    return 0;
  }
  return 0;
}

const Client = makeGenericClientConstructor({
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: (s: string) => encodeHealthRequest(s),
    requestDeserialize: (b: Buffer) => b.toString(),
    responseSerialize: (n: number) => Buffer.from([0x08, n]),
    responseDeserialize: (b: Buffer) => decodeHealthStatus(b),
  },
}, 'Health');

const codeNames = Object.fromEntries(Object.entries(grpcStatus).map(([k, v]) => [v, k.split('_').map((w) => w[0] + w.slice(1).toLowerCase()).join('')]));

export function grpcHealthCheck(host: string, port: number, service: string, timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const client = new Client(addr, credentials.createInsecure());
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    client.waitForReady(deadline, (err) => {
      if (err) {
        client.close();
        resolve({ ok: false, output: `timeout: failed to connect service "${addr}" within ${goDuration(timeoutMs)}: context deadline exceeded` });
        return;
      }
      (client as unknown as { Check(req: string, opts: object, cb: (e: ServiceError | null, r?: number) => void): void }).Check(service, { deadline }, (e, r) => {
        client.close();
        if (e) {
          if (e.code === grpcStatus.UNIMPLEMENTED) resolve({ ok: false, output: `server does not implement the grpc health protocol (grpc.health.v1.Health): ${e.details}` });
          else if (e.code === grpcStatus.DEADLINE_EXCEEDED) resolve({ ok: false, output: `timeout: health rpc did not complete within ${goDuration(timeoutMs)}` });
          else resolve({ ok: false, output: `rpc error: code = ${codeNames[e.code] ?? e.code} desc = ${e.details}` });
          return;
        }
        const st = r ?? 0;
        if (st === 1) resolve({ ok: true, output: '' });
        else resolve({ ok: false, output: `service unhealthy (responded with "${SERVING_STATUS[st] ?? st}")` });
      });
    });
  });
}
