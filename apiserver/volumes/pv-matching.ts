// Which PersistentVolume a claim gets, as kube-controller-manager's binder and the scheduler's
// VolumeBinding plugin choose it: volumes are grouped by access-mode set and searched from the
// smallest set holding the requested modes upward; in a group a volume pre-bound to the claim
// wins, otherwise the smallest free volume that fits by size, class, volumeMode, selector and
// (on the scheduler's path) node affinity. Pure functions.
import { compareQuantities, parseQuantity, zeroQuantity, type Quantity } from '../../lib/quantity.js';
import type { Node } from '../../lib/client/types.js';
import { fromLabelSelectorSpec, type LabelSelectorSpec } from '../api/selectors/labels.js';
import { compileRequiredNodeSelection } from '../scheduler/node-selectors.js';
import { claimClass, volumeClass, type PersistentVolume, type PersistentVolumeClaim } from './volume-types.js';

function quantity(v: string | undefined): Quantity {
  try {
    return v === undefined ? zeroQuantity : parseQuantity(v);
  } catch {
    return zeroQuantity;
  }
}

export function requestedStorage(c: PersistentVolumeClaim): Quantity {
  return quantity(c.spec?.resources?.requests?.storage);
}

export function volumeStorage(v: PersistentVolume): Quantity {
  return quantity(v.spec?.capacity?.storage);
}

/** Whether the volume offers every access mode the claim asks for. */
export function accessModesFit(c: PersistentVolumeClaim, v: PersistentVolume): boolean {
  const offered = new Set(v.spec?.accessModes ?? []);
  return (c.spec?.accessModes ?? []).every((m) => offered.has(m));
}

function volumeModeMismatch(c: PersistentVolumeClaim, v: PersistentVolume): boolean {
  return (c.spec?.volumeMode ?? 'Filesystem') !== (v.spec?.volumeMode ?? 'Filesystem');
}

/** Whether the volume's claimRef names this claim (a reservation without UID counts). */
export function isBoundToClaim(v: PersistentVolume, c: PersistentVolumeClaim): boolean {
  const ref = v.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== c.metadata?.name || ref.namespace !== c.metadata?.namespace) return false;
  return !ref.uid || ref.uid === c.metadata?.uid;
}

/** Whether a node satisfies the volume's required node affinity (no affinity: every node). */
export function volumeFitsNode(v: PersistentVolume, node: Node): boolean {
  const terms = v.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return compileRequiredNodeSelection(undefined, terms)(node);
}

/** Why a volume named by the claim's volumeName cannot serve it (upstream's wording), or undefined. */
export function volumeMismatch(v: PersistentVolume, c: PersistentVolumeClaim): string | undefined {
  if (compareQuantities(volumeStorage(v), requestedStorage(c)) < 0) return 'requested PV is too small';
  if (volumeClass(v) !== claimClass(c)) return 'storageClassName does not match';
  if (volumeModeMismatch(c, v)) return 'incompatible volumeMode';
  if (!accessModesFit(c, v)) return 'incompatible accessMode';
  return undefined;
}

export interface MatchOptions {
  /** The scheduler's candidate node: node affinity must hold. */
  node?: Node;
  /** WaitForFirstConsumer without a node: only volumes pre-bound to the claim may match. */
  delayBinding?: boolean;
}

function matchInGroup(c: PersistentVolumeClaim, group: PersistentVolume[], opts: MatchOptions): PersistentVolume | undefined {
  const want = requestedStorage(c);
  const selector = c.spec?.selector ? fromLabelSelectorSpec(c.spec.selector as LabelSelectorSpec) : undefined;
  let smallest: PersistentVolume | undefined;
  for (const v of group) {
    if (compareQuantities(volumeStorage(v), want) < 0) continue;
    if (v.metadata?.deletionTimestamp) continue;
    if (volumeModeMismatch(c, v)) continue;
    const fitsNode = !opts.node || volumeFitsNode(v, opts.node);
    if (isBoundToClaim(v, c)) {
      // A volume reserved for this claim wins outright when it can serve it.
      if (volumeClass(v) !== claimClass(c) || !fitsNode) continue;
      return v;
    }
    if (!opts.node && opts.delayBinding) continue;
    if (v.spec?.claimRef) continue;
    if (selector && !selector.matches(v.metadata?.labels ?? {})) continue;
    if (volumeClass(v) !== claimClass(c)) continue;
    if (!fitsNode) continue;
    if (!accessModesFit(c, v)) continue;
    if (!smallest || compareQuantities(volumeStorage(smallest), volumeStorage(v)) > 0) smallest = v;
  }
  return smallest;
}

/** The best volume for the claim among `volumes`, or undefined. */
export function findMatchingVolume(c: PersistentVolumeClaim, volumes: readonly PersistentVolume[], opts: MatchOptions = {}): PersistentVolume | undefined {
  const groups = new Map<string, PersistentVolume[]>();
  for (const v of volumes) {
    const key = [...new Set(v.spec?.accessModes ?? [])].sort().join(',');
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const wanted = c.spec?.accessModes ?? [];
  // The mode sets that hold every requested mode, fewest modes first.
  const sets = [...groups.keys()]
    .filter((k) => wanted.every((m) => k.split(',').includes(m)))
    .sort((a, b) => a.split(',').length - b.split(',').length || (a < b ? -1 : 1));
  for (const key of sets) {
    const found = matchInGroup(c, groups.get(key)!, opts);
    if (found) return found;
  }
  return undefined;
}
