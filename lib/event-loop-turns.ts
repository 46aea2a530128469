// Work that never waits on I/O (a loop over promises that resolve at once) runs on promise
// callbacks alone: timers and sockets wait until it ends. Such loops call a yield point between
// items, which lets the event loop turn once the loop has held it long enough.

import { performance } from 'node:perf_hooks';

/** A yield point: one turn of the event loop once `everyMs` have passed since the last turn, else nothing. */
export function eventLoopTurns(everyMs: number): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last <= everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}
