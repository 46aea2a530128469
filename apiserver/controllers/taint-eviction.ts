// taint-eviction-controller: a pod on a node with NoExecute taints it does not tolerate is
// deleted; one that tolerates them for tolerationSeconds is deleted once that time has passed
// since the taint was added. Before deleting, the pod gets a DisruptionTarget condition, and the
// deletion is recorded as a TaintManagerEviction event, as in Kubernetes.
import { isConflict, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { resources } from '../../lib/client/resource-types.js';
import { objectKey, rfc3339, type Node, type Pod, type Taint } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { deepEqual } from '../api/object.js';
import { minTolerationSeconds } from '../scheduler/tolerations.js';
import type { ControllerDescriptor } from './context.js';
import { nodeIndex, podsByNode } from './node-lifecycle.js';

const noExecute = (n: Node | undefined): Taint[] => (n?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');

/**
 * When a pod must leave its node: undefined if never (no NoExecute taint, or tolerated forever),
 * else the time (ms) its tolerations run out, counted from when the newest taint was added.
 */
export function evictionTime(pod: Pod, taints: readonly Taint[], now: number): number | undefined {
  if (taints.length === 0) return undefined;
  const seconds = minTolerationSeconds(taints, pod.spec?.tolerations);
  if (seconds === undefined) return undefined;
  if (seconds === 0) return now;
  const added = Math.max(...taints.map((t) => Date.parse(t.timeAdded ?? '') || now));
  return added + seconds * 1000;
}

export const taintEvictionController: ControllerDescriptor = {
  name: 'taint-eviction-controller',
  setup(ctx) {
    const nodes = ctx.informers.informer<Node>(resources.nodes);
    const pods = ctx.informers.informer<Pod>(resources.pods);
    podsByNode(pods);
    const podApi = ctx.client.resource<Pod>(resources.pods);
    const recorder = ctx.recorder('taint-eviction-controller');
    const queue = new WorkQueue<string>(ctx.clock);
    /** Pods with an eviction scheduled, so a lifted taint can be reported as cancelled. */
    const scheduled = new Map<string, number>();
    nodes.on({
      add: (n) => {
        for (const p of pods.cache.byIndex(nodeIndex, n.metadata?.name ?? '')) queue.add(objectKey(p));
      },
      update: (old, n) => {
        if (deepEqual(noExecute(old), noExecute(n))) return;
        for (const p of pods.cache.byIndex(nodeIndex, n.metadata?.name ?? '')) queue.add(objectKey(p));
      },
    });
    pods.on({
      add: (p) => p.spec?.nodeName && queue.add(objectKey(p)),
      update: (old, p) => {
        if (p.spec?.nodeName && (old.spec?.nodeName !== p.spec.nodeName || !deepEqual(old.spec?.tolerations, p.spec?.tolerations))) queue.add(objectKey(p));
      },
      delete: (p) => scheduled.delete(objectKey(p)),
    });

    async function sync(key: string): Promise<void> {
      const pod = pods.cache.get(key);
      if (!pod || pod.metadata?.deletionTimestamp || !pod.spec?.nodeName) {
        scheduled.delete(key);
        return;
      }
      const now = ctx.clock.now();
      const at = evictionTime(pod, noExecute(nodes.cache.get(pod.spec.nodeName)), now);
      const ref = { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name };
      if (at === undefined) {
        if (scheduled.delete(key)) recorder.event(ref, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
        return;
      }
      if (at > now) {
        scheduled.set(key, at);
        queue.addAfter(key, at - now);
        return;
      }
      scheduled.delete(key);
      recorder.event(ref, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
      const ns = pod.metadata?.namespace ?? '';
      const name = pod.metadata?.name ?? '';
      try {
        const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
        conditions.push({
          type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager',
          message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: rfc3339(now),
        });
        await podApi.patch(ns, name, { status: { conditions } }, 'merge', { subresource: 'status' });
        await podApi.delete(ns, name, { preconditions: { uid: pod.metadata?.uid } });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    return { run: (signal) => runController({ name: 'taint-eviction-controller', queue, workers: 4, sync, waitFor: [nodes, pods], signal }) };
  },
};
