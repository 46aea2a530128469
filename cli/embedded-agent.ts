// The node agent `k8ts server` runs in its own process (as k3s server runs its agent), as one
// of the server's components: it starts once the server serves and writes the admin kubeconfig
// the agent uses, and stops first.
import type { Component } from '../lib/components.js';
import { servingValue } from '../apiserver/server-components.js';
import { startAgent } from '../node-agent/agent.js';
import type { AgentConfig } from '../node-agent/config.js';

export function embeddedAgentComponent(cfg: AgentConfig): Component {
  return {
    name: 'agent', requires: ['bootstrap'], optional: true,
    async start(ctx) {
      try {
        const agent = await startAgent({ ...cfg, kubeconfig: ctx.get(servingValue).adminKubeconfig });
        return () => agent.stop();
      } catch (err) {
        throw new Error(`node agent did not start (run with --disable agent for a control plane only): ${(err as Error).message}`);
      }
    },
  };
}
