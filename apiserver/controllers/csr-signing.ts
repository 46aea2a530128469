// csrsigning: issues the certificates of approved requests for the signers the cluster CA
// serves (kubelet client and serving, API server client), as kube-controller-manager's signer
// does: a request its signer does not accept gets a Failed condition instead; the lifetime is
// the requested expirationSeconds (at least 10 minutes), at most the cluster signing duration.
import { runController } from '../../lib/client/controller.js';
import { resources } from '../../lib/client/resource-types.js';
import { rfc3339 } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { signCsr } from '../../lib/csr.js';
import type { ControllerDescriptor } from './context.js';
import { signerProblem } from './csr-checks.js';
import { apiserverClientSigner, hasCondition, kubeletClientSigner, kubeletServingSigner, requestPem, type Csr } from './csr-types.js';

const name = 'certificatesigningrequest-signing-controller';
const usageOf: Record<string, 'client' | 'server'> = { [kubeletClientSigner]: 'client', [apiserverClientSigner]: 'client', [kubeletServingSigner]: 'server' };
const year = 365 * 24 * 3600;
const minSeconds = 600;

/** The issued certificate's lifetime in seconds. */
export function signingSeconds(requested: number | undefined, max: number): number {
  return Math.min(max, requested === undefined ? max : Math.max(minSeconds, requested));
}

export const csrSigningController: ControllerDescriptor = {
  name,
  setup(ctx) {
    const csrs = ctx.informers.informer<Csr>(resources.certificateSigningRequests);
    const api = ctx.client.resource<Csr>(resources.certificateSigningRequests);
    const queue = new WorkQueue<string>(ctx.clock);
    const ca = ctx.options.rootCAKey ? { cert: ctx.options.rootCA, key: ctx.options.rootCAKey } : undefined;
    const consider = (c: Csr) => {
      if (ca && hasCondition(c, 'Approved') && !hasCondition(c, 'Failed') && !c.status?.certificate && usageOf[c.spec?.signerName ?? '']) queue.add(c.metadata?.name ?? '');
    };
    csrs.on({ add: consider, update: (_, c) => consider(c) });

    async function sync(key: string): Promise<void> {
      const csr = csrs.cache.getByName('', key);
      if (!ca || !csr || !hasCondition(csr, 'Approved') || hasCondition(csr, 'Failed') || csr.status?.certificate) return;
      const usage = usageOf[csr.spec?.signerName ?? ''];
      if (!usage) return;
      const problem = signerProblem(csr);
      if (problem) {
        const now = rfc3339(ctx.clock.now());
        const conditions = [...(csr.status?.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: problem, lastUpdateTime: now, lastTransitionTime: now }];
        await api.updateStatus({ ...csr, status: { ...csr.status, conditions } });
        return;
      }
      const seconds = signingSeconds(csr.spec?.expirationSeconds, ctx.options.clusterSigningSeconds ?? year);
      const pem = signCsr(ca, requestPem(csr), usage, seconds);
      await api.updateStatus({ ...csr, status: { ...csr.status, certificate: Buffer.from(pem).toString('base64') } });
    }
    return { run: (signal) => runController({ name, queue, workers: 1, sync, waitFor: [csrs], signal }) };
  },
};
