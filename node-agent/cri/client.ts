// What kubelet code holds: a runtime and an image client over one connection,
// plus the readiness wait used at start-up and after a runtime restart.
import { setTimeout as sleep } from 'node:timers/promises';
import { CriConnection, type ConnectionOptions } from './connection.js';
import { CriError, isCriError } from './errors.js';
import { ImageServiceClient } from './image.js';
import { RuntimeServiceClient } from './runtime.js';
import type { StatusResponse } from './types.js';

export interface CriClient {
  readonly endpoint: string;
  readonly runtime: RuntimeServiceClient;
  readonly image: ImageServiceClient;
  close(): void;
}

export function connectCri(endpoint: string, opts: ConnectionOptions = {}): CriClient {
  const conn = new CriConnection(endpoint, opts);
  return {
    endpoint,
    runtime: new RuntimeServiceClient(conn),
    image: new ImageServiceClient(conn),
    close: () => conn.close(),
  };
}

export interface WaitReadyOptions {
  timeoutMs: number;
  /** Also require the RuntimeReady condition (NetworkReady is not needed to start). */
  requireRuntimeReady?: boolean;
  intervalMs?: number;
  signal?: AbortSignal;
}

/** The named condition's status; false when the runtime does not report it. */
export function conditionStatus(status: StatusResponse, type: string): boolean {
  return status.status?.conditions.some((c) => c.type === type && c.status) ?? false;
}

/**
 * Polls CRI `Status` until it answers (and, if asked, RuntimeReady is true).
 * Rejects with the last error (code `Unavailable` while the socket is absent) on timeout.
 */
export async function waitForCriReady(cri: CriClient, opts: WaitReadyOptions): Promise<StatusResponse> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 50;
  let last: unknown = new CriError('DeadlineExceeded', 'RuntimeService/Status', 'runtime not ready');
  while (Date.now() < deadline) {
    if (opts.signal?.aborted) throw new CriError('Cancelled', 'RuntimeService/Status', 'aborted while waiting');
    try {
      const st = await cri.runtime.status(false, {
        timeoutMs: Math.max(100, Math.min(2000, deadline - Date.now())),
        signal: opts.signal,
      });
      if (!opts.requireRuntimeReady || conditionStatus(st, 'RuntimeReady')) return st;
      last = new CriError('Unavailable', 'RuntimeService/Status', 'RuntimeReady is false');
    } catch (err) {
      // Unavailable/DeadlineExceeded/Unimplemented (CRI plugin still loading) mean "not yet".
      if (!isCriError(err) || err.code === 'Cancelled' || err.code === 'InvalidArgument') throw err;
      last = err;
    }
    await sleep(interval);
  }
  throw last;
}
