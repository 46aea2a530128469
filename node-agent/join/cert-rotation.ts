// Renews a joined agent's certificates before they expire, without a restart, as kubelet's
// certificate manager does: once 80% of a certificate's life has passed, a new key and a CSR
// signed with the current credential (a node may renew its own: selfnodeclient, and its own
// serving certificate), then the files and the live client and server are switched over.
import { X509Certificate } from 'node:crypto';
import { logger } from '../../lib/log.js';
import { nothingToStop, type Component } from '../../lib/components.js';
import { newPrivateKey } from '../../lib/pki.js';
import { agentServerValue, apiClientValue, nodeValue } from '../agent-values.js';
import type { AgentConfig } from '../config.js';
import { requestCertificate } from './csr-request.js';
import { clientUsages, joinPaths, nodeSubject, readPem, servingNames, servingUsages, writeCredentials } from './tls-bootstrap.js';

const log = logger('cert-rotation');
const checkEveryMs = 10_000;

/** When a certificate should be renewed: 80% into its validity. */
export function renewAt(pem: string): number {
  const x = new X509Certificate(pem);
  const from = Date.parse(x.validFrom);
  return from + 0.8 * (Date.parse(x.validTo) - from);
}

export function certRotationComponent(cfg: AgentConfig): Component {
  return {
    name: 'cert-rotation', requires: ['api-client', 'agent-server', 'node', 'node-registration'],
    async start(ctx) {
      const rotation = cfg.certRotation;
      if (!rotation) return nothingToStop;
      const client = ctx.get(apiClientValue);
      const server = ctx.get(agentServerValue);
      const node = ctx.get(nodeValue);
      const paths = joinPaths(cfg.dataDir);
      const renew = async () => {
        const caPem = client.config.caCert ?? '';
        if (client.config.clientCert && Date.now() >= renewAt(client.config.clientCert)) {
          const key = newPrivateKey();
          const cert = await requestCertificate(client, {
            what: 'client', signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: clientUsages,
            subject: nodeSubject(cfg.nodeName), keyPem: key, expirationSeconds: rotation.lifetimeSeconds,
          });
          writeCredentials(paths, rotation.server, caPem, { cert, key }, undefined);
          client.updateCredentials(cert, key);
          log.info({ kind: 'client', notAfter: new X509Certificate(cert).validTo }, 'certificate renewed');
        }
        const serving = readPem(paths.servingCertFile);
        if (Date.now() >= renewAt(serving)) {
          const key = newPrivateKey();
          const cert = await requestCertificate(client, {
            what: 'serving', signerName: 'kubernetes.io/kubelet-serving', usages: servingUsages,
            subject: { ...nodeSubject(cfg.nodeName), ...servingNames(cfg.nodeName, [node.host.internalIP]) }, keyPem: key, expirationSeconds: rotation.lifetimeSeconds,
          });
          writeCredentials(paths, rotation.server, caPem, undefined, { cert, key });
          server.setServingCertificate({ cert, key });
          log.info({ kind: 'serving', notAfter: new X509Certificate(cert).validTo }, 'certificate renewed');
        }
      };
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        renew().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'certificate renewal failed: retrying'))
          .finally(() => (running = false));
      }, checkEveryMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
