// Endpoints: ports default to TCP; addresses must be routable IPs; the ENDPOINTS column shows
// up to three ip:port pairs and how many more there are.
import { invalidEach, notSupported, path, required, type FieldError, type FieldPath } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { validateIP, validateNonSpecialIP } from '../validation/ip.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum } from '../validation/names.js';
import { portProtocols } from './service-validation.js';

interface EndpointAddress {
  ip?: string;
  hostname?: string;
  nodeName?: string;
}

interface EndpointPort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

type Endpoints = KubeObject & { subsets?: EndpointSubset[] };

function validateAddress(a: EndpointAddress, p: FieldPath): FieldError[] {
  const errs = validateIP(p.child('ip'), a.ip ?? '');
  if (a.hostname) errs.push(...invalidEach(p.child('hostname'), a.hostname, isDNS1123Label(a.hostname)));
  if (a.nodeName != null) errs.push(...invalidEach(p.child('nodeName'), a.nodeName, isDNS1123Subdomain(a.nodeName)));
  errs.push(...validateNonSpecialIP(a.ip ?? '', p.child('ip')));
  return errs;
}

/** An endpoint port (shared with the port checks of other kinds that list named ports). */
export function validateEndpointPort(port: EndpointPort, requireName: boolean, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !port.name) errs.push(required(p.child('name')));
  else if (port.name) errs.push(...invalidEach(p.child('name'), port.name, isDNS1123Label(port.name)));
  errs.push(...invalidEach(p.child('port'), port.port ?? 0, isValidPortNum(port.port ?? 0)));
  if (!port.protocol) errs.push(required(p.child('protocol')));
  else if (!portProtocols.includes(port.protocol)) errs.push(notSupported(p.child('protocol'), port.protocol, portProtocols));
  if (port.appProtocol != null) errs.push(...invalidEach(p.child('appProtocol'), port.appProtocol, isQualifiedName(port.appProtocol)));
  return errs;
}

function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((ss, i) => {
    const sp = path('subsets').index(i);
    if (!(ss.addresses ?? []).length && !(ss.notReadyAddresses ?? []).length) {
      errs.push(required(sp, 'must specify `addresses` or `notReadyAddresses`'));
    }
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, sp.child('addresses').index(j))));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, sp.child('notReadyAddresses').index(j))));
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => errs.push(...validateEndpointPort(port, ports.length > 1, sp.child('ports').index(j))));
  });
  return errs;
}

export const endpointsStrategy: Strategy = {
  default(obj) {
    for (const ss of (obj as Endpoints).subsets ?? []) for (const p of ss.ports ?? []) p.protocol ||= 'TCP';
  },
  validate: (obj) => validateEndpoints(obj as Endpoints),
};

/** "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...", or "<none>". */
export function formatEndpoints(subsets: EndpointSubset[] | undefined): string {
  if (!(subsets ?? []).length) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  for (const ss of subsets!) {
    const addresses = ss.addresses ?? [];
    if (!(ss.ports ?? []).length) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        list.push(a.ip ?? '');
      }
      continue;
    }
    for (const port of ss.ports!) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        list.push(hostPort(a.ip ?? '', port.port ?? 0));
      }
    }
  }
  const text = list.join(',');
  return more ? `${text} + ${count - max} more...` : text;
}

export const endpointsTable: TableDef = {
  columns: [col('Endpoints', 'The set of all endpoints is the union of all subsets.'), ageColumn],
  cells: (o, now) => [formatEndpoints((o as Endpoints).subsets), age(o, now)],
};

