// ValidatePodSpec, ValidatePodTemplateSpec and ValidatePodCreate as Kubernetes 1.32 runs them,
// in the same order, so a user sees the same errors in the same order as from a real cluster.
import {
  duplicate, forbiddenField, invalidEach, invalidValue, notSupported, required, type FieldError, type FieldPath,
} from '../field-errors.js';
import type { ObjectMeta } from '../object.js';
import { validateAnnotations, validateLabels } from '../validation/meta.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../validation/names.js';
import {
  validateAppArmorProfile, validateContainers, validateEphemeralContainers, validateIDs, validateImageWhitespace,
  validateInitContainers, validateResourceRequirements, validateSeccompProfile, type ContainerContext,
} from './container-validation.js';
import { goStruct } from './go-format.js';
import { asObject, num, objects, str, stringMap, type JsonObject } from './json.js';
import {
  validateAffinity, validateDNSConfig, validateHostAliases, validateReadinessGates, validateSchedulingGates,
  validateTolerations, validateTopologySpreadConstraints,
} from './scheduling-validation.js';
import { validateVolumes } from './volume-validation.js';

export interface PodValidationOptions {
  /** The spec is a real pod's (hostPort must equal containerPort with host networking). */
  resourceIsPod: boolean;
}

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const maxInt32 = 2147483647;
const mirrorPodAnnotation = 'kubernetes.io/config.mirror';
const deletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';
const appArmorPrefix = 'container.apparmor.security.beta.kubernetes.io/';
const seccompPodAnnotation = 'seccomp.security.alpha.kubernetes.io/pod';
const seccompContainerPrefix = 'container.seccomp.security.alpha.kubernetes.io/';

function validateSeccompAnnotation(value: string, p: FieldPath): FieldError[] {
  if (['runtime/default', 'docker/default', 'unconfined'].includes(value)) return [];
  if (value.startsWith('localhost/')) {
    const rest = value.slice('localhost/'.length);
    const errs: FieldError[] = [];
    if (rest.startsWith('/')) errs.push(invalidValue(p, rest, 'must be a relative path'));
    if (rest.split('/').includes('..')) errs.push(invalidValue(p, rest, "must not contain '..'"));
    return errs;
  }
  return [invalidValue(p, value, 'must be a valid seccomp profile')];
}

/** ValidatePodSpecificAnnotations. */
export function validatePodAnnotations(annotations: Record<string, string> | undefined, spec: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const a = annotations ?? {};
  if (mirrorPodAnnotation in a && !str(spec.nodeName)) {
    errs.push(invalidValue(p.key(mirrorPodAnnotation), a[mirrorPodAnnotation], 'must set spec.nodeName if mirror pod annotation is set'));
  }
  if (deletionCostAnnotation in a) {
    const v = a[deletionCostAnnotation];
    const n = Number(v);
    if (!/^[+-]?\d+$/.test(v) || n < -(2 ** 31) || n > 2 ** 31 - 1) errs.push(invalidValue(p.key(deletionCostAnnotation), v, 'must be a 32bit integer'));
  }
  if (seccompPodAnnotation in a) errs.push(...validateSeccompAnnotation(a[seccompPodAnnotation], p.child(seccompPodAnnotation)));
  const containerNames = new Set([...objects(spec.containers), ...objects(spec.initContainers), ...objects(spec.ephemeralContainers)].map((c) => str(c.name)));
  for (const [k, v] of Object.entries(a)) {
    if (k.startsWith(seccompContainerPrefix)) errs.push(...validateSeccompAnnotation(v, p.child(k)));
    if (!k.startsWith(appArmorPrefix)) continue;
    const container = k.slice(appArmorPrefix.length);
    if (!containerNames.has(container)) errs.push(invalidValue(p.key(k), container, 'container not found'));
    if (v !== '' && v !== 'runtime/default' && v !== 'unconfined' && !v.startsWith('localhost/')) {
      errs.push(invalidValue(p.key(k), v, `invalid AppArmor profile name: ${JSON.stringify(v)}`));
    }
  }
  return errs;
}

const sysctlSegment = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
const sysctlRe = new RegExp(`^(${sysctlSegment}[\\./])*${sysctlSegment}$`);
const fsGroupPolicies = ['Always', 'OnRootMismatch'];
const supplementalGroupsPolicies = ['Merge', 'Strict'];
const seLinuxChangePolicies = ['MountOption', 'Recursive'];

