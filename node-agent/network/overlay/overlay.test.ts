import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../../lib/client/types.js';
import { annotationKeys, flannelAnnotations, hasAnnotations, peerOf, stableVtepMAC } from './flannel-node.js';
import { desiredState, emptyState } from './desired.js';
import { stateCommands } from './diff.js';
import { parseFdbs, parseHostGwRoutes, parseNeighs, parseVxlanRoutes } from './kernel-state.js';
import { parseSubnetEnv, subnetEnvPath, subnetEnvText } from './subnet-env.js';
import { pickUplink, podMTU } from './uplink.js';
import { deviceMismatch } from './vxlan-device.js';
import { masqueradeBatch } from './masquerade.js';
import { overlayCniOptions } from './cni-options.js';
import type { Exec } from '../../../lib/exec.js';

function node(name: string, podCIDR: string | undefined, ip: string, mac?: string, backend = 'vxlan'): Node {
  return {
    metadata: { name, annotations: mac || backend !== 'vxlan' ? flannelAnnotations(backend as 'vxlan', ip, mac) : {} },
    spec: podCIDR ? { podCIDR } : {},
  };
}

const A = node('a', '10.42.1.0/24', '192.168.77.11', '02:00:00:00:00:0a');
const B = node('b', '10.42.2.0/24', '192.168.77.12', '02:00:00:00:00:0b');
const C = node('c', '10.42.3.0/24', '192.168.77.13', '02:00:00:00:00:0c');

test('the annotations are flannel\'s, with the VNI and VTEP MAC as JSON', () => {
  assert.deepEqual(flannelAnnotations('vxlan', '192.168.77.11', '02:00:00:00:00:0a'), {
    'flannel.alpha.coreos.com/backend-type': 'vxlan',
    'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"02:00:00:00:00:0a"}',
    'flannel.alpha.coreos.com/public-ip': '192.168.77.11',
    'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
  });
  assert.ok(hasAnnotations(A, flannelAnnotations('vxlan', '192.168.77.11', '02:00:00:00:00:0a')));
  assert.ok(!hasAnnotations(A, flannelAnnotations('vxlan', '192.168.77.99', '02:00:00:00:00:0a')));
});

