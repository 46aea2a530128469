import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizationInfo, requestInfo } from '../../http/request-info.js';
import { NodeAuthorizer } from './node-authorizer.js';
import type { NodeGraph } from './node-graph.js';

// The graph's answers for node n1: it may read secret web/own and the Ingress TLS secret web/tls.
const graph = {
  names: (node: string, resource: string, ns: string, name: string) => node === 'n1' && ns === 'web' && name === 'own' && resource !== 'serviceaccounts',
  ingressTlsSecret: (ns: string, name: string) => ns === 'web' && name === 'tls',
  usesVolume: () => false,
} as unknown as NodeGraph;
const authorizer = new NodeAuthorizer(graph);
const user = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };

function decide(method: string, path: string) {
  const url = new URL(path, 'https://k8ts');
  return authorizer.authorize({ user, info: authorizationInfo(requestInfo(method, url.pathname, url.searchParams), url.searchParams) });
}

test('a node gets, lists or watches one Secret it is related to, by name or by a metadata.name fieldSelector', () => {
  assert.equal(decide('GET', '/api/v1/namespaces/web/secrets/own').decision, 'allow');
  assert.equal(decide('GET', '/api/v1/namespaces/web/secrets/tls').decision, 'allow');
  assert.equal(decide('GET', '/api/v1/namespaces/web/secrets?watch=true&fieldSelector=metadata.name%3Dtls').decision, 'allow');
  assert.equal(decide('GET', '/api/v1/namespaces/web/secrets?fieldSelector=metadata.name%3Down').decision, 'allow');
  assert.equal(decide('GET', '/api/v1/namespaces/web/configmaps?watch=1&fieldSelector=metadata.name%3Down').decision, 'allow');
});

test('a node reads no other Secret, and never all of them', () => {
  assert.deepEqual(decide('GET', '/api/v1/namespaces/web/secrets?watch=true&fieldSelector=metadata.name%3Dother'), { decision: 'no-opinion', reason: 'no relationship found between node \'n1\' and this object' });
  assert.deepEqual(decide('GET', '/api/v1/namespaces/web/secrets'), { decision: 'no-opinion', reason: 'No Object name found' });
  assert.deepEqual(decide('GET', '/api/v1/secrets?fieldSelector=metadata.name%3Dtls'), { decision: 'no-opinion', reason: 'can only read namespaced object of this type' });
  assert.deepEqual(decide('DELETE', '/api/v1/namespaces/web/secrets/own'), { decision: 'no-opinion', reason: 'can only read resources of this type' });
  assert.deepEqual(decide('GET', '/api/v1/namespaces/web/persistentvolumeclaims?fieldSelector=metadata.name%3Down'), { decision: 'no-opinion', reason: 'can only get individual resources of this type' });
  assert.equal(decide('GET', '/api/v1/namespaces/web/persistentvolumeclaims/own').decision, 'allow');
});
