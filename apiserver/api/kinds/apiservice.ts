// APIServices (apiregistration.k8s.io/v1): named "<version>.<group>", local or backed by a
// Service. SERVICE shows "Local" or namespace/name; AVAILABLE the Available condition.
import { invalidEach, invalidValue, notSupported, path, required, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../validation/names.js';

interface APIServiceSpec {
  service?: { namespace?: string; name?: string; port?: number } | null;
  group?: string;
  version?: string;
  insecureSkipTLSVerify?: boolean;
  caBundle?: string;
  groupPriorityMinimum?: number;
  versionPriority?: number;
}

type APIService = KubeObject & { spec?: APIServiceSpec; status?: { conditions?: Array<{ type?: string; status?: string; reason?: string }> } };

const conditionStatuses = ['True', 'False', 'Unknown'];

function validateAPIService(svc: APIService): FieldError[] {
  const spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  const requiredName = `${spec.version ?? ''}.${spec.group ?? ''}`;
  if (svc.metadata.name && svc.metadata.name !== requiredName) {
    errs.push(invalidValue(path('metadata', 'name'), svc.metadata.name, `must be \`spec.version+"."+spec.group\`: ${JSON.stringify(requiredName)}`));
  }
  if (!spec.group && spec.version !== 'v1') errs.push(required(path('spec', 'group'), 'only v1 may have an empty group and it better be legacy kube'));
  if (spec.group) errs.push(...invalidEach(path('spec', 'group'), spec.group, isDNS1123Subdomain(spec.group)));
  errs.push(...invalidEach(path('spec', 'version'), spec.version ?? '', isDNS1035Label(spec.version ?? '')));
  const gpm = spec.groupPriorityMinimum ?? 0;
  if (gpm <= 0 || gpm > 20000) errs.push(invalidValue(path('spec', 'groupPriorityMinimum'), gpm, 'must be positive and less than 20000'));
  const vp = spec.versionPriority ?? 0;
  if (vp <= 0 || vp > 1000) errs.push(invalidValue(path('spec', 'versionPriority'), vp, 'must be positive and less than 1000'));
  const caBytes = spec.caBundle ? Math.floor((spec.caBundle.length * 3) / 4) - (spec.caBundle.match(/=+$/)?.[0].length ?? 0) : 0;
  if (!spec.service) {
    if (caBytes) errs.push(invalidValue(path('spec', 'caBundle'), `${caBytes} bytes`, 'local APIServices may not have a caBundle'));
    if (spec.insecureSkipTLSVerify) errs.push(invalidValue(path('spec', 'insecureSkipTLSVerify'), true, 'local APIServices may not have insecureSkipTLSVerify'));
    return errs;
  }
  if (!spec.service.namespace) errs.push(required(path('spec', 'service', 'namespace')));
  if (!spec.service.name) errs.push(required(path('spec', 'service', 'name')));
  if (spec.insecureSkipTLSVerify && caBytes) errs.push(invalidValue(path('spec', 'insecureSkipTLSVerify'), true, 'may not be true if caBundle is present'));
  return errs;
}

/** The name is checked against the spec in validation, so the generic check lets any name through. */
export const apiServiceNameValidator = (): string[] => [];

export const apiServiceStrategy: Strategy = {
  prepareForCreate(obj) {
    (obj as APIService).status = {};
  },
  validate: (obj) => validateAPIService(obj as APIService),
};

export const apiServiceStatusStrategy: Strategy = {
  validateUpdate(obj) {
    const errs: FieldError[] = [];
    ((obj as APIService).status?.conditions ?? []).forEach((c, i) => {
      if (!conditionStatuses.includes(c.status ?? '')) errs.push(notSupported(path('status', 'conditions').index(i).child('status'), c.status ?? '', conditionStatuses));
    });
    return errs;
  },
};

/** "True", "False (FailedDiscoveryCheck)" or "Unknown". */
export function availableText(svc: APIService): string {
  const c = (svc.status?.conditions ?? []).find((x) => x.type === 'Available');
  if (!c) return 'Unknown';
  if (c.status === 'True' || !c.reason) return c.status ?? '';
  return `${c.status} (${c.reason})`;
}

export const apiServiceTable: TableDef = {
  columns: [
    col('Service', 'The reference to the service that hosts this API endpoint.'),
    col('Available', 'Whether this service is available.'),
    ageColumn,
  ],
  cells(o, now) {
    const svc = o as APIService;
    const s = svc.spec?.service;
    return [s ? `${s.namespace ?? ''}/${s.name ?? ''}` : 'Local', availableText(svc), age(o, now)];
  },
};
