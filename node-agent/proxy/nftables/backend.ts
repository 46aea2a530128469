// The nftables mode as a proxier backend: kube-proxy's `ip kube-proxy` table through `nft -f`.
import type { ProxyBackend } from '../backend.js';
import type { ProxyRulesConfig } from '../rules.js';
import type { ProxyNft } from './nft.js';
import { planNftSync } from './plan.js';
import { nftPortRules, type NftPortRules } from './rules.js';

export function nftablesBackend(nft: ProxyNft, cfg: ProxyRulesConfig): ProxyBackend<NftPortRules> {
  return {
    mode: 'nftables',
    portRules: (sp) => nftPortRules(sp, cfg),
    ruleCount: (r) => r.elements.length + r.chains.reduce((n, c) => n + c.rules.length, 0),
    present: () => nft.present(),
    existing: () => nft.names(),
    plan: (kind, written, desired, existing) => planNftSync(kind, written, desired, cfg, existing),
    apply: (text) => nft.apply(text),
    // The base chains hook into netfilter themselves: nothing outside the transaction to put back.
    repair: async () => 0,
    close: () => nft.close(),
  };
}
