// Running host programs (ctr, iptables, ip, CNI plugins, mount) behind one small
// interface, so callers can be unit-tested with a fake instead of real binaries.
import { spawn } from 'node:child_process';

export interface ExecOptions {
  /** Written to the child's stdin, then stdin is closed. */
  stdin?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** Exit code; -1 when the child was killed by a signal. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `file args...` and resolves with its output whatever the exit code. */
export type Exec = (file: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

/** Raised by `execOk` when the program exits non-zero. */
export class ExecError extends Error {
  readonly code = 'ExecFailed';
  constructor(
    readonly file: string,
    readonly args: readonly string[],
    readonly result: ExecResult,
  ) {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
    super(`${file} ${args.join(' ')} exited ${result.code}: ${tail}`);
    this.name = 'ExecError';
  }
}

/** The real `Exec`: no shell, output collected as UTF-8. */
export const hostExec: Exec = (file, args, opts = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      signal: opts.signal,
      timeout: opts.timeoutMs,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    // A child that exits without reading stdin must not crash us with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
  });

/** Like `exec` but rejects with `ExecError` on a non-zero exit. */
export async function execOk(
  exec: Exec,
  file: string,
  args: readonly string[],
  opts?: ExecOptions,
): Promise<ExecResult> {
  const r = await exec(file, args, opts);
  if (r.code !== 0) throw new ExecError(file, args, r);
  return r;
}
