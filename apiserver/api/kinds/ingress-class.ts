// IngressClasses: a domain-prefixed controller name that never changes, and parameters that
// default to cluster scope.
import { forbiddenField, invalidEach, invalidValue, notSupported, path, required, tooLong, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPathSegmentName, regexError } from '../validation/names.js';
import { immutable } from './common.js';

interface Parameters {
  apiGroup?: string | null;
  kind?: string;
  name?: string;
  scope?: string | null;
  namespace?: string | null;
}

type IngressClass = KubeObject & { spec?: { controller?: string; parameters?: Parameters | null } };

const maxControllerLength = 250;
const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const scopes = ['Cluster', 'Namespace'];

/** IsDomainPrefixedPath: "example.com/path". */
export function validateDomainPrefixedPath(value: string, p: ReturnType<typeof path>): FieldError[] {
  if (!value) return [required(p)];
  const slash = value.indexOf('/');
  const host = slash < 0 ? value : value.slice(0, slash);
  const rest = slash < 0 ? '' : value.slice(slash + 1);
  if (slash < 0 || !host || !rest) return [invalidValue(p, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = invalidEach(p, host, isDNS1123Subdomain(host));
  if (!new RegExp(`^${httpPathFmt}$`).test(rest)) return [...errs, invalidValue(p, rest, regexError('must be a valid path', httpPathFmt))];
  return errs;
}

function validateIngressClass(ic: IngressClass): FieldError[] {
  const sp = path('spec');
  const errs: FieldError[] = [];
  const controller = ic.spec?.controller ?? '';
  if (!controller) errs.push(required(sp.child('controller')));
  else {
    if (controller.length > maxControllerLength) errs.push(tooLong(sp.child('controller'), maxControllerLength));
    errs.push(...validateDomainPrefixedPath(controller, sp.child('controller')));
  }
  const params = ic.spec?.parameters;
  if (params) {
    const pp = sp.child('parameters');
    if (params.apiGroup != null) errs.push(...invalidEach(pp.child('apiGroup'), params.apiGroup, isDNS1123Subdomain(params.apiGroup)));
    if (!params.kind) errs.push(required(pp.child('kind')));
    else errs.push(...invalidEach(pp.child('kind'), params.kind, isValidPathSegmentName(params.kind)));
    if (!params.name) errs.push(required(pp.child('name')));
    else errs.push(...invalidEach(pp.child('name'), params.name, isValidPathSegmentName(params.name)));
    if (params.scope == null) errs.push(required(pp.child('scope')));
    else if (!scopes.includes(params.scope)) errs.push(notSupported(pp.child('scope'), params.scope, scopes));
    else if (params.scope === 'Namespace') {
      if (params.namespace == null) errs.push(required(pp.child('namespace'), "`parameters.scope` is set to 'Namespace'"));
      else errs.push(...invalidEach(pp.child('namespace'), params.namespace, isDNS1123Label(params.namespace)));
    } else if (params.namespace != null) {
      errs.push(forbiddenField(pp.child('namespace'), "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return errs;
}

export const ingressClassStrategy: Strategy = {
  default(obj) {
    const params = (obj as IngressClass).spec?.parameters;
    if (params && params.scope == null) params.scope = 'Cluster';
  },
  validate: (obj) => validateIngressClass(obj as IngressClass),
  validateUpdate: (obj, old) => [
    ...immutable((obj as IngressClass).spec?.controller, (old as IngressClass).spec?.controller, path('spec', 'controller')),
    ...validateIngressClass(obj as IngressClass),
  ],
};

export const ingressClassTable: TableDef = {
  columns: [
    col('Controller', 'Controller that is responsible for handling this class'),
    col('Parameters', 'A reference to a resource with additional parameters'),
    ageColumn,
  ],
  cells(o, now) {
    const p = (o as IngressClass).spec?.parameters;
    const params = p ? `${p.kind ?? ''}${p.apiGroup != null ? `.${p.apiGroup}` : ''}/${p.name ?? ''}` : '<none>';
    return [(o as IngressClass).spec?.controller ?? '', params, age(o, now)];
  },
};
