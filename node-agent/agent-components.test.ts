import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disableableNames, planComponents } from '../lib/components.js';
import { agentComponents, disabledComponents } from './agent.js';
import { defaultAgentConfig } from './config.js';

const cfg = defaultAgentConfig({ nodeName: 'n1', dataDir: '/nonexistent', kubeconfig: '/nonexistent' });

test('the agent starts its components in the order node-agent/README.md gives', () => {
  assert.deepEqual(planComponents(agentComponents(cfg)).map((c) => c.name), [
    'runtime', 'api-client', 'events', 'node', 'service-informers', 'pods', 'static-pods', 'pleg', 'agent-server',
    'node-registration', 'network', 'flannel', 'service-watch', 'proxy', 'network-policy', 'dns', 'ingress', 'csi-nfs', 'csi', 'api-pods', 'orphan-cleanup', 'cert-rotation',
  ]);
});

test('the pod network, its overlay, the service proxy, NetworkPolicy, cluster DNS, the ingress controller, static pods and the NFS driver can be turned off, and nothing else', () => {
  assert.deepEqual(disableableNames(agentComponents(cfg)), ['static-pods', 'network', 'flannel', 'proxy', 'network-policy', 'dns', 'ingress', 'csi-nfs']);
  // The overlay runs without the CNI config (a user's CNI reading subnet.env).
  assert.ok(planComponents(agentComponents(cfg), ['network']).some((c) => c.name === 'flannel'));
  assert.deepEqual(planComponents(agentComponents(cfg), ['network', 'flannel', 'static-pods', 'proxy', 'network-policy', 'dns', 'ingress', 'csi-nfs']).map((c) => c.name).slice(-6), ['node-registration', 'service-watch', 'csi', 'api-pods', 'orphan-cleanup', 'cert-rotation']);
});

test('--flannel-backend none writes no CNI config and runs no overlay, as --disable network,flannel', () => {
  const none = { ...cfg, flannelBackend: 'none' as const, disabledComponents: ['static-pods'] };
  assert.deepEqual(disabledComponents(none), ['static-pods', 'network', 'flannel']);
  assert.deepEqual(disabledComponents({ ...cfg, disabledComponents: ['static-pods'] }), ['static-pods']);
});
