import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disableableNames, planComponents } from '../lib/components.js';
import { serverComponents } from './server.js';

const opts = { dataDir: '/nonexistent', bindAddress: '127.0.0.1', securePort: 0, serviceCIDR: '10.43.0.0/16', clusterCIDR: '10.42.0.0/16', nodePortRange: [30000, 32767] as [number, number], tlsSANs: [] };

test('the server serves only once OpenAPI and CRDs are in place, and runs the control plane once bootstrapped', () => {
  assert.deepEqual(planComponents(serverComponents(opts)).map((c) => c.name),
    ['pki', 'storage', 'api', 'http', 'openapi', 'crds', 'serving', 'bootstrap', 'dns', 'ingress', 'control-plane', 'metrics-server', 'local-storage', 'csi-nfs', 'csi-provisioner']);
  assert.deepEqual(disableableNames(serverComponents(opts)), ['dns', 'ingress', 'control-plane', 'metrics-server', 'local-storage', 'csi-nfs']);
});
