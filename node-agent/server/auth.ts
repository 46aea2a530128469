// Who may call the node agent: by default only the API server, identified by the client
// certificate the cluster CA issued it (CN kube-apiserver-kubelet-client). Anything without a
// verified certificate is 401, anyone else 403, worded as the kubelet words it.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { APISERVER_KUBELET_CLIENT_CN, subjectOf } from '../../lib/pki.js';

export interface AgentCaller {
  name: string;
  groups: string[];
}

/** Identifies the caller of a request, or undefined when it has no valid credentials. */
export type AgentAuthenticator = (req: IncomingMessage) => AgentCaller | undefined;

/** Whether `caller` may `verb` the node's `subresource` (proxy, log, stats, healthz). */
export type AgentAuthorizer = (caller: AgentCaller, verb: string, subresource: string) => boolean;

/** Callers with a client certificate the server's CA verified (the TLS layer checked the chain). */
export const clientCertificateAuthenticator: AgentAuthenticator = (req) => {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.subject) return undefined;
  const { cn, orgs } = subjectOf(cert as unknown as { subject: Record<string, string | string[]> });
  return cn ? { name: cn, groups: orgs } : undefined;
};

/** Allows the named users only. */
export function allowUsers(names: readonly string[] = [APISERVER_KUBELET_CLIENT_CN]): AgentAuthorizer {
  const allowed = new Set(names);
  return (caller) => allowed.has(caller.name);
}

/** The verb an HTTP method stands for in the kubelet's authorization. */
export function verbOf(method: string | undefined): string {
  switch ((method ?? 'GET').toUpperCase()) {
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return 'delete';
    default: return 'get';
  }
}

export function forbiddenMessage(caller: AgentCaller, verb: string, subresource: string): string {
  return `Forbidden (user=${caller.name}, verb=${verb}, resource=nodes, subresource=${subresource})`;
}
