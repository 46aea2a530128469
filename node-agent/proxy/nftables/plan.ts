// What one nftables sync writes, as a single `nft -f` transaction:
// - partial: the changed ports' chains flushed and refilled, their map elements deleted and
//   added one by one, their stale chains and affinity sets deleted: a few dozen lines for one
//   Service, whatever the cluster's size;
// - periodic: also the base and fixed chains rewritten and every map flushed and refilled, so
//   a deleted element or chain rule heals within the sync period;
// - full: every port's chains too, and the stale chains and sets the kernel holds deleted.
// Pure: the proxier does the I/O.
import type { ProxyRulesConfig } from '../rules.js';
import { changedPorts, countLines, type PortEntry, type SyncKind, type SyncPlan } from '../sync-plan.js';
import { isAffinitySet, isNftServiceChain } from './names.js';
import { CLUSTER_IPS, nftBatchText, type NftChain, type NftElement, type NftPortRules } from './rules.js';

type Entries = ReadonlyMap<string, PortEntry<NftPortRules>>;

const elementId = (e: NftElement) => `${e.map} ${e.key}${e.value ? ` : ${e.value}` : ''}`;
const setName = (s: string) => s.slice(0, s.indexOf(' '));

/**
 * The transaction turning `written` into `desired` (both by port name). `existing` (chain and
 * set names the table holds) is read for full syncs only.
 */
export function planNftSync(kind: SyncKind, written: Entries, desired: Entries, cfg: ProxyRulesConfig, existing: readonly string[] = []): SyncPlan {
  const changed = changedPorts(written, desired);
  const chains: NftChain[] = [];
  const sets: string[] = [];
  const dropSets: string[] = [];
  const dropChains: string[] = [];
  const delElements: NftElement[] = [];
  const addElements: NftElement[] = [];

  const rewrite = kind === 'full' ? [...desired.keys()] : changed;
  for (const name of rewrite) {
    const r = desired.get(name)?.rules;
    if (r) chains.push(...r.chains);
  }
  if (kind === 'full') {
    const wantedChains = new Set<string>();
    const wantedSets = new Set<string>();
    for (const e of desired.values()) {
      for (const c of e.rules.chains) wantedChains.add(c.name);
      for (const s of e.rules.sets) wantedSets.add(setName(s));
    }
    for (const name of new Set(existing)) {
      // Affinity sets hold a "/" too: tell them apart first.
      if (isAffinitySet(name)) {
        if (!wantedSets.has(name)) dropSets.push(name);
      } else if (isNftServiceChain(name) && !wantedChains.has(name)) dropChains.push(name);
    }
    // Sets whose timeout changed are only known from `written`; only those the table holds go
    // (after a failure or a deleted table, `written` may name sets that are not there).
    const held = new Set(existing);
    for (const name of changed) dropSets.push(...changedSets(written.get(name)?.rules, desired.get(name)?.rules).filter((s) => held.has(s)));
    for (const e of desired.values()) sets.push(...e.rules.sets);
  } else {
    for (const name of changed) {
      const before = written.get(name)?.rules;
      const after = desired.get(name)?.rules;
      const keep = new Set(after?.chains.map((c) => c.name));
      for (const c of before?.chains ?? []) if (!keep.has(c.name)) dropChains.push(c.name);
      dropSets.push(...changedSets(before, after));
      sets.push(...(after?.sets ?? []));
    }
  }

  if (kind === 'partial') {
    // The maps keep their elements: only the changed ports' differences go and come.
    let held: Set<string> | undefined;
    const stillHeld = (ip: string) => (held ??= clusterIPs(desired)).has(ip);
    for (const name of changed) {
      const before = written.get(name)?.rules.elements ?? [];
      const after = desired.get(name)?.rules.elements ?? [];
      const had = new Set(before.map(elementId));
      const keep = new Set(after.map(elementId));
      for (const e of before) if (!keep.has(elementId(e)) && !(e.map === CLUSTER_IPS && stillHeld(e.key))) delElements.push(e);
      for (const e of after) if (!had.has(elementId(e))) addElements.push(e);
    }
  } else {
    // The maps were flushed: every port's elements go back (a cluster IP once, for all its ports).
    const seen = new Set<string>();
    for (const e of desired.values()) {
      for (const el of e.rules.elements) {
        const id = elementId(el);
        if (!seen.has(id)) addElements.push(el);
        seen.add(id);
      }
    }
  }
  // Two ports of a service share its cluster IP: one set element for both.
  const dedup = new Map(addElements.map((e) => [elementId(e), e]));
  dropChains.sort();
  const text = nftBatchText({
    fixed: kind === 'partial' ? undefined : cfg, chains, sets: [...new Set(sets)], dropSets: [...new Set(dropSets)],
    delElements, addElements: [...dedup.values()], dropChains,
  });
  return { text, lines: countLines(text), changed };
}

/** Affinity sets of a port that go, or whose timeout changed (nft cannot change it in place). */
function changedSets(before: NftPortRules | undefined, after: NftPortRules | undefined): string[] {
  const now = new Set(after?.sets ?? []);
  return (before?.sets ?? []).filter((s) => !now.has(s)).map(setName);
}

/** The cluster IPs `desired` holds (a removed port's set element stays while another port has it). */
function clusterIPs(desired: Entries): Set<string> {
  const out = new Set<string>();
  for (const e of desired.values()) out.add(e.sp.clusterIP);
  return out;
}
