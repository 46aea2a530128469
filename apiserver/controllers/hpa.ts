// horizontal-pod-autoscaler controller: every sync period (15 s by default), each HPA is
// reconciled against its target's scale and the pods' usage from metrics.k8s.io
// (hpa-reconcile.ts). HPAs are keys on the queue; a new or changed spec is looked at at once.
import { runController } from '../../lib/client/controller.js';
import { referenceTo } from '../../lib/client/events.js';
import { resources } from '../../lib/client/resource-types.js';
import { objectKey, type Pod } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { logger } from '../../lib/log.js';
import type { ControllerDescriptor } from './context.js';
import { HpaReconciler, type Hpa } from './hpa-reconcile.js';
import { podResourceMetrics, ScaleClient } from './hpa-sources.js';

const log = logger('horizontal-pod-autoscaler');

export const hpaController: ControllerDescriptor = {
  name: 'horizontal-pod-autoscaler-controller',
  setup(ctx) {
    const hpas = ctx.informers.informer<Hpa & { metadata: object }>(resources.horizontalPodAutoscalers);
    const pods = ctx.informers.informer<Pod>(resources.pods);
    const api = ctx.client.resource<Hpa & { metadata: object }>(resources.horizontalPodAutoscalers);
    const recorder = ctx.recorder('horizontal-pod-autoscaler');
    const scales = new ScaleClient(ctx.client, () => ctx.clock.now());
    const queue = new WorkQueue<string>(ctx.clock);
    const period = ctx.options.hpaSyncPeriodMs;
    const generation = (h: Hpa) => (h.metadata as { generation?: number } | undefined)?.generation;
    hpas.on({
      add: (h) => queue.add(objectKey(h)),
      update: (old, h) => {
        if (generation(old) !== generation(h)) queue.add(objectKey(h));
      },
      delete: (h) => reconciler.forget(objectKey(h)),
    });

    const reconciler = new HpaReconciler({
      getScale: (ns, ref) => scales.get(ns, ref),
      updateScale: (scale, replicas) => scales.update(scale, replicas),
      podMetrics: (ns, selector, resource, container) => podResourceMetrics(ctx.client, ns, selector, resource, container),
      pods: (ns, selector) => pods.cache.byIndex('namespace', ns).filter((p) => selector.matches(p.metadata?.labels ?? {})),
      event: (hpa, type, reason, message) => recorder.event(referenceTo(hpa, { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' }), type, reason, message),
      updateStatus: async (hpa, status) => {
        await api.updateStatus({ ...hpa, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', status } as Hpa & { metadata: object });
      },
      now: () => ctx.clock.now(),
    });

    async function sync(key: string): Promise<void> {
      const hpa = hpas.cache.get(key);
      if (!hpa) {
        reconciler.forget(key);
        return;
      }
      try {
        await reconciler.reconcile(key, hpa);
      } catch (err) {
        // Status conflicts and the like: the next period tries again, as upstream's resync does.
        log.warn({ hpa: key, err: (err as Error).message }, 'failed to reconcile');
      }
      queue.addAfter(key, period);
    }
    return {
      run: (signal) => runController({ name: 'horizontal-pod-autoscaler-controller', queue, workers: 5, sync, signal, waitFor: [hpas, pods] }),
    };
  },
};
