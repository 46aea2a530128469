// Service validation (ValidateService, ValidateServiceUpdate and the cluster-IP family
// rules), with Kubernetes' field paths and messages.
import {
  duplicate, forbiddenField, GoValue, goStrings, invalidEach, invalidValue, notSupported, required,
  type FieldError, type FieldPath, path,
} from '../field-errors.js';
import { validateLabels } from '../validation/meta.js';
import { ipFamilyOf, validateCIDR, validateIP, validateNonSpecialIP } from '../validation/ip.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortName, isValidPortNum } from '../validation/names.js';
import {
  clusterIPNone, externallyAccessible, isHeadless, needsHealthCheckNodePort, type IntOrString, type Service,
  type ServicePort, type ServiceSpec,
} from './service-types.js';

export const portProtocols = ['SCTP', 'TCP', 'UDP'];
const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const sessionAffinities = ['ClientIP', 'None'];
const trafficPolicies = ['Cluster', 'Local'];
const ipFamilies = ['IPv4', 'IPv6'];
const ipFamilyPolicies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const kubeletPort = 10250;
const maxClientIPAffinitySeconds = 86400;

/** Validates an IntOrString port: a number in range or an IANA-style port name. */
export function validatePortNumOrName(port: IntOrString | undefined, p: FieldPath): FieldError[] {
  if (typeof port === 'number') return invalidEach(p, port, isValidPortNum(port));
  if (typeof port === 'string') return invalidEach(p, port, isValidPortName(port));
  return invalidEach(p, 0, isValidPortNum(0));
}

/** The duplicate (protocol, port) key as Go prints the internal ServicePort it builds. */
function servicePortKey(protocol: string, port: number): GoValue {
  return new GoValue(`core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`);
}

