// StorageClasses: Delete and Immediate by default; provisioner, parameters and reclaim policy
// are fixed at creation. "(default)" marks the class named by the default-class annotation.
import { forbiddenField, invalidEach, invalidValue, notSupported, path, required, tooLong, type FieldError } from '../field-errors.js';
import { deepEqual, type KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { ageColumn, age, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { isQualifiedName } from '../validation/names.js';
import { immutable } from './common.js';

type StorageClass = KubeObject & {
  provisioner?: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  allowVolumeExpansion?: boolean;
};

const reclaimPolicies = ['Delete', 'Retain'];
const bindingModes = ['Immediate', 'WaitForFirstConsumer'];
const maxParameters = 512;
const maxParameterBytes = 256 * 1024;

/** A provisioner (or CSI driver) name: a qualified name, case-insensitively. */
export function validateProvisioner(value: string | undefined, p: ReturnType<typeof path>): FieldError[] {
  if (!value) return [required(p)];
  return invalidEach(p, value.toLowerCase(), isQualifiedName(value.toLowerCase()));
}

function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs = validateProvisioner(sc.provisioner, path('provisioner'));
  const params = sc.parameters ?? {};
  if (Object.keys(params).length > maxParameters) errs.push(tooLong(path('parameters'), maxParameters));
  else {
    let size = 0;
    for (const [k, v] of Object.entries(params)) {
      if (!k) errs.push(invalidValue(path('parameters'), k, 'field can not be empty.'));
      size += k.length + String(v).length;
    }
    if (size > maxParameterBytes) errs.push(tooLong(path('parameters'), maxParameterBytes));
  }
  if (sc.reclaimPolicy && !reclaimPolicies.includes(sc.reclaimPolicy)) errs.push(notSupported(path('reclaimPolicy'), sc.reclaimPolicy, reclaimPolicies));
  if (!sc.volumeBindingMode) errs.push(required(path('volumeBindingMode')));
  else if (!bindingModes.includes(sc.volumeBindingMode)) errs.push(notSupported(path('volumeBindingMode'), sc.volumeBindingMode, bindingModes));
  return errs;
}

function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  if (!deepEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(forbiddenField(path('parameters'), 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(forbiddenField(path('provisioner'), 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbiddenField(path('reclaimPolicy'), 'updates to reclaimPolicy are forbidden.'));
  errs.push(...immutable(sc.volumeBindingMode, old.volumeBindingMode, path('volumeBindingMode')));
  return [...validateStorageClass(sc), ...errs];
}

export const storageClassStrategy: Strategy = {
  default(obj) {
    const sc = obj as StorageClass;
    sc.reclaimPolicy ||= 'Delete';
    sc.volumeBindingMode ||= 'Immediate';
  },
  validate: (obj) => validateStorageClass(obj as StorageClass),
  validateUpdate: (obj, old) => validateStorageClassUpdate(obj as StorageClass, old as StorageClass),
};

/** The annotation that makes a class the default (the beta one still counts). */
export function isDefaultClass(o: KubeObject): boolean {
  const a = o.metadata.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

/** The default class among `classes`: the most recently created wins, then the name. */
export function defaultClassOf(classes: readonly KubeObject[]): KubeObject | undefined {
  return classes.filter(isDefaultClass).sort((a, b) => {
    const at = a.metadata.creationTimestamp ?? '';
    const bt = b.metadata.creationTimestamp ?? '';
    return at === bt ? (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '') : (at < bt ? 1 : -1);
  })[0];
}

export const storageClassTable: TableDef = {
  columns: [
    col('Provisioner', 'provisioner indicates the type of the provisioner.'),
    col('ReclaimPolicy', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.'),
    col('VolumeBindingMode', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
    col('AllowVolumeExpansion', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    ageColumn,
  ],
  cells(o, now) {
    const sc = o as StorageClass;
    return [sc.provisioner ?? '', sc.reclaimPolicy ?? 'Delete', sc.volumeBindingMode ?? 'Immediate', sc.allowVolumeExpansion ?? false, age(o, now)];
  },
  name: (o) => (isDefaultClass(o) ? `${o.metadata.name} (default)` : o.metadata.name ?? ''),
};
