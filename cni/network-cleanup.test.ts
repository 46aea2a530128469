import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIptablesSave } from './host-cleanup.js';
import { idleHostportChains, networkChains } from './network-cleanup.js';

// A host with two CNI networks: ours ("k8ts-t0") and someone else's ("other").
const NAT = `*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:CNI-HOSTPORT-DNAT - [0:0]
:CNI-HOSTPORT-MASQ - [0:0]
:CNI-aaa - [0:0]
:CNI-DN-aaa - [0:0]
:CNI-bbb - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ
-A POSTROUTING -s 10.1.0.2/32 -m comment --comment "name: \\"k8ts-t0\\" id: \\"111\\"" -j CNI-aaa
-A POSTROUTING -s 10.2.0.2/32 -m comment --comment "name: \\"other\\" id: \\"222\\"" -j CNI-bbb
-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"k8ts-t0\\" id: \\"111\\"" -m multiport --dports 8080 -j CNI-DN-aaa
-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE
-A CNI-aaa -d 10.1.0.0/24 -m comment --comment "name: \\"k8ts-t0\\" id: \\"111\\"" -j ACCEPT
-A CNI-DN-aaa -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.1.0.2:80
-A CNI-bbb -d 10.2.0.0/24 -m comment --comment "name: \\"other\\" id: \\"222\\"" -j ACCEPT
COMMIT
`;

test('only chains tagged with our network name are ours', () => {
  const saved = parseIptablesSave(NAT);
  assert.deepEqual(networkChains(saved, 'k8ts-t0').sort(), ['CNI-DN-aaa', 'CNI-aaa']);
  assert.deepEqual(networkChains(saved, 'other'), ['CNI-bbb']);
});

test('shared hostport chains go only when nothing else uses them', () => {
  const saved = parseIptablesSave(NAT);
  assert.deepEqual(idleHostportChains(saved, ['CNI-DN-aaa', 'CNI-aaa']), ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-MASQ']);
  const busy = parseIptablesSave(NAT.replace('-A CNI-DN-aaa', '-A CNI-HOSTPORT-DNAT -p tcp -j CNI-DN-zzz\n-A CNI-DN-aaa'));
  assert.deepEqual(idleHostportChains(busy, ['CNI-DN-aaa', 'CNI-aaa']), []);
});
