// DefaultTolerationSeconds: every pod tolerates node.kubernetes.io/not-ready and /unreachable
// NoExecute taints for 300 s (by default) unless it says otherwise, so pods on a failed node
// are evicted after five minutes rather than at once.
import type { AdmissionPlugin } from './chain.js';

interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export function defaultTolerationSeconds(notReadySeconds = 300, unreachableSeconds = 300): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    mutate(a) {
      if (a.def.group !== '' || a.def.plural !== 'pods' || a.subresource || !a.object) return;
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      const spec = (a.object.spec ??= {}) as { tolerations?: Toleration[] };
      const tolerations = spec.tolerations ?? [];
      const covers = (key: string) => tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
      const added: Toleration[] = [];
      if (!covers('node.kubernetes.io/not-ready')) {
        added.push({ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: notReadySeconds });
      }
      if (!covers('node.kubernetes.io/unreachable')) {
        added.push({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: unreachableSeconds });
      }
      if (added.length) spec.tolerations = [...tolerations, ...added];
    },
  };
}
