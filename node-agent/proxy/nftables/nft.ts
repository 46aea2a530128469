// The nftables mode's edge to the kernel, through the `nft` command: one `nft -f -` transaction
// per sync (from the small helper shell, so the agent's big heap is not forked per sync), the
// presence check, the names the table holds, and the table's removal (killall, mode switch).
import { execOk, type Exec } from '../../../lib/exec.js';
import { RestoreShell, runBatch } from '../../iptables/restore-shell.js';
import { TABLE } from './names.js';
import { CLUSTER_IPS } from './rules.js';

const NFT_BATCH = ['nft', '-f', '-'];

export class ProxyNft {
  private readonly shell: RestoreShell | undefined;

  /**
   * With `useShell`, transactions run from a helper shell (restore-shell.ts); `shellPrefix` runs
   * nft there through a wrapper (tests: `ip netns exec NS`), as `exec` does its commands.
   */
  constructor(private readonly exec: Exec, useShell = false, shellPrefix: readonly string[] = []) {
    if (useShell) this.shell = new RestoreShell([...shellPrefix, ...NFT_BATCH]);
  }

  /** Applies one transaction; throws when nft rejects it (nothing of it applies then). */
  apply(text: string): Promise<void> {
    return runBatch(this.shell, this.exec, NFT_BATCH, text);
  }

  /**
   * False once the table is gone. Asks for one set without its elements: listing a chain makes
   * nft 1.0 fetch every chain of the table first (11,000 at 1,000 Services: 100+ ms of CPU).
   * The periodic sync that follows rewrites the base chains anyway.
   */
  async present(): Promise<boolean> {
    return (await this.exec('nft', ['-t', 'list', 'set', 'ip', TABLE, CLUSTER_IPS])).code === 0;
  }

  /** The table's chain and set names (none when it does not exist). */
  async names(): Promise<string[]> {
    const out: string[] = [];
    // nft before 1.1 lists chains and sets per family only: keep those of our table.
    for (const what of ['chains', 'sets']) {
      // -t: sets without their elements (affinity sets hold one per client).
      const text = (await execOk(this.exec, 'nft', ['-t', 'list', what, 'ip'])).stdout;
      let ours = false;
      for (const line of text.split('\n')) {
        const table = /^table (\S+) (\S+) \{/.exec(line);
        if (table) ours = table[2] === TABLE;
        const named = ours && /^\s+(?:chain|set|map) (\S+) \{/.exec(line);
        if (named) out.push(named[1]!);
      }
    }
    return out;
  }

  close(): void {
    this.shell?.close();
  }
}

/** Deletes the proxy's table, if there is one (kube-proxy's CleanupLeftovers). Returns what went. */
export async function removeNftTable(exec: Exec): Promise<string[]> {
  if ((await exec('nft', ['-t', 'list', 'table', 'ip', TABLE]).catch(() => undefined))?.code !== 0) return [];
  await execOk(exec, 'nft', ['delete', 'table', 'ip', TABLE]);
  return [`nftables table ip ${TABLE}`];
}
