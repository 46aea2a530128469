// What one sync writes, from what the tables hold (as of the last sync that succeeded) and what
// the services want now. Three kinds, cheapest first:
//
// - partial (a Service or its endpoints changed): only the changed ports' own chains, and their
//   rules in the shared chains deleted and added one by one. With iptables-nft, rewriting
//   KUBE-SERVICES (one rule per service address) is most of a partial restore's cost;
// - periodic (every sync period, ≤ 30 s): the shared and fixed chains rewritten whole, so a
//   flushed KUBE-SERVICES heals within the period, plus the changed ports' own chains;
// - full (start, failure, canary gone, hourly): everything, and stale chains the tables hold
//   but no service wants deleted.
// Pure: the proxier does the I/O.
import { isServiceChain } from './chain-names.js';
import { fixedRules, nodePortsCatchAll, restoreText, type PortRules, type ProxyRulesConfig } from './rules.js';
import type { ProxyServicePort } from './service-ports.js';

export type SyncKind = 'partial' | 'periodic' | 'full';

/** One service port as programmed: its model, a fingerprint of it, and its rules (of either mode). */
export interface PortEntry<R = PortRules> {
  sp: ProxyServicePort;
  /** Equal fingerprints give equal rules, so an unchanged port is never rewritten. */
  fingerprint: string;
  rules: R;
}

export interface SyncPlan {
  text: string;
  /** Lines of the restore input (for the rules-written metric). */
  lines: number;
  /** Ports whose rules this sync changes, including removed ones. */
  changed: string[];
}

/**
 * The restore input turning `written` into `desired` (both by port name). `existingNatChains`
 * (from iptables-save) is read for full syncs only; otherwise stale chains are those `written`
 * knows.
 */
export function planSync(kind: SyncKind, written: ReadonlyMap<string, PortEntry>, desired: ReadonlyMap<string, PortEntry>, cfg: ProxyRulesConfig, existingNatChains: Iterable<string> = []): SyncPlan {
  const changed = changedPorts(written, desired);

  let stale: string[];
  if (kind === 'full') {
    const wanted = new Set<string>();
    for (const e of desired.values()) for (const c of e.rules.chains) wanted.add(c);
    stale = [...new Set(existingNatChains)].filter((c) => isServiceChain(c) && !wanted.has(c));
  } else {
    // A chain's name hashes its port's name, so only the port's own new chains can keep it:
    // no need to gather the 10,000 chains of every port for one change.
    stale = [];
    for (const name of changed) {
      const now = new Set(desired.get(name)?.rules.chains ?? []);
      for (const c of written.get(name)?.rules.chains ?? []) if (!now.has(c)) stale.push(c);
    }
  }
  stale.sort();

  const all = kind === 'partial' ? [] : [...desired.values()].map((e) => e.rules);
  const ownOfChanged = changed.map((n) => desired.get(n)?.rules).filter((r): r is PortRules => !!r);
  const catchAll = nodePortsCatchAll(cfg);
  let text: string;
  if (kind === 'partial') {
    text = restoreText({ edits: sharedEdits(changed, written, desired), own: ownOfChanged, catchAll, stale });
  } else {
    text = restoreText({ fixed: fixedRules(cfg), shared: all, own: kind === 'full' ? all : ownOfChanged, catchAll, stale });
  }
  return { text, lines: countLines(text), changed };
}

/** The ports whose rules differ between `written` and `desired` (removed ones too), sorted. */
export function changedPorts<R>(written: ReadonlyMap<string, PortEntry<R>>, desired: ReadonlyMap<string, PortEntry<R>>): string[] {
  const changed: string[] = [];
  for (const [name, e] of desired) if (written.get(name)?.fingerprint !== e.fingerprint) changed.push(name);
  for (const name of written.keys()) if (!desired.has(name)) changed.push(name);
  return changed.sort();
}

/** The shared-chain rules of changed ports that go and come, by table. */
function sharedEdits(changed: readonly string[], written: ReadonlyMap<string, PortEntry>, desired: ReadonlyMap<string, PortEntry>) {
  const edits = { filter: { del: [] as string[], add: [] as string[] }, nat: { del: [] as string[], add: [] as string[] } };
  for (const name of changed) {
    for (const table of ['filter', 'nat'] as const) {
      const before = written.get(name)?.rules[table] ?? [];
      const after = desired.get(name)?.rules[table] ?? [];
      const keep = new Set(after);
      const had = new Set(before);
      edits[table].del.push(...before.filter((l) => !keep.has(l)));
      edits[table].add.push(...after.filter((l) => !had.has(l)));
    }
  }
  return edits;
}

/** Lines of a batch (for the rules-written metric). */
export function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
