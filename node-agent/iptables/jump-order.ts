// The order of the agent's own jumps at the head of the built-in chains both the NetworkPolicy
// enforcer and the service proxy jump from (FORWARD): the enforcer's hook first, then the
// proxy's. The hook only returns or rejects, so nothing the proxy accepts escapes policy; behind
// the proxy's jumps, NodePort traffic marked for masquerade would be accepted before policy saw
// it. Each writer inserts at the position this gives, so the order holds as soon as either
// (re)adds its jumps, without waiting for the other's next check. Pure.

export type JumpOwner = 'network-policy' | 'service-proxy';

/** Whether a rule (as `iptables -S` prints it) is the enforcer's hook (to KUBE-ROUTER-FORWARD, kube-router's name). */
export function isNetpolHook(rule: string): boolean {
  return / -j KUBE-ROUTER-[A-Z]+$/.test(rule);
}

/** Owners in the order their jumps stand, each with how its rules are told apart. */
const ranked: ReadonlyArray<{ owner: JumpOwner; owns: (rule: string) => boolean }> = [
  { owner: 'network-policy', owns: isNetpolHook },
];

/** Whether `rule` belongs to an owner whose jumps go before `owner`'s. */
export function standsBefore(rule: string, owner: JumpOwner): boolean {
  for (const r of ranked) {
    if (r.owner === owner) return false;
    if (r.owns(rule)) return true;
  }
  return false;
}

/**
 * The 1-based position at which `owner` inserts its first jump into a chain holding `rules`:
 * right after the leading rules of the owners ranked before it.
 */
export function insertPosition(rules: readonly string[], owner: JumpOwner): number {
  let n = 0;
  while (n < rules.length && standsBefore(rules[n]!, owner)) n++;
  return n + 1;
}
