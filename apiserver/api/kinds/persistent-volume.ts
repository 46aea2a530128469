// PersistentVolumes: Retain and Filesystem by default, born Pending, with exactly one volume
// source that never changes afterwards.
import {
  forbiddenField, GoValue, invalidEach, invalidValue, notSupported, path, required, type FieldError, type FieldPath,
} from '../field-errors.js';
import { deepEqual, timestamp, type KubeObject } from '../object.js';
import { isZero, isNegative, parseQuantity } from '../../../lib/quantity.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { isDNS1123Subdomain } from '../validation/names.js';
import { accessModesText, canonicalizeResourceList, immutable } from './common.js';
import { validateAccessModes, volumeModes } from './pvc-validation.js';

const reclaimPolicies = ['Delete', 'Recycle', 'Retain'];
const hostPathTypes = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

/** Every volume source a PersistentVolume may use, in the order Kubernetes checks them. */
const volumeSources = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'flocker', 'nfs', 'rbd', 'quobyte', 'cephfs',
  'iscsi', 'cinder', 'fc', 'flexVolume', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume',
  'azureDisk', 'scaleIO', 'local', 'storageos', 'csi',
];

type Source = Record<string, unknown>;

interface PVSpec extends Record<string, unknown> {
  capacity?: Record<string, string>;
  accessModes?: string[];
  persistentVolumeReclaimPolicy?: string;
  storageClassName?: string;
  volumeMode?: string;
  claimRef?: { namespace?: string; name?: string };
  nodeAffinity?: { required?: unknown } | null;
  volumeAttributesClassName?: string | null;
}

type PV = KubeObject & { spec?: PVSpec; status?: { phase?: string; reason?: string; lastPhaseTransitionTime?: string } };

