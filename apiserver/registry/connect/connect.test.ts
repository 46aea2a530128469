import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/errors.js';
import { proxyPath, splitSchemeNamePort } from './scheme-name-port.js';
import { dialErrorText } from './dial-errors.js';
import { kubeletPort, nodeAddress } from './kubelet-connection.js';
import { endpointsFor } from './service-proxy.js';

const meta = { metadata: { name: 'n' } };

describe('proxy names and paths', () => {
  it('splits [scheme:]name[:port]', () => {
    assert.deepEqual(splitSchemeNamePort('web'), { scheme: '', name: 'web', port: '' });
    assert.deepEqual(splitSchemeNamePort('web:8080'), { scheme: '', name: 'web', port: '8080' });
    assert.deepEqual(splitSchemeNamePort('https:web:8443'), { scheme: 'https', name: 'web', port: '8443' });
    for (const bad of ['', ':80', 'ftp:web:21', 'a:b:c:d']) assert.equal(splitSchemeNamePort(bad), undefined, bad);
  });

  it('keeps what follows the proxy segment, trailing slash included', () => {
    assert.equal(proxyPath('/api/v1/namespaces/default/pods/web:8080/proxy/a/b/'), '/a/b/');
    assert.equal(proxyPath('/api/v1/nodes/n1/proxy/logs/'), '/logs/');
    assert.equal(proxyPath('/api/v1/namespaces/default/services/s/proxy'), '');
    assert.equal(proxyPath('/api/v1/namespaces/default/services/s/proxy/x%2Fy'), '/x%2Fy');
  });
});

describe('reaching node agents', () => {
  it('picks InternalIP first, then ExternalIP, then Hostname', () => {
    const addresses = [{ type: 'Hostname', address: 'node-a' }, { type: 'ExternalIP', address: '203.0.113.5' }, { type: 'InternalIP', address: '10.0.0.5' }];
    assert.equal(nodeAddress({ ...meta, status: { addresses } }), '10.0.0.5');
    assert.equal(nodeAddress({ ...meta, status: { addresses: addresses.slice(0, 2) } }), '203.0.113.5');
    assert.equal(nodeAddress({ ...meta, status: { addresses: addresses.slice(0, 1) } }), 'node-a');
    assert.equal(nodeAddress({ ...meta, status: {} }), undefined);
  });

  it('uses the reported kubelet port, 10250 otherwise', () => {
    assert.equal(kubeletPort({ ...meta, status: { daemonEndpoints: { kubeletEndpoint: { Port: 12345 } } } }), 12345);
    assert.equal(kubeletPort({ ...meta, status: { daemonEndpoints: { kubeletEndpoint: { Port: 0 } } } }), 10250);
  });

  it('words connection failures as Go does', () => {
    assert.equal(dialErrorText(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), '10.0.0.5:10250'), 'dial tcp 10.0.0.5:10250: connect: connection refused');
    assert.equal(dialErrorText(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }), '10.0.0.5:10250'), 'dial tcp 10.0.0.5:10250: i/o timeout');
    assert.equal(dialErrorText(new Error('certificate has expired'), 'h:1'), 'certificate has expired');
  });
});

describe('service proxy endpoints', () => {
  const svc = { ...meta, spec: { ports: [{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }] } };
  const eps = { ...meta, subsets: [{ addresses: [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }], ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9100 }] }] };
  const unavailable = (fn: () => unknown, message: string) =>
    assert.throws(fn, (e: unknown) => e instanceof StatusError && e.code === 503 && e.message === message);

  it('finds endpoints by port name, or by the service port number', () => {
    assert.deepEqual(endpointsFor(svc, eps, { name: 's', port: 'http' }, 's:http'), [{ ip: '10.42.0.5', port: 8080 }, { ip: '10.42.0.6', port: 8080 }]);
    assert.deepEqual(endpointsFor(svc, eps, { name: 's', port: '9090' }, 's:9090').map((e) => e.port), [9100, 9100]);
  });

  it('says what is missing, as Kubernetes does', () => {
    unavailable(() => endpointsFor(svc, eps, { name: 's', port: '81' }, 's:81'), 'no service port 81 found for service "s"');
    unavailable(() => endpointsFor(svc, { ...meta, subsets: [] }, { name: 's', port: 'http' }, 's:http'), 'no endpoints available for service "s"');
    // Without a port name only unnamed endpoint ports match.
    unavailable(() => endpointsFor(svc, eps, { name: 's', port: '' }, 's'), 'no endpoints available for service "s"');
  });
});

describe('errors from an agent that are not a Status', () => {
  it('become the Status NewGenericServerResponse makes', async () => {
    const { genericServerResponse } = await import('../../api/errors.js');
    const nf = genericServerResponse(404, '', { group: '', resource: 'pods/log' }, 'web', 'pod "web" does not exist');
    assert.equal(nf.message, 'the server could not find the requested resource ( pods/log web)');
    assert.equal(nf.reason, 'NotFound');
    assert.deepEqual(nf.status.details, { name: 'web', kind: 'pods/log' });
    const other = genericServerResponse(502, '', { group: '', resource: 'pods/log' }, 'web', 'bad gateway');
    assert.equal(other.message, 'an error on the server ("bad gateway") has prevented the request from succeeding ( pods/log web)');
    assert.equal(other.reason, 'InternalError');
  });
});
