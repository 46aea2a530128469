// The controller runner: wait for the informer caches, then let N workers take keys from the
// queue and call sync(key). A failed sync is retried with the queue's backoff; a successful one
// resets it. Each key is handled by one worker at a time (the queue guarantees it).
import { eventLoopTurns } from '../event-loop-turns.js';
import { logger } from '../log.js';
import { isAbort, isConflict } from './api-error.js';
import type { WorkQueue } from './workqueue.js';

export interface ControllerSpec<T> {
  name: string;
  workers: number;
  queue: WorkQueue<T>;
  /** Reconciles one key from the informer caches; throw to retry with backoff. */
  sync(key: T, signal: AbortSignal): Promise<void>;
  /** Informers that must have synced before any worker starts. */
  waitFor?: ReadonlyArray<{ waitForSync(signal: AbortSignal): Promise<boolean> }>;
  /** Give up on a key after this many failures in a row (default: never). */
  maxRetries?: number;
  signal: AbortSignal;
}

/** Runs until the signal aborts; then shuts the queue down and waits for workers to finish their item. */
export async function runController<T>(spec: ControllerSpec<T>): Promise<void> {
  const log = logger(spec.name);
  const { queue, signal } = spec;
  const onAbort = () => queue.shutDown();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (const inf of spec.waitFor ?? []) {
      if (!(await inf.waitForSync(signal))) return;
    }
    log.debug({ workers: spec.workers }, 'caches synced: starting workers');
    await Promise.all(Array.from({ length: spec.workers }, () => worker(spec, log)));
  } finally {
    signal.removeEventListener('abort', onAbort);
    queue.shutDown();
  }
}

/**
 * A worker whose syncs finish without I/O (a key requeued at once, every time) would run on
 * promise callbacks alone and starve timers and sockets: the whole thread stops. It lets the
 * event loop turn at least this often.
 */
const yieldEveryMs = 20;

async function worker<T>(spec: ControllerSpec<T>, log: ReturnType<typeof logger>): Promise<void> {
  const { queue, signal } = spec;
  const yieldTurn = eventLoopTurns(yieldEveryMs);
  for (;;) {
    await yieldTurn();
    const key = await queue.get();
    if (key === undefined) return;
    try {
      await spec.sync(key, signal);
      queue.forget(key);
    } catch (err) {
      if (signal.aborted || isAbort(err)) return;
      const retries = queue.retries(key);
      if (spec.maxRetries !== undefined && retries >= spec.maxRetries) {
        log.warn({ key, err: (err as Error).message, retries }, 'dropping key after repeated failures');
        queue.forget(key);
      } else {
        // Conflicts are routine (a stale cache); they are retried quietly.
        const level = isConflict(err) ? 'debug' : 'warn';
        log[level]({ key, err: (err as Error).message, retries }, 'sync failed: retrying');
        queue.addRateLimited(key);
      }
    } finally {
      queue.done(key);
    }
  }
}
