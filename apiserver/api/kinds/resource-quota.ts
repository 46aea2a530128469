// ResourceQuotas: hard limits of known resources (or domain-qualified ones) with whole numbers
// for countable ones, scopes that fit the resources, and a status only the quota controller
// writes. REQUEST and LIMIT print "used/hard" per resource from that status.
import { GoValue, goStrings, invalidValue, path, required, type FieldError, type FieldPath } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { canonicalizeResourceList, validateResourceName, validateResourceQuantity, type ResourceList } from './common.js';

interface ScopedRequirement {
  scopeName?: string;
  operator?: string;
  values?: string[];
}

interface QuotaSpec {
  hard?: ResourceList;
  scopes?: string[];
  scopeSelector?: { matchExpressions?: ScopedRequirement[] } | null;
}

type ResourceQuota = KubeObject & { spec?: QuotaSpec; status?: { hard?: ResourceList; used?: ResourceList } };

const standardQuotaResources = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers', 'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);

/** IsStandardQuotaResourceName: what a quota may limit without a domain prefix (or as count/...). */
const isStandardQuotaResource = (name: string): boolean =>
  standardQuotaResources.has(name) || name.startsWith('requests.hugepages-') || name.startsWith('count/');

const standardScopes = new Set(['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity']);
const podComputeResources = new Set(['pods', 'cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);
const existsOnlyScopes = new Set(['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity']);

/** IsResourceQuotaScopeValidForResource: best-effort pods request nothing, so only their count fits. */
function scopeFitsResource(scope: string, resource: string): boolean {
  switch (scope) {
    case 'BestEffort':
      return resource === 'pods';
    case 'Terminating': case 'NotTerminating': case 'NotBestEffort': case 'PriorityClass': case 'CrossNamespacePodAffinity':
      return podComputeResources.has(resource);
    default:
      return true;
  }
}

/** A string slice as Go prints the internal scopes type. */
const scopesValue = (scopes: string[] | undefined) =>
  new GoValue(scopes ? `[]core.ResourceQuotaScope{${scopes.map((s) => JSON.stringify(s)).join(', ')}}` : '[]core.ResourceQuotaScope(nil)');

function conflicting(scopes: Set<string>): boolean {
  return (scopes.has('BestEffort') && scopes.has('NotBestEffort')) || (scopes.has('Terminating') && scopes.has('NotTerminating'));
}

function validateQuotaResources(list: ResourceList | undefined, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    const rp = p.key(k);
    const nameErrs = validateResourceName(k, rp);
    if (nameErrs.length) errs.push(...nameErrs);
    else if (!k.includes('/') && !isStandardQuotaResource(k)) errs.push(invalidValue(rp, k, 'must be a standard resource for quota'));
    errs.push(...validateResourceQuantity(k, v, rp));
  }
  return errs;
}

function validateQuotaSpec(spec: QuotaSpec): FieldError[] {
  const sp = path('spec');
  const errs = validateQuotaResources(spec.hard, sp.child('hard'));
  const hard = Object.keys(spec.hard ?? {}).sort();
  const scopes = spec.scopes ?? [];
  if (scopes.length) {
    const set = new Set<string>();
    for (const scope of scopes) {
      if (!standardScopes.has(scope)) errs.push(invalidValue(sp.child('scopes'), scopesValue(scopes), 'unsupported scope'));
      for (const k of hard) {
        if (isStandardQuotaResource(k) && !scopeFitsResource(scope, k)) errs.push(invalidValue(sp.child('scopes'), scopesValue(scopes), 'unsupported scope applied to resource'));
      }
      set.add(scope);
    }
    if (conflicting(set)) errs.push(invalidValue(sp.child('scopes'), scopesValue(scopes), 'conflicting scopes'));
  }
  const exprs = spec.scopeSelector?.matchExpressions;
  if (spec.scopeSelector) {
    const mp = sp.child('scopeSelector', 'matchExpressions');
    const set = new Set<string>();
    for (const req of exprs ?? []) {
      const scope = req.scopeName ?? '';
      if (!standardScopes.has(scope)) errs.push(invalidValue(mp.child('scopeName'), scope, 'unsupported scope'));
      for (const k of hard) {
        if (isStandardQuotaResource(k) && !scopeFitsResource(scope, k)) errs.push(invalidValue(mp, new GoValue('core.ScopeSelector{...}'), 'unsupported scope applied to resource'));
      }
      if (existsOnlyScopes.has(scope) && req.operator !== 'Exists') {
        errs.push(invalidValue(mp.child('operator'), req.operator ?? '', "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"));
      }
      switch (req.operator) {
        case 'In': case 'NotIn':
          if (!(req.values ?? []).length) errs.push(required(mp.child('values'), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
          break;
        case 'Exists': case 'DoesNotExist':
          if ((req.values ?? []).length) errs.push(invalidValue(mp.child('values'), goStrings(req.values), "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
          break;
        default:
          errs.push(invalidValue(mp.child('operator'), req.operator ?? '', 'not a valid selector operator'));
      }
      set.add(scope);
    }
    if (conflicting(set)) errs.push(invalidValue(mp, scopesValue(spec.scopes), 'conflicting scopes'));
  }
  return errs;
}

function validateQuotaStatus(rq: ResourceQuota): FieldError[] {
  return [
    ...validateQuotaResources(rq.status?.hard, path('status', 'hard')),
    ...validateQuotaResources(rq.status?.used, path('status', 'used')),
  ];
}

export const resourceQuotaStrategy: Strategy = {
  default(obj) {
    const rq = obj as ResourceQuota;
    canonicalizeResourceList(rq.spec?.hard, 'ResourceQuota');
    canonicalizeResourceList(rq.status?.hard, 'ResourceQuota');
    canonicalizeResourceList(rq.status?.used, 'ResourceQuota');
  },
  prepareForCreate(obj) {
    (obj as ResourceQuota).status = {};
  },
  validate: (obj) => validateQuotaSpec((obj as ResourceQuota).spec ?? {}),
  validateUpdate(obj, old) {
    const spec = (obj as ResourceQuota).spec ?? {};
    const errs = validateQuotaSpec(spec);
    const before = new Set((old as ResourceQuota).spec?.scopes ?? []);
    const after = new Set(spec.scopes ?? []);
    if (before.size !== after.size || [...before].some((s) => !after.has(s))) {
      errs.push(invalidValue(path('spec', 'scopes'), scopesValue(spec.scopes), 'field is immutable'));
    }
    return errs;
  },
};

export const resourceQuotaStatusStrategy: Strategy = {
  validateUpdate: (obj) => validateQuotaStatus(obj as ResourceQuota),
};

/** "requests.cpu: 0/1, pods: 1/10" split into the request and limit columns. */
export function quotaColumns(rq: ResourceQuota): [string, string] {
  const hard = rq.status?.hard ?? {};
  const used = rq.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const text = `${name}: ${used[name] ?? '0'}/${hard[name]}`;
    (name.split('.').length > 1 && name.split('.')[0] === 'limits' ? limit : request).push(text);
  }
  return [request.join(', '), limit.join(', ')];
}

export const resourceQuotaTable: TableDef = {
  columns: [
    ageColumn,
    col('Request', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
  cells: (o, now) => [age(o, now), ...quotaColumns(o as ResourceQuota)],
};
