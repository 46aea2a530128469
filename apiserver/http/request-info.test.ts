import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizationInfo, requestInfo, type ResourceRequest } from './request-info.js';

const asked = (path: string) => {
  const url = new URL(path, 'https://k8ts');
  return { info: requestInfo('GET', url.pathname, url.searchParams) as ResourceRequest, authz: authorizationInfo(requestInfo('GET', url.pathname, url.searchParams), url.searchParams) as ResourceRequest };
};

test('a list or watch pinned to one name by fieldSelector is authorized as that object; the handler still sees a list', () => {
  const w = asked('/api/v1/namespaces/web/secrets?watch=true&fieldSelector=metadata.name%3Dtls');
  assert.equal(w.info.verb, 'watch');
  assert.equal(w.info.name, '');
  assert.deepEqual([w.authz.verb, w.authz.namespace, w.authz.name], ['watch', 'web', 'tls']);
  assert.equal(asked('/api/v1/namespaces/web/secrets?fieldSelector=type%3Dx,metadata.name%3D%3Dtls').authz.name, 'tls');
});

test('no name from a selector that does not pin one, or from one that could not be a path segment', () => {
  for (const q of ['', '?fieldSelector=metadata.name!%3Dtls', '?fieldSelector=metadata.namespace%3Dweb', '?fieldSelector=metadata.name%3D..', '?fieldSelector=metadata.name%3Da%2Fb', '?fieldSelector=%3D%3D%3D']) {
    assert.equal(asked(`/api/v1/namespaces/web/secrets${q}`).authz.name, '', q);
  }
  const get = asked('/api/v1/namespaces/web/secrets/a?fieldSelector=metadata.name%3Db');
  assert.equal(get.authz.name, 'a', 'a get keeps the name of its path');
});
