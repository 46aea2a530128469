// The proxy's edge to the host's iptables (nft or legacy, whichever `iptables` is): one restore
// per sync, the canary check, the jumps from the built-in chains, and removal for killall.
import { execOk, type Exec } from '../../lib/exec.js';
import { chainRemovalBatch, savedTables } from '../../cni/host-cleanup.js';
import { isServiceChain } from './chain-names.js';
import { fixedChains, jumpRules, sharedChains } from './rules.js';
import { IptablesRestorer, XTABLES_WAIT as WAIT } from '../iptables/restorer.js';
import { logger } from '../../lib/log.js';
import { insertPosition, standsBefore } from '../iptables/jump-order.js';

const log = logger('proxy');

export const CANARY = 'KUBE-PROXY-CANARY';

export class ProxyIptables extends IptablesRestorer {
  /** Every chain the nat table holds (names only: parsing its 40,000 rules at scale is waste). */
  async natChains(): Promise<string[]> {
    const out = (await execOk(this.exec, this.save, ['-t', 'nat'])).stdout;
    const chains: string[] = [];
    for (let i = out.indexOf('\n:'); i !== -1; i = out.indexOf('\n:', i + 1)) chains.push(out.slice(i + 2, out.indexOf(' ', i + 2)));
    return chains;
  }

  /** False once someone flushed the tables (the canary chains are gone). */
  async canaryPresent(): Promise<boolean> {
    for (const table of ['nat', 'filter']) {
      const r = await this.exec(this.iptables, [...WAIT, '-t', table, '-S', CANARY]);
      if (r.code !== 0) return false;
    }
    return true;
  }

  /**
   * Prepends the jumps into our chains that are missing, as kube-proxy does, and puts ours back
   * in front when another tool inserted a rule ahead of them (the overlay's FLANNEL-FWD accepts
   * all pod traffic in FORWARD: behind it, a Service without endpoints would time out instead of
   * being refused). The NetworkPolicy hook stays ahead of them (iptables/jump-order.ts). Returns
   * how many jumps were inserted.
   */
  async ensureJumps(): Promise<number> {
    // One listing per built-in chain rather than one check per jump: each call is a process and,
    // with the legacy backend, a copy of the whole table out of the kernel.
    const builtins = [...new Set(jumpRules.map((j) => `${j.table} ${j.from}`))];
    const listed = new Map(await Promise.all(builtins.map(async (b) => {
      const [table, chain] = b.split(' ') as [string, string];
      const out = (await execOk(this.exec, this.iptables, [...WAIT, '-t', table, '-S', chain])).stdout;
      return [b, out.split('\n').filter((l) => l.startsWith(`-A ${chain} `))] as const;
    })));
    const spec = (j: (typeof jumpRules)[number]) => ['-m', 'comment', '--comment', j.comment, ...j.extra, '-j', j.to];
    let added = 0;
    for (const b of builtins) {
      const [table, chain] = b.split(' ') as [string, string];
      const ours = jumpRules.filter((j) => `${j.table} ${j.from}` === b);
      const rules = listed.get(b) ?? [];
      const isJump = (l: string, j: (typeof jumpRules)[number]) => l.includes(`--comment "${j.comment}"`) && l.endsWith(` -j ${j.to}`);
      // The NetworkPolicy hook may stand ahead of ours: it only returns or rejects.
      const mine = rules.map((l) => ours.some((j) => isJump(l, j)) || standsBefore(l, 'service-proxy'));
      const firstForeign = mine.indexOf(false);
      const misplaced = firstForeign !== -1 && mine.lastIndexOf(true) > firstForeign;
      const missing = ours.filter((j) => !rules.some((l) => isJump(l, j)));
      if (!misplaced && missing.length === 0) continue;
      const insert = misplaced ? ours : missing;
      if (misplaced) {
        for (const j of ours) if (!missing.includes(j)) await execOk(this.exec, this.iptables, [...WAIT, '-t', table, '-D', chain, ...spec(j)]);
        log.info({ table, chain }, 'proxy jumps moved back in front of rules inserted ahead of them');
      }
      // Behind the hooks that go first; the deletions above left those where they were.
      const at = String(insertPosition(rules, 'service-proxy'));
      for (const j of [...insert].reverse()) {
        await execOk(this.exec, this.iptables, [...WAIT, '-t', table, '-I', chain, at, ...spec(j)]);
        added++;
      }
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