test('a peer needs a podCIDR, a public IP and a VTEP MAC in VNI 1; anything else is skipped', () => {
  assert.deepEqual(peerOf(B), { node: 'b', podCIDR: '10.42.2.0/24', publicIP: '192.168.77.12', backend: 'vxlan', vtepMAC: '02:00:00:00:00:0b' });
  assert.equal(peerOf(node('x', undefined, '192.168.77.12', '02:00:00:00:00:0b')), undefined);
  assert.equal(peerOf(node('x', '10.42.9.0/24', '192.168.77.12')), undefined);
  const otherVni = { ...B, metadata: { ...B.metadata, annotations: { ...B.metadata!.annotations, [annotationKeys.backendData]: '{"VNI":2,"VtepMAC":"02:00:00:00:00:0b"}' } } };
  assert.equal(peerOf(otherVni), undefined);
  const garbage = { ...B, metadata: { ...B.metadata, annotations: { ...B.metadata!.annotations, [annotationKeys.backendData]: 'not json' } } };
  assert.equal(peerOf(garbage), undefined);
  const deleting = { ...B, metadata: { ...B.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
  assert.equal(peerOf(deleting), undefined);
});

test('vxlan: one route, one neighbour and one FDB entry per other node', () => {
  const s = desiredState('a', 'vxlan', [A, B, C]);
  assert.deepEqual(s.routes, [
    { dst: '10.42.2.0/24', via: '10.42.2.0', dev: 'flannel.1' },
    { dst: '10.42.3.0/24', via: '10.42.3.0', dev: 'flannel.1' },
  ]);
  assert.deepEqual(s.neighs, [{ ip: '10.42.2.0', mac: '02:00:00:00:00:0b' }, { ip: '10.42.3.0', mac: '02:00:00:00:00:0c' }]);
  assert.deepEqual(s.fdbs, [{ mac: '02:00:00:00:00:0b', dst: '192.168.77.12' }, { mac: '02:00:00:00:00:0c', dst: '192.168.77.13' }]);
});

test('a node on our own address (another agent on this host) gets no entries', () => {
  const sameHost = node('d', '10.42.4.0/24', '192.168.77.11', '02:00:00:00:00:0d');
  assert.deepEqual(desiredState('a', 'vxlan', [A, B, sameHost], '192.168.77.11').routes.map((r) => r.dst), ['10.42.2.0/24']);
});

test('host-gw: a route via the peer\'s public IP; none: nothing', () => {
  const hb = node('b', '10.42.2.0/24', '192.168.77.12', undefined, 'host-gw');
  assert.deepEqual(desiredState('a', 'host-gw', [A, hb]), { routes: [{ dst: '10.42.2.0/24', via: '192.168.77.12' }], neighs: [], fdbs: [] });
  assert.deepEqual(desiredState('a', 'none', [A, B]), emptyState());
  // A vxlan peer is not routed by a host-gw node.
  assert.deepEqual(desiredState('a', 'host-gw', [A, B]).routes, []);
});

test('a podCIDR claimed twice (or our own) gets no second route', () => {
  const dup = node('z', '10.42.2.0/24', '192.168.77.99', '02:00:00:00:00:99');
  const mine = node('y', '10.42.1.0/24', '192.168.77.98', '02:00:00:00:00:98');
  assert.deepEqual(desiredState('a', 'vxlan', [A, B, dup, mine]).routes.map((r) => r.dst), ['10.42.2.0/24']);
});

test('the diff adds what is missing and removes what is stale, neighbours before routes', () => {
  const want = desiredState('a', 'vxlan', [A, B]);
  const have = desiredState('a', 'vxlan', [A, C]);
  assert.deepEqual(stateCommands(want, have).map((c) => `${c.file} ${c.args.join(' ')}`), [
    'ip route del 10.42.3.0/24 via 10.42.3.0 dev flannel.1',
    'ip neigh del 10.42.3.0 dev flannel.1',
    'bridge fdb del 02:00:00:00:00:0c dev flannel.1 dst 192.168.77.13',
    'ip neigh replace 10.42.2.0 lladdr 02:00:00:00:00:0b dev flannel.1 nud permanent',
    'bridge fdb append 02:00:00:00:00:0b dev flannel.1 dst 192.168.77.12 self permanent',
    'ip route replace 10.42.2.0/24 via 10.42.2.0 dev flannel.1 onlink',
  ]);
  assert.deepEqual(stateCommands(want, want), []);
});

test('after a switch from host-gw to vxlan, the old route goes before the new one is made', () => {
  const have = { ...emptyState(), routes: [{ dst: '10.42.2.0/24', via: '192.168.77.12' }] };
  assert.deepEqual(stateCommands(desiredState('a', 'vxlan', [A, B]), have).map((c) => c.args.join(' ')), [
    'route del 10.42.2.0/24 via 192.168.77.12',
    'neigh replace 10.42.2.0 lladdr 02:00:00:00:00:0b dev flannel.1 nud permanent',
    'fdb append 02:00:00:00:00:0b dev flannel.1 dst 192.168.77.12 self permanent',
    'route replace 10.42.2.0/24 via 10.42.2.0 dev flannel.1 onlink',
  ]);
});

test('a peer that moved to a new public IP gets its FDB entry replaced', () => {
  const moved = node('b', '10.42.2.0/24', '192.168.77.50', '02:00:00:00:00:0b');
  const cmds = stateCommands(desiredState('a', 'vxlan', [A, moved]), desiredState('a', 'vxlan', [A, B])).map((c) => c.args.join(' '));
  assert.deepEqual(cmds, ['fdb del 02:00:00:00:00:0b dev flannel.1 dst 192.168.77.12', 'fdb append 02:00:00:00:00:0b dev flannel.1 dst 192.168.77.50 self permanent']);
});

test('the kernel\'s state is read from iproute2 JSON', () => {
  const routes = JSON.stringify([
    { dst: '10.42.2.0/24', gateway: '10.42.2.0', dev: 'flannel.1', flags: ['onlink'] },
    { dst: '10.42.3.0/24', gateway: '192.168.77.13', dev: 'eth0', flags: [] },
    { dst: '10.42.1.0/24', dev: 'cni0', protocol: 'kernel', scope: 'link' },
    { dst: 'default', gateway: '192.168.77.1', dev: 'eth0' },
    { dst: '192.168.77.0/24', dev: 'eth0', protocol: 'kernel' },
  ]);
  assert.deepEqual(parseVxlanRoutes(routes), [{ dst: '10.42.2.0/24', via: '10.42.2.0', dev: 'flannel.1' }]);
  assert.deepEqual(parseHostGwRoutes(routes, '10.42.0.0/16', '10.42.1.0/24'), [{ dst: '10.42.3.0/24', via: '192.168.77.13' }]);
  assert.deepEqual(parseNeighs('[{"dst":"10.42.2.0","lladdr":"02:AA:bb:cc:dd:ee","state":["PERMANENT"]}]'), [{ ip: '10.42.2.0', mac: '02:aa:bb:cc:dd:ee' }]);
  assert.deepEqual(parseFdbs('[{"mac":"02:aa:bb:cc:dd:ee","dst":"192.168.200.2","flags":["self"],"state":"permanent"},{"mac":"00:00:00:00:00:00","dst":"1.2.3.4"},{"mac":"33:33:00:00:00:01","flags":["self"]}]'),
    [{ mac: '02:aa:bb:cc:dd:ee', dst: '192.168.200.2' }]);
  assert.deepEqual(parseVxlanRoutes(''), []);
});

test('subnet.env carries the cluster network, the first address of the node\'s subnet and the MTU', () => {
  const text = subnetEnvText({ network: '10.42.0.0/16', subnet: '10.42.1.0/24', mtu: 1450, ipMasq: true });
  assert.equal(text, 'FLANNEL_NETWORK=10.42.0.0/16\nFLANNEL_SUBNET=10.42.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
  assert.deepEqual(parseSubnetEnv(text), { FLANNEL_NETWORK: '10.42.0.0/16', FLANNEL_SUBNET: '10.42.1.1/24', FLANNEL_MTU: '1450', FLANNEL_IPMASQ: 'true' });
  assert.equal(subnetEnvPath(undefined, '/run/k8ts'), '/run/flannel/subnet.env');
  assert.equal(subnetEnvPath('/run/k8ts', '/run/k8ts'), '/run/flannel/subnet.env');
  assert.equal(subnetEnvPath('/run/k8ts-h2', '/run/k8ts'), '/run/k8ts-h2/flannel/subnet.env');
});

test('the uplink is the interface holding the node IP, or the named one; VXLAN takes 50 bytes of its MTU', () => {
  const addrs = JSON.stringify([
    { ifname: 'lo', mtu: 65536, addr_info: [{ family: 'inet', local: '127.0.0.1' }] },
    { ifname: 'eth0', mtu: 1500, addr_info: [{ family: 'inet', local: '192.168.77.11' }] },
    { ifname: 'eth1', mtu: 9000, addr_info: [{ family: 'inet', local: '10.0.0.5' }] },
  ]);
  assert.deepEqual(pickUplink(addrs, { nodeIP: '192.168.77.11' }), { name: 'eth0', mtu: 1500, ip: '192.168.77.11' });
  assert.deepEqual(pickUplink(addrs, { iface: 'eth1' }), { name: 'eth1', mtu: 9000, ip: '10.0.0.5' });
  assert.throws(() => pickUplink(addrs, { nodeIP: '192.168.1.1' }), /no interface holds the node IP 192\.168\.1\.1/);
  assert.throws(() => pickUplink(addrs, { iface: 'wlan0' }), /--flannel-iface wlan0/);
  assert.equal(podMTU('vxlan', 1500), 1450);
  assert.equal(podMTU('host-gw', 1500), 1500);
});

test('an existing flannel.1 is kept only with the same VNI, port, local address, uplink and no learning', () => {
  const uplink = { name: 'eth0', mtu: 1500, ip: '192.168.77.11' };
  const link = { linkinfo: { info_kind: 'vxlan', info_data: { id: 1, port: 8472, local: '192.168.77.11', link: 'eth0', learning: false } } };
  assert.equal(deviceMismatch(link, { uplink }), undefined);
  assert.equal(deviceMismatch(link, { uplink: { ...uplink, ip: '192.168.77.20' } }), 'local 192.168.77.11');
  assert.equal(deviceMismatch({ linkinfo: { info_kind: 'vxlan', info_data: { ...link.linkinfo.info_data, port: 4789 } } }, { uplink }), 'port 4789');
  assert.equal(deviceMismatch({ linkinfo: { info_kind: 'bridge' } }, { uplink }), 'not a vxlan device');
});

test('the VTEP MAC is stable per node name, unicast and locally administered', () => {
  const m = stableVtepMAC('node-1');
  assert.equal(m, stableVtepMAC('node-1'));
  assert.notEqual(m, stableVtepMAC('node-2'));
  assert.match(m, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  const first = parseInt(m.slice(0, 2), 16);
  assert.equal(first & 1, 0);
  assert.equal(first & 2, 2);
});

test('pod-to-pod stays unmasqueraded, the rest of pod traffic is masqueraded, FORWARD accepts the cluster CIDR', () => {
  const b = masqueradeBatch('10.42.0.0/16');
  const lines = b.split('\n');
  const ret = lines.findIndex((l) => l.includes('-s 10.42.0.0/16 -d 10.42.0.0/16') && l.endsWith('-j RETURN'));
  const masq = lines.findIndex((l) => l.includes('-s 10.42.0.0/16 ! -d 224.0.0.0/4') && l.includes('-j MASQUERADE'));
  assert.ok(ret > 0 && masq > ret, b);
  assert.ok(lines.includes(':FLANNEL-POSTRTG - [0:0]') && lines.includes(':FLANNEL-FWD - [0:0]'));
  assert.ok(lines.some((l) => l.startsWith('-A FLANNEL-FWD -s 10.42.0.0/16') && l.endsWith('-j ACCEPT')));
  assert.ok(lines.some((l) => l.startsWith('-A FLANNEL-FWD -d 10.42.0.0/16') && l.endsWith('-j ACCEPT')));
});

test('the conflist drops the bridge\'s ipMasq and takes the overlay\'s MTU; without an overlay it keeps masquerading', async () => {
  const exec: Exec = async (file, args) => {
    assert.deepEqual([file, ...args], ['ip', '-j', '-4', 'addr', 'show']);
    return { code: 0, stdout: JSON.stringify([{ ifname: 'eth0', mtu: 1400, addr_info: [{ family: 'inet', local: '192.0.2.2' }] }]), stderr: '' };
  };
  assert.deepEqual(await overlayCniOptions('vxlan', { nodeIP: '192.0.2.2' }, exec), { mtu: 1350, ipMasq: false });
  assert.deepEqual(await overlayCniOptions('host-gw', { nodeIP: '192.0.2.2' }, exec), { mtu: 1400, ipMasq: false });
  assert.deepEqual(await overlayCniOptions('none', { nodeIP: '192.0.2.2' }, exec), { ipMasq: true });
  // An uplink that cannot be found leaves the MTU at the plugin's default, but pods still get a network.
  assert.deepEqual(await overlayCniOptions('vxlan', { nodeIP: '203.0.113.9' }, exec), { ipMasq: false });
});
