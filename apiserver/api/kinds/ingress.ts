// Ingresses (networking.k8s.io/v1): every path needs a pathType, every backend exactly one of
// service or resource; the table shows CLASS, HOSTS, ADDRESS and PORTS.
import { GoValue, invalidEach, invalidValue, notSupported, path, required, type FieldError, type FieldPath } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { isIPAddress } from '../validation/ip.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPathSegmentName, isValidPortName, isValidPortNum } from '../validation/names.js';

interface IngressBackend {
  service?: { name?: string; port?: { name?: string; number?: number } };
  resource?: { apiGroup?: string; kind?: string; name?: string };
}

interface IngressPath {
  path?: string;
  pathType?: string;
  backend?: IngressBackend;
}

interface IngressRule {
  host?: string;
  http?: { paths?: IngressPath[] };
}

interface IngressSpec {
  ingressClassName?: string | null;
  defaultBackend?: IngressBackend | null;
  tls?: Array<{ hosts?: string[]; secretName?: string }>;
  rules?: IngressRule[];
}

interface IngressStatus {
  loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> };
}

type Ingress = KubeObject & { spec?: IngressSpec; status?: IngressStatus };

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];
const invalidSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidSuffixes = ['/..', '/.'];

/** IsWildcardDNS1123Subdomain: "*." followed by a subdomain. */
function wildcardErrors(host: string): string[] {
  if (/^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host) && host.length <= 253) return [];
  const fmt = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
  return [`a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '${fmt}')`];
}

