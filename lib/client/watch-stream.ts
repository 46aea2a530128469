// Decoding a watch response: one JSON event per line, delivered in order as chunks arrive.
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { WatchEvent } from './types.js';

/**
 * Calls onEvent for every event until the stream ends or the signal aborts (both resolve).
 * If onEvent throws, the stream is closed and the promise rejects with that error.
 */
export function readWatchStream<T>(res: IncomingMessage, signal: AbortSignal, onEvent: (ev: WatchEvent<T>) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // A character split across chunks must not be decoded in halves.
    const decoder = new StringDecoder('utf8');
    let buffered = '';
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
      buffered += decoder.write(chunk);
      let start = 0;
      let nl: number;
      while (!finished && (nl = buffered.indexOf('\n', start)) >= 0) {
        const line = buffered.slice(start, nl);
        start = nl + 1;
        if (!line.trim()) continue;
        try {
          onEvent(JSON.parse(line) as WatchEvent<T>);
        } catch (err) {
          finish(err);
        }
      }
      buffered = buffered.slice(start);
    };
    if (signal.aborted) return finish();
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', onData);
    res.on('end', () => finish());
    res.on('close', () => finish());
    res.on('error', (err) => (signal.aborted ? finish() : finish(err)));
  });
}
