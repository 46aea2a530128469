import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentConfigFromFlags } from './agent-flags.js';

const base = { nodeName: 'n1', dataDir: '/nonexistent', kubeconfig: '/nonexistent' };

test('--cluster-dns takes IPs (the first is kube-dns) and --cluster-domain DNS labels', () => {
  const cfg = agentConfigFromFlags({ 'cluster-dns': '10.43.0.53, fd00::a', 'cluster-domain': 'Corp.Example.' }, base);
  assert.deepEqual(cfg.clusterDNS, ['10.43.0.53', 'fd00::a']);
  assert.equal(cfg.clusterDomain, 'corp.example');
  assert.deepEqual(agentConfigFromFlags({}, base).clusterDNS, ['10.43.0.10']);
});

test('a --cluster-dns that is no IP or a --cluster-domain that is no DNS name fails with the flag named', () => {
  assert.throws(() => agentConfigFromFlags({ 'cluster-dns': 'dns.local' }, base), /invalid --cluster-dns "dns.local": want an IP address/);
  assert.throws(() => agentConfigFromFlags({ 'cluster-domain': 'under_score.local' }, base), /invalid --cluster-domain "under_score.local"/);
});

test('the Ingress controller listens on 80 and 443 unless --ingress-http-port / --ingress-https-port say otherwise', () => {
  const d = agentConfigFromFlags({}, base);
  assert.deepEqual([d.ingressHttpPort, d.ingressHttpsPort], [80, 443]);
  const c = agentConfigFromFlags({ 'ingress-http-port': '8080', 'ingress-https-port': '8443' }, base);
  assert.deepEqual([c.ingressHttpPort, c.ingressHttpsPort], [8080, 8443]);
  assert.throws(() => agentConfigFromFlags({ 'ingress-http-port': 'http' }, base), /invalid --ingress-http-port "http"/);
  assert.throws(() => agentConfigFromFlags({ 'ingress-https-port': '70000' }, base), /invalid --ingress-https-port "70000"/);
});

test('--proxy-mode is iptables unless nftables is asked for; anything else fails with the flag named', () => {
  assert.equal(agentConfigFromFlags({}, base).proxyMode, 'iptables');
  assert.equal(agentConfigFromFlags({ 'proxy-mode': 'nftables' }, base).proxyMode, 'nftables');
  assert.throws(() => agentConfigFromFlags({ 'proxy-mode': 'ipvs' }, base), /invalid --proxy-mode "ipvs" \(want iptables or nftables\)/);
});
