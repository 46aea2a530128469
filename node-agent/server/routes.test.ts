import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchRoute, subresourceOf } from './routes.js';
import { allowUsers, forbiddenMessage, verbOf } from './auth.js';
import { listingHtml } from './node-logs.js';

describe('agent routes', () => {
  it('maps the kubelet paths', () => {
    assert.deepEqual(matchRoute('/containerLogs/default/web/app'), { kind: 'containerLogs', namespace: 'default', pod: 'web', container: 'app' });
    assert.deepEqual(matchRoute('/exec/default/web/app'), { kind: 'exec', namespace: 'default', pod: 'web', container: 'app' });
    assert.deepEqual(matchRoute('/attach/default/web/uid-1/app'), { kind: 'attach', namespace: 'default', pod: 'web', uid: 'uid-1', container: 'app' });
    assert.deepEqual(matchRoute('/portForward/default/web'), { kind: 'portForward', namespace: 'default', pod: 'web' });
    assert.deepEqual(matchRoute('/logs/'), { kind: 'nodeLogs', path: '/' });
    assert.deepEqual(matchRoute('/logs'), { kind: 'nodeLogs', path: '/' });
    assert.deepEqual(matchRoute('/logs/apt/history.log'), { kind: 'nodeLogs', path: '/apt/history.log' });
    assert.deepEqual(matchRoute('/healthz'), { kind: 'healthz' });
    assert.deepEqual(matchRoute('/pods'), { kind: 'pods' });
    assert.deepEqual(matchRoute('/stats/summary'), { kind: 'statsSummary' });
  });

  it('decodes path segments and refuses unknown or malformed paths', () => {
    assert.deepEqual(matchRoute('/exec/default/web%2Dx/app'), { kind: 'exec', namespace: 'default', pod: 'web-x', container: 'app' });
    for (const p of ['/', '/exec/default/web', '/containerLogs/a/b', '/runningpods', '/exec/%E0%A4%A/x/y']) assert.equal(matchRoute(p), undefined, p);
  });

  it('names each route as the node subresource authorization sees', () => {
    assert.equal(subresourceOf(matchRoute('/exec/a/b/c')), 'proxy');
    assert.equal(subresourceOf(matchRoute('/stats/summary')), 'stats');
    assert.equal(subresourceOf(matchRoute('/logs/')), 'log');
    assert.equal(subresourceOf(matchRoute('/healthz')), 'healthz');
  });
});

describe('agent authorization', () => {
  it('lets only the API server in by default', () => {
    const allow = allowUsers();
    assert.equal(allow({ name: 'kube-apiserver-kubelet-client', groups: [] }, 'get', 'proxy'), true);
    assert.equal(allow({ name: 'admin', groups: ['system:masters'] }, 'get', 'proxy'), false);
  });

  it('words refusals as the kubelet does', () => {
    assert.equal(verbOf('POST'), 'create');
    assert.equal(verbOf('GET'), 'get');
    assert.equal(forbiddenMessage({ name: 'admin', groups: [] }, verbOf('POST'), 'proxy'), 'Forbidden (user=admin, verb=create, resource=nodes, subresource=proxy)');
  });
});

describe('node log listing', () => {
  it('lists entries sorted, directories with a slash, names escaped', () => {
    assert.equal(listingHtml([{ name: 'syslog', dir: false }, { name: 'apt', dir: true }, { name: 'a<b>', dir: false }]),
      '<pre>\n<a href="a%3Cb%3E">a&lt;b&gt;</a>\n<a href="apt/">apt/</a>\n<a href="syslog">syslog</a>\n</pre>\n');
  });
});