function validateBackend(b: IngressBackend, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (b.resource && b.service) return [invalidValue(p, '', 'cannot set both resource and service backends')];
  if (b.resource) {
    const r = b.resource;
    const rp = p.child('resource');
    if (r.apiGroup != null) errs.push(...invalidEach(rp.child('apiGroup'), r.apiGroup, isDNS1123Subdomain(r.apiGroup)));
    if (!r.kind) errs.push(required(rp.child('kind')));
    else errs.push(...invalidEach(rp.child('kind'), r.kind, isValidPathSegmentName(r.kind)));
    if (!r.name) errs.push(required(rp.child('name')));
    else errs.push(...invalidEach(rp.child('name'), r.name, isValidPathSegmentName(r.name)));
    return errs;
  }
  if (!b.service) return [invalidValue(p, '', 'resource or service backend is required')];
  const s = b.service;
  if (!s.name) errs.push(required(p.child('service', 'name')));
  else errs.push(...invalidEach(p.child('service', 'name'), s.name, isDNS1035Label(s.name)));
  const portName = s.port?.name ?? '';
  const portNumber = s.port?.number ?? 0;
  if (portName && portNumber) errs.push(invalidValue(p, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...invalidEach(p.child('service', 'port', 'name'), portName, isValidPortName(portName)));
  else if (portNumber) errs.push(...invalidEach(p.child('service', 'port', 'number'), portNumber, isValidPortNum(portNumber)));
  else errs.push(required(p, 'port name or number is required'));
  return errs;
}

function validatePath(ip: IngressPath, p: FieldPath): FieldError[] {
  if (ip.pathType == null) return [required(p.child('pathType'), 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = ip.path ?? '';
  if (ip.pathType === 'Exact' || ip.pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(invalidValue(p.child('path'), value, 'must be an absolute path'));
    if (value) {
      for (const seq of invalidSequences) if (value.includes(seq)) errs.push(invalidValue(p.child('path'), value, `must not contain '${seq}'`));
      for (const suf of invalidSuffixes) if (value.endsWith(suf)) errs.push(invalidValue(p.child('path'), value, `cannot end with '${suf}'`));
    }
  } else if (ip.pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(invalidValue(p.child('path'), value, 'must be an absolute path'));
  } else {
    errs.push(notSupported(p.child('pathType'), ip.pathType, pathTypes));
  }
  return [...errs, ...validateBackend(ip.backend ?? {}, p.child('backend'))];
}

function validateSpec(spec: IngressSpec): FieldError[] {
  const sp = path('spec');
  const errs: FieldError[] = [];
  const rules = spec.rules ?? [];
  if (!rules.length && !spec.defaultBackend) {
    const value = new GoValue(spec.rules ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)');
    errs.push(invalidValue(sp, value, 'either `defaultBackend` or `rules` must be specified'));
  }
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, sp.child('defaultBackend')));
  rules.forEach((rule, i) => {
    const rp = sp.child('rules').index(i);
    const host = rule.host ?? '';
    if (host) {
      if (isIPAddress(host)) errs.push(invalidValue(rp.child('host'), host, 'must be a DNS name, not an IP address'));
      const msgs = host.includes('*') ? wildcardErrors(host) : isDNS1123Subdomain(host);
      errs.push(...invalidEach(rp.child('host'), host, msgs));
    }
    if (rule.http) {
      const paths = rule.http.paths ?? [];
      if (!paths.length) errs.push(required(rp.child('http', 'paths')));
      paths.forEach((ip, j) => errs.push(...validatePath(ip, rp.child('http', 'paths').index(j))));
    }
  });
  (spec.tls ?? []).forEach((tls, i) => {
    const tp = sp.child('tls').index(i);
    (tls.hosts ?? []).forEach((h, j) => {
      errs.push(...invalidEach(tp.child('hosts').index(j), h, h.includes('*') ? wildcardErrors(h) : isDNS1123Subdomain(h)));
    });
    if (tls.secretName) errs.push(...invalidEach(tp.child('secretName'), tls.secretName, isDNS1123Subdomain(tls.secretName)));
  });
  if (spec.ingressClassName != null) errs.push(...invalidEach(sp.child('ingressClassName'), spec.ingressClassName, isDNS1123Subdomain(spec.ingressClassName)));
  return errs;
}

export const ingressStrategy: Strategy = {
  prepareForCreate(obj) {
    (obj as Ingress).status = { loadBalancer: {} };
  },
  validate(obj) {
    const ing = obj as Ingress;
    const errs = validateSpec(ing.spec ?? {});
    const annotation = ing.metadata.annotations?.['kubernetes.io/ingress.class'];
    if (annotation !== undefined && ing.spec?.ingressClassName != null && annotation !== ing.spec.ingressClassName) {
      errs.push(invalidValue(path('annotations').child('kubernetes.io/ingress.class'), annotation, 'must match `ingressClassName` when both are specified'));
    }
    return errs;
  },
  validateUpdate: (obj) => validateSpec((obj as Ingress).spec ?? {}),
};

export const ingressStatusStrategy: Strategy = {
  validateUpdate(obj) {
    const errs: FieldError[] = [];
    ((obj as Ingress).status?.loadBalancer?.ingress ?? []).forEach((ing, i) => {
      const p = path('status', 'loadBalancer', 'ingress').index(i);
      if (ing.ip && !isIPAddress(ing.ip)) errs.push(invalidValue(p.child('ip'), ing.ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
      if (ing.hostname) {
        errs.push(...invalidEach(p.child('hostname'), ing.hostname, isDNS1123Subdomain(ing.hostname)));
        if (isIPAddress(ing.hostname)) errs.push(invalidValue(p.child('hostname'), ing.hostname, 'must be a DNS name, not an IP address'));
      }
    });
    return errs;
  },
};

/** Up to three hosts, "*" when none. */
function hostsText(rules: IngressRule[] | undefined): string {
  const list: string[] = [];
  let more = false;
  for (const rule of rules ?? []) {
    if (list.length === 3) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (!list.length) return '*';
  return more ? `${list.join(',')} + ${(rules ?? []).length - 3} more...` : list.join(',');
}

function addressText(status: IngressStatus | undefined): string {
  const set = new Set<string>();
  for (const ing of status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  return [...set].sort().join(',');
}

export const ingressTable: TableDef = {
  columns: [
    col('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'Ports of TLS configurations that open'),
    ageColumn,
  ],
  cells(o, now) {
    const ing = o as Ingress;
    return [
      ing.spec?.ingressClassName ?? '<none>', hostsText(ing.spec?.rules), addressText(ing.status),
      (ing.spec?.tls ?? []).length ? '80, 443' : '80', age(o, now),
    ];
  },
};
