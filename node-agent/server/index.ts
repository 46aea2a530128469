// The node agent's HTTPS endpoint (port 10250) for the kubelet code to start. See README.md.
export { startAgentServer, type AgentServer, type AgentServerOptions } from './agent-server.js';
export type { PodSource } from './context.js';
export { allowUsers, clientCertificateAuthenticator, type AgentAuthenticator, type AgentAuthorizer, type AgentCaller } from './auth.js';
export { KubeletLabels } from './runtime-lookup.js';
