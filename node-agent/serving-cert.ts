// The serving certificate of the agent's HTTPS server (kubelet's :10250). The API server verifies
// it against the cluster CA, so: the files given by flag, else one issued from the cluster CA
// when this host has it (server nodes: <data>/pki/ca.*), else a self-signed one (the API server
// will not trust that until node credentials arrive with the join issue).
import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensureCA, ensureCertificate, type KeyPair } from '../lib/pki.js';
import { agentPaths, type AgentConfig } from './config.js';

export function servingCertificate(cfg: AgentConfig, nodeIP: string): KeyPair {
  if (cfg.tlsCertFile && cfg.tlsPrivateKeyFile) {
    return { cert: readFileSync(cfg.tlsCertFile, 'utf8'), key: readFileSync(cfg.tlsPrivateKeyFile, 'utf8') };
  }
  const pki = agentPaths(cfg.dataDir).pki;
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  const req = { commonName: cfg.nodeName, dnsNames: [cfg.nodeName, hostname()], ips: [nodeIP, '127.0.0.1'], usage: 'server' as const };
  let ca: KeyPair;
  try {
    ca = { cert: readFileSync(join(cfg.dataDir, 'pki', 'ca.crt'), 'utf8'), key: readFileSync(join(cfg.dataDir, 'pki', 'ca.key'), 'utf8') };
  } catch {
    ca = ensureCA(pki, 'kubelet-ca', `${cfg.nodeName}-ca`);
  }
  return ensureCertificate(pki, 'kubelet', ca, req);
}
