// PersistentVolumeClaims: Filesystem by default, born Pending; the spec is frozen once
// created except for binding (volumeName, once) and growing storage requests.
import { forbiddenField, invalidValue, path, type FieldError } from '../field-errors.js';
import { clone, deepEqual, type KubeObject } from '../object.js';
import { compareQuantities, parseQuantity, zeroQuantity } from '../../../lib/quantity.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { accessModesText, canonicalizeResourceList, immutable } from './common.js';
import { specDiff, storageClassOf } from './persistent-volume.js';
import { validatePVCSpec } from './pvc-validation.js';

interface PVCSpec extends Record<string, unknown> {
  accessModes?: string[];
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | null;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeName?: string;
  storageClassName?: string | null;
  volumeMode?: string;
  dataSource?: { apiGroup?: string; kind?: string; name?: string } | null;
  volumeAttributesClassName?: string | null;
}

interface PVCStatus {
  phase?: string;
  accessModes?: string[];
  capacity?: Record<string, string>;
}

type PVC = KubeObject & { spec?: PVCSpec; status?: PVCStatus };

function validatePVCUpdate(pvc: PVC, old: PVC): FieldError[] {
  const errs = validatePVCSpec(pvc.spec ?? {}, path('spec'));
  const now = clone(pvc.spec ?? {});
  const before = clone(old.spec ?? {});
  // Binding sets volumeName once; a claim without a class may get the default one later.
  if (!before.volumeName) before.volumeName = now.volumeName;
  if (before.storageClassName === undefined || before.storageClassName === null) before.storageClassName = now.storageClassName;
  // Storage requests of a bound claim may change (growth is checked below).
  if (pvc.status?.phase === 'Bound' && now.resources?.requests) now.resources.requests.storage = before.resources?.requests?.storage ?? '';
  now.volumeAttributesClassName = before.volumeAttributesClassName;
  if (!deepEqual(now, before)) {
    errs.push(forbiddenField(path('spec'), `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff(before, now)}`));
  }
  const oldSize = old.spec?.resources?.requests?.storage;
  const newSize = pvc.spec?.resources?.requests?.storage;
  if (oldSize && newSize && compareQuantities(parseQuantity(newSize), parseQuantity(oldSize)) < 0) {
    const capacity = old.status?.capacity?.storage;
    const statusSize = capacity ? parseQuantity(capacity) : zeroQuantity;
    // Recovering from a failed expansion may shrink the request, but not below what was provisioned.
    if (compareQuantities(parseQuantity(newSize), statusSize) <= 0) {
      errs.push(forbiddenField(path('spec', 'resources', 'requests', 'storage'), 'field can not be less than status.capacity'));
    }
  }
  // Kubernetes reports this path without "spec.".
  errs.push(...immutable(pvc.spec?.volumeMode, old.spec?.volumeMode, path('volumeMode')));
  const annotation = 'volume.beta.kubernetes.io/storage-class';
  const newAnn = pvc.metadata.annotations?.[annotation] ?? '';
  const oldAnn = old.metadata.annotations?.[annotation] ?? '';
  if (newAnn !== oldAnn) errs.push(invalidValue(path('metadata', 'annotations', annotation), newAnn, 'field is immutable'));
  return errs;
}

export const persistentVolumeClaimStrategy: Strategy = {
  default(obj) {
    const pvc = obj as PVC;
    const spec = (pvc.spec ??= {});
    canonicalizeResourceList(spec.resources?.requests, 'PersistentVolumeClaim');
    canonicalizeResourceList(spec.resources?.limits, 'PersistentVolumeClaim');
    canonicalizeResourceList(pvc.status?.capacity, 'PersistentVolumeClaim');
    spec.volumeMode ??= 'Filesystem';
  },
  prepareForCreate(obj) {
    (obj as PVC).status = { phase: 'Pending' };
  },
  validate: (obj) => validatePVCSpec((obj as PVC).spec ?? {}, path('spec')),
  validateUpdate: (obj, old) => validatePVCUpdate(obj as PVC, old as PVC),
};

export const persistentVolumeClaimStatusStrategy: Strategy = {
  validateUpdate: () => [],
};

export const persistentVolumeClaimTable: TableDef = {
  columns: [
    col('Status', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    col('StorageClass', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
    ageColumn,
    col('VolumeMode', 'volumeMode defines what type of volume is required by the claim.', 1),
  ],
  cells(o, now) {
    const pvc = o as PVC;
    const spec = pvc.spec ?? {};
    const bound = !!spec.volumeName;
    return [
      o.metadata.deletionTimestamp ? 'Terminating' : pvc.status?.phase ?? '',
      spec.volumeName ?? '',
      bound ? pvc.status?.capacity?.storage ?? '0' : '',
      bound ? accessModesText(pvc.status?.accessModes) : '',
      storageClassOf(o, spec.storageClassName ?? undefined),
      spec.volumeAttributesClassName ?? '<unset>',
      age(o, now),
      spec.volumeMode ?? '<unset>',
    ];
  },
};
