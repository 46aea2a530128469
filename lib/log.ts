// Structured logging: one JSON line per event, with the component named.
import { writeSync } from 'node:fs';
import { pino, type Logger } from 'pino';

export type { Logger };

const root = pino({
  level: process.env.K8TS_LOG_LEVEL ?? 'info',
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
});

/** A logger whose every line carries `component`. */
export function logger(component: string): Logger {
  return root.child({ component });
}

/** Raise or lower verbosity at run time (from a `--v`-style flag). */
export function setLogLevel(level: string): void {
  root.level = level;
}

/** The verbosity now in force (a worker thread starts with its parent's). */
export function logLevel(): string {
  return root.level;
}

/**
 * A logger for one line per request (access logs), whose lines reach stdout in batches: one
 * write per 16 KiB or per 100 ms instead of one per line, written whole from this thread, so
 * they never interleave with other lines. flush() before exit.
 */
export function batchedLogger(component: string): { log: Logger; flush(): void } {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    let out = Buffer.from(pending);
    pending = '';
    while (out.length) {
      try {
        out = out.subarray(writeSync(1, out));
      } catch (err) {
        // A non-blocking stdout that is full: try again (as pino's own sync writes do).
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      }
    }
  };
  const destination = {
    write(line: string) {
      pending += line;
      if (pending.length >= 16_384) flush();
      else timer ??= setTimeout(flush, 100).unref();
    },
  };
  const log = pino({ level: root.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination).child({ component });
  return { log, flush };
}
