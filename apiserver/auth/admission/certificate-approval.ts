// CertificateApproval, as Kubernetes' admission plugin: adding Approved or Denied to a
// CertificateSigningRequest (its approval subresource) needs the `approve` verb on the CSR's
// signer (resource `signers` in certificates.k8s.io, named by the signer or `<domain>/*`),
// besides `update` on certificatesigningrequests/approval. The signer is read from the stored
// object, so changing it in the same request cannot widen what is allowed.
import { forbidden } from '../../api/errors.js';
import type { AdmissionAttributes, UserInfo } from '../../registry/context.js';
import type { Authorizer } from '../authorize.js';
import type { ResourceRequest } from '../../http/request-info.js';
import type { AdmissionPlugin } from './chain.js';

const GROUP = 'certificates.k8s.io';

function signerRequest(name: string): ResourceRequest {
  return { kind: 'resource', verb: 'approve' as ResourceRequest['verb'], group: GROUP, version: '*', namespace: '', resource: 'signers', name, subresource: '', rest: [] };
}

/** Allowed on the signer by name, or on every signer of its domain (`example.com/*`). */
export async function mayUseSigner(authz: Pick<Authorizer, 'authorize'>, user: UserInfo, signerName: string): Promise<boolean> {
  if ((await authz.authorize({ user, info: signerRequest(signerName) })) === 'allow') return true;
  const slash = signerName.indexOf('/');
  return slash > 0 && (await authz.authorize({ user, info: signerRequest(`${signerName.slice(0, slash)}/*`) })) === 'allow';
}

export function certificateApproval(authz: Pick<Authorizer, 'authorize'>): AdmissionPlugin {
  return {
    name: 'CertificateApproval',
    async validate(a: AdmissionAttributes) {
      if (a.def.group !== GROUP || a.def.plural !== 'certificatesigningrequests' || a.subresource !== 'approval' || a.operation !== 'UPDATE') return;
      const signer = (a.oldObject as { spec?: { signerName?: string } } | undefined)?.spec?.signerName ?? '';
      if (await mayUseSigner(authz, a.ctx.user, signer)) return;
      throw forbidden({ group: GROUP, resource: 'certificatesigningrequests' }, a.name, `user not permitted to approve requests with signerName "${signer}"`);
    },
  };
}
