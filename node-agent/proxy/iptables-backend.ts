// The iptables mode as a proxier backend: kube-proxy's chains through iptables-restore.
import type { ProxyBackend } from './backend.js';
import type { ProxyIptables } from './iptables.js';
import { servicePortRules, type PortRules, type ProxyRulesConfig } from './rules.js';
import { planSync } from './sync-plan.js';

export function iptablesBackend(iptables: ProxyIptables, cfg: ProxyRulesConfig): ProxyBackend<PortRules> {
  return {
    mode: 'iptables',
    portRules: (sp) => servicePortRules(sp, cfg),
    ruleCount: (r) => r.nat.length + r.rules.length,
    present: () => iptables.canaryPresent(),
    existing: () => iptables.natChains(),
    plan: (kind, written, desired, existing) => planSync(kind, written, desired, cfg, existing),
    apply: (text) => iptables.restore(text),
    repair: () => iptables.ensureJumps(),
    close: () => iptables.close(),
  };
}
