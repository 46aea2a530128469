// NetworkPolicies: policyTypes default from the rules present, ports to TCP; peers name
// exactly one kind of selector or an ipBlock.
import { forbiddenField, GoValue, invalidEach, invalidValue, notSupported, path, required, type FieldError, type FieldPath } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { fromLabelSelectorSpec, type LabelSelectorSpec } from '../selectors/labels.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { isCIDR, isStrictSubnet, invalidCIDRMessage } from '../validation/ip.js';
import { validateLabelSelector } from '../validation/label-selector.js';
import { isValidPortName, isValidPortNum } from '../validation/names.js';

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

interface IPBlock {
  cidr?: string;
  except?: string[];
}

interface Peer {
  podSelector?: LabelSelectorSpec | null;
  namespaceSelector?: LabelSelectorSpec | null;
  ipBlock?: IPBlock | null;
}

interface PolicySpec {
  podSelector?: LabelSelectorSpec;
  ingress?: Array<{ ports?: PolicyPort[]; from?: Peer[] }>;
  egress?: Array<{ ports?: PolicyPort[]; to?: Peer[] }>;
  policyTypes?: string[];
}

type NetworkPolicy = KubeObject & { spec?: PolicySpec };

const protocols = ['TCP', 'UDP', 'SCTP'];

function validatePort(port: PolicyPort, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (port.protocol != null && !protocols.includes(port.protocol)) errs.push(notSupported(p.child('protocol'), port.protocol, protocols));
  if (port.port != null) {
    if (typeof port.port === 'number') {
      errs.push(...invalidEach(p.child('port'), port.port, isValidPortNum(port.port)));
      if (port.endPort != null) {
        if (port.endPort < port.port) errs.push(invalidValue(p.child('endPort'), port.endPort, 'must be greater than or equal to `port`'));
        errs.push(...invalidEach(p.child('endPort'), port.endPort, isValidPortNum(port.endPort)));
      }
    } else {
      if (port.endPort != null) errs.push(invalidValue(p.child('endPort'), port.endPort, 'may not be specified when `port` is non-numeric'));
      errs.push(...invalidEach(p.child('port'), port.port, isValidPortName(port.port)));
    }
  } else if (port.endPort != null) {
    errs.push(invalidValue(p.child('endPort'), port.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

function validateIPBlock(b: IPBlock, p: FieldPath): FieldError[] {
  if (!b.cidr) return [required(p.child('cidr'))];
  if (!isCIDR(b.cidr)) return [invalidValue(p.child('cidr'), b.cidr, invalidCIDRMessage)];
  const errs: FieldError[] = [];
  (b.except ?? []).forEach((e, i) => {
    const ep = p.child('except').index(i);
    if (!isCIDR(e)) errs.push(invalidValue(ep, e, invalidCIDRMessage));
    else if (!isStrictSubnet(b.cidr!, e)) errs.push(invalidValue(ep, e, 'must be a strict subset of `cidr`'));
  });
  return errs;
}

function validatePeer(peer: Peer, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  if (peer.podSelector) { n++; errs.push(...validateLabelSelector(peer.podSelector, p.child('podSelector'))); }
  if (peer.namespaceSelector) { n++; errs.push(...validateLabelSelector(peer.namespaceSelector, p.child('namespaceSelector'))); }
  if (peer.ipBlock) { n++; errs.push(...validateIPBlock(peer.ipBlock, p.child('ipBlock'))); }
  if (n === 0) errs.push(required(p, 'must specify a peer'));
  else if (n > 1 && peer.ipBlock) errs.push(forbiddenField(p, 'may not specify both ipBlock and another peer'));
  return errs;
}

function validateSpec(spec: PolicySpec): FieldError[] {
  const sp = path('spec');
  const errs = validateLabelSelector(spec.podSelector, sp.child('podSelector'));
  (spec.ingress ?? []).forEach((rule, i) => {
    const rp = sp.child('ingress').index(i);
    (rule.ports ?? []).forEach((port, j) => errs.push(...validatePort(port, rp.child('ports').index(j))));
    (rule.from ?? []).forEach((peer, j) => errs.push(...validatePeer(peer, rp.child('from').index(j))));
  });
  (spec.egress ?? []).forEach((rule, i) => {
    const rp = sp.child('egress').index(i);
    (rule.ports ?? []).forEach((port, j) => errs.push(...validatePort(port, rp.child('ports').index(j))));
    (rule.to ?? []).forEach((peer, j) => errs.push(...validatePeer(peer, rp.child('to').index(j))));
  });
  const types = spec.policyTypes ?? [];
  if (types.length > 2) {
    errs.push(invalidValue(sp.child('policyTypes'), new GoValue(`[]networking.PolicyType{${types.map((t) => JSON.stringify(t)).join(', ')}}`), 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(sp.child('policyTypes').index(i), t, ['Ingress', 'Egress']));
  });
  return errs;
}

export const networkPolicyStrategy: Strategy = {
  default(obj) {
    const spec = ((obj as NetworkPolicy).spec ??= {});
    spec.podSelector ??= {};
    for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const p of rule.ports ?? []) p.protocol ??= 'TCP';
    if (!(spec.policyTypes ?? []).length) spec.policyTypes = (spec.egress ?? []).length ? ['Ingress', 'Egress'] : ['Ingress'];
  },
  validate: (obj) => validateSpec((obj as NetworkPolicy).spec ?? {}),
};

/** FormatLabelSelector: "app=web", or "<none>" for an empty selector. */
export function formatLabelSelector(sel: LabelSelectorSpec | null | undefined): string {
  try {
    return fromLabelSelectorSpec(sel ?? {}).toString() || '<none>';
  } catch {
    return '<error>';
  }
}

export const networkPolicyTable: TableDef = {
  columns: [col('Pod-Selector', 'Selects the pods to which this NetworkPolicy object applies.'), ageColumn],
  cells: (o, now) => [formatLabelSelector((o as NetworkPolicy).spec?.podSelector), age(o, now)],
};
