// The proxy's edge to the host's iptables (nft or legacy, whichever `iptables` is): one restore
// per sync, the canary check, the jumps from the built-in chains, and removal for killall.
import { execOk, type Exec } from '../../lib/exec.js';
import { chainRemovalBatch, saveTable, savedTables } from '../../cni/host-cleanup.js';
import { isServiceChain } from './chain-names.js';
import { fixedChains, jumpRules, sharedChains } from './rules.js';

/** Wait up to 5 s for the xtables lock (legacy backend; nft ignores it). */
const WAIT = ['-w', '5'];

export const CANARY = 'KUBE-PROXY-CANARY';

export class ProxyIptables {
  constructor(private readonly exec: Exec) {}

  /** Applies a restore input; throws (ExecError) when iptables-restore rejects it. */
  async restore(text: string): Promise<void> {
    await execOk(this.exec, 'iptables-restore', [...WAIT, '--noflush'], { stdin: text, timeoutMs: 120_000 });
  }

  /** Every chain the nat table holds. */
  async natChains(): Promise<string[]> {
    return (await saveTable('nat', this.exec)).chains;
  }

  /** False once someone flushed the tables (the canary chains are gone). */
  async canaryPresent(): Promise<boolean> {
    for (const table of ['nat', 'filter']) {
      const r = await this.exec('iptables', [...WAIT, '-t', table, '-S', CANARY]);
      if (r.code !== 0) return false;
    }
    return true;
  }

  /** Prepends the jumps into our chains that are missing, as kube-proxy does. Returns how many. */
  async ensureJumps(): Promise<number> {
    let added = 0;
    for (const j of jumpRules) {
      const spec = [j.from, '-m', 'comment', '--comment', j.comment, ...j.extra, '-j', j.to];
      const check = await this.exec('iptables', [...WAIT, '-t', j.table, '-C', ...spec]);
      if (check.code === 0) continue;
      await execOk(this.exec, 'iptables', [...WAIT, '-t', j.table, '-I', j.from, '1', ...spec.slice(1)]);
      added++;
    }
    return added;
  }
}

/** Whether a chain is one the proxy makes (fixed, shared or per service). */
export function isProxyChain(table: 'filter' | 'nat', chain: string): boolean {
  return (sharedChains[table] as readonly string[]).includes(chain) || (fixedChains[table] as readonly string[]).includes(chain) || (table === 'nat' && isServiceChain(chain));
}

/** Removes the proxy's chains and every rule that jumps to them (`k8ts killall`). Returns what went. */
export async function removeProxyRules(exec: Exec): Promise<string[]> {
  const removed: string[] = [];
  // Only tables that exist: naming one to iptables-nft would create it.
  const tables = await savedTables(exec);
  for (const table of ['filter', 'nat'] as const) {
    const saved = tables.get(table);
    if (!saved) continue;
    const ours = saved.chains.filter((c) => isProxyChain(table, c));
    const batch = chainRemovalBatch(table, saved, ours);
    if (!batch) continue;
    await execOk(exec, 'iptables-restore', [...WAIT, '--noflush'], { stdin: batch });
    removed.push(...ours.map((c) => `iptables ${table} ${c}`));
  }
  return removed;
}
