// An Exec that runs commands through one long-lived /bin/sh instead of spawning each from the
// agent. Spawning forks the agent - a large process - which costs ~30 ms of CPU and stalls the
// event loop; the shell forks cheaply. Used for the mount/umount every pod's volumes need.
// Commands run one at a time; the shell is restarted if it dies.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Exec, ExecResult } from '../../lib/exec.js';

/** Single-quotes an argument for sh. */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export class ShellExec {
  private sh: ChildProcessWithoutNullStreams | undefined;
  private buffer = '';
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly marker = `@@k8ts-done-${randomBytes(6).toString('hex')}`;
  private pending: ((line: string | undefined) => void) | undefined;

  /** The Exec interface (bound): runs `file args...`, output (stdout and stderr together) and exit code. */
  readonly exec: Exec = (file, args) => {
    const next = this.chain.then(() => this.runOne(file, args));
    this.chain = next.catch(() => undefined);
    return next;
  };

  private start(): ChildProcessWithoutNullStreams {
    const sh = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'pipe'] });
    sh.stdout.setEncoding('utf8');
    sh.stdout.on('data', (d: string) => {
      this.buffer += d;
      this.deliver();
    });
    sh.stderr.on('data', () => undefined);
    sh.stdin.on('error', () => undefined);
    sh.on('exit', () => {
      if (this.sh === sh) this.sh = undefined;
      const p = this.pending;
      this.pending = undefined;
      p?.(undefined);
    });
    this.sh = sh;
    return sh;
  }

  private deliver(): void {
    const i = this.buffer.indexOf(this.marker);
    if (i < 0 || !this.pending) return;
    const nl = this.buffer.indexOf('\n', i);
    if (nl < 0) return;
    const out = this.buffer.slice(0, i);
    const codeText = this.buffer.slice(i + this.marker.length, nl).trim();
    this.buffer = this.buffer.slice(nl + 1);
    const p = this.pending;
    this.pending = undefined;
    p(`${codeText}\n${out}`);
  }

  private runOne(file: string, args: readonly string[]): Promise<ExecResult> {
    if (this.closed) return Promise.reject(new Error('shell closed'));
    const sh = this.sh ?? this.start();
    return new Promise<ExecResult>((resolve, reject) => {
      this.pending = (line) => {
        if (line === undefined) {
          reject(new Error(`shell exited while running ${file}`));
          return;
        }
        const nl = line.indexOf('\n');
        const code = Number(line.slice(0, nl));
        const output = line.slice(nl + 1);
        resolve({ code: Number.isFinite(code) ? code : -1, stdout: output, stderr: output });
      };
      const cmd = [file, ...args].map(shellQuote).join(' ');
      sh.stdin.write(`${cmd} </dev/null 2>&1; echo "${this.marker} $?"\n`);
    });
  }

  close(): void {
    this.closed = true;
    this.sh?.stdin.end();
    this.sh?.kill();
    this.sh = undefined;
  }
}
