// The VolumeBinding plugin's PreBind: before the pod is bound to its node, each unbound
// WaitForFirstConsumer claim is served there: a matching free volume is reserved for it (its
// claimRef set, as kube-scheduler does; the binder completes the binding), otherwise the claim
// gets volume.kubernetes.io/selected-node so its provisioner creates a volume on that node.
// Then the scheduler waits until every such claim is Bound, so the pod never reaches a node
// with a claim that has no volume.
import type { ResourceClient } from '../../lib/client/rest-client.js';
import type { Node } from '../../lib/client/types.js';
import { annBoundByController, annSelectedNode, type PersistentVolume, type PersistentVolumeClaim } from '../volumes/volume-types.js';
import { claimPlan, volumeBindingPreFilter, type StorageView } from './plugins/volume-binding.js';
import type { PodInfo } from './types.js';

/** kube-scheduler's VolumeBinding bindTimeoutSeconds. */
export const volumeBindTimeoutMs = 600_000;

export interface PrebindApis {
  claims: ResourceClient<PersistentVolumeClaim>;
  volumes: ResourceClient<PersistentVolume>;
}

function claimBound(c: PersistentVolumeClaim | undefined): boolean {
  return !!c?.spec?.volumeName && c.status?.phase === 'Bound';
}

export async function prebindVolumes(
  pod: PodInfo, node: Node, storage: StorageView, apis: PrebindApis, opts: { timeoutMs?: number; pollMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const state = volumeBindingPreFilter(pod, storage);
  if (state.reject) throw new Error(state.reject);
  if (state.delayed.length === 0) return;
  const plan = claimPlan(state, node);
  if (typeof plan === 'string') throw new Error(plan);
  const nodeName = node.metadata?.name ?? '';
  for (const [c, v] of plan) {
    if (v) {
      const ref = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: c.metadata?.namespace, name: c.metadata?.name, uid: c.metadata?.uid, resourceVersion: c.metadata?.resourceVersion };
      const annotations = { ...(v.metadata?.annotations ?? {}) };
      if (!v.spec?.claimRef) annotations[annBoundByController] = 'yes';
      await apis.volumes.update({ ...v, metadata: { ...v.metadata, annotations }, spec: { ...v.spec, claimRef: ref } });
    } else if (c.metadata?.annotations?.[annSelectedNode] !== nodeName) {
      await apis.claims.update({ ...c, metadata: { ...c.metadata, annotations: { ...(c.metadata?.annotations ?? {}), [annSelectedNode]: nodeName } } });
    }
  }
  const deadline = Date.now() + (opts.timeoutMs ?? volumeBindTimeoutMs);
  const pending = [...plan.keys()];
  for (;;) {
    if (pending.every((c) => claimBound(storage.claim(c.metadata?.namespace ?? '', c.metadata?.name ?? '')))) return;
    if (Date.now() > deadline) throw new Error('binding volumes: timed out waiting for the condition');
    if (opts.signal?.aborted) throw new Error('binding volumes: scheduler stopping');
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 100));
  }
}
