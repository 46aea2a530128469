import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disableableNames, planComponents } from '../lib/components.js';
import { agentComponents } from './agent.js';
import { defaultAgentConfig } from './config.js';

const cfg = defaultAgentConfig({ nodeName: 'n1', dataDir: '/nonexistent', kubeconfig: '/nonexistent' });

test('the agent starts its components in the order node-agent/README.md gives', () => {
  assert.deepEqual(planComponents(agentComponents(cfg)).map((c) => c.name), [
    'runtime', 'api-client', 'events', 'node', 'service-informers', 'pods', 'static-pods', 'pleg', 'agent-server',
    'node-registration', 'network', 'service-watch', 'proxy', 'dns', 'api-pods', 'orphan-cleanup', 'cert-rotation',
  ]);
});

test('the pod network, the service proxy, cluster DNS and static pods can be turned off, and nothing else', () => {
  assert.deepEqual(disableableNames(agentComponents(cfg)), ['static-pods', 'network', 'proxy', 'dns']);
  assert.deepEqual(planComponents(agentComponents(cfg), ['network', 'static-pods', 'proxy', 'dns']).map((c) => c.name).slice(-5), ['node-registration', 'service-watch', 'api-pods', 'orphan-cleanup', 'cert-rotation']);
});
