// The enforcer's edge to the host's iptables: its restores (the proxy's writer), the hook from
// FORWARD kept first, the chains it made before (a restarted agent deletes those no longer
// wanted), and their removal for `k8ts killall`.
import { execOk, type Exec } from '../../lib/exec.js';
import { chainRemovalBatch, parseIptablesSave, savedTables } from '../../cni/host-cleanup.js';
import { logger } from '../../lib/log.js';
import { IptablesRestorer, XTABLES_WAIT } from '../iptables/restorer.js';
import { insertPosition } from '../iptables/jump-order.js';
import { HOOK_COMMENT, isNetpolChain, TOP_CHAIN } from './rules.js';

const log = logger('network-policy');

const hookSpec = ['-m', 'comment', '--comment', HOOK_COMMENT, '-j', TOP_CHAIN];
const isHook = (rule: string) => rule.endsWith(` -j ${TOP_CHAIN}`);

export class NetpolIptables extends IptablesRestorer {
  /** The enforcer's chains now in the filter table. */
  async ownChains(): Promise<string[]> {
    const saved = parseIptablesSave((await execOk(this.exec, this.save, ['-t', 'filter'])).stdout);
    return saved.chains.filter(isNetpolChain);
  }

  /**
   * Makes the jump from FORWARD to the top chain the first rule there: behind another tool's
   * ACCEPT (the overlay's FLANNEL-FWD accepts all pod traffic) or the proxy's jumps, policies
   * would not be enforced (iptables/jump-order.ts; the proxy inserts behind it). Returns whether
   * it changed anything.
   */
  async ensureHook(): Promise<boolean> {
    const rules = await this.chainRules('filter', 'FORWARD');
    if (rules.length > 0 && isHook(rules[0]!) && rules.filter(isHook).length === 1) return false;
    if (rules.some(isHook)) {
      // By its spec: every copy, wherever it stands.
      for (let copies = rules.filter(isHook).length; copies > 0; copies--) {
        if ((await this.exec(this.iptables, [...XTABLES_WAIT, '-t', 'filter', '-D', 'FORWARD', ...hookSpec])).code !== 0) break;
      }
      log.info({}, 'NetworkPolicy hook moved back to the front of FORWARD');
    }
    // Where the order puts it among what is left once its copies are gone (first, today).
    const rest = rules.filter((r) => !isHook(r));
    await execOk(this.exec, this.iptables, [...XTABLES_WAIT, '-t', 'filter', '-I', 'FORWARD', String(insertPosition(rest, 'network-policy')), ...hookSpec]);
    return true;
  }
}

/** Removes the enforcer's chains and every rule that jumps to them (`k8ts killall`). Returns what went. */
export async function removeNetpolRules(exec: Exec): Promise<string[]> {
  // Only if the table exists: naming it to iptables-nft would create it.
  const saved = (await savedTables(exec)).get('filter');
  if (!saved) return [];
  const ours = saved.chains.filter(isNetpolChain);
  const batch = chainRemovalBatch('filter', saved, ours);
  if (!batch) return [];
  await execOk(exec, 'iptables-restore', [...XTABLES_WAIT, '--noflush'], { stdin: batch });
  return ours.map((c) => `iptables filter ${c}`);
}