function validatePodSecurityContext(spec: JsonObject, p: FieldPath): FieldError[] {
  const sc = asObject(spec.securityContext);
  if (!sc) return [];
  const errs = validateIDs(sc, p, ['fsGroup', 'runAsUser', 'runAsGroup']);
  (Array.isArray(sc.supplementalGroups) ? sc.supplementalGroups : []).forEach((g, i) => {
    if (typeof g === 'number' && (g < 0 || g > maxInt32)) errs.push(invalidValue(p.child('supplementalGroups').index(i), g, `must be between 0 and ${maxInt32}, inclusive`));
  });
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    errs.push(invalidValue(p.child('shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  const names = new Set<string>();
  objects(sc.sysctls).forEach((s, i) => {
    const name = str(s.name);
    const np = p.child('sysctls').index(i).child('name');
    if (!name) errs.push(required(np));
    else if (name.length > 253 || !sysctlRe.test(name)) errs.push(invalidValue(np, name, `must have at most 253 characters and match regex ${sysctlRe.source}`));
    else if (names.has(name)) errs.push(duplicate(np, name));
    const netSysctl = name.startsWith('net.') || name.startsWith('net/');
    const ipcSysctl = name.startsWith('kernel.shm') || name.startsWith('kernel.msg') || name.startsWith('kernel.sem') || name.startsWith('fs.mqueue.');
    if (spec.hostNetwork === true && netSysctl) errs.push(invalidValue(np, name, "may not be specified when 'hostNetwork' is true"));
    else if (spec.hostIPC === true && ipcSysctl) errs.push(invalidValue(np, name, "may not be specified when 'hostIPC' is true"));
    names.add(name);
  });
  if (typeof sc.fsGroupChangePolicy === 'string' && !fsGroupPolicies.includes(sc.fsGroupChangePolicy)) {
    errs.push(notSupported(p.child('fsGroupChangePolicy'), sc.fsGroupChangePolicy, fsGroupPolicies));
  }
  errs.push(...validateSeccompProfile(asObject(sc.seccompProfile), p.child('seccompProfile')));
  errs.push(...validateAppArmorProfile(asObject(sc.appArmorProfile), p.child('appArmorProfile')));
  if (typeof sc.supplementalGroupsPolicy === 'string' && !supplementalGroupsPolicies.includes(sc.supplementalGroupsPolicy)) {
    errs.push(notSupported(p.child('supplementalGroupsPolicy'), sc.supplementalGroupsPolicy, supplementalGroupsPolicies));
  }
  if (typeof sc.seLinuxChangePolicy === 'string' && !seLinuxChangePolicies.includes(sc.seLinuxChangePolicy)) {
    errs.push(notSupported(p.child('seLinuxChangePolicy'), sc.seLinuxChangePolicy, seLinuxChangePolicies));
  }
  return errs;
}

function validateResourceClaims(claims: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  objects(claims).forEach((c, i) => {
    const cp = p.index(i);
    const name = str(c.name);
    if (!name) errs.push(required(cp.child('name')));
    else if (names.has(name)) errs.push(duplicate(cp.child('name'), name));
    else {
      errs.push(...invalidEach(cp.child('name'), name, isDNS1123Label(name)));
      names.add(name);
    }
    const hasClaim = typeof c.resourceClaimName === 'string';
    const hasTemplate = typeof c.resourceClaimTemplateName === 'string';
    if (hasClaim && hasTemplate) errs.push(invalidValue(cp, goStruct('core.PodResourceClaim', c), 'at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified'));
    if (!hasClaim && !hasTemplate) errs.push(invalidValue(cp, goStruct('core.PodResourceClaim', c), 'must specify one of: `resourceClaimName`, `resourceClaimTemplateName`'));
    for (const f of ['resourceClaimName', 'resourceClaimTemplateName']) {
      if (typeof c[f] === 'string') errs.push(...invalidEach(cp.child(f), c[f], isDNS1123Subdomain(c[f] as string)));
    }
  });
  return errs;
}

function validateHostNetworkPorts(spec: JsonObject, p: FieldPath, opts: PodValidationOptions): FieldError[] {
  if (spec.hostNetwork !== true) return [];
  const errs: FieldError[] = [];
  objects(spec.containers).forEach((c, i) => {
    objects(c.ports).forEach((port, j) => {
      const hp = num(port.hostPort) ?? 0;
      const cp = num(port.containerPort) ?? 0;
      if ((opts.resourceIsPod || hp !== 0) && hp !== cp) {
        errs.push(invalidValue(p.child('containers').index(i).child('ports').index(j).child('hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
      }
    });
  });
  return errs;
}

function validateOS(spec: JsonObject, p: FieldPath): FieldError[] {
  const os = asObject(spec.os);
  if (!os) return [];
  const name = str(os.name);
  if (!name) return [required(p.child('os').child('name'), 'cannot be empty')];
  if (name !== 'linux' && name !== 'windows') return [notSupported(p.child('os'), name, ['linux', 'windows'])];
  if (name === 'linux') {
    const errs: FieldError[] = [];
    if (asObject(spec.securityContext)?.windowsOptions) errs.push(forbiddenField(p.child('securityContext').child('windowsOptions'), 'windows options cannot be set for a linux pod'));
    return errs;
  }
  return [];
}

/** ValidatePodSpec. `podName` is set for real pods (ephemeral volume claim names depend on it). */
export function validatePodSpec(spec: JsonObject, p: FieldPath, opts: PodValidationOptions, podName?: string): FieldError[] {
  const errs: FieldError[] = [];
  const grace = spec.terminationGracePeriodSeconds;
  if (grace === undefined || grace === null) errs.push(required(p.child('terminationGracePeriodSeconds')));
  const hostUsers = spec.hostUsers !== false;
  const volumes = validateVolumes(spec.volumes, p.child('volumes'), podName);
  errs.push(...volumes.errs);
  const claimNames = new Set(objects(spec.resourceClaims).map((c) => str(c.name)).filter(Boolean));
  errs.push(...validateResourceClaims(spec.resourceClaims, p.child('resourceClaims')));
  const restartPolicy = str(spec.restartPolicy);
  const ctx: ContainerContext = { volumes: volumes.byName, claimNames, gracePeriod: num(grace), restartPolicy, hostUsers };
  errs.push(...validateContainers(spec.containers, p.child('containers'), ctx));
  errs.push(...validateInitContainers(spec.initContainers, spec.containers, p.child('initContainers'), ctx));
  errs.push(...validateEphemeralContainers(spec.ephemeralContainers, spec.initContainers, spec.containers, p.child('ephemeralContainers'), ctx));
  errs.push(...validateHostNetworkPorts(spec, p, opts));
  if (!restartPolicy) errs.push(required(p.child('restartPolicy')));
  else if (!restartPolicies.includes(restartPolicy)) errs.push(notSupported(p.child('restartPolicy'), restartPolicy, restartPolicies));
  const dnsPolicy = str(spec.dnsPolicy);
  if (!dnsPolicy) errs.push(required(p.child('dnsPolicy')));
  else if (!dnsPolicies.includes(dnsPolicy)) errs.push(notSupported(p.child('dnsPolicy'), dnsPolicy, dnsPolicies));
  errs.push(...validateLabels(stringMap(spec.nodeSelector), p.child('nodeSelector')));
  errs.push(...validatePodSecurityContext(spec, p.child('securityContext')));
  objects(spec.imagePullSecrets).forEach((s, i) => {
    if (Object.keys(s).some((k) => k !== 'name')) errs.push(invalidValue(p.child('imagePullSecrets').index(i), goStruct('core.LocalObjectReference', s), 'only name may be set'));
  });
  errs.push(...validateAffinity(spec.affinity, p.child('affinity')));
  errs.push(...validateDNSConfig(spec.dnsConfig, dnsPolicy, p.child('dnsConfig')));
  errs.push(...validateReadinessGates(spec.readinessGates, p.child('readinessGates')));
  errs.push(...validateSchedulingGates(spec.schedulingGates, p.child('schedulingGates')));
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, p.child('topologySpreadConstraints')));
  if (!hostUsers) {
    if (spec.hostNetwork === true) errs.push(forbiddenField(p.child('hostNetwork'), 'when `pod.Spec.HostUsers` is false'));
    if (spec.hostPID === true) errs.push(forbiddenField(p.child('HostPID'), 'when `pod.Spec.HostUsers` is false'));
    if (spec.hostIPC === true) errs.push(forbiddenField(p.child('HostIPC'), 'when `pod.Spec.HostUsers` is false'));
  }
  for (const f of ['serviceAccountName', 'nodeName'] as const) {
    const v = str(spec[f]);
    if (v) errs.push(...invalidEach(p.child(f), v, isDNS1123Subdomain(v)));
  }
  const deadline = num(spec.activeDeadlineSeconds);
  if (deadline !== undefined && (deadline < 1 || deadline > maxInt32)) {
    errs.push(invalidValue(p.child('activeDeadlineSeconds'), deadline, `must be between 1 and ${maxInt32}, inclusive`));
  }
  for (const f of ['hostname', 'subdomain'] as const) {
    const v = str(spec[f]);
    if (v) errs.push(...invalidEach(p.child(f), v, isDNS1123Label(v)));
  }
  errs.push(...validateTolerations(spec.tolerations, p.child('tolerations')));
  errs.push(...validateHostAliases(spec.hostAliases, p.child('hostAliases')));
  const priorityClass = str(spec.priorityClassName);
  if (priorityClass) errs.push(...invalidEach(p.child('priorityClassName'), priorityClass, isDNS1123Subdomain(priorityClass)));
  if (typeof spec.runtimeClassName === 'string') errs.push(...invalidEach(p.child('runtimeClassName'), spec.runtimeClassName, isDNS1123Subdomain(spec.runtimeClassName)));
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null) {
    const pp = str(spec.preemptionPolicy);
    if (!pp) errs.push(required(p.child('preemptionPolicy')));
    else if (pp !== 'PreemptLowerPriority' && pp !== 'Never') errs.push(notSupported(p.child('preemptionPolicy'), pp, ['PreemptLowerPriority', 'Never']));
  }
  if (spec.overhead) errs.push(...validateResourceRequirements({ limits: spec.overhead }, claimNames, p.child('overhead')));
  errs.push(...validateOS(spec, p));
  return errs;
}

/** ValidatePodTemplateSpec: labels, annotations and the spec of a workload's template. */
export function validatePodTemplateSpec(template: JsonObject | undefined, p: FieldPath): FieldError[] {
  const t = template ?? {};
  const meta = (asObject(t.metadata) ?? {}) as ObjectMeta;
  const spec = asObject(t.spec) ?? {};
  const errs = [
    ...validateLabels(stringMap(meta.labels), p.child('labels')),
    ...validateAnnotations(stringMap(meta.annotations), p.child('annotations')),
    ...validatePodAnnotations(stringMap(meta.annotations), spec, p.child('annotations')),
    ...validatePodSpec(spec, p.child('spec'), { resourceIsPod: false }),
  ];
  if (objects(spec.ephemeralContainers).length > 0) errs.push(forbiddenField(p.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return errs;
}

/** What pods get beyond their spec (validatePodMetadataAndSpec's pod-only checks). */
export function validatePodMetadataAndSpec(pod: JsonObject, p: FieldPath): FieldError[] {
  const meta = (asObject(pod.metadata) ?? {}) as ObjectMeta;
  const spec = asObject(pod.spec) ?? {};
  const specPath = p.child('spec');
  const errs = [
    ...validatePodAnnotations(stringMap(meta.annotations), spec, p.child('metadata', 'annotations')),
    ...validatePodSpec(spec, specPath, { resourceIsPod: true }, meta.name),
  ];
  if (!str(spec.serviceAccountName)) {
    objects(spec.volumes).forEach((v, vi) => {
      objects(asObject(v.projected)?.sources).forEach((s, si) => {
        if (s.serviceAccountToken) {
          errs.push(forbiddenField(specPath.child('volumes').index(vi).child('projected').child('sources').index(si).child('serviceAccountToken'), 'must not be specified when serviceAccountName is not set'));
        }
      });
    });
  }
  errs.push(...validateImageWhitespace(spec.containers, specPath.child('containers')));
  errs.push(...validateImageWhitespace(spec.initContainers, specPath.child('initContainers')));
  return errs;
}

/** ValidatePodCreate (without ObjectMeta, which the generic store checks). */
export function validatePodCreate(pod: JsonObject, p: FieldPath): FieldError[] {
  const spec = asObject(pod.spec) ?? {};
  const specPath = p.child('spec');
  const errs = validatePodMetadataAndSpec(pod, p);
  if (objects(spec.ephemeralContainers).length > 0) errs.push(forbiddenField(specPath.child('ephemeralContainers'), 'cannot be set on create'));
  if (str(spec.nodeName) && objects(spec.schedulingGates).length > 0) {
    errs.push(forbiddenField(specPath.child('nodeName'), 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}
