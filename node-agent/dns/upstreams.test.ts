import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResolvConf } from '../runtime/dns.js';
import { chooseUpstreams } from './upstreams.js';

test('resolvers that lead back here are skipped: the cluster DNS IP and our own listen address', () => {
  const resolv = parseResolvConf('nameserver 10.43.0.10\nnameserver 192.168.1.5\nnameserver 127.0.0.53\nnameserver 192.168.1.1\nnameserver 192.168.1.1\n');
  const choice = chooseUpstreams(resolv, { listen: [{ host: '192.168.1.5', port: 53 }], clusterDNS: ['10.43.0.10'] });
  // systemd-resolved's stub is on this host's loopback and is not us: kept.
  assert.deepEqual(choice.upstreams, [{ host: '127.0.0.53', port: 53 }, { host: '192.168.1.1', port: 53 }]);
  assert.deepEqual(choice.skipped.map((s) => s.address), ['10.43.0.10', '192.168.1.5']);
});

test('a listener on another port is not the resolver on 53; garbage is skipped with a reason', () => {
  const resolv = parseResolvConf('nameserver 127.0.0.1\nnameserver not-an-ip\nnameserver fd00::53\n');
  const choice = chooseUpstreams(resolv, { listen: [{ host: '127.0.0.1', port: 5353 }], clusterDNS: ['fd00:0:0::53'] });
  assert.deepEqual(choice.upstreams, [{ host: '127.0.0.1', port: 53 }]);
  assert.deepEqual(choice.skipped, [
    { address: 'not-an-ip', why: 'not an IP address' },
    { address: 'fd00::53', why: 'the cluster DNS Service, which routes back to this server' },
  ]);
});

test('only loops left: no upstream (the server then answers SERVFAIL)', () => {
  const choice = chooseUpstreams(parseResolvConf('nameserver 10.43.0.10\n'), { listen: [], clusterDNS: ['10.43.0.10'] });
  assert.deepEqual(choice.upstreams, []);
});
