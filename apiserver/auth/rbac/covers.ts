// Whether one set of RBAC rules grants everything another does. Rules are compared atom by
// atom (one verb on one resource of one group, or one verb on one URL), as Kubernetes does when
// it reconciles its default roles: what the owner lacks comes back as those atoms.
import type { PolicyRule } from '../../api/kinds/rbac.js';

const all = '*';

/** A rule split into rules of one verb, one group, one resource (and one name) or one URL. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  const verbs = rule.verbs ?? [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      const names = rule.resourceNames ?? [];
      if (!names.length) {
        for (const verb of verbs) out.push({ verbs: [verb], apiGroups: [group], resources: [resource] });
        continue;
      }
      for (const name of names) {
        for (const verb of verbs) out.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of verbs) out.push({ verbs: [verb], nonResourceURLs: [url] });
  }
  return out;
}

const hasAll = (set: readonly string[], wanted: readonly string[]) => wanted.every((w) => set.includes(w));

/** `*` covers any resource, `*​/scale` any resource's scale subresource. */
function resourcesCover(owner: readonly string[], wanted: readonly string[]): boolean {
  if (owner.includes(all)) return true;
  return wanted.every((r) => {
    if (owner.includes(r)) return true;
    const slash = r.indexOf('/');
    return slash >= 0 && owner.includes(`*/${r.slice(slash + 1)}`);
  });
}

/** A URL pattern ending in `*` covers every URL with that prefix. */
function urlsCover(owner: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((u) => owner.some((o) => o === all || o === u || (o.endsWith('*') && u.startsWith(o.slice(0, -1)))));
}

/** Whether `owner` alone grants all of `wanted`. */
export function ruleCovers(owner: PolicyRule, wanted: PolicyRule): boolean {
  const verbs = owner.verbs ?? [];
  if (!verbs.includes(all) && !hasAll(verbs, wanted.verbs ?? [])) return false;
  if ((wanted.nonResourceURLs ?? []).length) return urlsCover(owner.nonResourceURLs ?? [], wanted.nonResourceURLs ?? []);
  const groups = owner.apiGroups ?? [];
  if (!groups.includes(all) && !hasAll(groups, wanted.apiGroups ?? [])) return false;
  if (!resourcesCover(owner.resources ?? [], wanted.resources ?? [])) return false;
  // A rule limited to some names grants none of the unnamed (list, create) requests.
  const names = owner.resourceNames ?? [];
  const wantedNames = wanted.resourceNames ?? [];
  return !names.length || (wantedNames.length > 0 && hasAll(names, wantedNames));
}

/** The atoms of `wanted` that no rule of `owner` grants (empty: owner covers wanted). */
export function uncovered(owner: readonly PolicyRule[], wanted: readonly PolicyRule[]): PolicyRule[] {
  return wanted.flatMap(breakdownRule).filter((atom) => !owner.some((o) => ruleCovers(o, atom)));
}
