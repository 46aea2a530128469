// The scheduling parts of a pod spec as core validation checks them: affinity, tolerations,
// topology spread constraints, DNS config, host aliases, readiness and scheduling gates.
import {
  duplicate, forbiddenField, invalidEach, invalidValue, notSupported, required, type FieldError, type FieldPath,
} from '../field-errors.js';
import type { LabelSelectorSpec } from '../selectors/labels.js';
import { validateIP } from '../validation/ip.js';
import { validateLabelSelector } from '../validation/label-selector.js';
import { isDNS1123Label, isDNS1123Subdomain, isLabelValue, isQualifiedName } from '../validation/names.js';
import { goStruct } from './go-format.js';
import { asObject, num, objects, str, strings, type JsonObject } from './json.js';
import { semanticEqual } from './semantic.js';

const labelName = (key: string, p: FieldPath) => invalidEach(p, key, isQualifiedName(key));

function validateNodeSelectorRequirement(rq: JsonObject, allowInvalidValues: boolean, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const values = strings(rq.values);
  switch (rq.operator) {
    case 'In': case 'NotIn':
      if (values.length === 0) errs.push(required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists': case 'DoesNotExist':
      if (values.length > 0) errs.push(forbiddenField(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt': case 'Lt':
      if (values.length !== 1) errs.push(required(p.child('values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalidValue(p.child('operator'), str(rq.operator), 'not a valid selector operator'));
  }
  errs.push(...labelName(str(rq.key), p.child('key')));
  if (!allowInvalidValues) values.forEach((v, i) => errs.push(...invalidEach(p.child('values').index(i), v, isLabelValue(v))));
  return errs;
}

function validateNodeFieldSelectorRequirement(rq: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (rq.operator === 'In' || rq.operator === 'NotIn') {
    if (strings(rq.values).length !== 1) errs.push(required(p.child('values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else {
    errs.push(invalidValue(p.child('operator'), str(rq.operator), 'not a valid selector operator'));
  }
  if (rq.key !== 'metadata.name') errs.push(invalidValue(p.child('key'), str(rq.key), 'not a valid field selector key'));
  else strings(rq.values).forEach((v, i) => errs.push(...invalidEach(p.child('values').index(i), v, isDNS1123Subdomain(v))));
  return errs;
}

function validateNodeSelectorTerm(term: JsonObject, allowInvalidValues: boolean, p: FieldPath): FieldError[] {
  return [
    ...objects(term.matchExpressions).flatMap((r, j) => validateNodeSelectorRequirement(r, allowInvalidValues, p.child('matchExpressions').index(j))),
    ...objects(term.matchFields).flatMap((r, j) => validateNodeFieldSelectorRequirement(r, p.child('matchFields').index(j))),
  ];
}

function validateWeight(v: unknown, p: FieldPath): FieldError[] {
  const w = num(v) ?? 0;
  return w <= 0 || w > 100 ? [invalidValue(p, w, 'must be in the range 1-100')] : [];
}

function validateNodeAffinity(na: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const requiredSel = asObject(na.requiredDuringSchedulingIgnoredDuringExecution);
  if (requiredSel) {
    const rp = p.child('requiredDuringSchedulingIgnoredDuringExecution');
    const terms = objects(requiredSel.nodeSelectorTerms);
    if (terms.length === 0) errs.push(required(rp.child('nodeSelectorTerms'), 'must have at least one node selector term'));
    terms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, false, rp.child('nodeSelectorTerms').index(i))));
  }
  objects(na.preferredDuringSchedulingIgnoredDuringExecution).forEach((term, i) => {
    const tp = p.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
    errs.push(...validateWeight(term.weight, tp.child('weight')));
    // Preferred terms tolerate invalid label values (they may match nothing yet).
    errs.push(...validateNodeSelectorTerm(asObject(term.preference) ?? {}, true, tp.child('preference')));
  });
  return errs;
}

function validatePodAffinityTerm(term: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(term.labelSelector as LabelSelectorSpec | undefined, p.child('labelSelector')));
  errs.push(...validateLabelSelector(term.namespaceSelector as LabelSelectorSpec | undefined, p.child('namespaceSelector')));
  for (const ns of strings(term.namespaces)) errs.push(...invalidEach(p.child('namespace'), ns, isDNS1123Label(ns)));
  const topologyKey = str(term.topologyKey);
  if (!topologyKey) errs.push(required(p.child('topologyKey'), 'can not be empty'));
  errs.push(...labelName(topologyKey, p.child('topologyKey')));
  return errs;
}

function validatePodAffinityKind(pa: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  objects(pa.requiredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
    errs.push(...validatePodAffinityTerm(t, p.child('requiredDuringSchedulingIgnoredDuringExecution').index(i)));
  });
  objects(pa.preferredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
    const tp = p.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
    errs.push(...validateWeight(t.weight, tp.child('weight')));
    errs.push(...validatePodAffinityTerm(asObject(t.podAffinityTerm) ?? {}, tp.child('podAffinityTerm')));
  });
  return errs;
}

export function validateAffinity(affinity: unknown, p: FieldPath): FieldError[] {
  const a = asObject(affinity);
  if (!a) return [];
  const errs: FieldError[] = [];
  const na = asObject(a.nodeAffinity);
  if (na) errs.push(...validateNodeAffinity(na, p.child('nodeAffinity')));
  const pa = asObject(a.podAffinity);
  if (pa) errs.push(...validatePodAffinityKind(pa, p.child('podAffinity')));
  const anti = asObject(a.podAntiAffinity);
  if (anti) errs.push(...validatePodAffinityKind(anti, p.child('podAntiAffinity')));
  return errs;
}

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTolerations(tolerations: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  objects(tolerations).forEach((t, i) => {
    const tp = p.index(i);
    const key = str(t.key);
    const operator = str(t.operator);
    const effect = str(t.effect);
    const value = str(t.value);
    if (key) errs.push(...labelName(key, tp.child('key')));
    if (!key && operator !== 'Exists') {
      errs.push(invalidValue(tp.child('operator'), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && effect !== 'NoExecute') {
      errs.push(invalidValue(tp.child('effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (operator) {
      case 'Equal': case '': {
        const msgs = isLabelValue(value);
        if (msgs.length) errs.push(invalidValue(tp.child('operator'), value, msgs.join(';')));
        break;
      }
      case 'Exists':
        if (value) errs.push(invalidValue(tp.child('operator'), value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(tp.child('operator'), operator, ['Equal', 'Exists']));
    }
    if (effect && !taintEffects.includes(effect)) errs.push(notSupported(tp.child('effect'), effect, taintEffects));
  });
  return errs;
}

const whenUnsatisfiable = ['DoNotSchedule', 'ScheduleAnyway'];
const inclusionPolicies = ['Honor', 'Ignore'];

export function validateTopologySpreadConstraints(constraints: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const list = objects(constraints);
  list.forEach((c, i) => {
    const cp = p.index(i);
    const maxSkew = num(c.maxSkew) ?? 0;
    if (maxSkew <= 0) errs.push(invalidValue(cp.child('maxSkew'), maxSkew, 'must be greater than zero'));
    const topologyKey = str(c.topologyKey);
    if (!topologyKey) errs.push(required(cp.child('topologyKey'), 'can not be empty'));
    const action = str(c.whenUnsatisfiable);
    if (!whenUnsatisfiable.includes(action)) errs.push(notSupported(cp.child('whenUnsatisfiable'), action, whenUnsatisfiable));
    if (list.slice(i + 1).some((o) => str(o.topologyKey) === topologyKey && str(o.whenUnsatisfiable) === action)) {
      errs.push(duplicate(cp.child('{topologyKey, whenUnsatisfiable}'), `{${topologyKey}, ${action}}`));
    }
    if (c.minDomains !== undefined && c.minDomains !== null) {
      const min = num(c.minDomains) ?? 0;
      if (min <= 0) errs.push(invalidValue(cp.child('minDomains'), min, 'must be greater than zero'));
      if (action !== 'DoNotSchedule') errs.push(invalidValue(cp.child('minDomains'), min, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${action}`));
    }
    for (const f of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      if (typeof c[f] === 'string' && !inclusionPolicies.includes(c[f] as string)) errs.push(notSupported(cp.child(f), c[f], inclusionPolicies));
    }
    errs.push(...validateLabelSelector(c.labelSelector as LabelSelectorSpec | undefined, cp.child('labelSelector')));
  });
  return errs;
}

export function validateDNSConfig(dnsConfig: unknown, dnsPolicy: string, p: FieldPath): FieldError[] {
  const cfg = asObject(dnsConfig);
  if (dnsPolicy === 'None') {
    if (!cfg) return [required(p, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (strings(cfg.nameservers).length === 0) return [required(p.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!cfg) return [];
  const errs: FieldError[] = [];
  const nameservers = strings(cfg.nameservers);
  if (nameservers.length > 3) errs.push(invalidValue(p.child('nameservers'), goStruct('[]string', nameservers), 'must not have more than 3 nameservers'));
  nameservers.forEach((ns, i) => errs.push(...validateIP(p.child('nameservers').index(i), ns)));
  const searches = strings(cfg.searches);
  if (searches.length > 32) errs.push(invalidValue(p.child('searches'), goStruct('[]string', searches), 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) {
    errs.push(invalidValue(p.child('searches'), goStruct('[]string', searches), 'must not have more than 2048 characters (including spaces) in the search list'));
  }
  searches.forEach((s, i) => {
    const trimmed = s.endsWith('.') ? s.slice(0, -1) : s;
    errs.push(...invalidEach(p.child('searches').index(i), trimmed, isDNS1123Subdomain(trimmed)));
  });
  objects(cfg.options).forEach((o, i) => {
    if (!str(o.name)) errs.push(required(p.child('options').index(i), 'must not be empty'));
  });
  return errs;
}

export function validateHostAliases(aliases: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  objects(aliases).forEach((a, i) => {
    errs.push(...validateIP(p.index(i).child('ip'), str(a.ip)));
    strings(a.hostnames).forEach((h, j) => errs.push(...invalidEach(p.index(i).child('hostnames').index(j), h, isDNS1123Subdomain(h))));
  });
  return errs;
}

export function validateReadinessGates(gates: unknown, p: FieldPath): FieldError[] {
  return objects(gates).flatMap((g, i) => invalidEach(p.index(i).child('conditionType'), str(g.conditionType), isQualifiedName(str(g.conditionType))));
}

export function validateSchedulingGates(gates: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  objects(gates).forEach((g, i) => {
    const name = str(g.name);
    errs.push(...invalidEach(p.index(i), name, isQualifiedName(name)));
    if (seen.has(name)) errs.push(duplicate(p.index(i), name));
    seen.add(name);
  });
  return errs;
}

/** validateOnlyAddedTolerations: existing tolerations stay (their tolerationSeconds may change). */
export function validateTolerationsOnlyAdded(next: unknown, prev: unknown, p: FieldPath): FieldError[] {
  const n = objects(next);
  const withoutSeconds = (t: JsonObject) => ({ ...t, tolerationSeconds: undefined });
  for (const old of objects(prev)) {
    if (!n.some((t) => semanticEqual(withoutSeconds(t), withoutSeconds(old)))) {
      return [forbiddenField(p, 'existing toleration can not be modified except its tolerationSeconds')];
    }
  }
  return validateTolerations(next, p);
}
