// csrapproving: approves kubelets' certificate requests as kube-controller-manager does. A
// client certificate for `kube-apiserver-client-kubelet` is approved when its requestor may
// create certificatesigningrequests/selfnodeclient (renewing its own) or /nodeclient (a
// bootstrap token asking for a node), by a SubjectAccessReview. k8ts also approves a node's
// own `kubelet-serving` request (k3s signs those too), so a kubelet's port has a certificate
// from the cluster CA without a person approving each one.
import { runController } from '../../lib/client/controller.js';
import { resources } from '../../lib/client/resource-types.js';
import { rfc3339 } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import type { ControllerDescriptor } from './context.js';
import { csrCommonName, signerProblem } from './csr-checks.js';
import { hasCondition, kubeletClientSigner, kubeletServingSigner, type Csr } from './csr-types.js';

const name = 'certificatesigningrequest-approving-controller';

interface Review { status?: { allowed?: boolean } }

export const csrApprovingController: ControllerDescriptor = {
  name,
  setup(ctx) {
    const csrs = ctx.informers.informer<Csr>(resources.certificateSigningRequests);
    const api = ctx.client.resource<Csr>(resources.certificateSigningRequests);
    const reviews = ctx.client.resource<Review & { metadata?: object }>(resources.subjectAccessReviews);
    const queue = new WorkQueue<string>(ctx.clock);
    const consider = (c: Csr) => {
      if (!hasCondition(c, 'Approved') && !hasCondition(c, 'Denied')) queue.add(c.metadata?.name ?? '');
    };
    csrs.on({ add: consider, update: (_, c) => consider(c) });

    const allowed = async (csr: Csr, subresource: string): Promise<boolean> => {
      const r = await reviews.create({
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: {
          user: csr.spec?.username, groups: csr.spec?.groups,
          resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource },
        },
      } as never);
      return r.status?.allowed === true;
    };

    /** The approval message, or undefined when the CSR is not one this controller approves. */
    const approval = async (csr: Csr): Promise<string | undefined> => {
      if (signerProblem(csr)) return undefined;
      const self = csr.spec?.username === csrCommonName(csr);
      if (csr.spec?.signerName === kubeletClientSigner) {
        if (self && await allowed(csr, 'selfnodeclient')) return 'Auto approving self kubelet client certificate after SubjectAccessReview.';
        if (await allowed(csr, 'nodeclient')) return 'Auto approving kubelet client certificate after SubjectAccessReview.';
        return undefined;
      }
      if (csr.spec?.signerName === kubeletServingSigner && self && csr.spec?.groups?.includes('system:nodes')) {
        return 'Auto approving kubelet serving certificate for its own node.';
      }
      return undefined;
    };

    async function sync(key: string): Promise<void> {
      const csr = csrs.cache.getByName('', key);
      if (!csr || hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied')) return;
      const message = await approval(csr);
      if (!message) return;
      const now = rfc3339(ctx.clock.now());
      const conditions = [...(csr.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message, lastUpdateTime: now, lastTransitionTime: now }];
      await api.updateSubresource({ ...csr, status: { ...csr.status, conditions } }, 'approval');
    }
    return { run: (signal) => runController({ name, queue, workers: 1, sync, waitFor: [csrs], signal }) };
  },
};
