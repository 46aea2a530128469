// Structured logging: one JSON line per event, with the component named.
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
