// Pod-specific server behaviour: graceful deletion, and binding a pod to a node (the
// pods/binding subresource and the bindings resource the scheduler may use instead).
import { badRequest, conflict, success } from '../../api/errors.js';
import { isPlainObject, timestamp, type KubeObject } from '../../api/object.js';
import type { ApiContext } from '../api-context.js';
import type { RequestContext } from '../context.js';

interface PodLike extends KubeObject {
  spec?: { nodeName?: string; terminationGracePeriodSeconds?: number };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string; lastTransitionTime?: string | null; lastProbeTime?: string | null }> };
}

/** How long a deleted pod lingers: 0 when it never ran or already finished. */
export function podGracePeriod(obj: KubeObject, requested: number | undefined): number {
  const pod = obj as PodLike;
  if (!pod.spec?.nodeName) return 0;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
  return requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
}

/** Assigns a pod to a node, once. */
export async function bindPod(api: ApiContext, namespace: string, podName: string, node: string, ctx: RequestContext): Promise<void> {
  const pods = api.storeFor('', 'pods');
  await pods.guaranteedUpdate(namespace, podName, ctx, (cur) => {
    const pod = cur as PodLike;
    if (pod.metadata.deletionTimestamp) throw conflict({ group: '', resource: 'pods/binding' }, podName, `pod ${podName} is being deleted, cannot be assigned to a host`);
    if (pod.spec?.nodeName) throw conflict({ group: '', resource: 'pods/binding' }, podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec = { ...pod.spec, nodeName: node };
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp() });
    pod.status = { ...pod.status, conditions };
    return pod;
  }, { subresource: 'binding', writesStatus: true });
}

/** The node a Binding names, checked as Kubernetes checks it. */
function bindingTarget(body: KubeObject): string {
  const target = body.target;
  if (!isPlainObject(target) || typeof target.name !== 'string' || !target.name) throw badRequest('must specify a target node name in binding');
  if (target.kind !== undefined && target.kind !== '' && target.kind !== 'Node') throw badRequest('must specify the target kind as Node');
  return target.name;
}

export function podExtensions(api: ApiContext): void {
  api.extend('', 'pods', {
    gracefulDelete: podGracePeriod,
    subresources: [{
      name: 'binding', kind: 'Binding', verbs: ['create'],
      async create(req, body) {
        const node = bindingTarget(body);
        const name = body.metadata.name ?? '';
        if (name && name !== req.name) throw badRequest(`the name of the object (${name}) does not match the name on the URL (${req.name})`);
        await bindPod(api, req.namespace, req.name, node, req.ctx);
        return { ...success(), code: 201 };
      },
    }],
  });
  api.extend('', 'bindings', {
    async create(req, obj) {
      const target = obj.target as { name?: string } | undefined;
      if (!target?.name) throw badRequest('must specify a target node name in binding');
      await bindPod(api, req.namespace, obj.metadata.name ?? '', target.name, req.ctx);
      return { ...success(), code: 201 } as unknown as KubeObject;
    },
  });
}
