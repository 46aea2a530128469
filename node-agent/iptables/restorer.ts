// Writes rules through the host's own iptables-restore (nft or legacy, whichever `iptables` is),
// always with --noflush so only the chains a batch names change: the service proxy and the
// NetworkPolicy enforcer each own their chains of the same tables and write them this way.
import { execOk, type Exec } from '../../lib/exec.js';
import { RestoreShell, runBatch } from './restore-shell.js';

/** Wait up to 5 s for the xtables lock (legacy backend; nft ignores it). */
export const XTABLES_WAIT = ['-w', '5'];

export class IptablesRestorer {
  protected readonly iptables: string;
  protected readonly save: string;
  protected readonly restoreCmd: string;

  private shell: RestoreShell | undefined;

  /**
   * `variant` picks iptables-legacy or iptables-nft by name (benchmarks); default: the host's
   * `iptables`. With `useShell`, restores run from a helper shell (restore-shell.ts).
   */
  constructor(protected readonly exec: Exec, variant = 'iptables', useShell = false) {
    this.iptables = variant;
    this.save = `${variant}-save`;
    this.restoreCmd = `${variant}-restore`;
    if (useShell) this.shell = new RestoreShell([this.restoreCmd, ...XTABLES_WAIT, '--noflush']);
  }

  /** Applies a restore input; throws when iptables-restore rejects it. */
  async restore(text: string): Promise<void> {
    await runBatch(this.shell, this.exec, [this.restoreCmd, ...XTABLES_WAIT, '--noflush'], text);
  }

  /** The rules of one built-in or own chain, as `iptables -S` prints them (`-A CHAIN ...` lines). */
  async chainRules(table: string, chain: string): Promise<string[]> {
    const out = (await execOk(this.exec, this.iptables, [...XTABLES_WAIT, '-t', table, '-S', chain])).stdout;
    return out.split('\n').filter((l) => l.startsWith(`-A ${chain} `));
  }

  /** Ends the helper shell. */
  close(): void {
    this.shell?.close();
  }
}
