// CRI errors with a stable code. gRPC status numbers are translated here, at the
// edge, so kubelet code branches on `err.code` and never imports @grpc/grpc-js.

/** gRPC status names as used by CRI runtimes, plus `Aborted` for client-side aborts. */
export type CriErrorCode =
  | 'Cancelled'
  | 'Unknown'
  | 'InvalidArgument'
  | 'DeadlineExceeded'
  | 'NotFound'
  | 'AlreadyExists'
  | 'PermissionDenied'
  | 'ResourceExhausted'
  | 'FailedPrecondition'
  | 'Aborted'
  | 'OutOfRange'
  | 'Unimplemented'
  | 'Internal'
  | 'Unavailable'
  | 'DataLoss'
  | 'Unauthenticated';

// Index = gRPC status code (google.rpc.Code); 0 (OK) never becomes an error.
const BY_GRPC_CODE: readonly (CriErrorCode | undefined)[] = [
  undefined,
  'Cancelled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

export class CriError extends Error {
  constructor(
    readonly code: CriErrorCode,
    /** The CRI method, e.g. `RuntimeService/RunPodSandbox`. */
    readonly method: string,
    /** The runtime's own message (details), without the gRPC prefix. */
    readonly details: string,
  ) {
    super(`${method}: ${code}: ${details}`);
    this.name = 'CriError';
  }
}

/** Shape of the errors @grpc/grpc-js hands to unary callbacks. */
interface GrpcLikeError {
  code?: unknown;
  details?: unknown;
  message?: unknown;
}

/** Translates a gRPC client error into a `CriError`; unknown shapes become `Unknown`. */
export function toCriError(method: string, err: unknown): CriError {
  if (err instanceof CriError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as GrpcLikeError;
  const code = typeof e.code === 'number' ? BY_GRPC_CODE[e.code] : undefined;
  const details =
    typeof e.details === 'string' && e.details !== ''
      ? e.details
      : typeof e.message === 'string'
        ? e.message
        : String(err);
  return new CriError(code ?? 'Unknown', method, details);
}

export function isCriError(err: unknown, code?: CriErrorCode): err is CriError {
  return err instanceof CriError && (code === undefined || err.code === code);
}

/** True for NotFound: the usual "already gone" answer of Stop/Remove/Status calls. */
export function isNotFound(err: unknown): boolean {
  return isCriError(err, 'NotFound');
}

/** True when the runtime does not implement the RPC (older runtimes, e.g. containerd 1.6). */
export function isUnimplemented(err: unknown): boolean {
  return isCriError(err, 'Unimplemented');
}
