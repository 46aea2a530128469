// Runs our containerd as a child, like k3s: spawn, wait until CRI answers, restart with
// exponential backoff when it dies, SIGTERM (then SIGKILL) when the signal aborts.
// Pods survive containerd restarts: their shims are separate processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, mkdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../../lib/log.js';
import { connectCri, waitForCriReady } from '../cri/client.js';

const log = logger('containerd');

export interface SupervisorOptions {
  configFile: string;
  socket: string;
  logFile: string;
  pidFile: string;
  /** Stops containerd and the restart loop. */
  signal: AbortSignal;
  binary?: string;
  /** Limit for each start until CRI Status answers. */
  readyTimeoutMs?: number;
  /** Restart delay: doubles from `initialMs` up to `maxMs`; reset once containerd is ready. */
  backoff?: { initialMs: number; maxMs: number };
  /** Grace after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
}

export class ContainerdSupervisor {
  private child: ChildProcess | undefined;
  private restartCount = 0;
  private readyCount = 0;
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: SupervisorOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Times a containerd process got ready (1 after start, +1 per successful restart). */
  get readyTimes(): number {
    return this.readyCount;
  }

  /** Times containerd was restarted after dying on its own. */
  get restarts(): number {
    return this.restartCount;
  }

  /**
   * Starts the supervision loop and resolves once the first containerd answers CRI Status.
   * Rejects (and stops everything) if it never gets ready within `readyTimeoutMs`.
   */
  async start(): Promise<void> {
    if (this.loop) throw new Error('containerd supervisor already started');
    await killStaleInstance(this.opts.pidFile, this.opts.configFile, this.opts.stopTimeoutMs ?? 10_000);
    let firstReady!: () => void;
    let firstFailed!: (e: unknown) => void;
    const ready = new Promise<void>((res, rej) => ((firstReady = res), (firstFailed = rej)));
    this.loop = this.run(firstReady, firstFailed);
    await ready;
  }

  /** Resolves once the signal aborted and containerd has exited. */
  async stopped(): Promise<void> {
    await this.loop;
  }

  private async run(onReady: () => void, onFirstFail: (e: unknown) => void): Promise<void> {
    const { signal } = this.opts;
    const backoff = this.opts.backoff ?? { initialMs: 500, maxMs: 30_000 };
    let delay = backoff.initialMs;
    let everReady = false;
    while (!signal.aborted) {
      // A killed containerd leaves its socket file; ours alone may use that path.
      await rm(this.opts.socket, { force: true });
      const child = this.spawnOnce();
      const exited = new Promise<number | string>((res) =>
        child.once('exit', (code, sig) => res(sig ?? code ?? -1)),
      );
      const startedAt = Date.now();
      const ready = await this.waitReady(exited);
      if (ready === true) {
        log.info({ pid: child.pid, ms: Date.now() - startedAt, restarts: this.restartCount }, 'containerd ready');
        delay = backoff.initialMs;
        this.readyCount++;
        if (!everReady) onReady();
        everReady = true;
      } else if (!signal.aborted) {
        await this.terminate(child, exited);
        // The first start must succeed; later ones are retried forever.
        if (!everReady) {
          onFirstFail(ready);
          return;
        }
        log.warn({ pid: child.pid, err: ready.message }, 'containerd did not get ready; restarting');
      }
      const onAbort = (): void => void this.terminate(child, exited);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
      const how = await exited;
      signal.removeEventListener('abort', onAbort);
      await rm(this.opts.pidFile, { force: true });
      if (signal.aborted) {
        log.info({ pid: child.pid, exit: how }, 'containerd stopped');
        break;
      }
      this.restartCount++;
      log.warn({ pid: child.pid, exit: how, restartInMs: delay, restarts: this.restartCount }, 'containerd exited; restarting');
      await sleep(delay, undefined, { signal }).catch(() => {});
      delay = Math.min(delay * 2, backoff.maxMs);
    }
    if (!everReady) onFirstFail(new Error('containerd supervisor aborted before containerd was ready'));
  }

  private spawnOnce(): ChildProcess {
    const { configFile, logFile, pidFile } = this.opts;
    mkdirSync(dirname(logFile), { recursive: true });
    const fd = openSync(logFile, 'a');
    // NOTIFY_SOCKET belongs to the k8ts unit: containerd must not report READY for it.
    const { NOTIFY_SOCKET: _drop, ...env } = process.env;
    const child = spawn(this.opts.binary ?? 'containerd', ['--config', configFile], {
      stdio: ['ignore', fd, fd],
      env,
    });
    closeSync(fd);
    this.child = child;
    child.on('error', (err) => log.error({ err: err.message }, 'containerd spawn failed'));
    if (child.pid) {
      mkdirSync(dirname(pidFile), { recursive: true });
      void writeFile(pidFile, `${child.pid}\n`).catch(() => {});
    }
    log.info({ pid: child.pid, config: configFile, log: logFile }, 'containerd started');
    return child;
  }

  /** true when CRI answers; otherwise the reason (exit or timeout). */
  private async waitReady(exited: Promise<number | string>): Promise<true | Error> {
    const ac = new AbortController();
    const onAbort = (): void => ac.abort();
    this.opts.signal.addEventListener('abort', onAbort, { once: true });
    const cri = connectCri(this.opts.socket, { defaultTimeoutMs: 2000 });
    try {
      const died = exited.then((how) => new Error(`containerd exited (${how}) before it was ready; see ${this.opts.logFile}`));
      const ok = waitForCriReady(cri, { timeoutMs: this.opts.readyTimeoutMs ?? 30_000, requireRuntimeReady: true, signal: ac.signal }).then(
        () => true as const,
        (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
      );
      return await Promise.race([ok, died]);
    } finally {
      ac.abort();
      this.opts.signal.removeEventListener('abort', onAbort);
      cri.close();
    }
  }

  private async terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    // Cancelled once containerd exits: a pending timer would keep the process alive.
    const cancel = new AbortController();
    const t = sleep(this.opts.stopTimeoutMs ?? 10_000, 'timeout' as const, { signal: cancel.signal }).catch(() => 'exited' as const);
    const first = await Promise.race([exited, t]);
    cancel.abort();
    if (first === 'timeout') {
      log.warn({ pid: child.pid }, 'containerd ignored SIGTERM; killing');
      child.kill('SIGKILL');
      await exited;
    }
  }
}

function isOurContainerd(pid: number, configFile: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const i = argv.indexOf('--config');
    return i > 0 && argv[i + 1] === configFile && argv.slice(0, i).some((a) => basename(a).includes('containerd'));
  } catch {
    return false;
  }
}

/**
 * A containerd left behind by a crashed agent still holds our socket and its bolt DB lock;
 * a new one would hang. Only a process running *our* config file is stopped.
 */
async function killStaleInstance(pidFile: string, configFile: string, graceMs: number): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !isOurContainerd(pid, configFile)) return;
  log.warn({ pid }, 'stopping containerd left over from a previous run');
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isOurContainerd(pid, configFile)) await sleep(50);
  if (isOurContainerd(pid, configFile)) process.kill(pid, 'SIGKILL');
  while (isOurContainerd(pid, configFile)) await sleep(20);
}
