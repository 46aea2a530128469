// ObjectMeta validation shared by every kind (Kubernetes' ValidateObjectMeta and its update
// counterpart).
import {
  forbiddenField, invalidEach, invalidValue, required, tooLong, type FieldError, type FieldPath,
} from '../field-errors.js';
import type { ObjectMeta, OwnerReference } from '../object.js';
import { isDNS1123Label, isLabelValue, isQualifiedName, isValidPathSegmentName, type NameValidator } from './names.js';

const totalAnnotationSizeLimit = 256 * 1024;

export function validateLabels(labels: Record<string, string> | undefined, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...invalidEach(p, k, isQualifiedName(k)));
    if (typeof v !== 'string') errs.push(invalidValue(p, v, 'must be a string'));
    else errs.push(...invalidEach(p, v, isLabelValue(v)));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    errs.push(...invalidEach(p, k, isQualifiedName(k.toLowerCase())));
    size += k.length + String(v).length;
  }
  if (size > totalAnnotationSizeLimit) errs.push(tooLong(p, totalAnnotationSizeLimit));
  return errs;
}

function validateOwnerReferences(refs: OwnerReference[] | undefined, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  (refs ?? []).forEach((r, i) => {
    const rp = p.index(i);
    if (!r.apiVersion) errs.push(invalidValue(rp.child('apiVersion'), r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) errs.push(invalidValue(rp.child('kind'), r.kind ?? '', 'kind must not be empty'));
    if (!r.name) errs.push(invalidValue(rp.child('name'), r.name ?? '', 'name must not be empty'));
    if (!r.uid) errs.push(invalidValue(rp.child('uid'), r.uid ?? '', 'uid must not be empty'));
    if (r.controller) controllers.push(`${r.kind}/${r.name}`);
  });
  if (controllers.length > 1) {
    errs.push(invalidValue(p, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`));
  }
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) errs.push(...invalidEach(p, f, isQualifiedName(f)));
  const set = new Set(finalizers ?? []);
  if (set.has('orphan') && set.has('foregroundDeletion')) {
    errs.push(invalidValue(p, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

export interface MetaRules {
  namespaced: boolean;
  nameValidator: NameValidator;
}

export function validateObjectMeta(meta: ObjectMeta, rules: MetaRules, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!meta.name) {
    if (!meta.generateName) errs.push(required(p.child('name'), 'name or generateName is required'));
  } else {
    errs.push(...invalidEach(p.child('name'), meta.name, rules.nameValidator(meta.name)));
    errs.push(...invalidEach(p.child('name'), meta.name, isValidPathSegmentName(meta.name)));
  }
  if (rules.namespaced) {
    if (!meta.namespace) errs.push(required(p.child('namespace'), ''));
    else errs.push(...invalidEach(p.child('namespace'), meta.namespace, isDNS1123Label(meta.namespace)));
  } else if (meta.namespace) {
    errs.push(forbiddenField(p.child('namespace'), 'not allowed on this type'));
  }
  if (meta.generation !== undefined && meta.generation < 0) {
    errs.push(invalidValue(p.child('generation'), meta.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(meta.labels, p.child('labels')));
  errs.push(...validateAnnotations(meta.annotations, p.child('annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, p.child('ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, p.child('finalizers')));
  return errs;
}

export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const immutable = (field: keyof ObjectMeta, msg = 'field is immutable') => {
    if ((meta[field] ?? '') !== (old[field] ?? '')) errs.push(invalidValue(p.child(field as string), meta[field] ?? '', msg));
  };
  immutable('name');
  immutable('namespace');
  immutable('uid');
  immutable('creationTimestamp');
  immutable('deletionTimestamp', 'field is immutable; may only be changed via deletion');
  if (old.deletionTimestamp && (old.finalizers ?? []).length > 0) {
    // Finalizers may only be removed once deletion has started.
    const added = (meta.finalizers ?? []).filter((f) => !(old.finalizers ?? []).includes(f));
    if (added.length > 0) {
      errs.push(forbiddenField(p.child('finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`));
    }
  }
  if ((meta.generation ?? 0) < (old.generation ?? 0)) {
    errs.push(invalidValue(p.child('generation'), meta.generation ?? 0, 'must not be decremented'));
  }
  return errs;
}
