// token-cleaner: deletes bootstrap-token Secrets once their expiration has passed, as
// kube-controller-manager's tokencleaner does (kubeadm turns it on; k8ts runs it by default).
import { isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { resources } from '../../lib/client/resource-types.js';
import { objectKey, splitKey, type KubeObject } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { bootstrapTokenType } from '../../lib/bootstrap-token.js';
import type { ControllerDescriptor } from './context.js';

const name = 'token-cleaner-controller';

type Secret = KubeObject & { type?: string; data?: Record<string, string> };

/** When the token expires (ms), or undefined when it never does. */
export function tokenExpiry(s: Secret): number | undefined {
  const raw = s.data?.expiration;
  if (!raw) return undefined;
  const at = Date.parse(Buffer.from(raw, 'base64').toString('utf8'));
  return Number.isFinite(at) ? at : undefined;
}

export const tokenCleanerController: ControllerDescriptor = {
  name,
  setup(ctx) {
    const secrets = ctx.informers.informer<Secret>(resources.secrets, { namespace: 'kube-system', fieldSelector: `type=${bootstrapTokenType}` });
    const api = ctx.client.resource<Secret>(resources.secrets);
    const queue = new WorkQueue<string>(ctx.clock);
    const consider = (s: Secret) => {
      if (tokenExpiry(s) !== undefined) queue.add(objectKey(s));
    };
    secrets.on({ add: consider, update: (_, s) => consider(s) });

    async function sync(key: string): Promise<void> {
      const s = secrets.cache.get(key);
      const at = s && tokenExpiry(s);
      if (!s || at === undefined) return;
      if (at > ctx.clock.now()) {
        queue.addAfter(key, at - ctx.clock.now());
        return;
      }
      const { namespace, name: secretName } = splitKey(key);
      try {
        await api.delete(namespace, secretName, { preconditions: { uid: s.metadata?.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return { run: (signal) => runController({ name, queue, workers: 1, sync, waitFor: [secrets], signal }) };
  },
};
