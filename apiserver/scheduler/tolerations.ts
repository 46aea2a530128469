// Taints and tolerations, as component-helpers' scheduling helpers match them. Shared by the
// scheduler's TaintToleration plugin and the taint eviction controller.
import type { Taint, Toleration } from '../../lib/client/types.js';

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator ?? 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

export function toleratedBy(taint: Taint, tolerations: readonly Toleration[] | undefined): boolean {
  return (tolerations ?? []).some((t) => tolerates(t, taint));
}

/** The first taint with one of `effects` that no toleration tolerates. */
export function firstUntolerated(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined, effects: readonly string[]): Taint | undefined {
  return taints.find((taint) => effects.includes(taint.effect ?? '') && !toleratedBy(taint, tolerations));
}

/**
 * How long a pod may stay on a node with these NoExecute taints: 0 if one is not tolerated,
 * undefined (forever) if all are tolerated without tolerationSeconds, otherwise the smallest
 * tolerationSeconds among the tolerations used (a negative value counts as 0).
 */
export function minTolerationSeconds(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): number | undefined {
  let min: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const matching = (tolerations ?? []).filter((t) => t.effect === 'NoExecute' || !t.effect).filter((t) => tolerates(t, taint));
    if (matching.length === 0) return 0;
    for (const t of matching) {
      if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
      const s = Math.max(0, t.tolerationSeconds);
      if (min === undefined || s < min) min = s;
    }
  }
  return min;
}
