// ValidatePodUpdate: a pod's spec is immutable except container images, activeDeadlineSeconds
// (only shortened), tolerations (only added), scheduling gates (only removed) and a negative
// grace period raised to 1. Anything else is refused with Kubernetes' message and a spec diff.
import { clone } from '../object.js';
import { forbiddenField, invalidValue, required, type FieldError, type FieldPath } from '../field-errors.js';
import { goFieldName, goLiteral } from './go-format.js';
import { asObject, num, objects, str, type JsonObject } from './json.js';
import { validatePodMetadataAndSpec } from './pod-validation.js';
import { validateTolerationsOnlyAdded } from './scheduling-validation.js';
import { semanticEqual } from './semantic.js';

export const updatablePodSpecFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** Go field order of PodSpec, so the diff lists fields as cmp.Diff would. */
const podSpecFieldOrder = [
  'volumes', 'initContainers', 'containers', 'ephemeralContainers', 'restartPolicy', 'terminationGracePeriodSeconds',
  'activeDeadlineSeconds', 'dnsPolicy', 'nodeSelector', 'serviceAccountName', 'automountServiceAccountToken', 'nodeName',
  'hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace', 'securityContext', 'imagePullSecrets', 'hostname',
  'subdomain', 'setHostnameAsFQDN', 'affinity', 'schedulerName', 'tolerations', 'hostAliases', 'priorityClassName',
  'priority', 'preemptionPolicy', 'dnsConfig', 'readinessGates', 'runtimeClassName', 'overhead', 'enableServiceLinks',
  'topologySpreadConstraints', 'os', 'schedulingGates', 'resourceClaims', 'resources', 'hostUsers',
];

/** A value in the diff; a missing scalar prints as Go's zero value of its counterpart's type. */
function goDiffValue(v: unknown, other: unknown): string {
  if (v === undefined || v === null) {
    if (typeof other === 'string') return '""';
    if (typeof other === 'number') return '0';
    if (typeof other === 'boolean') return 'false';
  }
  return goLiteral(v);
}

/** A cmp.Diff-style rendering of what differs between two pod specs. */
export function podSpecDiff(oldSpec: JsonObject, newSpec: JsonObject): string {
  const known = new Set(podSpecFieldOrder);
  const fields = [...podSpecFieldOrder, ...[...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].filter((k) => !known.has(k)).sort()];
  const lines = ['  core.PodSpec{'];
  let same = 0;
  const flush = () => {
    if (same > 0) lines.push(`  \t... // ${same} identical field${same === 1 ? '' : 's'}`);
    same = 0;
  };
  for (const f of fields) {
    if (semanticEqual(oldSpec[f], newSpec[f])) {
      same++;
      continue;
    }
    flush();
    lines.push(`- \t${goFieldName(f)}: ${goDiffValue(oldSpec[f], newSpec[f])},`);
    lines.push(`+ \t${goFieldName(f)}: ${goDiffValue(newSpec[f], oldSpec[f])},`);
  }
  flush();
  lines.push('  }');
  return `${lines.join('\n')}\n`;
}

function validateContainerUpdates(next: unknown, prev: unknown, p: FieldPath): { errs: FieldError[]; stop: boolean } {
  const n = objects(next);
  if (n.length !== objects(prev).length) return { errs: [forbiddenField(p, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  n.forEach((c, i) => {
    const image = str(c.image);
    if (!image) errs.push(required(p.index(i).child('image')));
    if (image.trim() !== image) errs.push(invalidValue(p.index(i).child('image'), image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

const protectedAnnotations = (k: string) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') || k === 'kubernetes.io/config.mirror';

function validateAnnotationUpdates(next: JsonObject, prev: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const n = (asObject(asObject(next.metadata)?.annotations) ?? {}) as Record<string, unknown>;
  const o = (asObject(asObject(prev.metadata)?.annotations) ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (k in n && n[k] === v) continue;
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/')) errs.push(forbiddenField(p.key(k), 'may not remove or update AppArmor annotations'));
    if (k === 'kubernetes.io/config.mirror') errs.push(forbiddenField(p.key(k), 'may not remove or update mirror pod annotation'));
  }
  for (const k of Object.keys(n)) {
    if (k in o || !protectedAnnotations(k)) continue;
    if (k === 'kubernetes.io/config.mirror') errs.push(forbiddenField(p.key(k), 'may not add mirror pod annotation'));
    else errs.push(forbiddenField(p.key(k), 'may not add AppArmor annotations'));
  }
  return errs;
}

/**
 * ValidatePodUpdate without the ObjectMeta part. `viaBinding` lets spec.nodeName change: the
 * binding subresource is the one way a pod gets a node.
 */
export function validatePodUpdate(next: JsonObject, prev: JsonObject, p: FieldPath, viaBinding = false): FieldError[] {
  const errs = validatePodMetadataAndSpec(next, p);
  errs.push(...validateAnnotationUpdates(next, prev, p.child('metadata', 'annotations')));
  const specPath = p.child('spec');
  const spec = asObject(next.spec) ?? {};
  const oldSpec = asObject(prev.spec) ?? {};
  for (const list of ['containers', 'initContainers']) {
    const r = validateContainerUpdates(spec[list], oldSpec[list], specPath.child(list));
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const deadline = num(spec.activeDeadlineSeconds);
  const oldDeadline = num(oldSpec.activeDeadlineSeconds);
  if (deadline !== undefined) {
    if (deadline < 0 || deadline > 2147483647) {
      return [...errs, invalidValue(specPath.child('activeDeadlineSeconds'), deadline, 'must be between 0 and 2147483647, inclusive')];
    }
    if (oldDeadline !== undefined && oldDeadline < deadline) {
      return [...errs, invalidValue(specPath.child('activeDeadlineSeconds'), deadline, 'must be less than or equal to previous value')];
    }
  } else if (oldDeadline !== undefined) {
    errs.push(invalidValue(specPath.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateTolerationsOnlyAdded(spec.tolerations, oldSpec.tolerations, specPath.child('tolerations')));
  const oldGates = new Set(objects(oldSpec.schedulingGates).map((g) => str(g.name)));
  objects(spec.schedulingGates).forEach((g, i) => {
    const name = str(g.name);
    if (!oldGates.has(name)) errs.push(forbiddenField(specPath.child('schedulingGates').index(i).child('name'), `only deletion is allowed, but found new scheduling gate '${name}'`));
  });
  if (semanticEqual(spec, oldSpec)) return errs;

  // Put back what may change, then anything still different is a forbidden change.
  const munged = clone(spec);
  objects(munged.containers).forEach((c, i) => (c.image = objects(oldSpec.containers)[i]?.image));
  objects(munged.initContainers).forEach((c, i) => (c.image = objects(oldSpec.initContainers)[i]?.image));
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  const oldGrace = num(oldSpec.terminationGracePeriodSeconds);
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  if (viaBinding) munged.nodeName = oldSpec.nodeName;
  if (oldGates.size > 0) {
    // Gated pods may still gain node selectors and node affinity.
    munged.nodeSelector = oldSpec.nodeSelector;
    const affinity = asObject(munged.affinity);
    if (affinity) affinity.nodeAffinity = asObject(oldSpec.affinity)?.nodeAffinity;
  }
  for (const k of Object.keys(munged)) if (munged[k] === undefined) delete munged[k];
  if (!semanticEqual(munged, oldSpec)) {
    errs.push(forbiddenField(specPath, `pod updates may not change fields other than ${updatablePodSpecFields.join(',')}\n${podSpecDiff(oldSpec, munged)}`));
  }
  return errs;
}
