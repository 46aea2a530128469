import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runController } from './controller.js';
import { WorkQueue } from './workqueue.js';

test('a sync that requeues its key at once does not starve timers and sockets', { timeout: 10_000 }, async () => {
  const queue = new WorkQueue<string>();
  const stop = new AbortController();
  let syncs = 0;
  // Done without I/O and due again at once: only promise callbacks would run, forever.
  const sync = async (key: string) => {
    syncs++;
    queue.add(key);
  };
  queue.add('default/web');
  const running = runController({ name: 'busy', queue, workers: 2, sync, signal: stop.signal });
  // A timer must still fire: it stops the controller.
  setTimeout(() => stop.abort(), 50);
  await running;
  assert.ok(syncs > 10, `the key was synced (${syncs} times)`);
});
