// Runs iptables-restore from a small helper shell that lives as long as the proxy. Spawning
// from Node forks the agent, and that costs with its heap: measured here, 10-19 ms from a fresh
// process but 22-205 ms from one of 357 MiB, more than the whole one-change budget (50 ms).
// The shell is a few hundred KiB, so its forks stay cheap. One restore at a time.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { execOk, type Exec } from '../../lib/exec.js';
import { logger } from '../../lib/log.js';

const log = logger('iptables');

const DELIMITER = 'K8TS_RESTORE_INPUT_END';
const DONE = '__k8ts_restore_done';

export interface RestoreResult {
  code: number;
  /** stdout and stderr of iptables-restore, together. */
  output: string;
}

export class RestoreShell {
  private sh: ChildProcessWithoutNullStreams | undefined;
  private pending: { resolve: (r: RestoreResult) => void; reject: (e: Error) => void; out: string } | undefined;

  /** `command`: the restore program and its flags, e.g. ['iptables-restore', '-w', '5', '--noflush']. */
  constructor(private readonly command: readonly string[]) {
    if (!command.every((w) => /^[\w./-]+$/.test(w))) throw new Error(`restore command words must be plain: ${command.join(' ')}`);
  }

  /** Feeds `input` to one run of the command; rejects only when the shell itself fails. */
  run(input: string): Promise<RestoreResult> {
    if (this.pending) return Promise.reject(new Error('a restore is already running'));
    if (input.split('\n').includes(DELIMITER)) return Promise.reject(new Error('restore input holds the here-document delimiter'));
    const sh = this.shell();
    return new Promise<RestoreResult>((resolve, reject) => {
      this.pending = { resolve, reject, out: '' };
      // The quoted delimiter keeps the shell from expanding anything in the rules.
      sh.stdin.write(`${this.command.join(' ')} 2>&1 <<'${DELIMITER}'\n${input}${input.endsWith('\n') ? '' : '\n'}${DELIMITER}\nprintf '\\n%s %s\\n' ${DONE} "$?"\n`);
    });
  }

  close(): void {
    this.sh?.stdin.end();
    this.sh = undefined;
  }

  private shell(): ChildProcessWithoutNullStreams {
    if (this.sh) return this.sh;
    const sh = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'pipe'] });
    sh.stdout.setEncoding('utf8');
    sh.stdout.on('data', (chunk: string) => {
      const p = this.pending;
      if (!p) return;
      p.out += chunk;
      // The marker starts on a line of its own even after output without a final newline.
      const m = new RegExp(`\\n${DONE} (\\d+)\\n$`).exec(p.out);
      if (!m) return;
      this.pending = undefined;
      p.resolve({ code: Number(m[1]), output: p.out.slice(0, m.index) });
    });
    sh.stderr.on('data', (b: Buffer) => log.warn({ err: b.toString().trim() }, 'restore shell'));
    const gone = (why: string) => {
      if (this.sh === sh) this.sh = undefined;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(new Error(`restore shell ${why}`));
    };
    sh.on('exit', (code, signal) => gone(`exited (${signal ?? code})`));
    sh.on('error', (err) => gone(`failed: ${err.message}`));
    sh.stdin.on('error', () => undefined);
    this.sh = sh;
    return sh;
  }
}

/** Batches up to this size go through the helper shell. */
const SHELL_MAX_INPUT = 256 * 1024;

/**
 * Runs `command` with `input` on its stdin: through `shell` when there is one and the input is
 * small; a whole ruleset (megabytes) goes straight to the program, as the shell would parse it
 * as a here-document and one fork is nothing beside a load of seconds. Throws when it fails.
 */
export async function runBatch(shell: RestoreShell | undefined, exec: Exec, command: readonly string[], input: string): Promise<void> {
  if (shell && input.length <= SHELL_MAX_INPUT) {
    const r = await shell.run(input).catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'restore shell failed: running the command directly');
      return undefined;
    });
    if (r?.code === 0) return;
    if (r) throw new Error(`${command[0]} exited ${r.code}: ${r.output.trim().split('\n').slice(-3).join(' | ')}`);
  }
  await execOk(exec, command[0]!, command.slice(1), { stdin: input, timeoutMs: 120_000 });
}
