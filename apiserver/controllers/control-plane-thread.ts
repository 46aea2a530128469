// Runs the controllers and the scheduler in a worker thread of the server process. Their
// informers decode every watched change and keep a copy of every object; on the API server's
// event loop that took about a tenth of its CPU during a stream of creates. In a thread of
// their own they use the second core, and the API server's loop only serves their requests.
import { Worker, type MessagePort } from 'node:worker_threads';
import type { Duplex } from 'node:stream';
import { logger, logLevel } from '../../lib/log.js';
import { MemorySocket } from '../../lib/memory-socket.js';
import type { ControlPlaneOptions, RunningControlPlane } from './control-plane.js';

const log = logger('control-plane');

/** What the thread starts with: the control plane's options, less what cannot cross threads. */
export interface ControlPlaneThreadOptions extends Omit<ControlPlaneOptions, 'connect'> {
  logLevel: string;
}

/** The thread asks for a connection to the API server, served as `connect`'s requests. */
export interface ConnectRequest {
  connect: string;
  port: MessagePort;
}

/**
 * The main thread asks the control plane to stop; the thread answers once it has. 'ping' is
 * the watchdog's question, which a thread whose event loop runs answers with 'pong'.
 */
export type ThreadMessage = 'stop' | 'stopped' | 'ping' | 'pong';

/**
 * A thread that answers no ping for stallMs is stuck (a loop that never yields, a lock): its
 * controllers and scheduler have stopped, and nothing else would notice. Generous: a guest
 * under software emulation can take seconds per turn of its event loop.
 */
export interface Watchdog {
  everyMs: number;
  stallMs: number;
  /** Says that the thread is stuck and where, before it is ended (default: an error in the log). */
  report?(stall: { silentMs: number; stack?: string[] }): void;
}
const defaultWatchdog: Watchdog = { everyMs: 5_000, stallMs: 60_000 };

/** How long a stopping control plane may take before its thread is ended. */
const stopTimeoutMs = 10_000;
/** A failed thread is started again after this long (as systemd would restart a crashed binary). */
const restartDelayMs = 1_000;

/** The thread's entry module (tests give one of their own). */
const workerEntry = new URL('./control-plane-worker.js', import.meta.url);

/**
 * Starts the control plane in a worker thread; `accept` serves each connection it opens as the
 * named user's. A thread that fails is logged and started again.
 */
export function startControlPlaneThread(
  opts: Omit<ControlPlaneOptions, 'connect'>,
  accept: (user: string, socket: Duplex) => void,
  entry: URL = workerEntry,
  watchdog: Watchdog = defaultWatchdog,
): RunningControlPlane {
  let worker: Worker | undefined;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let lastPong = Date.now();

  const start = () => {
    const w = new Worker(entry, {
      workerData: { ...opts, logLevel: logLevel() } satisfies ControlPlaneThreadOptions,
    });
    lastPong = Date.now();
    w.on('message', (m: ConnectRequest | ThreadMessage) => {
      if (m === 'pong') lastPong = Date.now();
      else if (typeof m === 'object' && m.connect) accept(m.connect, new MemorySocket(m.port));
    });
    w.on('error', (err) => log.error({ err }, 'control plane thread failed'));
    w.on('exit', (code) => {
      if (worker !== w) return;
      worker = undefined;
      if (stopping) return;
      log.error({ code, restartInMs: restartDelayMs }, 'control plane thread ended; restarting it');
      restartTimer = setTimeout(start, restartDelayMs);
    });
    worker = w;
  };
  start();

  const heartbeat = setInterval(() => {
    const w = worker;
    if (!w || stopping) return;
    const silentMs = Date.now() - lastPong;
    if (silentMs < watchdog.stallMs) {
      w.postMessage('ping' satisfies ThreadMessage);
      return;
    }
    // Where it is stuck, from the diagnostic report (which interrupts a thread running JS).
    const stall = { silentMs, stack: threadStack(w.threadId) };
    if (watchdog.report) watchdog.report(stall);
    else log.error(stall, 'control plane thread is not responding; restarting it');
    lastPong = Date.now();
    void w.terminate();
  }, watchdog.everyMs);
  heartbeat.unref();

  return {
    async stop() {
      stopping = true;
      clearInterval(heartbeat);
      clearTimeout(restartTimer);
      const w = worker;
      if (!w) return;
      const stopped = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, stopTimeoutMs);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        w.on('message', (m) => m === 'stopped' && done());
        w.once('exit', done);
      });
      w.postMessage('stop' satisfies ThreadMessage);
      await stopped;
      await w.terminate();
    },
  };
}

/** The JavaScript stack a worker thread is running, as the diagnostic report shows it. */
function threadStack(threadId: number): string[] | undefined {
  try {
    const report = process.report.getReport() as unknown as {
      workers?: Array<{ header?: { threadId?: number }; javascriptStack?: { stack?: string[] } }>;
    };
    return report.workers?.find((r) => r.header?.threadId === threadId)?.javascriptStack?.stack;
  } catch {
    return undefined;
  }
}
