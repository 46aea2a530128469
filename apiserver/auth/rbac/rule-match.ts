// Whether one RBAC rule allows one request, as Kubernetes' RBAC authorizer matches them: verbs,
// groups and resources by name or `*`; a subresource only by `res/sub` or `*/sub`; names only
// when the rule lists none or lists the one asked for; URLs exactly, by `*`, or by a prefix
// pattern ending in `*`.
import type { PolicyRule } from '../../api/kinds/rbac.js';

/** What is being asked, in the terms rules are written in. */
export type RuleRequest =
  | { kind: 'resource'; verb: string; group: string; resource: string; subresource: string; name: string }
  | { kind: 'nonresource'; verb: string; path: string };

const has = (list: readonly string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const list = rule.resources ?? [];
  if (list.includes('*')) return true;
  if (!subresource) return list.includes(resource);
  return list.includes(`${resource}/${subresource}`) || list.includes(`*/${subresource}`);
}

function urlMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

export function ruleAllows(rule: PolicyRule, req: RuleRequest): boolean {
  if (!has(rule.verbs, req.verb)) return false;
  if (req.kind === 'nonresource') return urlMatches(rule, req.path);
  if (!has(rule.apiGroups, req.group) || !resourceMatches(rule, req.resource, req.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (req.name !== '' && names.includes(req.name));
}
