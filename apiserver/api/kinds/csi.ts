// CSI objects of storage.k8s.io/v1: CSIDriver (defaults for every capability flag, some of
// them immutable), CSINode (per-node driver registrations) and CSIStorageCapacity.
import { duplicate, invalidEach, invalidValue, notSupported, path, required, type FieldError, type FieldPath } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import { isNegative, parseQuantity } from '../../../lib/quantity.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { validateLabelSelector } from '../validation/label-selector.js';
import { isDNS1123Subdomain, isQualifiedName } from '../validation/names.js';
import type { LabelSelectorSpec } from '../selectors/labels.js';
import { canonicalizeResourceList, immutable } from './common.js';

interface CSIDriverSpec {
  attachRequired?: boolean | null;
  podInfoOnMount?: boolean | null;
  volumeLifecycleModes?: string[];
  storageCapacity?: boolean | null;
  fsGroupPolicy?: string | null;
  tokenRequests?: Array<{ audience?: string; expirationSeconds?: number }> | null;
  requiresRepublish?: boolean | null;
  seLinuxMount?: boolean | null;
}

type CSIDriver = KubeObject & { spec?: CSIDriverSpec };

const fsGroupPolicies = ['File', 'None', 'ReadWriteOnceWithFSType'];
const lifecycleModes = ['Persistent', 'Ephemeral'];

