// CSI errors: a gRPC status code (by its name, as the CSI spec names them) and a message. Drivers
// throw them; the server side (serve.ts) sends them as gRPC statuses and the client side
// (client.ts) turns received statuses back into them, so callers never import grpc-js.
import { status, type ServiceError } from '@grpc/grpc-js';

export type CsiCode = keyof typeof status;

export class CsiError extends Error {
  constructor(readonly code: CsiCode, message: string) {
    super(message);
    this.name = 'CsiError';
  }

  get grpcCode(): number {
    return status[this.code];
  }

  /** How kubelet quotes a driver's error: `rpc error: code = X desc = Y`. */
  override toString(): string {
    return `rpc error: code = ${this.code === 'OK' ? 'OK' : codeTitle(this.code)} desc = ${this.message}`;
  }
}

/** grpc-go's names for the codes (`NotFound`, `DeadlineExceeded`), which users see in events. */
export function codeTitle(code: CsiCode): string {
  return code.toLowerCase().split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('')
    .replace(/^Cancelled$/, 'Canceled');
}

export function isCsiError(err: unknown): err is CsiError {
  return err instanceof CsiError;
}

/** A grpc-js failure (or anything thrown) as a CsiError. */
export function toCsiError(err: unknown): CsiError {
  if (err instanceof CsiError) return err;
  const e = err as Partial<ServiceError>;
  if (typeof e?.code === 'number') {
    const name = (Object.keys(status) as CsiCode[]).find((k) => status[k] === e.code) ?? 'UNKNOWN';
    return new CsiError(name, e.details ?? e.message ?? String(err));
  }
  return new CsiError('INTERNAL', (err as Error)?.message ?? String(err));
}