function validateServicePort(sp: ServicePort, requireName: boolean, names: Set<string>, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = sp.name ?? '';
  if (requireName && !name) errs.push(required(p.child('name')));
  else if (name) {
    errs.push(...invalidEach(p.child('name'), name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(p.child('name'), name));
    else names.add(name);
  }
  errs.push(...invalidEach(p.child('port'), sp.port ?? 0, isValidPortNum(sp.port ?? 0)));
  if (!sp.protocol) errs.push(required(p.child('protocol')));
  else if (!portProtocols.includes(sp.protocol)) errs.push(notSupported(p.child('protocol'), sp.protocol, portProtocols));
  errs.push(...validatePortNumOrName(sp.targetPort, p.child('targetPort')));
  if (sp.appProtocol != null) errs.push(...invalidEach(p.child('appProtocol'), sp.appProtocol, isQualifiedName(sp.appProtocol)));
  return errs;
}

function validateClientIPAffinity(s: ServiceSpec, p: FieldPath): FieldError[] {
  const why = 'when session affinity type is ClientIP';
  const cfg = s.sessionAffinityConfig;
  if (!cfg) return [required(p, why)];
  if (!cfg.clientIP) return [required(p.child('clientIP'), why)];
  const t = cfg.clientIP.timeoutSeconds;
  if (t === undefined || t === null) return [required(p.child('clientIP', 'timeoutSeconds'), why)];
  if (t <= 0 || t > maxClientIPAffinitySeconds) {
    return [invalidValue(p.child('clientIP', 'timeoutSeconds'), t, `must be greater than 0 and less than ${maxClientIPAffinitySeconds}`)];
  }
  return [];
}

/** clusterIP vs clusterIPs, ipFamilies and ipFamilyPolicy (ValidateServiceClusterIPsRelatedFields). */
export function validateClusterIPFields(s: ServiceSpec): FieldError[] {
  if (s.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ipsPath = path('spec', 'clusterIPs');
  const ips = s.clusterIPs ?? [];
  if (s.clusterIP) {
    if (ips.length === 0) errs.push(required(ipsPath));
    else if (ips[0] !== s.clusterIP) errs.push(invalidValue(ipsPath, goStrings(ips), 'first value must match `clusterIP`'));
  } else if (ips.length) {
    errs.push(invalidValue(ipsPath, goStrings(ips), 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (s.ipFamilies ?? []).forEach((f, i) => {
    if (!ipFamilies.includes(f)) errs.push(notSupported(path('spec', 'ipFamilies').index(i), f, ipFamilies));
    if (seen.has(f)) errs.push(duplicate(path('spec', 'ipFamilies').index(i), f));
    seen.add(f);
  });
  if (s.ipFamilyPolicy != null && !ipFamilyPolicies.includes(s.ipFamilyPolicy)) {
    errs.push(notSupported(path('spec', 'ipFamilyPolicy'), s.ipFamilyPolicy, ipFamilyPolicies));
  }
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === clusterIPNone) {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(invalidValue(ipsPath, goStrings(ips), "'None' must be the first and only value"));
      }
      return;
    }
    const ipErrs = validateIP(ipsPath.index(i), ip);
    if (ipErrs.length) badIPs = true;
    errs.push(...ipErrs);
  });
  if (ips.length > 2) errs.push(invalidValue(ipsPath, goStrings(ips), 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (ips.length > 1 && ipFamilyOf(ips[0]) === ipFamilyOf(ips[1])) {
    errs.push(invalidValue(ipsPath, goStrings(ips), 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(s) && ips.length && (s.ipFamilies ?? []).length) {
    ips.forEach((ip, i) => {
      const fam = s.ipFamilies![i];
      if (fam === undefined) return;
      if (fam === 'IPv4' && ipFamilyOf(ip) === 'IPv6') errs.push(invalidValue(ipsPath.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fam === 'IPv6' && ipFamilyOf(ip) !== 'IPv6') errs.push(invalidValue(ipsPath.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function validateTrafficPolicies(s: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  const sp = path('spec');
  if (!externallyAccessible(s)) {
    if (s.externalTrafficPolicy) errs.push(invalidValue(sp.child('externalTrafficPolicy'), s.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (!s.externalTrafficPolicy) {
    errs.push(required(sp.child('externalTrafficPolicy')));
  } else if (!trafficPolicies.includes(s.externalTrafficPolicy)) {
    errs.push(notSupported(sp.child('externalTrafficPolicy'), s.externalTrafficPolicy, trafficPolicies));
  }
  const hc = s.healthCheckNodePort ?? 0;
  if (!needsHealthCheckNodePort(s)) {
    if (hc) errs.push(invalidValue(sp.child('healthCheckNodePort'), hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (!hc) {
    errs.push(required(sp.child('healthCheckNodePort')));
  } else {
    errs.push(...invalidEach(sp.child('healthCheckNodePort'), hc, isValidPortNum(hc)));
  }
  if (s.internalTrafficPolicy == null) {
    if (s.type === 'NodePort' || s.type === 'LoadBalancer' || s.type === 'ClusterIP') errs.push(required(sp.child('internalTrafficPolicy')));
  } else if (!trafficPolicies.includes(s.internalTrafficPolicy)) {
    errs.push(notSupported(sp.child('internalTrafficPolicy'), s.internalTrafficPolicy, trafficPolicies));
  }
  if (s.trafficDistribution != null && s.trafficDistribution !== 'PreferClose') {
    errs.push(notSupported(sp.child('trafficDistribution'), s.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

function validateLoadBalancerClassChange(s: ServiceSpec, old: ServiceSpec): FieldError[] {
  if (old.type !== 'LoadBalancer' || s.type !== 'LoadBalancer' || (old.loadBalancerClass ?? null) === (s.loadBalancerClass ?? null)) return [];
  return [invalidValue(path('spec', 'loadBalancerClass'), s.loadBalancerClass ?? null, 'may not change once set')];
}

function validateLoadBalancerClass(s: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  const p = path('spec', 'loadBalancerClass');
  if (s.type === 'LoadBalancer') {
    if (s.loadBalancerClass != null) errs.push(...invalidEach(p, s.loadBalancerClass, isQualifiedName(s.loadBalancerClass)));
  } else if (s.loadBalancerClass != null) {
    errs.push(forbiddenField(p, "may only be used when `type` is 'LoadBalancer'"));
  }
  return errs;
}

export function validateService(svc: Service): FieldError[] {
  const s = svc.spec ?? {};
  const errs: FieldError[] = [];
  const sp = path('spec');
  const ports = s.ports ?? [];
  const headless = isHeadless(s);
  if (ports.length === 0 && !headless && s.type !== 'ExternalName') errs.push(required(sp.child('ports')));
  switch (s.type) {
    case 'LoadBalancer':
      ports.forEach((p, i) => {
        if (p.port === kubeletPort) errs.push(invalidValue(sp.child('ports').index(i), p.port, `may not expose port ${kubeletPort} externally since it is used by kubelet`));
      });
      if (headless) errs.push(invalidValue(sp.child('clusterIPs').index(0), clusterIPNone, "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (headless) errs.push(invalidValue(sp.child('clusterIPs').index(0), clusterIPNone, "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if ((s.clusterIPs ?? []).length) errs.push(forbiddenField(sp.child('clusterIPs'), 'may not be set for ExternalName services'));
      if ((s.ipFamilies ?? []).length) errs.push(forbiddenField(sp.child('ipFamilies'), 'may not be set for ExternalName services'));
      if (s.ipFamilyPolicy != null) errs.push(forbiddenField(sp.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
      // A trailing dot marks the name fully qualified.
      const cname = (s.externalName ?? '').replace(/\.$/, '');
      if (cname) errs.push(...invalidEach(sp.child('externalName'), cname, isDNS1123Subdomain(cname)));
      else errs.push(required(sp.child('externalName')));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, sp.child('ports').index(i))));
  if (s.selector) errs.push(...validateLabels(s.selector, sp.child('selector')));
  if (!s.sessionAffinity) errs.push(required(sp.child('sessionAffinity')));
  else if (!sessionAffinities.includes(s.sessionAffinity)) errs.push(notSupported(sp.child('sessionAffinity'), s.sessionAffinity, sessionAffinities));
  if (s.sessionAffinity === 'ClientIP') errs.push(...validateClientIPAffinity(s, sp.child('sessionAffinityConfig')));
  else if (s.sessionAffinity === 'None' && s.sessionAffinityConfig) {
    errs.push(forbiddenField(sp.child('sessionAffinityConfig'), 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPFields(s));
  (s.externalIPs ?? []).forEach((ip, i) => {
    const ipErrs = validateIP(sp.child('externalIPs').index(i), ip);
    errs.push(...(ipErrs.length ? ipErrs : validateNonSpecialIP(ip, sp.child('externalIPs').index(i))));
  });
  if (!s.type) errs.push(required(sp.child('type')));
  else if (!serviceTypes.includes(s.type)) errs.push(notSupported(sp.child('type'), s.type, serviceTypes));
  if (s.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(forbiddenField(sp.child('ports').index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(duplicate(sp.child('ports').index(i).child('nodePort'), p.nodePort));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (portKeys.has(key)) errs.push(duplicate(sp.child('ports').index(i), servicePortKey(p.protocol ?? '', p.port ?? 0)));
    portKeys.add(key);
  });
  if ((s.loadBalancerSourceRanges ?? []).length) {
    // Kubernetes names this path with a capital L.
    const rp = sp.child('LoadBalancerSourceRanges');
    if (s.type !== 'LoadBalancer') errs.push(forbiddenField(rp, "may only be used when `type` is 'LoadBalancer'"));
    s.loadBalancerSourceRanges!.forEach((r, i) => errs.push(...validateCIDR(rp.index(i), r.trim())));
  }
  if (s.allocateLoadBalancerNodePorts != null && s.type !== 'LoadBalancer') {
    errs.push(forbiddenField(sp.child('allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
  }
  if (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts == null) errs.push(required(path('allocateLoadBalancerNodePorts')));
  errs.push(...validateLoadBalancerClass(s));
  errs.push(...validateTrafficPolicies(s));
  return errs;
}

function validateClusterIPsUpdate(s: ServiceSpec, old: ServiceSpec): FieldError[] {
  if (s.type === 'ExternalName' || old.type === 'ExternalName') return [];
  if (isHeadless(s) && isHeadless(old)) return [];
  const errs: FieldError[] = [];
  const ips = s.clusterIPs ?? [];
  const oldIPs = old.clusterIPs ?? [];
  const at0 = path('spec', 'clusterIPs').index(0);
  if (oldIPs.length === ips.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== ips[i]) errs.push(invalidValue(path('spec', 'clusterIPs').index(i), goStrings(ips), 'may not change once set'));
    });
  } else if (oldIPs.length > ips.length) {
    if (ips.length === 0) errs.push(invalidValue(at0, goStrings(ips), 'primary clusterIP can not be unset'));
    if (oldIPs.length && ips.length && ips[0] !== oldIPs[0]) errs.push(invalidValue(at0, goStrings(ips), 'may not change once set'));
    if (ips.length === 1 && s.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalidValue(path('spec', 'ipFamilyPolicy'), s.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (oldIPs.length && ips[0] !== oldIPs[0]) {
    errs.push(invalidValue(at0, goStrings(ips), 'may not change once set'));
  }
  return errs;
}

function validateIPFamiliesUpdate(s: ServiceSpec, old: ServiceSpec): FieldError[] {
  if (s.type === 'ExternalName' || old.type === 'ExternalName') return [];
  if (isHeadless(s) !== isHeadless(old) || isHeadless(s)) return [];
  const errs: FieldError[] = [];
  const fams = s.ipFamilies ?? [];
  const oldFams = old.ipFamilies ?? [];
  const at0 = path('spec', 'ipFamilies').index(0);
  if (oldFams.length === fams.length) {
    if (oldFams.some((f, i) => f !== fams[i])) errs.push(invalidValue(at0, goStrings(fams), 'may not change once set'));
  } else if (oldFams.length > fams.length) {
    if ((s.clusterIPs ?? []).length === 0) errs.push(invalidValue(at0, goStrings(fams), 'primary ipFamily can not be unset'));
    if (fams.length && fams[0] !== oldFams[0]) errs.push(invalidValue(at0, goStrings(s.clusterIPs), 'may not change once set'));
    if (fams.length === 1 && s.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalidValue(path('spec', 'ipFamilyPolicy'), s.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (oldFams.length && fams.length && fams[0] !== oldFams[0]) {
    errs.push(invalidValue(at0, goStrings(s.clusterIPs), 'may not change once set'));
  }
  return errs;
}

export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const s = svc.spec ?? {};
  const o = old.spec ?? {};
  const errs = [...validateClusterIPsUpdate(s, o), ...validateIPFamiliesUpdate(s, o)];
  errs.push(...validateLoadBalancerClassChange(s, o));
  if (needsHealthCheckNodePort(o) && needsHealthCheckNodePort(s) && s.healthCheckNodePort !== o.healthCheckNodePort) {
    errs.push(forbiddenField(path('spec', 'healthCheckNodePort'), 'field is immutable'));
  }
  return [...errs, ...validateService(svc)];
}

/** Load-balancer status may only be reported for LoadBalancer services (ValidateServiceStatusUpdate). */
export function validateServiceStatus(svc: Service): FieldError[] {
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  const p = path('status', 'loadBalancer', 'ingress');
  if (svc.spec?.type !== 'LoadBalancer' && ingress.length) return [forbiddenField(p, "may only be used when `spec.type` is 'LoadBalancer'")];
  const errs: FieldError[] = [];
  ingress.forEach((ing, i) => {
    const ip = p.index(i);
    if (ing.ip) errs.push(...validateIP(ip.child('ip'), ing.ip));
    if (ing.ipMode == null) {
      if (ing.ip) errs.push(required(ip.child('ipMode'), 'must be specified when `ip` is set'));
    } else if (!ing.ip) {
      errs.push(forbiddenField(ip.child('ipMode'), 'may not be specified when `ip` is not set'));
    } else if (ing.ipMode !== 'VIP' && ing.ipMode !== 'Proxy') {
      errs.push(notSupported(ip.child('ipMode'), ing.ipMode, ['Proxy', 'VIP']));
    }
    if (ing.hostname) {
      errs.push(...invalidEach(ip.child('hostname'), ing.hostname, isDNS1123Subdomain(ing.hostname)));
      if (ipFamilyOf(ing.hostname)) errs.push(invalidValue(ip.child('hostname'), ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}
