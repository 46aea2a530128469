// Removing one CNI network's leftovers from the host (what the bridge and portmap plugins leave
// when pods vanish without a CNI DEL): its iptables chains - found by the `name: "<network>"`
// comment the plugins put on every rule - its IPAM leases and result cache files, its bridge.
// Other networks' state on the same host is left alone.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execOk, hostExec, type Exec } from '../lib/exec.js';
import { chainRemovalBatch, deleteLink, saveTable, type IptablesTable, type SavedTable } from './host-cleanup.js';

/** CNI-* chains whose rules carry our network's comment (bridge masquerade, portmap DNAT). */
export function networkChains(saved: SavedTable, network: string): string[] {
  const tag = `name: \\"${network}\\" id:`;
  const owned = new Set<string>();
  for (const r of saved.rules) {
    if (!r.line.includes(tag)) continue;
    if (r.chain.startsWith('CNI-') && !r.chain.startsWith('CNI-HOSTPORT-')) owned.add(r.chain);
    const target = / -[jg] (CNI-\S+)/.exec(r.line)?.[1];
    if (target && !target.startsWith('CNI-HOSTPORT-')) owned.add(target);
  }
  return [...owned].filter((c) => saved.chains.includes(c));
}

/** portmap's shared CNI-HOSTPORT-* chains, once nothing but themselves uses them. */
export function idleHostportChains(saved: SavedTable, removing: readonly string[]): string[] {
  const gone = new Set(removing);
  const shared = saved.chains.filter((c) => c.startsWith('CNI-HOSTPORT-'));
  const stillUsed = saved.rules.some((r) => {
    if (!shared.includes(r.chain)) return false;
    const target = / -[jg] (\S+)/.exec(r.line)?.[1];
    return !!target && !gone.has(target) && !shared.includes(target) && target !== 'MASQUERADE' && target !== 'MARK';
  });
  return stillUsed ? [] : shared;
}

export interface NetworkCleanup {
  network: string;
  bridge: string;
  /** host-local's lease dir for this network (default /var/lib/cni/networks/<network>). */
  ipamDir?: string;
  /** Sandbox IDs whose cached results (/var/lib/cni/results) go, e.g. the loopback network's. */
  sandboxIds?: readonly string[];
}

const TABLES: IptablesTable[] = ['nat', 'filter', 'mangle'];
const RESULTS_DIR = '/var/lib/cni/results';

/** Removes the network's iptables chains, leases, cached results and bridge. Returns what it removed. */
export async function removeNetwork(c: NetworkCleanup, exec: Exec = hostExec): Promise<string[]> {
  const removed: string[] = [];
  for (const table of TABLES) {
    let saved: SavedTable;
    try {
      saved = await saveTable(table, exec);
    } catch {
      continue;
    }
    const chains = networkChains(saved, c.network);
    chains.push(...idleHostportChains(saved, chains));
    const batch = chainRemovalBatch(table, saved, chains);
    if (!batch) continue;
    await execOk(exec, 'iptables-restore', ['--noflush'], { stdin: batch });
    removed.push(...chains.map((x) => `iptables ${table} ${x}`));
  }
  const ipam = c.ipamDir ?? join('/var/lib/cni/networks', c.network);
  await rm(ipam, { recursive: true, force: true });
  const ids = c.sandboxIds ?? [];
  for (const f of await readdir(RESULTS_DIR).catch(() => [] as string[])) {
    if (f.startsWith(`${c.network}-`) || ids.some((id) => f.includes(id))) {
      await rm(join(RESULTS_DIR, f), { force: true });
      removed.push(`${RESULTS_DIR}/${f}`);
    }
  }
  if (await deleteLink(c.bridge, exec)) removed.push(`link ${c.bridge}`);
  return removed;
}
