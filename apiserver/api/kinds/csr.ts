// CertificateSigningRequests (certificates.k8s.io/v1): the requester's identity is stamped
// from the request, status starts empty, the spec is frozen, and approval conditions are set
// only through the approval subresource.
import {
  duplicate, forbiddenField, GoValue, invalidValue, notSupported, path, required, tooLong, type FieldError, type FieldPath,
} from '../field-errors.js';
import { deepEqual, type KubeObject } from '../object.js';
import type { Strategy, StrategyContext } from '../resource.js';
import { age, ageColumn, humanDuration, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../validation/names.js';
import { undecodable } from './common.js';
import { base64Error, base64Length } from './configmap.js';
import { csrRequestError } from './csr-request.js';

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

interface CSRSpec {
  request?: string;
  signerName?: string;
  expirationSeconds?: number | null;
  usages?: string[];
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

type CSR = KubeObject & { spec?: CSRSpec; status?: { conditions?: Condition[]; certificate?: string } };

const legacySigner = 'kubernetes.io/legacy-unknown';
const usages = [
  'any', 'cert sign', 'client auth', 'code signing', 'content commitment', 'crl sign', 'data encipherment', 'decipher only',
  'digital signature', 'email protection', 'encipher only', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'key agreement',
  'key encipherment', 'microsoft sgc', 'netscape sgc', 'ocsp signing', 's/mime', 'server auth', 'signing', 'timestamping',
];
const approvalTypes = ['Approved', 'Denied'];

/** A []byte as Go's %#v prints it, for the invalid-request error. */
function bytesValue(b: Buffer): GoValue {
  return new GoValue(`[]byte{${[...b].map((x) => `0x${x.toString(16)}`).join(', ')}}`);
}

/** ValidateSignerName: "example.com/signer-name". */
export function validateSignerName(p: FieldPath, name: string): FieldError[] {
  if (!name) return [required(p)];
  const segments = name.split('/');
  if (segments.length !== 2) return [invalidValue(p, name, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain, rest] = segments;
  const errs: FieldError[] = [];
  if (domain.length > 253) errs.push(tooLong(p, 253));
  const labels = domain.split('.');
  for (const label of labels) {
    const msgs = isDNS1123Label(label);
    if (msgs.length) {
      for (const m of msgs) errs.push(invalidValue(p, domain, `validating label ${JSON.stringify(label)}: ${m}`));
      break;
    }
  }
  if (labels.length < 2) errs.push(invalidValue(p, domain, 'should be a domain with at least two segments separated by dots'));
  for (const label of rest.split('.')) {
    const msgs = isDNS1123Subdomain(label);
    if (msgs.length) {
      for (const m of msgs) errs.push(invalidValue(p, rest, `validating label ${JSON.stringify(label)}: ${m}`));
      break;
    }
  }
  if (name.length > 253 + 253 + 63 + 2) errs.push(tooLong(p, 571));
  return errs;
}

function validateConditions(csr: CSR): FieldError[] {
  const errs: FieldError[] = [];
  const p = path('status', 'conditions');
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  (csr.status?.conditions ?? []).forEach((c, i) => {
    const cp = p.index(i);
    if (!c.type) errs.push(required(cp.child('type')));
    const allowed = approvalTypes.includes(c.type ?? '') || c.type === 'Failed' ? ['True'] : ['False', 'True', 'Unknown'];
    if (!c.status) errs.push(required(cp.child('status')));
    else if (!allowed.includes(c.status)) errs.push(notSupported(cp.child('status'), c.status, allowed));
    if (c.type === 'Approved') {
      approved = true;
      if (denied) errs.push(invalidValue(cp.child('type'), c.type, 'Approved and Denied conditions are mutually exclusive'));
    } else if (c.type === 'Denied') {
      denied = true;
      if (approved) errs.push(invalidValue(cp.child('type'), c.type, 'Approved and Denied conditions are mutually exclusive'));
    }
    if (seen.has(c.type ?? '')) errs.push(duplicate(cp.child('type'), c.type ?? ''));
    seen.add(c.type ?? '');
  });
  return errs;
}

function validateCSR(csr: CSR): FieldError[] {
  const spec = csr.spec ?? {};
  const sp = path('spec');
  const errs: FieldError[] = [];
  const request = Buffer.from(spec.request ?? '', 'base64');
  const why = csrRequestError(request);
  if (why) errs.push(invalidValue(sp.child('request'), bytesValue(request), why));
  const u = spec.usages ?? [];
  if (!u.length) errs.push(required(sp.child('usages')));
  u.forEach((usage, i) => {
    if (!usages.includes(usage)) errs.push(notSupported(sp.child('usages').index(i), usage, usages));
  });
  const seen = new Set<string>();
  u.forEach((usage, i) => {
    if (seen.has(usage)) errs.push(duplicate(sp.child('usages').index(i), usage));
    seen.add(usage);
  });
  if (spec.signerName === legacySigner) errs.push(invalidValue(sp.child('signerName'), spec.signerName, 'the legacy signerName is not allowed via this API version'));
  else errs.push(...validateSignerName(sp.child('signerName'), spec.signerName ?? ''));
  if (spec.expirationSeconds != null && spec.expirationSeconds < 600) {
    errs.push(invalidValue(sp.child('expirationSeconds'), spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  return [...errs, ...validateConditions(csr)];
}

const conditionsOf = (csr: CSR, type: string) => (csr.status?.conditions ?? []).filter((c) => c.type === type);

function validateCSRUpdate(csr: CSR, old: CSR, ctx: StrategyContext): FieldError[] {
  const errs = validateCSR(csr);
  for (const t of ['Approved', 'Denied', 'Failed']) {
    if (conditionsOf(csr, t).length < conditionsOf(old, t).length) errs.push(forbiddenField(path('status', 'conditions'), `updates may not remove a condition of type ${JSON.stringify(t)}`));
  }
  if (ctx.subresource !== 'approval') {
    for (const t of approvalTypes) {
      const now = conditionsOf(csr, t);
      const before = conditionsOf(old, t);
      if (now.length > before.length) errs.push(forbiddenField(path('status', 'conditions'), `updates may not add a condition of type ${JSON.stringify(t)}`));
      else if (now.length === before.length && !deepEqual(now, before)) errs.push(forbiddenField(path('status', 'conditions'), `updates may not modify a condition of type ${JSON.stringify(t)}`));
    }
  }
  if ((csr.status?.certificate ?? '') !== (old.status?.certificate ?? '')) {
    if (ctx.subresource !== 'status') errs.push(forbiddenField(path('status', 'certificate'), 'updates may not set certificate content'));
    else if (old.status?.certificate) errs.push(forbiddenField(path('status', 'certificate'), 'updates may not modify existing certificate content'));
  }
  return errs;
}

export const csrStrategy: Strategy = {
  default(obj) {
    const req = (obj as CSR).spec?.request;
    if (req !== undefined && base64Length(req) === undefined) throw undecodable('CertificateSigningRequest', 'v1', base64Error(req));
  },
  prepareForCreate(obj, ctx) {
    const csr = obj as CSR;
    const spec = (csr.spec ??= {});
    delete spec.username;
    delete spec.uid;
    delete spec.groups;
    delete spec.extra;
    if (ctx.user) {
      spec.username = ctx.user.name;
      if (ctx.user.groups.length) spec.groups = [...ctx.user.groups];
    }
    csr.status = {};
  },
  prepareForUpdate(obj, old, ctx) {
    const csr = obj as CSR;
    const before = old as CSR;
    csr.spec = before.spec;
    // The approval subresource changes only the conditions; the main resource changes neither.
    csr.status = ctx.subresource === 'approval' ? { ...before.status, conditions: csr.status?.conditions } : before.status;
    if (csr.status && csr.status.conditions === undefined) delete csr.status.conditions;
  },
  validate: (obj) => validateCSR(obj as CSR),
  validateUpdate: (obj, old, ctx) => validateCSRUpdate(obj as CSR, old as CSR, ctx),
};

export const csrStatusStrategy: Strategy = {
  validateUpdate: (obj, old, ctx) => validateCSRUpdate(obj as CSR, old as CSR, ctx),
};

/** "Approved,Issued", "Denied", "Pending" or "Pending,Failed". */
export function csrCondition(csr: CSR): string {
  const types = new Set((csr.status?.conditions ?? []).map((c) => c.type));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (csr.status?.certificate) status += ',Issued';
  return status;
}

export const csrTable: TableDef = {
  columns: [
    ageColumn,
    col('SignerName', 'Requested signer for the request.'),
    col('Requestor', 'Name of the user who created the request.'),
    col('RequestedDuration', 'expirationSeconds is the requested duration of validity of the issued certificate.'),
    col('Condition', 'Conditions applied to the request.'),
  ],
  cells(o, now) {
    const csr = o as CSR;
    const secs = csr.spec?.expirationSeconds;
    return [
      age(o, now), csr.spec?.signerName || '<none>', csr.spec?.username ?? '',
      secs != null ? humanDuration(secs * 1000) : '<none>', csrCondition(csr),
    ];
  },
};
