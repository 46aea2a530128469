// Decoding a watch response: one JSON event per line, delivered in order as chunks arrive.
import type { IncomingMessage } from 'node:http';
import type { WatchEvent } from './types.js';

const newline = 0x0a;

/**
 * Calls onEvent for every event until the stream ends or the signal aborts (both resolve).
 * If onEvent throws, the stream is closed and the promise rejects with that error.
 */
export function readWatchStream<T>(res: IncomingMessage, signal: AbortSignal, onEvent: (ev: WatchEvent<T>) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // Events usually arrive one or more whole lines to a chunk: each line is decoded straight
    // from the chunk's bytes. A newline byte never occurs inside a multi-byte character, so
    // cutting at newlines never splits one; a line cut across chunks waits in `partial`.
    let partial: Buffer[] = [];
    let finished = false;
    const finish = (err?: unknown) => {
      if (finished) return;
      finished = true;
      signal.removeEventListener('abort', onAbort);
      res.removeListener('data', onData);
      res.destroy();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => finish();
    const onData = (chunk: Buffer) => {
      let start = 0;
      let nl: number;
      while (!finished && (nl = chunk.indexOf(newline, start)) >= 0) {
        let line: string;
        if (partial.length > 0) {
          partial.push(chunk.subarray(start, nl));
          line = Buffer.concat(partial).toString('utf8');
          partial = [];
        } else {
          line = chunk.toString('utf8', start, nl);
        }
        start = nl + 1;
        if (!line.trim()) continue;
        try {
          onEvent(JSON.parse(line) as WatchEvent<T>);
        } catch (err) {
          finish(err);
        }
      }
      // A copy: the chunk's memory is not ours to keep.
      if (!finished && start < chunk.length) partial.push(Buffer.from(chunk.subarray(start)));
    };
    if (signal.aborted) return finish();
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', onData);
    res.on('end', () => finish());
    res.on('close', () => finish());
    res.on('error', (err) => (signal.aborted ? finish() : finish(err)));
  });
}
