// certificatesigningrequests/approval: the only way to add Approved or Denied conditions
// (what `kubectl certificate approve|deny` uses).
import { methodNotSupported } from '../../api/errors.js';
import type { ApiContext } from '../../http/api-context.js';
import { sendKV, sendObject } from '../../http/handlers/read.js';
import { readObject } from '../../http/handlers/write.js';
import { parseResourceVersion } from '../rest-store.js';

export function csrApprovalExtensions(api: ApiContext): void {
  api.extend('certificates.k8s.io', 'certificatesigningrequests', {
    subresources: [{
      name: 'approval', kind: 'CertificateSigningRequest', verbs: ['get', 'update'],
      async handle(call) {
        const { rs, info } = call;
        if (info.verb === 'get') return sendKV(call, rs.get('', info.name));
        if (info.verb !== 'update') throw methodNotSupported({ group: rs.gr.group, resource: 'certificatesigningrequests/approval' }, info.verb);
        const body = await readObject(call);
        const updated = await rs.guaranteedUpdate('', info.name, call.ctx, () => body, {
          expectedRV: parseResourceVersion(body.metadata.resourceVersion), subresource: 'approval', writesStatus: true,
        });
        sendObject(call, updated);
      },
    }],
  });
}
