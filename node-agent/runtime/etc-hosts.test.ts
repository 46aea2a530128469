import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostNetworkHostsFile, managedHostsFile, podHostname, sandboxHostname } from './etc-hosts.js';
import type { Pod } from '../kube-types.js';

const pod = (spec: Record<string, unknown> = {}, name = 'web-0'): Pod => ({ metadata: { name, namespace: 'ns' }, spec: { containers: [], ...spec } }) as Pod;

test('hostname from spec.hostname or the pod name, domain from the subdomain', () => {
  assert.deepEqual(podHostname(pod(), 'cluster.local'), { hostname: 'web-0', domain: '' });
  assert.deepEqual(podHostname(pod({ hostname: 'h', subdomain: 'svc' }), 'cluster.local'), { hostname: 'h', domain: 'svc.ns.svc.cluster.local' });
  const long = 'a'.repeat(62) + '-bcd';
  assert.equal(podHostname(pod({}, long), 'cluster.local').hostname, 'a'.repeat(62));
  assert.equal(sandboxHostname(pod({ subdomain: 's', setHostnameAsFQDN: true }), 'cluster.local'), 'web-0.s.ns.svc.cluster.local');
});

test('managed hosts file as kubelet writes it', () => {
  const text = managedHostsFile(['10.42.0.5'], { hostname: 'web-0', domain: 's.ns.svc.cluster.local' }, [{ ip: '1.2.3.4', hostnames: ['a', 'b'] }]);
  assert.equal(text, [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    '10.42.0.5\tweb-0.s.ns.svc.cluster.local\tweb-0',
    '',
    '# Entries added by HostAliases.',
    '1.2.3.4\ta\tb',
    '',
  ].join('\n'));
  assert.ok(hostNetworkHostsFile('127.0.0.1 localhost\n', undefined).startsWith('# Kubernetes-managed hosts file (host network).\n127.0.0.1'));
});
