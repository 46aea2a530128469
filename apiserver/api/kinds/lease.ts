// Leases (coordination.k8s.io/v1): durations and transition counts must make sense; HOLDER
// shows who holds it.
import { forbiddenField, invalidValue, notSupported, path, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';

type Lease = KubeObject & {
  spec?: { holderIdentity?: string | null; leaseDurationSeconds?: number | null; leaseTransitions?: number | null; strategy?: string | null; preferredHolder?: string | null };
};

function validateLease(l: Lease): FieldError[] {
  const spec = l.spec ?? {};
  const sp = path('spec');
  const errs: FieldError[] = [];
  if (spec.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0) {
    errs.push(invalidValue(sp.child('leaseDurationSeconds'), spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions != null && spec.leaseTransitions < 0) {
    errs.push(invalidValue(sp.child('leaseTransitions'), spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  if (spec.strategy != null && spec.strategy !== 'OldestEmulationVersion') {
    errs.push(notSupported(sp.child('strategy'), spec.strategy, ['OldestEmulationVersion']));
  }
  if (spec.preferredHolder && !spec.strategy) errs.push(forbiddenField(sp.child('preferredHolder'), 'may only be specified if `strategy` is defined'));
  return errs;
}

export const leaseStrategy: Strategy = {
  validate: (obj) => validateLease(obj as Lease),
};

export const leaseTable: TableDef = {
  columns: [col('Holder', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn],
  cells: (o, now) => [(o as Lease).spec?.holderIdentity ?? '', age(o, now)],
};
