// certificatesigningrequests/approval: the only way to add Approved or Denied conditions
// (what `kubectl certificate approve|deny` uses). PATCH applies to what get answers, then
// update writes it (http/handlers/subresource.ts).
import type { ApiContext } from '../api-context.js';
import { decoded } from '../decoded.js';
import { parseResourceVersion } from '../rest-store.js';

export function csrApprovalExtensions(api: ApiContext): void {
  const csrs = () => api.storeFor('certificates.k8s.io', 'certificatesigningrequests');
  api.extend('certificates.k8s.io', 'certificatesigningrequests', {
    subresources: [{
      name: 'approval', kind: 'CertificateSigningRequest', verbs: ['get', 'patch', 'update'],
      async get(req) {
        return decoded(csrs().get('', req.name));
      },
      async update(req, body) {
        return csrs().guaranteedUpdate('', req.name, req.ctx, () => body, {
          expectedRV: parseResourceVersion(body.metadata.resourceVersion), subresource: 'approval', writesStatus: true,
        });
      },
    }],
  });
}