function validateCSIDriverSpec(spec: CSIDriverSpec): FieldError[] {
  const sp = path('spec');
  const errs: FieldError[] = [];
  // Kubernetes spells this path "attachedRequired".
  if (spec.attachRequired == null) errs.push(required(sp.child('attachedRequired')));
  if (spec.podInfoOnMount == null) errs.push(required(sp.child('podInfoOnMount')));
  if (spec.storageCapacity == null) errs.push(required(sp.child('storageCapacity')));
  if (spec.fsGroupPolicy != null && !fsGroupPolicies.includes(spec.fsGroupPolicy)) errs.push(notSupported(sp.child('fsGroupPolicy'), spec.fsGroupPolicy, fsGroupPolicies));
  const audiences = new Set<string>();
  (spec.tokenRequests ?? []).forEach((t, i) => {
    const tp = sp.child('tokenRequests').index(i);
    const audience = t.audience ?? '';
    if (audiences.has(audience)) {
      errs.push(duplicate(tp.child('audience'), audience));
      return;
    }
    audiences.add(audience);
    if (t.expirationSeconds == null) return;
    if (t.expirationSeconds < 600) errs.push(invalidValue(tp.child('expirationSeconds'), t.expirationSeconds, 'may not specify a duration less than 10 minutes'));
    if (t.expirationSeconds > 2 ** 32) errs.push(invalidValue(tp.child('expirationSeconds'), t.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  });
  for (const m of spec.volumeLifecycleModes ?? []) {
    if (!lifecycleModes.includes(m)) errs.push(notSupported(sp.child('volumeLifecycleModes'), m, lifecycleModes));
  }
  if (spec.seLinuxMount == null) errs.push(required(sp.child('seLinuxMount')));
  return errs;
}

export const csiDriverStrategy: Strategy = {
  default(obj) {
    const spec = ((obj as CSIDriver).spec ??= {});
    spec.attachRequired ??= true;
    spec.podInfoOnMount ??= false;
    spec.storageCapacity ??= false;
    spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
    if (!(spec.volumeLifecycleModes ?? []).length) spec.volumeLifecycleModes = ['Persistent'];
    spec.requiresRepublish ??= false;
    spec.seLinuxMount ??= false;
  },
  validate: (obj) => validateCSIDriverSpec((obj as CSIDriver).spec ?? {}),
  validateUpdate: (obj, old) => {
    const spec = (obj as CSIDriver).spec ?? {};
    const before = (old as CSIDriver).spec ?? {};
    return [
      ...validateCSIDriverSpec(spec),
      ...immutable(spec.attachRequired, before.attachRequired, path('spec', 'attachedRequired')),
      ...immutable(spec.volumeLifecycleModes, before.volumeLifecycleModes, path('spec', 'volumeLifecycleModes')),
    ];
  },
};

export const csiDriverTable: TableDef = {
  columns: [
    col('AttachRequired', 'attachRequired indicates this CSI volume driver requires an attach operation.', 0, 'boolean'),
    col('PodInfoOnMount', 'podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations.', 0, 'boolean'),
    col('StorageCapacity', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity.', 0, 'boolean'),
    col('TokenRequests', 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for.'),
    col('RequiresRepublish', 'requiresRepublish indicates the CSI driver wants NodePublishVolume being periodically called.', 0, 'boolean'),
    col('Modes', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.'),
    ageColumn,
  ],
  cells(o, now) {
    const s = (o as CSIDriver).spec ?? {};
    const tokens = s.tokenRequests ? s.tokenRequests.map((t) => t.audience ?? '').join(',') : '<unset>';
    return [
      s.attachRequired ?? true, s.podInfoOnMount ?? false, s.storageCapacity ?? false, tokens, s.requiresRepublish ?? false,
      (s.volumeLifecycleModes ?? []).join(',') || '<none>', age(o, now),
    ];
  },
};

interface CSINodeDriver {
  name?: string;
  nodeID?: string;
  topologyKeys?: string[];
  allocatable?: { count?: number } | null;
}

type CSINode = KubeObject & { spec?: { drivers?: CSINodeDriver[] } };

const csiNodeIDMaxLength = 192;

/** A CSI driver name: at most 63 characters of DNS subdomain (ValidateCSIDriverName). */
export function validateCSIDriverName(name: string, p: FieldPath): FieldError[] {
  if (!name) return [required(p)];
  if (name.length > 63) return [invalidValue(p, name, 'must be no more than 63 characters')];
  return invalidEach(p, name, isDNS1123Subdomain(name.toLowerCase()));
}

function validateCSINode(node: CSINode): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (node.spec?.drivers ?? []).forEach((d, i) => {
    const dp = path('spec', 'drivers').index(i);
    errs.push(...validateCSIDriverName(d.name ?? '', dp.child('name')));
    const id = d.nodeID ?? '';
    if (!id) errs.push(required(dp.child('nodeID')));
    if (id.length > csiNodeIDMaxLength) errs.push(invalidValue(dp.child('nodeID'), id, `must be ${csiNodeIDMaxLength} characters or less`));
    if (d.allocatable?.count != null && d.allocatable.count < 0) errs.push(invalidValue(dp.child('allocatable', 'count'), d.allocatable.count, 'must be greater than or equal to 0'));
    if (names.has(d.name ?? '')) errs.push(duplicate(dp.child('name'), d.name ?? ''));
    names.add(d.name ?? '');
    const keys = new Set<string>();
    for (const k of d.topologyKeys ?? []) {
      if (!k) errs.push(required(dp));
      if (keys.has(k)) errs.push(duplicate(dp, k));
      keys.add(k);
      errs.push(...invalidEach(dp, k, isQualifiedName(k)));
    }
  });
  return errs;
}

export const csiNodeStrategy: Strategy = {
  validate: (obj) => validateCSINode(obj as CSINode),
  validateUpdate(obj, old) {
    const errs = validateCSINode(obj as CSINode);
    for (const before of (old as CSINode).spec?.drivers ?? []) {
      for (const now of (obj as CSINode).spec?.drivers ?? []) {
        if (before.name === now.name) {
          const strip = (d: CSINodeDriver) => ({ ...d, allocatable: undefined });
          errs.push(...immutable(strip(now), strip(before), path('spec', 'drivers')));
        }
      }
    }
    return errs;
  },
};

export const csiNodeTable: TableDef = {
  columns: [col('Drivers', 'Drivers indicates the number of CSI drivers registered on the node', 0, 'integer'), ageColumn],
  cells: (o, now) => [((o as CSINode).spec?.drivers ?? []).length, age(o, now)],
};

type CSIStorageCapacity = KubeObject & { storageClassName?: string; capacity?: string; nodeTopology?: LabelSelectorSpec | null };

export const csiStorageCapacityStrategy: Strategy = {
  default(obj) {
    const c = obj as CSIStorageCapacity;
    // Quantities are stored canonical, as a resource list's are.
    for (const f of ['capacity', 'maximumVolumeSize']) {
      const v = c[f];
      if (typeof v === 'string' || typeof v === 'number') {
        const probe: Record<string, unknown> = { v };
        canonicalizeResourceList(probe, 'CSIStorageCapacity');
        c[f] = probe.v;
      }
    }
  },
  validate(obj) {
    const c = obj as CSIStorageCapacity;
    const errs = validateLabelSelector(c.nodeTopology, path('nodeTopology'));
    errs.push(...invalidEach(path('storageClassName'), c.storageClassName ?? '', isDNS1123Subdomain(c.storageClassName ?? '')));
    if (c.capacity !== undefined && isNegative(parseQuantity(c.capacity))) errs.push(invalidValue(path('capacity'), c.capacity, 'must be greater than or equal to 0'));
    return errs;
  },
  validateUpdate(obj, old) {
    const c = obj as CSIStorageCapacity;
    const o = old as CSIStorageCapacity;
    return [
      ...immutable(c.nodeTopology, o.nodeTopology, path('nodeTopology')),
      ...immutable(c.storageClassName, o.storageClassName, path('storageClassName')),
    ];
  },
};

export const csiStorageCapacityTable: TableDef = {
  columns: [
    col('StorageClassName', 'storageClassName represents the name of the StorageClass that the reported capacity applies to.'),
    col('Capacity', 'capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.'),
  ],
  cells: (o) => [(o as CSIStorageCapacity).storageClassName ?? '', (o as CSIStorageCapacity).capacity ?? '<unset>'],
};
