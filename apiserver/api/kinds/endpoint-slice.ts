// EndpointSlices (discovery.k8s.io/v1): ports default to TCP and an empty name; addresses
// must match the slice's address type, which cannot change.
import { duplicate, invalidEach, notSupported, path, required, tooMany, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { validateNonSpecialIP, validateIPv4, validateIPv6 } from '../validation/ip.js';
import { validateLabels } from '../validation/meta.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../validation/names.js';
import { immutable } from './common.js';
import { portProtocols } from './service-validation.js';

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];
const maxEndpoints = 1000;
const maxAddresses = 100;
const maxPorts = 20000;
const maxTopologyLabels = 16;

interface SliceEndpoint {
  addresses?: string[];
  nodeName?: string;
  hostname?: string;
  deprecatedTopology?: Record<string, string>;
}

interface SlicePort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

type EndpointSlice = KubeObject & { addressType?: string; endpoints?: SliceEndpoint[]; ports?: SlicePort[] };

/** IsFullyQualifiedDomainName, as EndpointSlices of type FQDN require. */
function validateFQDN(value: string, p: ReturnType<typeof path>): FieldError[] {
  const name = value.replace(/\.$/, '');
  if (!name) return [required(p)];
  const errs = invalidEach(p, value, isDNS1123Subdomain(name));
  if (!errs.length && name.split('.').length < 2) {
    errs.push({ type: 'FieldValueInvalid', field: p.toString(), body: `Invalid value: ${JSON.stringify(value)}: should be a domain with at least two segments separated by dots` });
  }
  return errs;
}

function validateSlice(s: EndpointSlice): FieldError[] {
  const errs: FieldError[] = [];
  const endpoints = s.endpoints ?? [];
  const ep = path('endpoints');
  if (endpoints.length > maxEndpoints) errs.push(tooMany(ep, endpoints.length, maxEndpoints));
  else endpoints.forEach((e, i) => {
    const ap = ep.index(i).child('addresses');
    const addresses = e.addresses ?? [];
    if (!addresses.length) errs.push(required(ap, 'must contain at least 1 address'));
    else if (addresses.length > maxAddresses) errs.push(tooMany(ap, addresses.length, maxAddresses));
    addresses.forEach((a, j) => {
      const p = ap.index(j);
      if (s.addressType === 'IPv4') {
        const ipErrs = validateIPv4(p, a);
        errs.push(...(ipErrs.length ? ipErrs : validateNonSpecialIP(a, p)));
      } else if (s.addressType === 'IPv6') {
        const ipErrs = validateIPv6(p, a);
        errs.push(...(ipErrs.length ? ipErrs : validateNonSpecialIP(a, p)));
      } else if (s.addressType === 'FQDN') {
        errs.push(...validateFQDN(a, p));
      }
    });
    if (e.nodeName != null) errs.push(...invalidEach(ep.index(i).child('nodeName'), e.nodeName, isDNS1123Subdomain(e.nodeName)));
    const tp = ep.index(i).child('deprecatedTopology');
    if (Object.keys(e.deprecatedTopology ?? {}).length > maxTopologyLabels) errs.push(tooMany(tp, Object.keys(e.deprecatedTopology!).length, maxTopologyLabels));
    errs.push(...validateLabels(e.deprecatedTopology, tp));
    if (e.hostname != null) errs.push(...invalidEach(ep.index(i).child('hostname'), e.hostname, isDNS1123Label(e.hostname)));
  });
  const ports = s.ports ?? [];
  const pp = path('ports');
  if (ports.length > maxPorts) errs.push(tooMany(pp, ports.length, maxPorts));
  else {
    const names = new Set<string>();
    ports.forEach((port, i) => {
      const p = pp.index(i);
      const name = port.name ?? '';
      if (name) errs.push(...invalidEach(p.child('name'), name, isDNS1123Label(name)));
      if (names.has(name)) errs.push(duplicate(p.child('name'), name));
      names.add(name);
      if (!port.protocol) errs.push(required(p.child('protocol')));
      else if (!portProtocols.includes(port.protocol)) errs.push(notSupported(p.child('protocol'), port.protocol, portProtocols));
      if (port.appProtocol != null) errs.push(...invalidEach(p.child('appProtocol'), port.appProtocol, isQualifiedName(port.appProtocol)));
    });
  }
  return errs;
}

function validateAddressType(t: string | undefined): FieldError[] {
  if (!t) return [required(path('addressType'))];
  return addressTypes.includes(t) ? [] : [notSupported(path('addressType'), t, addressTypes)];
}

export const endpointSliceStrategy: Strategy = {
  default(obj) {
    for (const p of (obj as EndpointSlice).ports ?? []) {
      p.name ??= '';
      p.protocol ||= 'TCP';
    }
  },
  validate: (obj) => [...validateSlice(obj as EndpointSlice), ...validateAddressType((obj as EndpointSlice).addressType)],
  validateUpdate: (obj, old) => [
    ...validateSlice(obj as EndpointSlice),
    ...immutable((obj as EndpointSlice).addressType, (old as EndpointSlice).addressType, path('addressType')),
  ],
};

/** Up to three items, then " + N more...", or "<unset>" when empty. */
function listWithMore(items: string[], count: number): string {
  const max = 3;
  if (count > max) return `${items.slice(0, max).join(',')} + ${count - max} more...`;
  return items.join(',') || '<unset>';
}

export const endpointSliceTable: TableDef = {
  columns: [
    col('AddressType', 'addressType specifies the type of address carried by this EndpointSlice.'),
    col('Ports', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    col('Endpoints', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn,
  ],
  cells(o, now) {
    const s = o as EndpointSlice;
    const ports = (s.ports ?? []).map((p) => (p.port != null ? String(p.port) : p.name != null ? p.name : '*'));
    const addresses = (s.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [s.addressType ?? '', listWithMore(ports, ports.length), listWithMore(addresses, addresses.length), age(o, now)];
  },
};
