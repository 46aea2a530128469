import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CniConfigError, buildBridgeConflist, cidrFamily, writeBridgeConflist } from './bridge-conflist.js';

test('defaults: cni0 bridge on 10.42.0.0/24 with masquerade, hairpin, portmap and loopback', () => {
  assert.deepEqual(buildBridgeConflist(), {
    cniVersion: '1.0.0',
    name: 'k8ts',
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: '10.42.0.0/24' }]], routes: [{ dst: '0.0.0.0/0' }] },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
      { type: 'loopback' },
    ],
  });
});

test('options: CIDR, bridge, IPAM data dir, MTU, no masquerade', () => {
  const c = buildBridgeConflist({ podCidr: '10.42.7.0/24', bridge: 'k8tse2e0', ipamDataDir: '/tmp/ipam', mtu: 1450, ipMasq: false });
  const b = c.plugins[0] as Record<string, unknown>;
  assert.equal(b.bridge, 'k8tse2e0');
  assert.equal(b.mtu, 1450);
  assert.equal(b.ipMasq, false);
  assert.deepEqual(b.ipam, {
    type: 'host-local',
    ranges: [[{ subnet: '10.42.7.0/24' }]],
    routes: [{ dst: '0.0.0.0/0' }],
    dataDir: '/tmp/ipam',
  });
});

test('IPv6 pod CIDR gets a ::/0 route', () => {
  const b = buildBridgeConflist({ podCidr: 'fd42::/64' }).plugins[0] as unknown as { ipam: { routes: unknown } };
  assert.deepEqual(b.ipam.routes, [{ dst: '::/0' }]);
});

test('bad input is rejected', () => {
  for (const cidr of ['10.42.0.0', '10.42.0.0/33', '10.42.0/24', 'x/8', '10.0.0.0/8/1', 'fd00::/129']) {
    assert.throws(() => cidrFamily(cidr), CniConfigError, cidr);
  }
  assert.throws(() => buildBridgeConflist({ bridge: 'a-very-long-bridge-name' }), CniConfigError);
  assert.throws(() => buildBridgeConflist({ bridge: 'br 0' }), CniConfigError);
});

test('writeBridgeConflist writes 10-k8ts.conflist and leaves no temp file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-cni-'));
  try {
    const path = await writeBridgeConflist(join(dir, 'net.d'), { podCidr: '10.42.3.0/24' });
    assert.equal(path, join(dir, 'net.d', '10-k8ts.conflist'));
    assert.deepEqual(await readdir(join(dir, 'net.d')), ['10-k8ts.conflist']);
    const parsed = JSON.parse(await readFile(path, 'utf8')) as { name: string };
    assert.deepEqual(parsed, buildBridgeConflist({ podCidr: '10.42.3.0/24' }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