/** A resource list as Go's %#v shows the internal type (nil, empty, or keys only). */
export function resourceListValue(list: Record<string, string> | undefined): GoValue {
  if (!list) return new GoValue('core.ResourceList(nil)');
  return new GoValue(`core.ResourceList{${Object.keys(list).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(list[k])}`).join(', ')}}`);
}

function validateHostPath(src: Source, p: FieldPath): FieldError[] {
  const pathValue = String(src.path ?? '');
  if (!pathValue) return [required(p.child('path'))];
  const errs: FieldError[] = [];
  if (pathValue.split('/').includes('..')) errs.push(invalidValue(p.child('path'), pathValue, "must not contain '..'"));
  const type = src.type === undefined || src.type === null ? '' : String(src.type);
  if (!hostPathTypes.includes(type)) errs.push(notSupported(p.child('type'), type, hostPathTypes));
  return errs;
}

function validateNFS(src: Source, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!src.server) errs.push(required(p.child('server')));
  const pathValue = String(src.path ?? '');
  if (!pathValue) errs.push(required(p.child('path')));
  else if (!pathValue.startsWith('/')) errs.push(invalidValue(p.child('path'), pathValue, 'must be an absolute path'));
  return errs;
}

function validateLocal(src: Source, p: FieldPath): FieldError[] {
  const pathValue = String(src.path ?? '');
  if (!pathValue) return [required(p.child('path'))];
  return pathValue.split('/').includes('..') ? [invalidValue(p.child('path'), pathValue, "must not contain '..'")] : [];
}

function validateCSI(src: Source, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const driver = String(src.driver ?? '');
  if (!driver) errs.push(required(p.child('driver')));
  else if (driver.length > 63) errs.push(invalidValue(p.child('driver'), driver, 'must be no more than 63 characters'));
  else errs.push(...invalidEach(p.child('driver'), driver, isDNS1123Subdomain(driver.toLowerCase())));
  if (!src.volumeHandle) errs.push(required(p.child('volumeHandle')));
  return errs;
}

const sourceValidators: Record<string, (s: Source, p: FieldPath) => FieldError[]> = {
  hostPath: validateHostPath, nfs: validateNFS, local: validateLocal, csi: validateCSI,
};

/** Field names Kubernetes uses in errors where they differ from the JSON name. */
const sourcePathNames: Record<string, string> = { gcePersistentDisk: 'persistentDisk' };

function validatePVSpec(spec: PVSpec): FieldError[] {
  const sp = path('spec');
  const errs: FieldError[] = (spec.accessModes ?? []).length ? [] : [required(sp.child('accessModes'))];
  errs.push(...validateAccessModes(spec.accessModes ?? [], sp.child('accessModes')));
  const capacity = spec.capacity;
  if (!capacity || Object.keys(capacity).length === 0) errs.push(required(sp.child('capacity')));
  if (!capacity || !('storage' in capacity) || Object.keys(capacity).length > 1) {
    errs.push(notSupported(sp.child('capacity'), resourceListValue(capacity), ['storage']));
  }
  for (const [k, v] of Object.entries(capacity ?? {})) {
    const q = parseQuantity(v);
    if (isNegative(q)) errs.push(invalidValue(sp.child('capacity').key(k), v, 'must be a valid resource quantity'));
    if (isZero(q) || isNegative(q)) errs.push(invalidValue(sp.child('capacity').key(k), v, 'must be greater than zero'));
  }
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy && !reclaimPolicies.includes(policy)) errs.push(notSupported(sp.child('persistentVolumeReclaimPolicy'), policy, reclaimPolicies));
  let hasAffinity = false;
  if (spec.nodeAffinity) {
    hasAffinity = true;
    if (!spec.nodeAffinity.required) errs.push(required(sp.child('nodeAffinity', 'required'), 'must specify required node constraints'));
  }
  let count = 0;
  for (const name of volumeSources) {
    const src = spec[name];
    if (src === undefined || src === null) continue;
    if (count > 0) {
      errs.push(forbiddenField(sp.child(name), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...(sourceValidators[name]?.(src as Source, sp.child(sourcePathNames[name] ?? name)) ?? []));
    if (name === 'local' && !hasAffinity) errs.push(required(sp.child('nodeAffinity'), 'Local volume requires node affinity'));
  }
  if (count === 0) errs.push(required(sp, 'must specify a volume type'));
  const hostPath = spec.hostPath as Source | undefined;
  if (hostPath && /^\/+$/.test(String(hostPath.path ?? '')) && policy === 'Recycle') {
    errs.push(forbiddenField(sp.child('persistentVolumeReclaimPolicy'), "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (spec.storageClassName) errs.push(...invalidEach(sp.child('storageClassName'), spec.storageClassName, isDNS1123Subdomain(spec.storageClassName)));
  if (spec.volumeMode !== undefined && !volumeModes.includes(spec.volumeMode)) errs.push(notSupported(sp.child('volumeMode'), spec.volumeMode, volumeModes));
  return errs;
}

/** The volume source part of a spec (what may not change after creation). */
function sourceOf(spec: PVSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of volumeSources) if (spec[name] !== undefined) out[name] = spec[name];
  return out;
}

function validatePVUpdate(pv: PV, old: PV): FieldError[] {
  const errs = validatePVSpec(pv.spec ?? {});
  const oldSource = sourceOf(old.spec ?? {});
  const newSource = sourceOf(pv.spec ?? {});
  // A CSI volume may gain a controllerExpandSecretRef later.
  const csi = newSource.csi as Source | undefined;
  if (csi && !(oldSource.csi as Source | undefined)?.controllerExpandSecretRef) {
    newSource.csi = { ...csi, controllerExpandSecretRef: (oldSource.csi as Source | undefined)?.controllerExpandSecretRef };
    if ((newSource.csi as Source).controllerExpandSecretRef === undefined) delete (newSource.csi as Source).controllerExpandSecretRef;
  }
  if (!deepEqual(oldSource, newSource)) {
    errs.push(forbiddenField(path('spec', 'persistentvolumesource'), `spec.persistentvolumesource is immutable after creation\n${specDiff(oldSource, newSource)}`));
  }
  // Kubernetes reports this path without "spec.".
  errs.push(...immutable(pv.spec?.volumeMode, old.spec?.volumeMode, path('volumeMode')));
  if (old.spec?.nodeAffinity && !deepEqual(pv.spec?.nodeAffinity ?? null, old.spec.nodeAffinity)) {
    errs.push(invalidValue(path('nodeAffinity'), pv.spec?.nodeAffinity ?? null, 'field is immutable, except for updating from beta label to GA'));
  }
  return errs;
}

/** A short line-per-field diff of two values, in the spirit of the cmp.Diff Kubernetes appends. */
export function specDiff(old: Record<string, unknown>, now: Record<string, unknown>): string {
  const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort();
  const lines: string[] = [];
  for (const k of keys) {
    if (deepEqual(old[k] ?? null, now[k] ?? null)) continue;
    if (old[k] !== undefined) lines.push(`-\t${k}: ${JSON.stringify(old[k])}`);
    if (now[k] !== undefined) lines.push(`+\t${k}: ${JSON.stringify(now[k])}`);
  }
  return lines.join('\n');
}

export const persistentVolumeStrategy: Strategy = {
  default(obj) {
    const pv = obj as PV;
    const spec = (pv.spec ??= {});
    canonicalizeResourceList(spec.capacity, 'PersistentVolume');
    spec.persistentVolumeReclaimPolicy ||= 'Retain';
    spec.volumeMode ??= 'Filesystem';
  },
  prepareForCreate(obj) {
    (obj as PV).status = { phase: 'Pending', lastPhaseTransitionTime: timestamp() };
  },
  validate: (obj) => validatePVSpec((obj as PV).spec ?? {}),
  validateUpdate: (obj, old) => validatePVUpdate(obj as PV, old as PV),
};

export const persistentVolumeStatusStrategy: Strategy = {
  prepareForUpdate(obj, old) {
    const pv = obj as PV;
    // The phase transition time moves with the phase.
    if (pv.status?.phase !== (old as PV).status?.phase) pv.status = { ...pv.status, lastPhaseTransitionTime: timestamp() };
  },
  validateUpdate: () => [],
};

/** The storage class of a volume: the beta annotation wins over the field. */
export function storageClassOf(o: KubeObject, field: string | null | undefined): string {
  return o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? field ?? '';
}

export const persistentVolumeTable: TableDef = {
  columns: [
    col('Capacity', 'capacity is the description of the persistent volume\'s resources and capacity.'),
    col('Access Modes', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    col('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
    col('Reason', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    ageColumn,
    col('VolumeMode', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', 1),
  ],
  cells(o, now) {
    const pv = o as PV;
    const spec = pv.spec ?? {};
    const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
    const phase = o.metadata.deletionTimestamp ? 'Terminating' : pv.status?.phase ?? '';
    return [
      spec.capacity?.storage ?? '0', accessModesText(spec.accessModes), spec.persistentVolumeReclaimPolicy ?? '', phase, claim,
      storageClassOf(o, spec.storageClassName), spec.volumeAttributesClassName ?? '<unset>', pv.status?.reason ?? '',
      age(o, now), spec.volumeMode ?? '<unset>',
    ];
  },
};

