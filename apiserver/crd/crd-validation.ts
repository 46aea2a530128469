// Validation of CustomResourceDefinitions with Kubernetes' messages: names and group, scope,
// versions (exactly one storage version, unique names) and structural schemas.
import {
  forbiddenField, invalidEach, invalidValue, notSupported, path, required, type FieldError, type FieldPath,
} from '../api/field-errors.js';
import { isPlainObject } from '../api/object.js';
import type { Schema } from '../api/schema/schema.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../api/validation/names.js';
import type { Crd } from './custom-resource.js';

const schemaTypes = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

export function validateCrd(crd: Crd): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec ?? ({} as Crd['spec']);
  const names = spec.names ?? ({} as Crd['spec']['names']);
  const p = path('spec');
  if (!spec.group) errs.push(required(p.child('group')));
  else if (!spec.group.includes('.')) errs.push(invalidValue(p.child('group'), spec.group, 'should be a domain with at least one dot'));
  else errs.push(...invalidEach(p.child('group'), spec.group, isDNS1123Subdomain(spec.group)));
  if (names.plural && spec.group && crd.metadata.name !== `${names.plural}.${spec.group}`) {
    errs.push(invalidValue(path('metadata', 'name'), crd.metadata.name ?? '', 'must be spec.names.plural+"."+spec.group'));
  }
  if (!['Namespaced', 'Cluster'].includes(spec.scope)) errs.push(notSupported(p.child('scope'), spec.scope ?? '', ['Cluster', 'Namespaced']));
  const np = p.child('names');
  if (!names.plural) errs.push(required(np.child('plural')));
  else errs.push(...invalidEach(np.child('plural'), names.plural, isDNS1123Label(names.plural)));
  if (names.singular) errs.push(...invalidEach(np.child('singular'), names.singular, isDNS1123Label(names.singular)));
  if (!names.kind) errs.push(required(np.child('kind'), ''));
  for (const [i, s] of (names.shortNames ?? []).entries()) errs.push(...invalidEach(np.child('shortNames').index(i), s, isDNS1123Label(s)));
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  const vp = p.child('versions');
  if (versions.filter((v) => v.storage).length !== 1) {
    errs.push(invalidValue(vp, versions.map((v) => v.name), 'must have exactly one version marked as storage version'));
  }
  const seen = new Set<string>();
  for (const [i, v] of versions.entries()) {
    const at = vp.index(i);
    if (!v.name) errs.push(required(at.child('name')));
    else {
      if (seen.has(v.name)) errs.push(invalidValue(at.child('name'), v.name, 'must be unique'));
      seen.add(v.name);
      errs.push(...invalidEach(at.child('name'), v.name, isDNS1123Label(v.name)));
    }
    const schema = v.schema?.openAPIV3Schema;
    const sp = at.child('schema', 'openAPIV3Schema');
    if (!schema) errs.push(required(sp, 'schemas are required'));
    else errs.push(...validateStructuralSchema(schema, sp, true));
  }
  if (versions.length > 0 && !versions.some((v) => v.served)) errs.push(invalidValue(vp, versions.map((v) => v.name), 'must have at least one served version'));
  return errs;
}

/** The structural schema rules Kubernetes enforces (the common ones). */
function validateStructuralSchema(s: Schema, at: FieldPath, root: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!isPlainObject(s)) return [invalidValue(at, s, 'must be an object')];
  const anyType = s['x-kubernetes-int-or-string'] || (s['x-kubernetes-preserve-unknown-fields'] && !s.properties && !s.items);
  if (root) {
    if (!s.type) errs.push(required(at.child('type'), 'must not be empty at the root'));
    else if (s.type !== 'object') errs.push(invalidValue(at.child('type'), s.type, 'must be object at the root'));
  } else if (!s.type && !anyType) {
    errs.push(required(at.child('type'), 'must not be empty for specified object fields'));
  }
  if (s.type && !schemaTypes.includes(String(s.type))) errs.push(notSupported(at.child('type'), s.type, schemaTypes));
  if (s.type === 'array' && !s.items) errs.push(required(at.child('items'), 'must be specified'));
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    errs.push(forbiddenField(at.child('additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
  }
  for (const [k, child] of Object.entries(s.properties ?? {})) errs.push(...validateStructuralSchema(child, at.child('properties').key(k), false));
  if (s.items && !Array.isArray(s.items)) errs.push(...validateStructuralSchema(s.items as Schema, at.child('items'), false));
  if (typeof s.additionalProperties === 'object') errs.push(...validateStructuralSchema(s.additionalProperties as Schema, at.child('additionalProperties'), false));
  return errs;
}
