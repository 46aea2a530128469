// Undoing what the bridge/portmap plugins leave on the host after the last pod is gone:
// the bridge link, CNI-* iptables chains (portmap's CNI-HOSTPORT-* outlive every pod),
// and net.ipv4.ip_forward (bridge's isGateway turns it on). Used by tests and uninstall;
// callers decide *which* chains are theirs (e.g. by diffing against a snapshot).
import { readFile, writeFile } from 'node:fs/promises';
import { execOk, hostExec, type Exec } from '../lib/exec.js';
import { logger } from '../lib/log.js';

const log = logger('cni-cleanup');

export type IptablesTable = 'nat' | 'filter' | 'mangle';

export interface SavedTable {
  chains: string[];
  /** Chains with a policy, i.e. the table's built-in chains. */
  builtinChains: string[];
  /** The built-in chains' policies (ACCEPT, DROP). */
  policies: Record<string, string>;
  /** `-A <chain> ...` lines, verbatim (quoting as iptables-save wrote it). */
  rules: { chain: string; line: string }[];
}

/** Parses one table of `iptables-save -t <table>` output. */
export function parseIptablesSave(text: string): SavedTable {
  const chains: string[] = [];
  const builtinChains: string[] = [];
  const policies: Record<string, string> = {};
  const rules: SavedTable['rules'] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) {
      // ":NAME POLICY [packets:bytes]" - user chains have policy "-".
      const [name = '', policy] = line.slice(1).split(' ');
      chains.push(name);
      if (policy !== undefined && policy !== '-') {
        builtinChains.push(name);
        policies[name] = policy;
      }
    } else if (line.startsWith('-A ')) rules.push({ chain: line.split(' ')[1] ?? '', line });
  }
  return { chains, builtinChains, policies, rules };
}

/**
 * A table that filters nothing: built-in chains only, no rules, every policy ACCEPT. With
 * iptables-nft such a table is what the first rule ever written leaves behind once its rules
 * are gone; it behaves exactly as no table at all.
 */
export function isInertTable(saved: SavedTable): boolean {
  return saved.rules.length === 0 && saved.chains.length === saved.builtinChains.length && Object.values(saved.policies).every((p) => p === 'ACCEPT');
}

/**
 * An iptables-restore --noflush batch that removes `chains`: first every rule elsewhere
 * that jumps to them, then their contents, then the chains. Empty when nothing matches.
 */
export function chainRemovalBatch(table: IptablesTable, saved: SavedTable, chains: readonly string[]): string {
  const doomed = new Set(chains.filter((c) => saved.chains.includes(c)));
  if (doomed.size === 0) return '';
  const out = [`*${table}`];
  for (const r of saved.rules) {
    if (doomed.has(r.chain)) continue;
    const target = / -[jg] (\S+)/.exec(r.line)?.[1];
    if (target && doomed.has(target)) out.push('-D' + r.line.slice(2));
  }
  for (const c of doomed) out.push(`-F ${c}`);
  for (const c of doomed) out.push(`-X ${c}`);
  out.push('COMMIT', '');
  return out.join('\n');
}

export async function saveTable(table: IptablesTable, exec: Exec = hostExec): Promise<SavedTable> {
  return parseIptablesSave((await execOk(exec, 'iptables-save', ['-t', table])).stdout);
}

/** CNI-* chains currently in `table`. */
export async function cniChains(table: IptablesTable, exec: Exec = hostExec): Promise<string[]> {
  return (await saveTable(table, exec)).chains.filter((c) => c.startsWith('CNI-'));
}

export async function removeChains(table: IptablesTable, chains: readonly string[], exec: Exec = hostExec): Promise<void> {
  const batch = chainRemovalBatch(table, await saveTable(table, exec), chains);
  if (!batch) return;
  await execOk(exec, 'iptables-restore', ['--noflush'], { stdin: batch });
  log.info({ table, chains }, 'removed iptables chains');
}

/** Tables present in `iptables-save` (with the nf_tables backend, only ones that exist). */
export async function presentTables(exec: Exec = hostExec): Promise<string[]> {
  return [...(await savedTables(exec)).keys()];
}

/**
 * Every table that exists, parsed, from one `iptables-save` (naming a table with -t would make
 * iptables-nft create it).
 */
export async function savedTables(exec: Exec = hostExec): Promise<Map<string, SavedTable>> {
  const out = (await execOk(exec, 'iptables-save', [])).stdout;
  const tables = new Map<string, SavedTable>();
  for (const section of out.split(/^(?=\*)/m)) {
    if (section.startsWith('*')) tables.set(section.slice(1, section.indexOf('\n') >>> 0).trim(), parseIptablesSave(section));
  }
  return tables;
}

/**
 * With iptables-nft, the first rule in a table creates the nftables table, and nothing
 * removes it. Deletes `table` when it is inert (see isInertTable), so a host that had no nat
 * table gets none back. A no-op with the legacy backend, whose tables always exist, and
 * without the `nft` command (Debian's iptables only recommends nftables): iptables itself
 * cannot delete a table.
 */
export async function removeEmptyNftTable(table: IptablesTable, exec: Exec = hostExec): Promise<boolean> {
  const version = await exec('iptables', ['--version']);
  if (!version.stdout.includes('nf_tables')) return false;
  const saved = (await savedTables(exec)).get(table);
  if (!saved || !isInertTable(saved)) return false;
  const r = await exec('nft', ['delete', 'table', 'ip', table]).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!r) {
    log.info({ table }, 'nft not installed: leaving the empty nftables table');
    return false;
  }
  if (r.code === 0) log.info({ table }, 'removed empty nftables table');
  return r.code === 0;
}

/** Deletes a network link; an absent link is fine. */
export async function deleteLink(name: string, exec: Exec = hostExec): Promise<boolean> {
  const r = await exec('ip', ['link', 'del', name]);
  if (r.code === 0) {
    log.info({ link: name }, 'deleted link');
    return true;
  }
  if (/Cannot find device|does not exist/.test(r.stderr)) return false;
  throw new Error(`ip link del ${name}: ${r.stderr.trim()}`);
}

export async function linkExists(name: string, exec: Exec = hostExec): Promise<boolean> {
  return (await exec('ip', ['link', 'show', name])).code === 0;
}

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

export async function readIpForward(): Promise<string> {
  return (await readFile(IP_FORWARD, 'utf8')).trim();
}

export async function writeIpForward(value: string): Promise<void> {
  await writeFile(IP_FORWARD, value + '\n');
}
