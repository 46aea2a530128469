// The nftables mode's edge to the kernel, through the `nft` command: one `nft -f -` transaction
// per sync (from the small helper shell, so the agent's big heap is not forked per sync), the
// presence check, the names the table holds, and the table's removal (killall, mode switch).
import { execOk, type Exec } from '../../../lib/exec.js';
import { RestoreShell, runBatch } from '../../iptables/restore-shell.js';
import { TABLE } from './names.js';

const NFT_BATCH = ['nft', '-f', '-'];

export class ProxyNft {
  private readonly shell: RestoreShell | undefined;

  constructor(private readonly exec: Exec, useShell = false) {
    if (useShell) this.shell = new RestoreShell(NFT_BATCH);
  }

  /** Applies one transaction; throws when nft rejects it (nothing of it applies then). */
  apply(text: string): Promise<void> {
    return runBatch(this.shell, this.exec, NFT_BATCH, text);
  }

  /** False once the table (or its NAT hook chain) is gone. */
  async present(): Promise<boolean> {
    return (await this.exec('nft', ['list', 'chain', 'ip', TABLE, 'nat-prerouting'])).code === 0;
  }

  /** The table's chain and set names (none when it does not exist). */
  async names(): Promise<string[]> {
    const out: string[] = [];
    for (const what of ['chains', 'sets']) {
      // -t: sets without their elements (affinity sets hold one per client).
      const r = await this.exec('nft', ['-t', 'list', what, 'ip', TABLE]);
      if (r.code !== 0) {
        if (/No such file or directory/.test(r.stderr)) return [];
        throw new Error(`nft list ${what}: ${r.stderr.trim()}`);
      }
      for (const m of r.stdout.matchAll(/^\s*(?:chain|set|map) (\S+) \{/gm)) out.push(m[1]!);
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
